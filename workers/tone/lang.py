"""Cheap language identification for English and German.

Function words decide most texts. Where they are close (at most one word apart, or none at
all: "Tod allen Frauen.", "Typische Fotze.", "Super BVB kriegt aufs Maul"), letter trigrams
decide: a naive-Bayes log-likelihood ratio per hashed trigram (`langid.npz`, built by
`python -m training.langid` from the training data's German tweets and English comments),
summed over the text, against a prior towards English. Most short texts with no function word
are English chat ("Nice melt bra", "OMG!"), so a few German trigrams are not enough."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np

_WORD = re.compile(r"[a-zäöüß]+")
GERMAN = frozenset(
    "der die das und ist nicht ich sie es ein eine einen dem den des mit auf für von zu im bei "
    "wie was wir ihr mein meine meinen mir mich sich auch noch schon aber oder wenn dass bitte "
    "danke hallo sehr habe haben hat sind war wurde kann können keine kein nur jetzt heute "
    "immer wieder warum weil über nach seit gerne grüße vielen du dich dir dein deine euch alle "
    "diese dieser dieses nichts hier sollte sollten muss müssen gibt sein werden wird doch "
    "einem einer uns unser zum zur vom beim".split())
# Not "in", "an" or "will": German words too, they sent short German sentences ("Frauen
# gehören in einen Zoo.") to the English head on a tie.
ENGLISH = frozenset(
    "the and is not you it a of to on for with my me i we this that was were have has "
    "are be can could would please thanks thank hello hi your our no only now today still "
    "again why because after since what when there their they just".split())

TRIGRAM_PATH = Path(__file__).with_name("langid.npz")
TRIGRAM_BITS = 12
# trigrams decide where the function words differ by at most this many
CLOSE = 1
# Per function word of difference, in log-likelihood units; and the log-odds a text needs
# towards German (its trigrams' summed ratio plus the words) to be read as German. Chosen on
# GoEmotions dev (English), GermEval's calibration and report splits and HateCheck's
# "choose" half (German). Misread before -> after (`python -m bench.tone_lang`): GoEmotions
# dev 0.11 % -> 0.04 %, GermEval 0.52 % -> 0.04 %, HateCheck 2.9 % -> 0.9 % (docs/tone.md).
WORD_WEIGHT, GERMAN_PRIOR = 1.0, 4.0
_BASE, _GOLDEN = np.uint32(0x01000193), np.uint32(0x9E3779B1)
_LETTERS = np.zeros(256, bool)
_LETTERS[97:123] = _LETTERS[32] = _LETTERS[0xC3] = True
_LETTERS[[0xA4, 0xB6, 0xBC, 0x9F]] = True  # the second bytes of ä ö ü ß


def detect_language(text: str) -> str:
    """'en', 'de' or 'other' (as `score` decides it for a text)."""
    lowered = text.lower()
    words = set(_WORD.findall(lowered))
    german, english = np.array([len(words & GERMAN)]), np.array([len(words & ENGLISH)])
    data = np.frombuffer((" " + lowered + " ").encode("utf-8", "replace"), np.uint8)
    sums = trigram_sums(data, np.zeros(len(data), np.int64), np.abs(german - english) <= CLOSE)
    return decide(german, english, sums, np.array([bool(words)]))[0]


def decide(german: np.ndarray, english: np.ndarray, trigrams: np.ndarray | None,
           letters: np.ndarray) -> list[str]:
    """Per text: German where it has more German function words, or where they are close and
    the trigrams and words together lean German by more than the prior; 'other' without a
    letter. Without trigrams (no table) the words alone decide, English on a tie."""
    difference = german - english
    leaning = difference
    if trigrams is not None:
        close = np.abs(difference) <= CLOSE
        leaning = np.where(close, WORD_WEIGHT * difference + trigrams - GERMAN_PRIOR, difference)
    return np.where(letters, np.where(leaning > 0, "de", "en"), "other").tolist()


def trigram_sums(data: np.ndarray, rows: np.ndarray, wanted: np.ndarray) -> np.ndarray | None:
    """Per text, its letter trigrams' summed German-vs-English log-likelihood ratio, computed
    only for the `wanted` texts (the others get 0); None without the table. `data` is a
    batch's lower-case bytes and `rows` the text of each byte, as in `features.Tokens`."""
    table = trigram_table()
    sums = np.zeros(len(wanted))
    if table is None or not wanted.any():
        return None if table is None else sums
    mine = wanted[rows]
    buckets, keep = _letter_trigrams(data[mine])
    buckets[~keep] = 1 << TRIGRAM_BITS  # the table's last slot, a zero
    return np.bincount(rows[mine][: len(buckets)], weights=table.take(buckets),
                       minlength=len(wanted))


def trigram_buckets(text: str) -> np.ndarray:
    """The letter trigrams' buckets of a text as the scorer sees it (to build the table)."""
    buckets, keep = _letter_trigrams(
        np.frombuffer((" " + text.lower() + " ").encode("utf-8", "replace"), np.uint8))
    return buckets[keep].astype(np.int64)


def _letter_trigrams(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bucket of every trigram starting at each byte, and which are letters (or spaces) only:
    a text's separator byte is no letter, so no kept trigram spans two texts."""
    if len(data) < 3:
        return np.zeros(0, np.uint32), np.zeros(0, bool)
    letter = _LETTERS[data]
    values = data.astype(np.uint32)
    with np.errstate(over="ignore"):
        hashes = (values[:-2] * _BASE + values[1:-1]) * _BASE + values[2:]
    buckets = (hashes * _GOLDEN) >> np.uint32(32 - TRIGRAM_BITS)
    return buckets, letter[:-2] & letter[1:-1] & letter[2:]


@functools.cache
def trigram_table(path: Path = TRIGRAM_PATH) -> np.ndarray | None:
    """The log-likelihood ratio of each trigram bucket, and a zero after them (None if the
    file is missing)."""
    if not path.exists():
        return None
    with np.load(path) as data:
        table = data["llr"].astype(np.float64)
    if table.shape != (1 << TRIGRAM_BITS,):
        raise ValueError(f"{path}: {table.shape[0]} trigram buckets, expected "
                         f"{1 << TRIGRAM_BITS}: rebuild it (python -m training.langid)")
    return np.append(table, 0.0)  # a last, zero slot for trigrams with a non-letter
