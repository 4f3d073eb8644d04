"""Hashed word and character n-gram features for a whole batch at once, in numpy.

Every n-gram hash is computed with vectorised polynomial rolling hashes over the concatenated
bytes of the batch (mod 2**32 arithmetic), so there is no per-token Python loop: this is what
makes the scorer several times faster than a lexicon walked in Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BITS = 18
DIM = 1 << BITS
CHAR_NGRAMS = (3, 4, 5)
BASE = np.uint32(0x01000193)
GOLDEN = np.uint32(0x9E3779B1)
SEPARATOR = 0  # byte between texts; never inside a text


@dataclass(frozen=True)
class Batch:
    """A sparse batch: rows[i] has feature cols[i] with value vals[i] (signed, normalised)."""

    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    size: int


def _bytes_and_rows(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    encoded = [b" " + t.lower().encode("utf-8", "replace").replace(b"\x00", b" ") + b" "
               for t in texts]
    data = np.frombuffer(b"\x00".join(encoded), dtype=np.uint8)
    lengths = np.fromiter((len(e) + 1 for e in encoded), dtype=np.int64, count=len(encoded))
    rows = np.repeat(np.arange(len(encoded), dtype=np.int64), lengths)[: len(data)]
    return data, rows


def _finish(hashes: np.ndarray, salt: int) -> tuple[np.ndarray, np.ndarray]:
    """Column index and sign (+1/-1) from 32-bit hashes, different for every feature family."""
    with np.errstate(over="ignore"):
        mixed = (hashes ^ np.uint32(salt)) * GOLDEN
    cols = (mixed >> np.uint32(32 - BITS)).astype(np.int64)
    signs = np.where(mixed & np.uint32(1), 1.0, -1.0).astype(np.float32)
    return cols, signs


def _char_ngrams(data: np.ndarray, rows: np.ndarray, n: int):
    length = len(data) - n + 1
    if length <= 0:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float32)
    values = data.astype(np.uint32)
    hashes = np.zeros(length, dtype=np.uint32)
    with np.errstate(over="ignore"):
        for k in range(n):
            hashes = hashes * BASE + values[k : k + length]
    # an n-gram is kept when it starts and ends in the same text; the separator byte belongs
    # to the text before it and can only be a gram's last byte, so checking that suffices
    inside = (rows[:length] == rows[n - 1 : n - 1 + length]) & (data[n - 1 :] != SEPARATOR)
    cols, signs = _finish(hashes[inside], 0x100 + n)
    return rows[:length][inside], cols, signs


def _words(data: np.ndarray, rows: np.ndarray):
    """Hashes of words (letters, digits, any non-ASCII byte) and of adjacent word pairs."""
    is_word = ((data >= 97) & (data <= 122)) | ((data >= 48) & (data <= 57)) | (data >= 128)
    edges = np.diff(np.concatenate(([0], is_word.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if len(starts) == 0:
        empty = np.empty(0, np.int64)
        return empty, empty, np.empty(0, np.float32)
    values = data.astype(np.uint32)
    with np.errstate(over="ignore"):
        # hash of bytes [s, e) = sum data[j] * BASE^(e-1-j): weight every byte by
        # BASE^(L-1-j), prefix-sum, then divide a span by BASE^(L-e) (an inverse power)
        powers = np.ones(len(data) + 1, dtype=np.uint32)
        powers[1:] = BASE
        powers = np.cumprod(powers, dtype=np.uint32)
        weighted = values * powers[len(data) - 1 :: -1][: len(data)] if len(data) else values
        cumulative = np.concatenate(([np.uint32(0)], np.cumsum(weighted, dtype=np.uint32)))
        span = cumulative[ends] - cumulative[starts]
        inverse = _inverse_powers(powers, len(data), ends)
        word_hashes = span * inverse
    word_rows = rows[starts]
    w_cols, w_signs = _finish(word_hashes, 0x200)
    same = word_rows[1:] == word_rows[:-1]
    with np.errstate(over="ignore"):
        pair_hashes = word_hashes[:-1][same] * np.uint32(0x2545F491) + word_hashes[1:][same]
    p_cols, p_signs = _finish(pair_hashes, 0x300)
    return (np.concatenate((word_rows, word_rows[1:][same])), np.concatenate((w_cols, p_cols)),
            np.concatenate((w_signs, p_signs)))


def _inverse_powers(powers: np.ndarray, length: int, ends: np.ndarray) -> np.ndarray:
    """BASE^-(length-end) mod 2**32 (BASE is odd, so it has an inverse)."""
    inverse_base = np.uint32(pow(int(BASE), -1, 1 << 32))
    inv = np.ones(length + 1, dtype=np.uint32)
    inv[1:] = inverse_base
    with np.errstate(over="ignore"):
        inv = np.cumprod(inv, dtype=np.uint32)
    return inv[length - ends]


def featurize(texts: list[str]) -> Batch:
    """Sparse hashed features of cleaned texts; each row is L2-normalised."""
    data, rows = _bytes_and_rows(texts)
    parts = [_words(data, rows)] + [_char_ngrams(data, rows, n) for n in CHAR_NGRAMS]
    all_rows = np.concatenate([p[0] for p in parts])
    cols = np.concatenate([p[1] for p in parts])
    signs = np.concatenate([p[2] for p in parts])
    counts = np.bincount(all_rows, minlength=len(texts)).astype(np.float32)
    norm = 1.0 / np.sqrt(np.maximum(counts, 1.0))
    return Batch(all_rows, cols, signs * norm[all_rows], len(texts))
