"""Train the tone model: `python -m training.train --data DIR [--extra FILE.jsonl|FILE.tsv]`.

Data (see docs/tone.md for licences): GoEmotions (anger ∪ annoyance = hostile, gratitude ∪
admiration = praise) and GermEval-2018 (OFFENSE = hostile). Each data set is split with a fixed
seed into train (80 %), calibration (10 %: regularisation and thresholds) and report (10 %:
the figures in docs/tone.md, never used for any choice). Once C and the thresholds are chosen,
the shipped heads are refitted on train + calibration with them. Needs the dev extra (scikit-learn).
Run from the repository root; `--data` may be replaced by BREATHER_TONE_DATA (training.data).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from training import threshold
from training.data import SEED, data_dir, load_extra, load_germeval, load_goemotions, prepare, split
from training.multivectors import ALIASES_PATH, MULTI_PATH, load_multilingual
from training.vectors import VECTORS_PATH, WordVectors, load_vectors
from workers.tone.features import DIM, featurize, tokenize
from workers.tone.model import DENSE, LANGS, MODEL_PATH, dense_features
from workers.tone.priors import PRIORS_PATH

__all__ = ["SEED", "fit_model", "load_extra", "load_germeval", "load_goemotions", "part_for",
           "prepare", "split", "train"]

# Per language, what the dense features (cues, priors) and the pooled word vectors are
# multiplied by before a head is fitted: 1/w² times the L2 penalty on their weights, the
# hashed n-grams keeping theirs. Folded back into the saved weights, so the scorer does not
# know. German: both halved (docs/tone.md, "Fourth round": +0.5 pt AUC held out by
# conversation, the choose halves level or up); English as before.
BLOCK_WEIGHTS = {"en": (1.0, 1.0), "de": (0.5, 0.5)}
# GermEval-2018's fine labels as sample weights of the German head: an insult of a person
# counts more, abuse of a group less. Customers insult the agent or the company, not a group,
# and the group abuse is what carries GermEval's topics into the head (docs/tone.md, "Sixth
# round": natural German from elsewhere +2 to +3 pt AUC, by conversation -0.1 pt).
FINE_LABEL_WEIGHTS = {"INSULT": 1.5, "ABUSE": 0.6}


def row_weights(rows: list) -> np.ndarray:
    """Each row's sample weight: by its fine label (a fifth field), else 1."""
    return np.array([FINE_LABEL_WEIGHTS.get(row[4], 1.0) if len(row) > 4 else 1.0
                     for row in rows])


def raw_matrix(texts: list[str]):
    """The hashed features of the texts: (signed sums, sums of squares) per text and column.

    A column sums its occurrences in the first (a repeated n-gram counts twice, colliding
    n-grams of opposite sign cancel); the second keeps what the scorer's norm needs, one
    square per occurrence (see `weighted`)."""
    from scipy import sparse

    batch = featurize(texts)
    shape = (len(texts), DIM)
    return (sparse.csr_matrix((batch.vals, (batch.rows, batch.cols)), shape=shape),
            sparse.csr_matrix((batch.vals * batch.vals, (batch.rows, batch.cols)), shape=shape))


def weighted(x, squares, idf: np.ndarray, dense: np.ndarray):
    """IDF-weighted hashed features divided by the scorer's norm, next to the dense ones (which
    end in the pooled word vectors).

    The norm is the scorer's (workers.tone.features.linear_sums): √Σ idf² over the text's
    n-gram occurrences, not the norm of the summed row. The two differ for every text with a
    repeated n-gram ("nein nein nein"); with the row's own norm the head was fitted on values
    the scorer never computes."""
    from scipy import sparse

    x = x @ sparse.diags(idf.astype(np.float64))
    norms = np.sqrt(np.asarray(squares @ (idf.astype(np.float64) ** 2)).ravel())
    x = sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ x
    return sparse.hstack([x, sparse.csr_matrix(dense)]).tocsr()


def fit(x, y, c: float, weights: np.ndarray | None = None):
    """A logistic head; `weights` (optional) weight the rows, scaled to a mean of 1 (equal
    weights fit as no weights, to the byte)."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, solver="liblinear", max_iter=200, class_weight="balanced")
    if weights is not None and np.all(weights == weights[:1]):
        weights = None
    return model.fit(x, y, sample_weight=None if weights is None else weights / weights.mean())


def best_threshold(scores: np.ndarray, labels: np.ndarray, macro: bool) -> float:
    from sklearn.metrics import f1_score

    best, best_f1 = 0.0, -1.0
    for cut in np.quantile(scores, np.linspace(0.02, 0.98, 97)):
        f1 = f1_score(labels, scores >= cut, average="macro" if macro else "binary")
        if f1 > best_f1:
            best, best_f1 = float(cut), f1
    return best


class Part:
    """One split of one language, featurised once; `vectors` is the language's word-vector
    table (None: no vector features); `blocks` multiply the dense features and the pooled
    vectors (BLOCK_WEIGHTS)."""

    def __init__(self, rows: list, vectors: WordVectors | None = None,
                 blocks: tuple[float, float] = (1.0, 1.0)):
        texts = [prepare(t) for t, *_ in rows]
        self.rows = rows
        self.raw, self.squares = raw_matrix(texts)
        dense = [dense_features(texts) * np.float32(blocks[0])]
        if vectors is not None:
            dense.append(word_vector_features(texts, vectors) * np.float32(blocks[1]))
        self.dense = np.concatenate(dense, axis=1)
        self.anger = np.array([row[1] for row in rows])
        self.praise = np.array([row[2] for row in rows])
        self.weights = row_weights(rows)

    def x(self, idf: np.ndarray):
        return weighted(self.raw, self.squares, idf, self.dense)


def part_for(lang: str, rows: list) -> Part:
    """A part of one language as its head is fitted: its word vectors and block weights."""
    return Part(rows, vectors_for(lang), BLOCK_WEIGHTS[lang])


def vectors_for(lang: str) -> WordVectors:
    """English heads read all-MiniLM-L6-v2 word vectors (English only: with them the German
    head lost 2.5 pt calibration AUC); the German head reads multilingual ones
    (training/multivectors.py), in which German words sit next to English words of like
    meaning."""
    return load_multilingual() if lang == "de" else load_vectors()


def word_vector_features(texts: list[str], table: WordVectors, chunk: int = 4000) -> np.ndarray:
    """Pooled word vectors per text (see training.vectors)."""
    parts = [table.features(tokenize(texts[i:i + chunk])) for i in range(0, len(texts), chunk)]
    return np.concatenate(parts) if parts else np.zeros((0, table.codes.shape[1]), np.float32)


def nb_scale(x, y: np.ndarray) -> np.ndarray:
    """Naive-Bayes log-count ratios |r|^0.5 per hashed feature (NBSVM-style weighting).

    Folded into the weights when saving, so inference costs nothing more.
    """
    present = (x[:, :DIM] != 0).astype(np.float64)
    p = np.asarray(present[y == 1].sum(axis=0)).ravel() + 1.0
    q = np.asarray(present[y == 0].sum(axis=0)).ravel() + 1.0
    return np.abs(np.log((p / p.sum()) / (q / q.sum()))) ** 0.5


def scaled(x, ratio: np.ndarray):
    from scipy import sparse

    return x @ sparse.diags(np.concatenate([ratio, np.ones(x.shape[1] - DIM)]))


def choose(x_train, y_train, x_cal, y_cal, grid=(0.25, 0.5, 1.0, 2.0, 4.0, 8.0),
           weights: np.ndarray | None = None):
    """The regularisation with the best calibration AUC; returns (auc, C, model, ratio).
    `weights`: the training rows' sample weights."""
    from sklearn.metrics import roc_auc_score

    ratio = nb_scale(x_train, y_train)
    best = None
    for c in grid:
        model = fit(scaled(x_train, ratio), y_train, c, weights)
        auc = roc_auc_score(y_cal, model.decision_function(scaled(x_cal, ratio)))
        if best is None or auc > best[0]:
            best = (auc, c, model, ratio)
    return best


def refit(parts: list[Part], x: list, labels: str, c: float):
    """The final head on train + calibration, with the C chosen on calibration alone."""
    from scipy import sparse

    x_all = sparse.vstack(x).tocsr()
    y_all = np.concatenate([getattr(part, labels) for part in parts])
    weights = np.concatenate([part.weights for part in parts])
    known = y_all >= 0
    ratio = nb_scale(x_all[known], y_all[known])
    return fit(scaled(x_all[known], ratio), y_all[known], c, weights[known]), ratio


def train(data: Path, extra: Path | None, out: Path, refit_heads: bool = True,
          blend: bool = True) -> dict:
    """Split each data set (train / calibration / report), add the extra rows to train, fit;
    the choices and figures of the run are recorded next to the model (model.json).

    The German threshold is then chosen on German from several sources (training.threshold;
    `blend=False` keeps the calibration split's).

    Without the refit, the model is the one the choices were made with: score the calibration
    split with it to choose a constant of the scorer (such as HELPDESK_BOOST)."""
    english, german = load_goemotions(data / "goemotions"), load_germeval(data / "germeval2018")
    extra_rows = load_extra(extra) if extra else []
    en_train, en_cal, en_report = split(english)
    de_train, de_cal, de_report = split(german)
    en_train += [r for r in extra_rows if r[3] != "de"]
    de_train += [r for r in extra_rows if r[3] == "de"]
    info = fit_model({"en": en_train, "de": de_train, "en_cal": en_cal, "de_cal": de_cal}, out,
                     refit_heads)
    if blend:
        german = threshold.german_threshold(part_for("de", de_train + de_cal),
                                            info["C"]["de"], SEED, out)
        threshold.set_offset(out, "de", german["threshold"])
        german["calibration_split_threshold"] = info["offsets"]["de"]
        info["offsets"] = {**info["offsets"], "de": german["threshold"]}
        info["german_threshold"] = german
    info = {**info, "seed": SEED, "refit": refit_heads,
            "train_rows": {"en": len(en_train), "de": len(de_train)},
            "calibration_rows": {"en": len(en_cal), "de": len(de_cal)},
            "final_fit_rows": {"en": len(en_train) + len(en_cal) * refit_heads,
                               "de": len(de_train) + len(de_cal) * refit_heads},
            "report_rows": {"en": len(en_report), "de": len(de_report)},
            "inputs_sha256": fingerprints([
                data / "goemotions" / "train.tsv", data / "goemotions" / "dev.tsv",
                data / "germeval2018" / "germeval2018.training.txt", VECTORS_PATH,
                MULTI_PATH, ALIASES_PATH, PRIORS_PATH,
                *([threshold.HATECHECK, threshold.CUSTOMER_SERVICE, threshold.HARMFUL]
                  if blend else []),
                *([extra] if extra else [])])}
    out.with_suffix(".json").write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")
    return info


def fingerprints(paths: list[Path]) -> dict[str, str]:
    """sha256 of every input, so that a recorded run can be matched to its data."""
    import hashlib

    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}


def fit_model(rows: dict[str, list], out: Path, refit_heads: bool = True) -> dict:
    """Choose C and thresholds on calibration, then refit every head on train + calibration,
    and write the model file. `rows` holds the parts "en", "de", "en_cal" and "de_cal"."""
    parts = {name: part_for(name.split("_")[0], part_rows) for name, part_rows in rows.items()}
    from scipy import sparse

    everything = sparse.vstack([part.raw for part in parts.values()]).tocsc()  # no labels used
    df = np.diff(everything.indptr)
    idf = (np.log((1 + everything.shape[0]) / (1 + df)) + 1).astype(np.float32)
    x = {name: part.x(idf) for name, part in parts.items()}
    en_auc, en_c, chosen_en, chosen_en_ratio = choose(x["en"], parts["en"].anger, x["en_cal"],
                                                      parts["en_cal"].anger,
                                                      weights=parts["en"].weights)
    de_auc, de_c, chosen_de, chosen_de_ratio = choose(x["de"], parts["de"].anger, x["de_cal"],
                                                      parts["de_cal"].anger,
                                                      weights=parts["de"].weights)
    offsets = {
        "en": best_threshold(chosen_en.decision_function(scaled(x["en_cal"], chosen_en_ratio)),
                             parts["en_cal"].anger, macro=False),
        "de": best_threshold(chosen_de.decision_function(scaled(x["de_cal"], chosen_de_ratio)),
                             parts["de_cal"].anger, macro=True),
    }
    offsets["other"] = offsets["en"]
    english_parts, german_parts = [parts["en"], parts["en_cal"]], [parts["de"], parts["de_cal"]]
    english_x, german_x = [x["en"], x["en_cal"]], [x["de"], x["de_cal"]]
    if not refit_heads:
        english_parts, german_parts, english_x, german_x = (
            english_parts[:1], german_parts[:1], english_x[:1], german_x[:1])
    anger_en, en_ratio = refit(english_parts, english_x, "anger", en_c)
    anger_de, de_ratio = refit(german_parts, german_x, "anger", de_c)
    praise, praise_ratio = refit(english_parts, english_x, "praise", en_c)
    heads = (anger_en, anger_de, praise)
    ratios = np.stack([en_ratio, de_ratio, praise_ratio], axis=1)
    blocks = [BLOCK_WEIGHTS[lang] for lang in ("en", "de", "en")]  # the heads' languages
    coef = np.stack([m.coef_[0][:DIM + len(DENSE)] for m in heads], axis=1)
    coef[DIM:] *= np.array([dense for dense, _ in blocks])
    english, german = vectors_for("en"), vectors_for("de")
    on_vectors = [m.coef_[0][DIM + len(DENSE):] * vectors  # each head's own table
                  for m, (_, vectors) in zip(heads, blocks, strict=True)]
    english_weights = np.stack([on_vectors[0], np.zeros_like(on_vectors[0]), on_vectors[2]],
                               axis=1)
    # stored, not deflated: `breather anger` starts 15 ms sooner
    np.savez(out, weights=(coef[:DIM] * ratios).astype(np.float16),
             dense=coef[DIM:].astype(np.float32),
             word_hashes=english.hashes,
             word_scores=english.fold(english_weights),
             german_word_hashes=german.hashes,
             german_word_scores=german.fold(on_vectors[1][:, None])[:, 0],
             idf=idf.astype(np.float16),
             bias=np.array([m.intercept_[0] for m in heads], np.float32),
             offsets=np.array([offsets[lang] for lang in LANGS], np.float32))
    return {"C": {"en": en_c, "de": de_c},
            "calibration_auc": {"en": round(en_auc, 4), "de": round(de_auc, 4)},
            "offsets": offsets}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path,
                        help="folder with goemotions/ and germeval2018/ (or BREATHER_TONE_DATA)")
    parser.add_argument("--extra", type=Path, help="own labelled tickets (JSON lines, or .tsv)")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--calibration-threshold", action="store_true",
                        help="keep the German threshold chosen on the calibration split, not "
                             "the one chosen on German from several sources")
    parser.add_argument("--no-refit", action="store_true",
                        help="keep the heads fitted on train only (to choose scorer constants "
                             "on the calibration split)")
    args = parser.parse_args()
    data = data_dir(args.data)
    print(json.dumps(train(data, args.extra, args.out, not args.no_refit,
                                not args.calibration_threshold), indent=2))


if __name__ == "__main__":
    main()
