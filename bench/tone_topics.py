"""German validation by topic: `python -m bench.tone_topics [--data DIR] [--c 8]`.

bench.tone_german holds out whole conversations; GermEval-2018's offensive tweets also cluster
on a few political topics (Merkel, the AfD, refugees, Islam, the left and the Greens, foreign
politics, the media), and the German head learns those topics' words as offence. Here every
tweet that names one of these topics (the first that matches, in the order of TOPICS) is
grouped with its topic, the others with their conversation, and five-fold cross-validation
holds out whole groups: each topic is scored by a head that never saw a tweet about it. The
head is fitted as training fits it (bench.tone_german.held_out). Reports pooled out-of-fold AUC
and macro-F1, the same at the shipped German threshold (helpdesk boost added, as `score` adds
it), and the AUC within each held-out topic. A few minutes on one core.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from bench.tone_german import held_out_by, main
from training.threshold import conversation

TOPICS = {
    "merkel": r"merkel|kanzlerin",
    "afd": r"\bafd|gauland|weidel|höcke|petry",
    "refugees": r"flüchtling|migrant|asyl|refugee|zuwander|einwander|grenze",
    "islam": r"islam|muslim|moslem|koran|moschee|kopftuch",
    "left and greens": r"\bgrün|\blinke|antifa|\bspd\b|schulz|sozi",
    "foreign politics": r"trump|erdogan|türk|russ|putin|\busa\b|amerika|israel|\beu\b|brüssel",
    "media": r"tagesschau|\bard\b|\bzdf\b|presse|medien|journalist|spiegel|welt|bild",
}
_PATTERNS = {name: re.compile(pattern) for name, pattern in TOPICS.items()}


def topic(text: str) -> str | None:
    """The first topic a tweet names, or None."""
    lowered = text.lower()
    return next((name for name, pattern in _PATTERNS.items() if pattern.search(lowered)), None)


def topic_or_conversation(text: str, index: int) -> str:
    """A tweet's group: the topic it names, else its conversation."""
    name = topic(text)
    return f"topic {name}" if name else conversation(text, index)


def by_topic(data: Path, c: float | None = None) -> dict:
    """Pooled out-of-fold AUC and macro-F1 of the German head, topics held out whole, and the
    AUC within each topic."""
    from sklearn.metrics import roc_auc_score

    texts, y, scores, figures = held_out_by(data, c, topic_or_conversation)
    topics = np.array([topic(text) or "" for text in texts])
    per_topic = {}
    for name in TOPICS:
        rows = topics == name
        per_topic[name] = {"rows": int(rows.sum()), "offensive": round(float(y[rows].mean()), 3),
                           "auc": round(float(roc_auc_score(y[rows], scores[rows])), 4)}
    return {**figures, "in a topic": int((topics != "").sum()), "topics": per_topic,
            "command": "python -m bench.tone_topics"}


if __name__ == "__main__":
    main(by_topic, __doc__.splitlines()[0])
