"""German validation by conversation: `python -m bench.tone_german [--data DIR] [--c 8]`.

A random split of GermEval-2018 puts replies to the same account, on the same topic, on both
sides, and overestimates how well the German head reads German from other sources (0.807
macro-F1 on the report split against 0.710 on an independent set). Here the tweets are grouped
by whom they answer (their first @handle; without one, their first #hashtag; else alone) and
five-fold cross-validation holds out whole groups: the German head is fitted as
`training.train` fits it (IDF and Naive-Bayes ratios from the training folds, the given C, the
decision threshold chosen for macro-F1 on a ninth of the training groups) and scores the
held-out groups. Reports pooled out-of-fold AUC and macro-F1, and the macro-F1 of the same
out-of-fold scores (helpdesk boost added, as `score` adds it) at the shipped German threshold,
which training chooses on German from several sources, these tweets among them
(training.threshold; so that figure is slightly in-sample). A few minutes on one core.

The other half of the German validation, an independent data set, is bench.tone_sets.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from training.threshold import FOLDS, conversation, group_folds
from training.threshold import idf_of as _idf


def held_out(part, keys: list[str], c: float, seed: int, weights: np.ndarray | None = None
             ) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold decision values and hostile flags for every tweet (`weights`: optional
    sample weights of the rows)."""
    from training import train

    def rows(picked: np.ndarray) -> np.ndarray | None:
        return None if weights is None else weights[picked]

    y, fold = part.anger, group_folds(keys, FOLDS, seed)
    scores, hostile = np.zeros(len(y)), np.zeros(len(y), bool)
    for k in range(FOLDS):
        rest = np.flatnonzero(fold != k)
        x = part.x(_idf(part.raw[rest]))
        calibration = group_folds([keys[i] for i in rest], 9, seed + k) == 0
        fit_rows, cal_rows = rest[~calibration], rest[calibration]
        ratio = train.nb_scale(x[fit_rows], y[fit_rows])
        head = train.fit(train.scaled(x[fit_rows], ratio), y[fit_rows], c, rows(fit_rows))
        threshold = train.best_threshold(head.decision_function(train.scaled(x[cal_rows], ratio)),
                                         y[cal_rows], macro=True)
        ratio = train.nb_scale(x[rest], y[rest])  # refit on all training folds, as shipped
        head = train.fit(train.scaled(x[rest], ratio), y[rest], c, rows(rest))
        out = np.flatnonzero(fold == k)
        scores[out] = head.decision_function(train.scaled(x[out], ratio))
        hostile[out] = scores[out] >= threshold
    return scores, hostile


def held_out_by(data: Path, c: float | None, group: Callable[[str, int], str]
                ) -> tuple[list[str], np.ndarray, np.ndarray, dict]:
    """The German head fitted as training fits it, each tweet scored by a head that never saw
    its group (`group(text, index)`): the texts, labels, out-of-fold scores, and the pooled
    AUC and macro-F1 (each fold's own threshold, and the shipped one with the helpdesk boost
    added, as `score` adds it)."""
    from sklearn.metrics import f1_score, roc_auc_score

    from training import train
    from training.data import SEED, load_germeval, prepare
    from workers.tone.cues import find_cue_batch
    from workers.tone.model import HELPDESK_BOOST, load_model

    german = load_germeval(data / "germeval2018")
    texts = [text for text, *_ in german]
    c = c or json.loads(train.MODEL_PATH.with_suffix(".json").read_text())["C"]["de"]
    part = train.part_for("de", german)
    keys = [group(text, i) for i, text in enumerate(texts)]
    scores, hostile = held_out(part, keys, c, SEED, part.weights)  # as training weights rows
    shipped = scores + HELPDESK_BOOST * find_cue_batch([prepare(t) for t in texts]).helpdesk
    y = part.anger
    return texts, y, scores, {
        "rows": len(german), "groups": len(set(keys)), "folds": FOLDS, "C": c,
        "auc": round(float(roc_auc_score(y, scores)), 4),
        "macro_f1": round(float(f1_score(y, hostile, average="macro")), 4),
        "macro_f1_at_shipped_threshold": round(float(f1_score(
            y, shipped >= load_model().offsets["de"], average="macro")), 4)}


def by_conversation(data: Path, c: float | None = None) -> dict:
    """Pooled out-of-fold AUC and macro-F1 of the German head, held out by conversation."""
    *_, figures = held_out_by(data, c, conversation)
    return {**figures, "command": "python -m bench.tone_german"}


def main(measure: Callable[[Path, float | None], dict] = by_conversation,
         description: str | None = None) -> None:
    """The command line of the German held-out benches: --data and --c, JSON out."""
    from training.data import data_dir

    parser = argparse.ArgumentParser(description=description or __doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="training data (or BREATHER_TONE_DATA)")
    parser.add_argument("--c", type=float, help="regularisation (default: the shipped model's)")
    args = parser.parse_args()
    print(json.dumps(measure(data_dir(args.data), args.c), indent=2))


if __name__ == "__main__":
    main()
