"""German head variants, measured as issue 14's fourth round chose them:
`python -m bench.tone_german_options [--blocks D V] [--group P] [--no-words] [--choose]`.

The same by-conversation validation as bench.tone_german (five folds of whole conversations,
the head fitted as training fits it, each fold's threshold chosen on a ninth of its training
groups), for a variant of the German head:

- `--blocks D V`: the dense cue and prior features times D and the pooled multilingual word
  vectors times V before fitting (training.train.BLOCK_WEIGHTS; 1/D² and 1/V² times the L2
  penalty on their weights). Default: what training uses.
- `--group P`: sample weights size^-P per conversation group (mean 1), so that a prolific
  thread on one topic weighs less.
- `--no-words`: the hashed word unigrams and bigrams dropped, character n-grams kept (the
  scorer cannot do this today: word and character n-grams share the hashed columns).
- `--choose`: instead, the German head alone (fitted on GermEval's train and calibration
  splits, IDF from them, C 8) scores HateCheck's and the German e-mails' "choose" halves
  (cleaned, helpdesk boost added; no language routing, no threshold): their AUC. The report
  halves are not read.

Exploratory; the shipped model's figures come from bench.tone_german and bench.tone_sets.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from bench.tone_german import held_out
from training.threshold import conversation, idf_of


def variant_part(rows: list, blocks: tuple[float, float], no_words: bool):
    from training import train
    from training.data import prepare

    part = train.Part(rows, train.vectors_for("de"), blocks)
    if no_words:
        part.raw, part.squares = character_ngrams([prepare(t) for t, *_ in rows])
    return part


def character_ngrams(texts: list[str]):
    """training.train.raw_matrix without the word n-grams."""
    from scipy import sparse

    from workers.tone.features import DIM, NOWHERE, hashed_parts, tokenize

    parts = hashed_parts(tokenize(texts))[2:]  # words and word pairs come first
    rows, cols, signs = (np.concatenate([p[i] for p in parts]) for i in range(3))
    kept = cols < NOWHERE
    rows, cols, signs = rows[kept], cols[kept], signs[kept]
    shape = (len(texts), DIM)
    return (sparse.csr_matrix((signs, (rows, cols)), shape=shape),
            sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape))


def group_weights(keys: list[str], power: float) -> np.ndarray:
    sizes: dict[str, int] = {}
    for key in keys:
        sizes[key] = sizes.get(key, 0) + 1
    weights = np.array([sizes[key] ** -power for key in keys])
    return weights / weights.mean()


def by_conversation(part, keys: list[str], c: float, weights: np.ndarray, seed: int) -> dict:
    from sklearn.metrics import f1_score, roc_auc_score

    scores, hostile = held_out(part, keys, c, seed, weights)
    return {"auc": round(float(roc_auc_score(part.anger, scores)), 4),
            "macro_f1": round(float(f1_score(part.anger, hostile, average="macro")), 4)}


def choose_halves(rows: list, keys: list[str], args, c: float) -> dict:
    from sklearn.metrics import roc_auc_score

    from training import train
    from training.data import prepare, split
    from training.threshold import CUSTOMER_SERVICE, HATECHECK, choose_rows
    from workers.tone.clean import clean_batch
    from workers.tone.cues import find_cue_batch
    from workers.tone.model import HELPDESK_BOOST

    training_rows, calibration_rows, _report = split(rows)  # training's split, never its report
    fitted = training_rows + calibration_rows
    part = variant_part(fitted, args.blocks, args.no_words)
    idf = idf_of(part.raw)
    x = part.x(idf)
    ratio = train.nb_scale(x, part.anger)
    weights = group_weights([conversation(t, i) for i, (t, *_) in enumerate(fitted)], args.group)
    head = train.fit(train.scaled(x, ratio), part.anger, c, weights * part.weights)
    figures = {}
    for name, source in (("hatecheck choose", choose_rows(HATECHECK)),
                         ("e-mails choose (German)", choose_rows(CUSTOMER_SERVICE, "de"))):
        texts = clean_batch([r["text"] for r in source])
        scored = variant_part([(t, int(r["hostile"]), -1, "de") for t, r in
                               zip(texts, source, strict=True)], args.blocks, args.no_words)
        boost = HELPDESK_BOOST * find_cue_batch([prepare(t) for t in texts]).helpdesk
        logits = head.decision_function(train.scaled(scored.x(idf), ratio)) + boost
        figures[name] = round(float(roc_auc_score(scored.anger, logits)), 4)
    return figures


def main() -> None:
    from training import train
    from training.data import SEED, data_dir, load_germeval

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="training data (or BREATHER_TONE_DATA)")
    parser.add_argument("--c", type=float, default=8.0)
    parser.add_argument("--blocks", type=float, nargs=2, metavar=("DENSE", "VECTORS"),
                        default=train.BLOCK_WEIGHTS["de"])
    parser.add_argument("--group", type=float, default=0.0)
    parser.add_argument("--no-words", action="store_true")
    parser.add_argument("--choose", action="store_true")
    args = parser.parse_args()
    args.blocks = tuple(args.blocks)
    rows = load_germeval(data_dir(args.data) / "germeval2018")
    keys = [conversation(text, i) for i, (text, *_) in enumerate(rows)]
    if args.choose:
        figures = choose_halves(rows, keys, args, args.c)
    else:
        part = variant_part(rows, args.blocks, args.no_words)
        figures = by_conversation(part, keys, args.c,
                                  group_weights(keys, args.group) * part.weights, SEED)
    print(json.dumps({"blocks": args.blocks, "group": args.group, "no_words": args.no_words,
                      "C": args.c, **figures}))


if __name__ == "__main__":
    main()
