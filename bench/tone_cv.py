"""Cross-validated quality of the tone training procedure: `python -m bench.tone_cv [--folds 10]`.

`bench.tone` measures the shipped model on one held-out 10 % split: 4,884 English texts, whose
AUC has a standard error of about 1 pt (the ten folds below differ by ±1 pt). Here every text
is held out once: for each fold, the procedure of `training.train` runs on the other 90 %
(80 % train, 10 % calibration for C and thresholds, then refit on both, exactly as for the
shipped model) and scores the held-out fold through the whole scorer (cleaning, language, cues,
helpdesk boost). Nothing here is used for any choice.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from training.data import SEED

FOLDS = 10


def fold(rows: list, k: int, folds: int) -> tuple[list, list, list]:
    """(train, calibration, held out) for fold k: calibration is a ninth of the rest."""
    order = np.random.default_rng(SEED).permutation(len(rows))
    chunks = np.array_split(order, folds)
    rest = np.concatenate([c for i, c in enumerate(chunks) if i != k])
    cut = len(rest) - len(rest) // 9
    return ([rows[i] for i in rest[:cut]], [rows[i] for i in rest[cut:]],
            [rows[i] for i in chunks[k]])


def held_out_scores(english: list, german: list, k: int, folds: int) -> tuple[list, list]:
    from training.train import fit_model
    from workers.tone.clean import clean_batch
    from workers.tone.model import load_model

    en_train, en_cal, en_held = fold(english, k, folds)
    de_train, de_cal, de_held = fold(german, k, folds)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fold-{k}.npz"
        fit_model({"en": en_train, "de": de_train, "en_cal": en_cal, "de_cal": de_cal}, path)
        model = load_model(path)
        en = model.predict(clean_batch([t for t, *_ in en_held]))
        de = model.predict(clean_batch([t for t, *_ in de_held]))
    return en, de


def main() -> None:
    from sklearn.metrics import f1_score, roc_auc_score

    from training.data import data_dir, load_germeval, load_goemotions

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--data", type=Path, help="training data (or BREATHER_TONE_DATA)")
    args = parser.parse_args()
    folds, data = args.folds, data_dir(args.data)
    english = load_goemotions(data / "goemotions")
    german = load_germeval(data / "germeval2018")
    en_auc, de_f1, en_all, de_all = [], [], ([], []), ([], [])
    start = time.perf_counter()
    for k in range(folds):
        en, de = held_out_scores(english, german, k, folds)
        en_y = [r[1] for r in fold(english, k, folds)[2]]
        de_y = [r[1] for r in fold(german, k, folds)[2]]
        en_auc.append(roc_auc_score(en_y, [t.anger for t in en]))
        de_f1.append(f1_score(de_y, [t.hostile for t in de], average="macro"))
        en_all[0].extend(en_y)
        en_all[1].extend(t.anger for t in en)
        de_all[0].extend(de_y)
        de_all[1].extend(t.hostile for t in de)
        print(f"fold {k}: en AUC {en_auc[-1]:.3f}, de macro-F1 {de_f1[-1]:.3f}", flush=True)
    print(json.dumps({
        "folds": folds,
        "en_auc_mean": round(float(np.mean(en_auc)), 4),
        "en_auc_sd": round(float(np.std(en_auc, ddof=1)), 4),
        "en_auc_pooled": round(float(roc_auc_score(*en_all)), 4),
        "en_auc_folds": [round(a, 3) for a in en_auc],
        "de_macro_f1_mean": round(float(np.mean(de_f1)), 4),
        "de_macro_f1_sd": round(float(np.std(de_f1, ddof=1)), 4),
        "de_macro_f1_pooled": round(float(f1_score(*de_all, average="macro")), 4),
        "seconds": round(time.perf_counter() - start),
    }, indent=2))


if __name__ == "__main__":
    main()
