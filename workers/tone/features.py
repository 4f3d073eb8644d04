"""Hashed word and character n-gram features for a whole batch at once, in numpy.

Every n-gram hash is computed with vectorised polynomial rolling hashes over the concatenated
bytes of the batch (mod 2**32 arithmetic), so there is no per-token Python loop: this is what
makes the scorer several times faster than a lexicon walked in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

BITS = 18
DIM = 1 << BITS
# 5-grams too added 0.08 pt English AUC in cross-validation and cost 8 % of the scoring time
CHAR_NGRAMS = (3, 4)
BASE = np.uint32(0x01000193)
GOLDEN = np.uint32(0x9E3779B1)
PAIR = np.uint32(0x2545F491)
SEPARATOR = 0  # byte between texts; never inside a text
NOWHERE = DIM  # the column of n-grams that span two texts: no feature (a zero at inference)


@dataclass(frozen=True)
class Batch:
    """A sparse batch: rows[i] has feature cols[i] with value vals[i] (signed, normalised)."""

    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    size: int


def _bytes_and_rows(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The batch as lower-cased UTF-8 bytes (each text padded by spaces, texts separated by a
    0 byte) and the text index of every byte. One `lower` and `encode` for the whole batch
    (a per-text loop cost 0.7 µs a message); the space padding keeps a final sigma final."""
    # str.lower only where bytes.lower (ASCII only) might differ: three times faster
    encoded = (" " + " \x00 ".join([t if t.isascii() else t.lower() for t in texts])
               + " ").encode("utf-8", "replace").lower()
    if not texts or encoded.count(b"\x00") != len(texts) - 1:  # a text holds a 0 byte
        return _bytes_and_rows_one_by_one(texts)
    data = np.frombuffer(encoded, np.uint8)
    separators = np.flatnonzero(data == SEPARATOR)  # a separator belongs to the text before it
    lengths = np.diff(separators, prepend=-1, append=len(data) - 1)
    return data, np.repeat(np.arange(len(texts), dtype=np.int64), lengths)


def _bytes_and_rows_one_by_one(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    encoded = [b" " + t.lower().encode("utf-8", "replace").replace(b"\x00", b" ") + b" "
               for t in texts]
    data = np.frombuffer(b"\x00".join(encoded), dtype=np.uint8)
    lengths = np.fromiter((len(e) + 1 for e in encoded), dtype=np.int64, count=len(encoded))
    rows = np.repeat(np.arange(len(encoded), dtype=np.int64), lengths)[: len(data)]
    return data, rows


_SIGNS = np.array([-1.0, 1.0], np.float32)


def _finish(hashes: np.ndarray, salt: int) -> tuple[np.ndarray, np.ndarray]:
    """Column index and sign (+1/-1) from 32-bit hashes, different for every feature family."""
    with np.errstate(over="ignore"):
        mixed = (hashes ^ np.uint32(salt)) * GOLDEN
    cols = (mixed >> np.uint32(32 - BITS)).astype(np.int64)
    return cols, _SIGNS.take(mixed & np.uint32(1))  # one pass, no float64 temporary


def _char_ngrams(data: np.ndarray, rows: np.ndarray) -> list[tuple]:
    """Features of character n-grams, n in CHAR_NGRAMS (ascending): each n-gram hash extends
    the (n-1)-gram hash by one byte. An n-gram that spans two texts gets column NOWHERE (a
    handful of writes, where cutting them out would copy three arrays)."""
    if not len(data):
        return []
    separators = np.flatnonzero(data == SEPARATOR)
    values = data.astype(np.uint32)
    parts = []
    hashes, n = values, 1
    with np.errstate(over="ignore"):
        for size in CHAR_NGRAMS:
            while n < size:
                hashes = hashes[:-1] * BASE + values[n:]
                n += 1
            cols, signs = _finish(hashes, 0x100 + n)
            spanning = (separators[:, None] - np.arange(n)).ravel()
            cols[spanning[(spanning >= 0) & (spanning < len(hashes))]] = NOWHERE
            parts.append((rows[: len(hashes)], cols, signs))
    return parts


@dataclass(frozen=True)
class Tokens:
    """The words of a batch: lower-cased bytes, word spans and their hashes (shared by the
    n-gram features, the cue lexicon and language identification)."""

    data: np.ndarray  # lower-cased UTF-8 bytes, texts padded by spaces and separated by 0
    rows: np.ndarray  # text index of every byte
    starts: np.ndarray  # word spans [start, end) in data
    ends: np.ndarray
    hashes: np.ndarray  # uint32 polynomial hash of every word
    word_rows: np.ndarray  # text index of every word
    cumulative: np.ndarray  # prefix sums for span hashes
    inverse: np.ndarray  # BASE^-k mod 2**32
    size: int

    def span_hashes(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Hashes of the byte spans [starts, ends): the same as a word's hash for its span."""
        with np.errstate(over="ignore"):
            return ((self.cumulative[ends] - self.cumulative[starts])
                    * self.inverse[len(self.data) - ends])


def text_hash(word: str) -> int:
    """The hash `Tokens` gives a lower-case word (for building lookup tables)."""
    value = 0
    for byte in word.encode("utf-8"):
        value = (value * int(BASE) + byte) & 0xFFFFFFFF
    return value


_ASCII_KINDS = np.zeros(256, np.int8)
_ASCII_KINDS[ord("a"):ord("z") + 1] = _ASCII_KINDS[ord("0"):ord("9") + 1] = 1


def _byte_kinds(data: np.ndarray) -> np.ndarray:
    """Per byte: 1 letter or digit, 2 symbol, 0 neither. A non-ASCII byte takes the kind of its
    UTF-8 sequence: letters lead with 0xC3-0xDF or 0xE0-0xEF except 0xE2 (punctuation,
    arrows, dingbats); 0xC2 (°, «, no-break space) and four-byte sequences (emoji) are symbols."""
    kind = _ASCII_KINDS[data]
    high = np.flatnonzero(data >= 128)
    if not len(high):
        return kind
    # a continuation byte directly follows its lead byte, so the high bytes alone suffice
    lead = data[np.maximum.accumulate(np.where(data[high] >= 192, high, 0))]
    kind[high] = np.where((lead >= 0xC3) & (lead <= 0xEF) & (lead != 0xE2), 1, 2)
    return kind


def tokenize(texts: list[str]) -> Tokens:
    """Words are runs of letters and digits, or of symbols (emoji, typographic quotes), hashed
    all at once: "“useless”😡" is three words, so the lexicon finds "useless"."""
    data, rows = _bytes_and_rows(texts)
    kind = _byte_kinds(data)
    change = np.flatnonzero(np.diff(np.concatenate(([0], kind, [0]))) != 0)
    starts = change[:-1][kind[change[:-1]] != 0]
    ends = change[1:][kind[change[:-1]] != 0]
    values = data.astype(np.uint32)
    with np.errstate(over="ignore"):
        # hash of bytes [s, e) = sum data[j] * BASE^(e-1-j): weight every byte by
        # BASE^(L-1-j), prefix-sum, then multiply a span by BASE^-(L-e) (BASE is odd)
        powers = _powers(BASE, len(data) + 1)
        weighted = values * powers[len(data) - 1 :: -1][: len(data)] if len(data) else values
        cumulative = np.concatenate(([np.uint32(0)], np.cumsum(weighted, dtype=np.uint32)))
        inverse = _powers(np.uint32(pow(int(BASE), -1, 1 << 32)), len(data) + 1)
    tokens = Tokens(data, rows, starts, ends, np.empty(0, np.uint32), rows[starts], cumulative,
                    inverse, len(texts))
    return Tokens(data, rows, starts, ends, tokens.span_hashes(starts, ends), rows[starts],
                  cumulative, inverse, len(texts))


_POWER_CACHE: dict[int, np.ndarray] = {}


def _powers(base: np.uint32, count: int) -> np.ndarray:
    """base^0 .. base^(count-1) mod 2**32, read-only: kept per process and grown by doubling,
    as every batch needs the same prefix of them."""
    cached = _POWER_CACHE.get(int(base))
    if cached is None or len(cached) < count:
        cached = np.full(max(count, 2 * (0 if cached is None else len(cached)), 1 << 16), base,
                         dtype=np.uint32)
        cached[0] = 1
        with np.errstate(over="ignore"):
            cached = np.cumprod(cached, dtype=np.uint32)
        cached.setflags(write=False)
        _POWER_CACHE[int(base)] = cached
    return cached[:count]


def _words(tokens: Tokens):
    """Features of words and of adjacent word pairs (two parts, rows sorted in each)."""
    word_hashes, word_rows = tokens.hashes, tokens.word_rows
    w_cols, w_signs = _finish(word_hashes, 0x200)
    same = word_rows[1:] == word_rows[:-1]
    with np.errstate(over="ignore"):
        pair_hashes = word_hashes[:-1][same] * PAIR + word_hashes[1:][same]
    p_cols, p_signs = _finish(pair_hashes, 0x300)
    return (word_rows, w_cols, w_signs), (word_rows[1:][same], p_cols, p_signs)


def hashed_parts(tokens: Tokens) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(rows, cols, signs) of each feature family (words, word pairs, character n-grams), rows
    ascending in each; n-grams that span two texts have column NOWHERE."""
    return [*_words(tokens), *_char_ngrams(tokens.data, tokens.rows)]


def featurize(texts: list[str], tokens: Tokens | None = None) -> Batch:
    """Sparse hashed features of cleaned texts; each row is L2-normalised (for training)."""
    tokens = tokenize(texts) if tokens is None else tokens
    parts = hashed_parts(tokens)
    cols = np.concatenate([p[1] for p in parts])
    kept = cols < NOWHERE  # n-grams that span two texts are no feature
    all_rows = np.concatenate([p[0] for p in parts])[kept]
    cols = cols[kept]
    signs = np.concatenate([p[2] for p in parts])[kept]
    counts = np.bincount(all_rows, minlength=len(texts)).astype(np.float32)
    norm = 1.0 / np.sqrt(np.maximum(counts, 1.0))
    return Batch(all_rows, cols, signs * norm[all_rows], len(texts))


def linear_sums(tokens: Tokens, table: Sequence[np.ndarray]) -> np.ndarray:
    """(len(table), texts): per text, the sums of each table row over the text's hashed
    features, signed, except the last row's (the squared IDF, for the norm).

    The scorer's linear part. Unlike `featurize` it leaves out the per-text 1/√features
    scale, which cancels in w·v/‖v‖, and gathers one table row (a megabyte) at a time: two
    thirds of the time of a sparse batch times a (features, heads) table. `table` has
    DIM + 1 columns, the last (NOWHERE) zero."""
    sums = np.zeros((len(table), tokens.size), np.float32)
    for rows, cols, signs in hashed_parts(tokens):
        if not len(rows):
            continue
        bounds = np.searchsorted(rows, np.arange(tokens.size + 1))
        present = bounds[1:] > bounds[:-1]
        starts = bounds[:-1][present]
        for i, weights in enumerate(table):
            gathered = weights.take(cols)
            if i < len(table) - 1:
                gathered *= signs
            sums[i, present] += np.add.reduceat(gathered, starts)
    return sums


def sorted_row_sums(rows: np.ndarray, data: np.ndarray, size: int):
    """For rows in ascending order: which of `size` rows occur, the sums of their `data`
    entries (one `reduceat`), and how many entries each row has (found by binary search:
    a pass over the rows cost more)."""
    bounds = np.searchsorted(rows, np.arange(size + 1))
    counts = bounds[1:] - bounds[:-1]
    present = counts > 0
    return present, np.add.reduceat(data, bounds[:-1][present], axis=0), counts[present]
