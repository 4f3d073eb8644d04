"""German validation by conversation: `python -m bench.tone_german [--data DIR] [--c 8]`.

A random split of GermEval-2018 puts replies to the same account, on the same topic, on both
sides, and overestimates how well the German head reads German from other sources (0.807
macro-F1 on the report split against 0.710 on an independent set). Here the tweets are grouped
by whom they answer (their first @handle; without one, their first #hashtag; else alone) and
five-fold cross-validation holds out whole groups: the German head is fitted as
`training.train` fits it (IDF and Naive-Bayes ratios from the training folds, the given C, the
decision threshold chosen for macro-F1 on a ninth of the training groups) and scores the
held-out groups. Reports pooled out-of-fold AUC and macro-F1. A few minutes on one core.

The other half of the German validation, an independent data set, is bench.tone_sets.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np

FOLDS = 5
_ADDRESSEE = re.compile(r"@\w+")
_HASHTAG = re.compile(r"#\w+")


def conversation(text: str, index: int) -> str:
    """Whom a tweet answers (first @handle), else its first #hashtag, else itself."""
    found = _ADDRESSEE.search(text) or _HASHTAG.search(text)
    return found.group(0).lower() if found else f"row {index}"


def group_folds(keys: list[str], folds: int, seed: int) -> np.ndarray:
    """A fold per row; whole groups per fold, the largest first into the lightest fold."""
    sizes: dict[str, int] = {}
    for key in keys:
        sizes[key] = sizes.get(key, 0) + 1
    order = sorted(sizes)
    np.random.default_rng(seed).shuffle(order)
    load, fold_of = np.zeros(folds), {}
    for key in sorted(order, key=lambda k: -sizes[k]):  # stable: ties keep the shuffled order
        fold_of[key] = int(np.argmin(load))
        load[fold_of[key]] += sizes[key]
    return np.array([fold_of[key] for key in keys])


def _idf(raw) -> np.ndarray:
    counted = raw.tocsc()
    return (np.log((1 + raw.shape[0]) / (1 + np.diff(counted.indptr))) + 1).astype(np.float32)


def held_out(part, keys: list[str], c: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold decision values and hostile flags for every tweet."""
    from training import train

    y, fold = part.anger, group_folds(keys, FOLDS, seed)
    scores, hostile = np.zeros(len(y)), np.zeros(len(y), bool)
    for k in range(FOLDS):
        rest = np.flatnonzero(fold != k)
        x = part.x(_idf(part.raw[rest]))
        calibration = group_folds([keys[i] for i in rest], 9, seed + k) == 0
        fit_rows, cal_rows = rest[~calibration], rest[calibration]
        ratio = train.nb_scale(x[fit_rows], y[fit_rows])
        head = train.fit(train.scaled(x[fit_rows], ratio), y[fit_rows], c)
        threshold = train.best_threshold(head.decision_function(train.scaled(x[cal_rows], ratio)),
                                         y[cal_rows], macro=True)
        ratio = train.nb_scale(x[rest], y[rest])  # refit on all training folds, as shipped
        head = train.fit(train.scaled(x[rest], ratio), y[rest], c)
        out = np.flatnonzero(fold == k)
        scores[out] = head.decision_function(train.scaled(x[out], ratio))
        hostile[out] = scores[out] >= threshold
    return scores, hostile


def by_conversation(data: Path, c: float | None = None) -> dict:
    """Pooled out-of-fold AUC and macro-F1 of the German head, held out by conversation."""
    from sklearn.metrics import f1_score, roc_auc_score

    from training import train
    from training.data import SEED, load_germeval

    german = load_germeval(data / "germeval2018")
    c = c or json.loads(train.MODEL_PATH.with_suffix(".json").read_text())["C"]["de"]
    part = train.Part(german, train.vectors_for("de"))
    keys = [conversation(text, i) for i, (text, *_) in enumerate(german)]
    scores, hostile = held_out(part, keys, c, SEED)
    return {"rows": len(german), "groups": len(set(keys)), "folds": FOLDS, "C": c,
            "auc": round(float(roc_auc_score(part.anger, scores)), 4),
            "macro_f1": round(float(f1_score(part.anger, hostile, average="macro")), 4),
            "command": "python -m bench.tone_german"}


def main() -> None:
    from training.data import data_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="training data (or BREATHER_TONE_DATA)")
    parser.add_argument("--c", type=float, help="regularisation (default: the shipped model's)")
    args = parser.parse_args()
    print(json.dumps(by_conversation(data_dir(args.data), args.c), indent=2))


if __name__ == "__main__":
    main()
