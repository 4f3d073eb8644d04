"""The linear model: hashed n-gram weights plus a few explainable dense features.

Loaded once per process from model.npz (float16 weights). Without the file (a fresh checkout
before training), the cue strength alone is used, so the pipeline still works.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np

from workers.tone.cues import find_cues, shouting_share
from workers.tone.features import DIM, featurize
from workers.tone.lang import detect_language

MODEL_PATH = Path(__file__).with_name("model.npz")
HOSTILE_THRESHOLD = 0.5
PRAISE_THRESHOLD = 0.5
LANGS = ("en", "de", "other")
_PRAISE = re.compile(
    r"\b(thank(s| you)|grateful|appreciate\w*|awesome|amazing|excellent|great (job|help|support|"
    r"service)|you rock|lifesaver|brilliant|vielen dank|danke\w*|super\b|toll\w*|klasse|"
    r"hervorragend\w*|großartig\w*|spitze|top service|sehr hilfreich)", re.I)


def dense_features(texts: list[str]) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Per text: [cue strength, shouting share, has !!!, praise words, log length]; and cues."""
    rows, cue_lists = [], []
    for text in texts:
        cues, strength = find_cues(text)
        cue_lists.append(cues)
        rows.append((strength, shouting_share(text), float(any(c.startswith("repeated") for c in
                     cues)), min(len(_PRAISE.findall(text)), 3) / 3.0,
                     np.log1p(len(text)) / 8.0))
    return np.asarray(rows, dtype=np.float32).reshape(len(texts), 5), cue_lists


class ToneModel:
    """Two logistic heads (anger, praise) over the same features."""

    def __init__(self, weights: np.ndarray | None, dense: np.ndarray, bias: np.ndarray,
                 offsets: dict[str, float]):
        self.weights = weights  # (DIM, 2) float32 or None
        self.dense = dense  # (5, 2)
        self.bias = bias  # (2,)
        self.offsets = offsets  # anger logit offset per language (calibrated threshold)

    def logits(self, texts: list[str]) -> tuple[np.ndarray, list[tuple[str, ...]]]:
        dense, cues = dense_features(texts)
        logits = dense @ self.dense + self.bias
        if self.weights is not None and texts:
            batch = featurize(texts)
            contributions = self.weights[batch.cols] * batch.vals[:, None]
            for head in range(2):
                logits[:, head] += np.bincount(batch.rows, weights=contributions[:, head],
                                               minlength=batch.size)
        return logits, cues

    def predict(self, texts: list[str]) -> list[tuple[float, float, str, bool, tuple[str, ...]]]:
        if not texts:
            return []
        logits, cues = self.logits(texts)
        langs = [detect_language(t) for t in texts]
        offsets = np.array([self.offsets.get(lang, self.offsets.get("en", 0.0)) for lang in langs])
        anger = 1.0 / (1.0 + np.exp(-(logits[:, 0] - offsets)))
        praise = 1.0 / (1.0 + np.exp(-logits[:, 1]))
        results = []
        for i, text in enumerate(texts):
            if not text.strip():
                results.append((0.0, 0.0, "other", False, ()))
                continue
            a, p = round(float(anger[i]), 4), round(float(praise[i]), 4)
            results.append((a, p, langs[i], a >= HOSTILE_THRESHOLD, cues[i]))
        return results


def _cue_only_model() -> ToneModel:
    dense = np.zeros((5, 2), dtype=np.float32)
    dense[0, 0], dense[3, 1] = 6.0, 6.0
    return ToneModel(None, dense, np.array([-3.0, -3.0], dtype=np.float32), {})


@functools.cache
def load_model(path: Path = MODEL_PATH) -> ToneModel:
    """The shipped model (cached per process)."""
    if not path.exists():
        return _cue_only_model()
    with np.load(path) as data:
        weights = data["weights"].astype(np.float32)
        if weights.shape != (DIM, 2):
            raise ValueError(f"{path}: weights have shape {weights.shape}, expected {(DIM, 2)}")
        offsets = dict(zip(LANGS, data["offsets"].astype(float).tolist(), strict=True))
        return ToneModel(weights, data["dense"].astype(np.float32),
                         data["bias"].astype(np.float32), offsets)
