"""Per-word scores pooled per text: the run-time half of the folded word vectors.

Training pools 384-wide word vectors per text (training/vectors.py); because a head is linear,
its weights on them fold into one score per word and head, and at run time only those scores
are pooled here. The same function serves both, so the two cannot drift apart.
"""

from __future__ import annotations

import numpy as np

from workers.tone.features import Tokens, sorted_row_sums
from workers.tone.hashindex import HashIndex


def pooled(tokens: Tokens, index: HashIndex, values: np.ndarray) -> np.ndarray:
    """(texts, k): per text, the values of its known words summed, over √(known words).

    The same function pools 384-wide vectors in training and three folded scores per word at
    run time, so the two cannot drift apart."""
    out = np.zeros((tokens.size, values.shape[1]), np.float32)
    if not len(tokens.hashes) or not len(values):
        return out
    where = index.find(tokens.hashes)
    known = where >= 0
    if not known.any():
        return out
    present, sums, counts = sorted_row_sums(tokens.word_rows[known], values[where[known]],
                                            tokens.size)  # word_rows are ascending
    out[present] = sums / np.sqrt(counts)[:, None]
    return out
