"""The linear model: hashed n-gram weights plus a few cheap dense features.

Loaded once per process from model.npz (float16 weights). Without the file (a fresh checkout
before training), a cue-only fallback keeps the pipeline working.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import NamedTuple

import numpy as np

from workers.tone.cues import CueBatch, find_cue_batch
from workers.tone.features import DIM, Tokens, linear_sums, tokenize
from workers.tone.hashindex import HashIndex
from workers.tone.priors import FEATURES as PRIOR_FEATURES
from workers.tone.priors import load_priors
from workers.tone.wordscores import pooled

MODEL_PATH = Path(__file__).with_name("model.npz")
HOSTILE_THRESHOLD = 0.5
PRAISE_THRESHOLD = 0.5
# Logit added per unit of helpdesk cue weight (threat 0.5, escalation 0.3, insult 0.2 per
# kind): the model learned from Reddit and tweets, where "cancel", "refund" or "a joke" mean
# little; in a helpdesk they mark an escalating customer. Chosen with the heads fitted on train
# only (`train --no-refit`), on the calibration split: costs 0.07 pt English AUC there against
# 2.0; below 3.0, "Your so-called support is a joke. Cancel my subscription NOW and refund
# every cent." is not hostile.
HELPDESK_BOOST = 3.0


class Tone(NamedTuple):
    """How a message reads: anger and praise in 0..1, the language, and the reasons.

    A NamedTuple, not a frozen dataclass: a batch builds thousands, and a frozen dataclass
    costs 0.7 µs each to make, a twentieth of scoring a message."""

    anger: float
    praise: float
    lang: str
    hostile: bool
    cues: tuple[str, ...]


CALM = Tone(0.0, 0.0, "other", False, ())
LANGS = ("en", "de", "other")
DENSE = ("shouting", "punctuation", "length", "cue strength", "praise words", *PRIOR_FEATURES)


def dense_features(texts: list[str]) -> np.ndarray:
    """Per text: the DENSE features (capitals, !/? runs, length, lexicon cue strength)."""
    return dense_and_cues(texts)[0]


def dense_and_cues(texts: list[str], tokens: Tokens | None = None
                   ) -> tuple[np.ndarray, CueBatch]:
    """The DENSE features of a batch, and its cues (one scan for both)."""
    if not texts:
        return np.zeros((0, len(DENSE)), np.float32), find_cue_batch([])
    tokens = tokenize(texts) if tokens is None else tokens
    cues = find_cue_batch(texts, tokens)
    lengths = np.fromiter((len(t) for t in texts), np.float64, len(texts))
    own = np.stack([cues.shouting, cues.punctuation, np.log1p(lengths) / 8.0, cues.strength,
                    cues.praise_words], axis=1)
    dense = np.concatenate([own, load_priors().features(tokens)], axis=1).astype(np.float32)
    return dense, cues


class ToneModel:
    """Logistic heads over the same features: anger (English), anger (German), praise."""

    def __init__(self, weights: np.ndarray | None, dense: np.ndarray, bias: np.ndarray,
                 offsets: dict[str, float], idf: np.ndarray | None = None,
                 word_hashes: np.ndarray | None = None, word_scores: np.ndarray | None = None,
                 german_words: tuple[np.ndarray, np.ndarray] | None = None):
        self.heads = [] if weights is None else list(range(weights.shape[1]))
        self.table = None if weights is None else _table(weights, idf)
        self.dense = dense  # (len(DENSE), heads)
        self.bias = bias  # (heads,)
        self.offsets = offsets  # anger decision threshold (a logit) per language
        # the heads' weights on the pooled word vectors, folded into a score per word and head
        self.words = None if word_hashes is None else HashIndex(word_hashes)
        self.word_scores = word_scores
        # the German head's own word scores, folded from multilingual word vectors
        # (training/multivectors.py): German words GermEval never showed score by meaning
        self._german_hashes = None if german_words is None else german_words[0]
        self.german_scores = None if german_words is None else german_words[1]

    def logits(self, texts: list[str]) -> tuple[np.ndarray, CueBatch]:
        """(len(texts), heads) logits: hashed n-grams (IDF-weighted, L2-normalised) + dense;
        and the readable cues found on the way. An anger head that no text of the batch is
        scored by (the German one in an English batch, and the other way round) lacks its
        n-gram part: a quarter of the scoring time."""
        tokens = tokenize(texts)
        dense, cues = dense_and_cues(texts, tokens)
        logits = dense @ self.dense + self.bias
        if self.words is not None:
            logits += pooled(tokens, self.words, self.word_scores)
        if self._german_hashes is not None and "de" in cues.langs:  # English batches skip it
            logits[:, 1:2] += pooled(tokens, self.german_words, self.german_scores)
        if self.heads and texts:
            german = cues.langs.count("de")
            heads = [head for head, used in ((0, german < len(texts)), (1, german > 0), (2, True))
                     if used]
            sums = linear_sums(tokens, [*self.table[heads], self.table[-1]])
            norms = np.sqrt(sums[-1])
            logits[:, heads] += (sums[:-1] / np.where(norms > 0, norms, 1.0)).T
        return logits, cues

    @functools.cached_property
    def german_words(self) -> HashIndex | None:
        """Built on the first German batch: 69k words cost English-only start-ups nothing."""
        return None if self._german_hashes is None else HashIndex(self._german_hashes)

    def predict(self, texts: list[str]) -> list[Tone]:
        if not texts:
            return []
        logits, cues = self.logits(texts)
        if self.heads:
            langs = np.array(cues.langs)
            german = langs == "de"
            anger_logit = (np.where(german, logits[:, 1], logits[:, 0])
                           - self._offsets(langs) + HELPDESK_BOOST * cues.helpdesk)
            praise_logit = logits[:, 2]
        else:  # cue-only fallback before a model is trained
            anger_logit, praise_logit = 6.0 * cues.strength - 3.0, 6.0 * cues.praise_words - 3.0
        anger = np.round(1.0 / (1.0 + np.exp(-anger_logit.astype(np.float64))), 4).tolist()
        praise = np.round(1.0 / (1.0 + np.exp(-praise_logit.astype(np.float64))), 4).tolist()
        return [Tone(a, p, lang, a >= HOSTILE_THRESHOLD, c) if text.strip() else CALM
                for text, a, p, lang, c in zip(texts, anger, praise, cues.langs, cues.cues,
                                                strict=True)]

    def _offsets(self, langs: np.ndarray) -> np.ndarray:
        default = self.offsets.get("en", 0.0)
        offsets = np.full(len(langs), default)
        for lang, offset in self.offsets.items():
            offsets[langs == lang] = offset
        return offsets


def _table(weights: np.ndarray, idf: np.ndarray | None) -> np.ndarray:
    """(heads + 1, DIM + 1) float32: per head the weights times the IDF, then the IDF squared;
    the last column (NOWHERE) zero.

    IDF folded into the weights: w·(idf·v)/‖idf·v‖ = (w∘idf)·v / ‖idf·v‖. A row a head, so
    that scoring gathers from one megabyte at a time. Written into one array in place (a
    concatenate and a cast cost 10 ms more of every start-up)."""
    idf = np.ones(len(weights), np.float32) if idf is None else idf
    exact = np.result_type(weights, idf, np.float32)  # float16 products would round
    table = np.empty((weights.shape[1] + 1, len(weights) + 1), np.float32)
    np.multiply(weights.T, idf, out=table[:-1, :-1], dtype=exact)
    np.multiply(idf, idf, out=table[-1, :-1], dtype=exact)
    table[:, -1] = 0.0
    return table


@functools.cache
def load_model(path: Path = MODEL_PATH) -> ToneModel:
    """The shipped model (cached per process)."""
    if not path.exists():
        return ToneModel(None, np.zeros((len(DENSE), 3), np.float32), np.zeros(3, np.float32),
                         {})
    with np.load(path) as data:
        weights = data["weights"]
        if weights.shape != (DIM, 3) or data["dense"].shape != (len(DENSE), 3):
            raise ValueError(f"{path}: weights {weights.shape} and dense {data['dense'].shape}, "
                             f"expected {(DIM, 3)} and {(len(DENSE), 3)}: retrain the model")
        if "word_scores" not in data.files:
            raise ValueError(f"{path}: no word scores (a model from before word vectors): "
                             "retrain the model")
        word_hashes, word_scores = data["word_hashes"], data["word_scores"]
        if word_scores.shape != (len(word_hashes), 3):
            raise ValueError(f"{path}: word scores {word_scores.shape} for {len(word_hashes)} "
                             "words, expected one score a head: retrain the model")
        offsets = dict(zip(LANGS, data["offsets"].astype(float).tolist(), strict=True))
        german_words = None
        if "german_word_hashes" in data.files:
            german_words = (data["german_word_hashes"].astype(np.uint32),
                            data["german_word_scores"].astype(np.float32).reshape(-1, 1))
        return ToneModel(weights, data["dense"].astype(np.float32),
                         data["bias"].astype(np.float32), offsets,
                         data["idf"], word_hashes.astype(np.uint32),
                         word_scores.astype(np.float32), german_words)
