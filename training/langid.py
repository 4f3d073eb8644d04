"""Build workers/tone/langid.npz: `python -m training.langid [--data DIR]`.

The letter-trigram table the language detector falls back on where function words do not
decide (workers/tone/lang.py): per hashed trigram, the log of its add-one-smoothed share
among German trigrams over its share among English ones. German: GermEval-2018's training
split (our split, training/data.py); English: GoEmotions' train.tsv. Both cleaned as `score`
cleans, so @handles, links and quoted replies do not count. Neither the calibration nor the
report split is read, nor GoEmotions' dev.tsv (the detector's English check).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from training.data import data_dir, load_germeval, prepare, split
from workers.tone.lang import TRIGRAM_BITS, TRIGRAM_PATH, trigram_buckets


def counts(texts: list[str]) -> np.ndarray:
    """How often each trigram bucket occurs in the texts."""
    found = [trigram_buckets(prepare(text)) for text in texts]
    return np.bincount(np.concatenate(found), minlength=1 << TRIGRAM_BITS).astype(np.float64)


def build(folder: Path, out: Path = TRIGRAM_PATH) -> dict:
    german_rows, _, _ = split(load_germeval(folder / "germeval2018"))
    english = [line.split("\t")[0] for line in
               (folder / "goemotions" / "train.tsv").read_text(encoding="utf-8").splitlines()]
    german_counts, english_counts = counts([row[0] for row in german_rows]), counts(english)
    buckets = 1 << TRIGRAM_BITS
    llr = (np.log((german_counts + 1) / (german_counts.sum() + buckets))
           - np.log((english_counts + 1) / (english_counts.sum() + buckets)))
    np.savez_compressed(out, llr=llr.astype(np.float32))
    return {"german_texts": len(german_rows), "english_texts": len(english),
            "german_trigrams": int(german_counts.sum()),
            "english_trigrams": int(english_counts.sum()), "buckets": buckets}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="folder with goemotions/ and germeval2018/")
    args = parser.parse_args(argv)
    print(json.dumps(build(data_dir(args.data)), indent=2))


if __name__ == "__main__":
    main()
