"""Word and phrase lexicons looked up for a whole batch at once, by hash, in numpy.

The words of a batch are already hashed for the n-gram features (`features.tokenize`); a lexicon
entry is the same hash of its own spelling, so finding every lexicon word and phrase of a batch
is a few hash-table look-ups instead of a Python loop over tokens. Entries ending in `\\w*`
match word prefixes: the prefix of each word of that length is hashed on the fly. Entries
starting with `\\w*` match the end of a longer word (a German compound's last part:
"Oberidiot", "Kundenverarsche"), found the same way from the word's last bytes.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np

from workers.tone.features import BASE, PAIR, Tokens, text_hash
from workers.tone.hashindex import HashIndex

_SPLIT = re.compile(r"[^a-z0-9\u0080-\U0010ffff]+")
PHRASE_FIRST = 1 << 40  # a start code: a phrase begins with this word (codes are bit flags)
SPARSE_BITS = 16  # slots of a table looked up for every word of a batch, mostly in vain
HEAD = 3  # bytes a compound has at least before an ending ("Oberidiot"): shorter words skip


@dataclass(frozen=True)
class Table:
    """Entries of one shape: `words` words long, the last one a prefix of `prefix` bytes (0:
    whole word); sorted, unique hashes with the code of each."""

    words: int
    prefix: int
    hashes: np.ndarray
    codes: np.ndarray
    suffix: int = 0  # a single word's last `suffix` bytes, inside a longer word

    @functools.cached_property
    def index(self) -> HashIndex:
        return HashIndex(self.hashes)


def _chain(hashes: list[int]) -> int:
    value = hashes[0]
    for h in hashes[1:]:
        value = (value * int(PAIR) + h) & 0xFFFFFFFF
    return value


def _tables(entries: list[tuple[str, int]]) -> list[Table]:
    """Tables from (spelling, code) pairs; a spelling may end in `\\w*` (a prefix). Codes of
    the same spelling are OR-ed (codes are bit flags)."""
    shapes: dict[tuple[int, int, int], dict[int, int]] = {}
    for spelling, code in entries:
        prefix, suffix = spelling.endswith("\\w*"), spelling.startswith("\\w*")
        words = [w for w in _SPLIT.split(spelling.removeprefix("\\w*").removesuffix("\\w*"))
                 if w]
        if not words:
            continue
        if suffix and (prefix or len(words) > 1):
            raise ValueError(f"{spelling!r}: a word ending is one word, with no prefix")
        size = len(words[-1].encode("utf-8"))
        key = _chain([text_hash(w) for w in words])
        table = shapes.setdefault((len(words), size if prefix else 0, size if suffix else 0),
                                  {})
        table[key] = table.get(key, 0) | code
    tables = []
    for (words, size, ending), codes in sorted(shapes.items()):
        hashes = np.array(sorted(codes), dtype=np.uint32)
        tables.append(Table(words, size, hashes,
                            np.array([codes[int(h)] for h in hashes], dtype=np.int64), ending))
    return tables


def _bytes_hash(data: bytes) -> int:
    value = 0
    for byte in data:
        value = (value * int(BASE) + byte) & 0xFFFFFFFF
    return value


def _sorted_unique(values: list[int]) -> np.ndarray:
    return np.array(sorted(set(values)), dtype=np.uint32)


class Lexicon:
    """Whole words in one hash table; phrases and prefixes in a second one, tried only where a
    cheap filter (a phrase's first word, a prefix's first bytes) says they might start."""

    def __init__(self, entries: list[tuple[str, int]]):
        tables = _tables(entries)
        self.words = next((t for t in tables if t.words == 1 and not t.prefix and not t.suffix),
                          None)
        self.shapes = [t for t in tables if t.words > 1 or t.prefix]
        self.endings = Endings([t for t in tables if t.suffix],
                               [s.removeprefix("\\w*").encode("utf-8") for s, _ in entries
                                if s.startswith("\\w*")])
        self.opening = min((t.prefix for t in self.shapes if t.words == 1), default=0)
        firsts, openings = [], []
        for spelling, _ in entries:
            if spelling.startswith("\\w*"):
                continue  # an ending: self.endings
            words = [w for w in _SPLIT.split(spelling.removesuffix("\\w*")) if w]
            if len(words) > 1:
                firsts.append(text_hash(words[0]))
            elif words and spelling.endswith("\\w*"):
                openings.append(_bytes_hash(words[0].encode("utf-8")[:self.opening]))
        # whole words and the first words of phrases in one sparse table: one look-up finds
        # both, and a word that is neither (most) is ruled out by one empty slot
        codes = {} if self.words is None else dict(zip(self.words.hashes.tolist(),
                                                       self.words.codes.tolist(), strict=True))
        for first in firsts:
            codes[first] = codes.get(first, 0) | PHRASE_FIRST
        self.starts = HashIndex(np.array(list(codes), np.uint32), min_bits=SPARSE_BITS)
        self.start_codes = np.array(list(codes.values()), np.int64)
        self.openings = HashIndex(_sorted_unique(openings), min_bits=SPARSE_BITS)
        # every phrase and prefix shape in one table, each shape's hashes salted apart
        self.shaped, self.shaped_codes = _salted_index(self.shapes, "lexicon entries of "
                                                                   "different shapes")

    def find(self, tokens: Tokens) -> Hits:
        """Every match in the batch (overlaps included)."""
        found = []
        at, which = self.starts.matches(tokens.hashes)
        codes = self.start_codes[which]
        phrase_starts = at[(codes & PHRASE_FIRST) != 0]
        codes &= ~PHRASE_FIRST
        words = codes != 0
        if words.any():
            found.append((tokens.word_rows[at[words]], codes[words], at[words], at[words]))
        long = np.flatnonzero(tokens.ends - tokens.starts >= self.opening) if self.opening else \
            np.empty(0, np.int64)
        opening = tokens.span_hashes(tokens.starts[long], tokens.starts[long] + self.opening)
        prefix_starts = long[self.openings.matches(opening)[0]]
        # a batch of a few messages mostly has no phrase or prefix start: then no shape is tried
        if len(phrase_starts) or len(prefix_starts):
            found.append(self._shaped(tokens, phrase_starts, prefix_starts))
        if not found:
            empty = np.empty(0, np.int64)
            return Hits(empty, empty, empty, empty)
        return Hits(*(np.concatenate([f[i] for f in found]) for i in range(4)))

    def _shaped(self, tokens: Tokens, phrase_starts: np.ndarray, prefix_starts: np.ndarray):
        """Matches of the phrases and prefixes: each shape's candidate hashes, one look-up."""
        values, firsts, lasts = [], [], []
        for i, table in enumerate(self.shapes):
            first = phrase_starts if table.words > 1 else prefix_starts
            if not len(first):
                continue
            value, first, last = _candidates(table, tokens, first)
            values.append(_salted(value, i))
            firsts.append(first)
            lasts.append(last)
        first, last = np.concatenate(firsts), np.concatenate(lasts)
        at = self.shaped.find(np.concatenate(values))
        match = at >= 0
        return (tokens.word_rows[first[match]], self.shaped_codes[at[match]], first[match],
                last[match])


class Endings:
    """Word endings inside longer words: the last bytes of each word long enough (HEAD bytes
    more than the ending) are hashed once at the shortest ending's length and looked up as a
    filter (most words end in none), then at each ending's length."""

    def __init__(self, tables: list[Table], spellings: list[bytes]):
        self.tables = tables
        self.shortest = min((t.suffix for t in tables), default=0)
        self.closings = HashIndex(_sorted_unique([_bytes_hash(s[len(s) - self.shortest:])
                                                  for s in spellings]), min_bits=SPARSE_BITS)
        self.index, self.codes = _salted_index(tables, "word endings of different lengths")

    def find(self, tokens: Tokens, among: np.ndarray) -> Hits:
        """The words (of the word indices `among`: the scorer passes those of German texts)
        that end in an entry after a head."""
        starts, ends = tokens.starts, tokens.ends
        words = among[ends[among] - starts[among] >= self.shortest + HEAD]
        closing = tokens.span_hashes(ends[words] - self.shortest, ends[words])
        words = words[self.closings.matches(closing)[0]]
        if not len(words) or not self.tables:
            empty = np.empty(0, np.int64)
            return Hits(empty, empty, empty, empty)
        values, where = [], []
        for i, table in enumerate(self.tables):
            long = words[ends[words] - starts[words] >= table.suffix + HEAD]
            values.append(_salted(tokens.span_hashes(ends[long] - table.suffix, ends[long]), i))
            where.append(long)
        at = self.index.find(np.concatenate(values))
        match = at >= 0
        word = np.concatenate(where)[match]
        return Hits(tokens.word_rows[word], self.codes[at[match]], word, word)


def _salted_index(tables: list[Table], what: str) -> tuple[HashIndex, np.ndarray]:
    """One index over several tables, each table's hashes salted apart (`_salted` with its
    position), and the code of each key; two keys that still meet are refused."""
    keys = np.concatenate([_salted(t.hashes, i) for i, t in enumerate(tables)]
                          or [np.empty(0, np.uint32)])
    codes = np.concatenate([t.codes for t in tables] or [np.empty(0, np.int64)])
    order = np.argsort(keys, kind="stable")
    if len(keys) and (np.diff(keys[order]) == 0).any():
        raise ValueError(f"two {what} share a hash")
    return HashIndex(keys[order]), codes[order]


def _salted(hashes: np.ndarray, shape: int) -> np.ndarray:
    """Hashes of one shape, moved apart from every other shape's."""
    return (hashes ^ np.uint32((0x9E3779B1 * (shape + 1)) & 0xFFFFFFFF)).astype(np.uint32)


def _candidates(table: Table, tokens: Tokens, first: np.ndarray):
    """The hash of this table's shape at each first-word position that has room for it, and
    the first and last word of each."""
    n = table.words
    first = first[first + n - 1 < len(tokens.hashes)]
    last = first + n - 1
    if n > 1:
        keep = tokens.word_rows[first] == tokens.word_rows[last]
        first, last = first[keep], last[keep]
    if table.prefix:
        keep = tokens.ends[last] - tokens.starts[last] >= table.prefix
        first, last = first[keep], last[keep]
        tail = tokens.span_hashes(tokens.starts[last], tokens.starts[last] + table.prefix)
    else:
        tail = tokens.hashes[last]
    value = tokens.hashes[first] if n > 1 else tail
    for k in range(1, n - 1):  # uint32 arrays wrap silently: no overflow warning to silence
        value = value * PAIR + tokens.hashes[first + k]
    if n > 1:
        value = value * PAIR + tail
    return value, first, last


@dataclass(frozen=True)
class Hits:
    """Where entries matched: text index, code, and the first and last word index."""

    rows: np.ndarray
    codes: np.ndarray
    first: np.ndarray
    last: np.ndarray


def spelling(tokens: Tokens, first: int, last: int) -> str:
    """The matched words as written (lower case), joined by single spaces."""
    words = [bytes(tokens.data[tokens.starts[i]:tokens.ends[i]]).decode("utf-8", "replace")
             for i in range(first, last + 1)]
    return " ".join(words)
