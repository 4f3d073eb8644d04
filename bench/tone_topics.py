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

import argparse
import json
import re
from pathlib import Path

import numpy as np

from bench.tone_german import held_out
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


def by_topic(data: Path, c: float | None = None) -> dict:
    """Pooled out-of-fold AUC and macro-F1 of the German head, topics held out whole."""
    from sklearn.metrics import f1_score, roc_auc_score

    from training import train
    from training.data import SEED, load_germeval, prepare
    from workers.tone.cues import find_cue_batch
    from workers.tone.model import HELPDESK_BOOST, load_model

    german = load_germeval(data / "germeval2018")
    c = c or json.loads(train.MODEL_PATH.with_suffix(".json").read_text())["C"]["de"]
    part = train.part_for("de", german)
    topics = [topic(text) for text, *_ in german]
    keys = [f"topic {name}" if name else conversation(text, i)
            for i, ((text, *_), name) in enumerate(zip(german, topics, strict=True))]
    scores, hostile = held_out(part, keys, c, SEED)
    shipped = scores + HELPDESK_BOOST * find_cue_batch([prepare(t) for t, *_ in german]).helpdesk
    y = part.anger
    per_topic = {}
    for name in TOPICS:
        rows = np.array([t == name for t in topics])
        per_topic[name] = {"rows": int(rows.sum()), "offensive": round(float(y[rows].mean()), 3),
                           "auc": round(float(roc_auc_score(y[rows], scores[rows])), 4)}
    return {"rows": len(german), "in a topic": sum(t is not None for t in topics), "C": c,
            "auc": round(float(roc_auc_score(y, scores)), 4),
            "macro_f1": round(float(f1_score(y, hostile, average="macro")), 4),
            "macro_f1_at_shipped_threshold": round(float(f1_score(
                y, shipped >= load_model().offsets["de"], average="macro")), 4),
            "topics": per_topic, "command": "python -m bench.tone_topics"}


def main() -> None:
    from training.data import data_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="training data (or BREATHER_TONE_DATA)")
    parser.add_argument("--c", type=float, help="regularisation (default: the shipped model's)")
    args = parser.parse_args()
    print(json.dumps(by_topic(data_dir(args.data), args.c), indent=2))


if __name__ == "__main__":
    main()
