"""The linear model: hashed n-gram weights plus a few cheap dense features.

Loaded once per process from model.npz (float16 weights). Without the file (a fresh checkout
before training), a cue-only fallback keeps the pipeline working.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np

from workers.tone.cues import SEPARATOR, find_cue_batch
from workers.tone.features import DIM, featurize
from workers.tone.lang import detect_language

MODEL_PATH = Path(__file__).with_name("model.npz")
HOSTILE_THRESHOLD = 0.5
PRAISE_THRESHOLD = 0.5
LANGS = ("en", "de", "other")
DENSE = ("shouting", "punctuation", "length", "cue strength", "praise words")
_CAPS_WORD = re.compile(r"\b[A-ZÄÖÜ]{3,}\b")
_PUNCT_RUN = re.compile(r"[!?]{3,}|!{2,}")


def dense_features(texts: list[str]) -> np.ndarray:
    """Per text: the DENSE features (capitals, !/? runs, length, lexicon cue strength)."""
    return dense_and_cues(texts)[0]


def dense_and_cues(texts: list[str]) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    n = len(texts)
    if not n:
        return np.zeros((0, len(DENSE)), np.float32), []
    cues = find_cue_batch(texts)
    lengths = np.fromiter((len(t) for t in texts), np.float64, n)
    starts = np.concatenate(([0], np.cumsum(lengths + len(SEPARATOR))[:-1]))
    joined = SEPARATOR.join(texts)

    def owners(pattern: re.Pattern) -> np.ndarray:
        positions = np.fromiter((m.start() for m in pattern.finditer(joined)), np.int64)
        return np.searchsorted(starts, positions, side="right") - 1

    caps = np.bincount(owners(_CAPS_WORD), minlength=n).astype(np.float64)
    words = np.fromiter((t.count(" ") + t.count("\n") + 1 for t in texts), np.float64, n)
    shouting = np.where(words >= 3, caps / np.maximum(words, 1.0), 0.0)
    punctuation = np.minimum(np.bincount(owners(_PUNCT_RUN), minlength=n), 1)
    dense = np.stack([shouting, punctuation, np.log1p(lengths) / 8.0, cues.strength,
                      cues.praise_words], axis=1).astype(np.float32)
    return dense, cues.cues


class ToneModel:
    """Logistic heads over the same features: anger (English), anger (German), praise."""

    def __init__(self, weights: np.ndarray | None, dense: np.ndarray, bias: np.ndarray,
                 offsets: dict[str, float], idf: np.ndarray | None = None):
        self.heads = [] if weights is None else [np.ascontiguousarray(weights[:, h])
                                                 for h in range(weights.shape[1])]
        self.dense = dense  # (len(DENSE), heads)
        self.bias = bias  # (heads,)
        self.offsets = offsets  # anger decision threshold (a logit) per language
        self.idf = idf

    def logits(self, texts: list[str]) -> tuple[np.ndarray, list[tuple[str, ...]]]:
        """(len(texts), heads) logits: hashed n-grams (IDF-weighted, L2-normalised) + dense;
        and the readable cues found on the way."""
        dense, cues = dense_and_cues(texts)
        logits = dense @ self.dense + self.bias
        if self.heads and texts:
            batch = featurize(texts)
            values = batch.vals * self.idf[batch.cols] if self.idf is not None else batch.vals
            norms = np.sqrt(np.bincount(batch.rows, weights=values * values,
                                        minlength=batch.size))
            values = values / np.where(norms > 0, norms, 1.0)[batch.rows]
            for head, weights in enumerate(self.heads):
                logits[:, head] += np.bincount(batch.rows, weights=weights[batch.cols] * values,
                                               minlength=batch.size)
        return logits, cues

    def predict(self, texts: list[str]) -> list[tuple[float, float, str, bool, tuple[str, ...]]]:
        if not texts:
            return []
        langs = [detect_language(text) for text in texts]
        if not self.heads:
            return self._cue_only(texts, langs)
        logits, cues = self.logits(texts)
        german = np.array([lang == "de" for lang in langs])
        offsets = np.array([self.offsets.get(lang, self.offsets.get("en", 0.0)) for lang in langs])
        anger_logit = np.where(german, logits[:, 1], logits[:, 0])
        anger = 1.0 / (1.0 + np.exp(-(anger_logit - offsets)))
        praise = 1.0 / (1.0 + np.exp(-logits[:, 2]))
        return [_result(text, float(anger[i]), float(praise[i]), langs[i], cues[i])
                for i, text in enumerate(texts)]

    @staticmethod
    def _cue_only(texts: list[str], langs: list[str]):
        batch = find_cue_batch(texts)
        anger = 1.0 / (1.0 + np.exp(-(6.0 * batch.strength - 3.0)))
        praise = 1.0 / (1.0 + np.exp(-(6.0 * batch.praise_words - 3.0)))
        return [_result(text, float(anger[i]), float(praise[i]), langs[i], batch.cues[i])
                for i, text in enumerate(texts)]


def _result(text: str, anger: float, praise: float, lang: str, cues: tuple[str, ...]):
    if not text.strip():
        return 0.0, 0.0, "other", False, ()
    anger, praise = round(anger, 4), round(praise, 4)
    return anger, praise, lang, anger >= HOSTILE_THRESHOLD, cues


@functools.cache
def load_model(path: Path = MODEL_PATH) -> ToneModel:
    """The shipped model (cached per process)."""
    if not path.exists():
        return ToneModel(None, np.zeros((len(DENSE), 3), np.float32), np.zeros(3, np.float32),
                         {})
    with np.load(path) as data:
        weights = data["weights"].astype(np.float32)
        if weights.shape != (DIM, 3):
            raise ValueError(f"{path}: weights have shape {weights.shape}, expected {(DIM, 3)}")
        offsets = dict(zip(LANGS, data["offsets"].astype(float).tolist(), strict=True))
        return ToneModel(weights, data["dense"].astype(np.float32),
                         data["bias"].astype(np.float32), offsets,
                         data["idf"].astype(np.float32))
