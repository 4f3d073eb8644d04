"""What each block of dense features adds to the English head: `python -m bench.tone_ablation`.

Five-fold cross-validation on train + calibration (the report split is left out), with the
English head fitted as `training.train` fits it (IDF from the other folds, Naive-Bayes
scaling, C = 1), once with every feature and once with a block of dense features set to zero:
the word priors, the pooled word vectors, or both. Reports pooled out-of-fold AUC. Takes about
three minutes.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

FOLDS = 5


def main() -> None:
    from sklearn.metrics import roc_auc_score

    from training import train
    from training.data import data_dir
    from workers.tone.model import DENSE
    from workers.tone.priors import FEATURES as PRIOR_FEATURES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="training data (or BREATHER_TONE_DATA)")
    english = train.load_goemotions(data_dir(parser.parse_args().data) / "goemotions")
    rows = [row for part in train.split(english)[:2] for row in part]  # never the report split
    part = train.part_for("en", rows)
    y = part.anger
    priors = slice(len(DENSE) - len(PRIOR_FEATURES), len(DENSE))
    vectors = slice(len(DENSE), part.dense.shape[1])
    folds = np.array_split(np.random.default_rng(train.SEED).permutation(len(rows)), FOLDS)
    full = part.dense.copy()
    result = {}
    for name, blocks in (("all features", ()), ("without word priors", (priors,)),
                         ("without word vectors", (vectors,)),
                         ("without either", (priors, vectors))):
        part.dense = full.copy()
        for block in blocks:
            part.dense[:, block] = 0.0
        start, scores = time.perf_counter(), np.zeros(len(rows))
        for held in folds:
            rest = np.setdiff1d(np.arange(len(rows)), held)
            counted = part.raw[rest].tocsc()
            idf = (np.log((1 + len(rest)) / (1 + np.diff(counted.indptr))) + 1).astype(np.float32)
            x = part.x(idf)
            ratio = train.nb_scale(x[rest], y[rest])
            head = train.fit(train.scaled(x[rest], ratio), y[rest], 1.0)
            scores[held] = head.decision_function(train.scaled(x[held], ratio))
        result[name] = round(float(roc_auc_score(y, scores)), 4)
        print(f"{name}: English AUC {result[name]:.4f} ({time.perf_counter() - start:.0f} s)",
              flush=True)
    print(json.dumps({"folds": FOLDS, "rows": len(rows), "en_auc": result}, indent=2))


if __name__ == "__main__":
    main()
