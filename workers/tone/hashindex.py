"""Which known word each word of a batch is: an open-addressing hash table probed in numpy.

Shared by the word priors, the folded word-vector scores and the cue lexicons; four times
faster than a binary search (np.searchsorted) over the same keys.
"""

from __future__ import annotations

import numpy as np


class HashIndex:
    """Position of each query hash in a set of word hashes, or -1: an open-addressing table
    probed for the whole batch at once (four times faster than a binary search here)."""

    def __init__(self, hashes: np.ndarray, min_bits: int = 4):
        # at least four slots a key, so that probes stay short (2^17 slots for 20k words); a
        # small set looked up mostly in vain takes `min_bits` for a table almost all empty
        self.bits = max(min_bits, int(np.ceil(np.log2(4 * max(len(hashes), 1)))))
        size = 1 << self.bits
        self.keys = np.zeros(size, np.uint32)
        self.index = np.full(size, -1, np.int32)
        home = self._home(hashes)
        # linear probing in order of home slot: each key takes its home or, if that is taken,
        # the slot after the key before it (one sort, where placing keys round by round
        # sorted once a round; 6-9 ms of every start-up for the word scores)
        order = np.argsort(home, kind="stable")
        ranks = np.arange(len(order))
        slots = ranks + np.maximum.accumulate(home[order] - ranks) if len(order) else ranks
        if len(slots) and slots[-1] >= size:  # past the end: wrap round, slot by slot
            self._place_in_rounds(hashes, home)
            return
        self.keys[slots] = hashes[order]
        self.index[slots] = order
        self.probes = int((slots - home[order]).max()) if len(order) else 0

    def _place_in_rounds(self, hashes: np.ndarray, home: np.ndarray) -> None:
        size = len(self.keys)
        pending, self.probes = np.arange(len(hashes)), 0
        while len(pending):  # place every key at its home slot or the next free one after it
            slots = (home[pending] + self.probes) & (size - 1)
            free = self.index[slots] < 0
            slots, first = np.unique(np.where(free, slots, -1), return_index=True)
            placed = pending[first[slots >= 0]]
            self.keys[slots[slots >= 0]] = hashes[placed]
            self.index[slots[slots >= 0]] = placed
            pending = np.setdiff1d(pending, placed, assume_unique=True)
            self.probes += 1 if len(pending) else 0

    def _home(self, hashes: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return ((hashes * np.uint32(0x9E3779B1)) >> np.uint32(32 - self.bits)).astype(np.int64)

    def find(self, queries: np.ndarray) -> np.ndarray:
        home = self._home(queries)
        index = self.index[home]
        hit = self.keys[home] == queries
        found = np.where(hit, index, -1).astype(np.int64)  # an empty slot holds index -1
        pending = np.flatnonzero(~hit & (index >= 0))  # occupied by another key: look further
        for probe in range(1, self.probes + 1):
            if not len(pending):
                break
            slots = (home[pending] + probe) & (len(self.keys) - 1)
            index = self.index[slots]
            hit = (index >= 0) & (self.keys[slots] == queries[pending])
            found[pending[hit]] = index[hit]
            pending = pending[~hit & (index >= 0)]
        return found

    def matches(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions of the queries found, their index): for a sparse table (`min_bits`)
        whose look-ups mostly miss, an empty home slot rules out most queries in one gather,
        and only the rest are probed."""
        maybe = np.flatnonzero(self.index[self._home(queries)] >= 0)
        found = self.find(queries[maybe])
        hit = found >= 0
        return maybe[hit], found[hit]
