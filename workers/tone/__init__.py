"""Tone scorer: anger (hostility) and praise of customer messages, in English and German.

A pure module: plain strings in, Tone values out; numpy only at run time. The weights were
trained by `python -m training.train` (see docs/tone.md) and ship in model.npz.

    >>> [tone] = score(["WHERE IS MY REFUND?!? This is the third time I ask."])
    >>> tone.hostile, tone.lang
    (True, 'en')
"""

from __future__ import annotations

from collections.abc import Sequence

from workers.tone.clean import clean, clean_batch
from workers.tone.model import HOSTILE_THRESHOLD, PRAISE_THRESHOLD, Tone, load_model

__all__ = ["HOSTILE_THRESHOLD", "PRAISE_THRESHOLD", "Tone", "clean", "score"]


def score(texts: Sequence[str]) -> list[Tone]:
    """Score a batch of raw message bodies (HTML or text; quotes and signatures are removed)."""
    cleaned = clean_batch([text or "" for text in texts])
    return load_model().predict(cleaned)
