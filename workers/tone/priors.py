"""Word priors from two public resources, for the words our own training data barely knows.

GoEmotions gives 44k comments; most words occur in a handful of them, so the n-gram weights
learn little about them. Two resources know more, and both are MIT-licensed:
- the VADER lexicon (Hutto and Gilbert, 2014): 7,500 words and emoticons whose valence ten
  people each rated from -4 to +4;
- alt-profanity-check 1.9.1: a linear SVM over TF-IDF words, trained on 200k comments labelled
  clean or offensive; we keep its per-word weights and IDF.
They become three dense features per text (see `WordPriors.features`); in 5-fold
cross-validation on the training data they lift English AUC by 1.4 pt, or 0.6 pt next to the
word vectors (`python -m bench.tone_ablation`).

Pure: word hashes in, numpy arrays out. The table ships as word_priors.npz, built by
`python -m training.priors` from the two packages (dev extra); nothing of them is imported
at run time.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workers.tone.features import Tokens
from workers.tone.hashindex import HashIndex

PRIORS_PATH = Path(__file__).with_name("word_priors.npz")
# Knots of hinge features max(0, value - knot): the model may weigh a strongly offensive or
# negative text more than linearly (+0.1 pt AUC in cross-validation). Near the 50th, 80th and
# 95th percentiles of offensiveness, and the 80th and 95th of negativity, on GoEmotions train.
OFFENCE_KNOTS = (-0.75, -0.15, 1.2)
NEGATIVITY_KNOTS = (0.6, 1.2)
FEATURES = ("lexicon negativity", "lexicon positivity", "offensiveness",
            *(f"offensiveness > {k}" for k in OFFENCE_KNOTS),
            *(f"negativity > {k}" for k in NEGATIVITY_KNOTS))
NEGATION_SCALE = -0.74  # a negated word flips and weakens ("not bad" is mildly good), as VADER
NEGATION_REACH = 3  # a negator reaches this many words ahead
# Words that negate what follows; "t" is what our tokeniser leaves of "don't", "isn’t" & co.
NEGATORS = ("not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "nowhere",
            "cannot", "without", "hardly", "barely", "t", "dont", "didnt", "doesnt", "isnt",
            "wasnt", "arent", "werent", "cant", "couldnt", "wont", "wouldnt", "shouldnt", "aint",
            "havent", "hasnt", "nicht", "kein", "keine", "keinen", "nie", "niemals")


@dataclass(frozen=True)
class WordPriors:
    """Per known word (sorted by hash): valence, offensiveness weight (IDF × SVM weight), IDF²
    and whether it negates; plus the SVM's bias."""

    hashes: np.ndarray  # uint32, sorted
    valence: np.ndarray  # float32, -4..4
    offence: np.ndarray  # float32
    idf2: np.ndarray  # float32
    negator: np.ndarray  # bool
    offence_bias: float

    @functools.cached_property
    def lookup(self) -> HashIndex:
        return HashIndex(self.hashes)

    def features(self, tokens: Tokens) -> np.ndarray:
        """(texts, FEATURES): the summed negativity and positivity of the words / sqrt(words),
        the offensiveness classifier's decision value, and hinges of these. (A share of
        negativity among all words scored the same in cross-validation, but a long, polite
        email dilutes it.)"""
        size = tokens.size
        out = np.zeros((size, 3), np.float32)
        if not len(self.hashes) or not len(tokens.hashes):
            out[:, 2] = self.offence_bias
            return _with_hinges(out)
        where = self.lookup.find(tokens.hashes)
        known = where >= 0
        rows = tokens.word_rows
        valence = np.where(known, self.valence[where], 0.0)
        negated = self._negated(known & self.negator[where], rows)
        valence = np.where(negated, NEGATION_SCALE * valence, valence)
        words = np.bincount(rows, minlength=size).astype(np.float64)
        negative = np.bincount(rows, np.minimum(valence, 0.0), minlength=size)
        positive = np.bincount(rows, np.maximum(valence, 0.0), minlength=size)
        offence = np.bincount(rows, np.where(known, self.offence[where], 0.0), minlength=size)
        idf2 = np.bincount(rows, np.where(known, self.idf2[where], 0.0), minlength=size)
        out[:, 0] = -negative / np.sqrt(np.maximum(words, 1.0))
        out[:, 1] = positive / np.sqrt(np.maximum(words, 1.0))
        out[:, 2] = offence / np.sqrt(np.where(idf2 > 0, idf2, 1.0)) + self.offence_bias
        return _with_hinges(out)

    @staticmethod
    def _negated(negators: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Per word: whether one of the NEGATION_REACH words before it, in its text, negates."""
        negated = np.zeros(len(rows), bool)
        for back in range(1, NEGATION_REACH + 1):
            if back >= len(rows):
                break
            negated[back:] |= negators[:-back] & (rows[:-back] == rows[back:])
        return negated


def _with_hinges(base: np.ndarray) -> np.ndarray:
    """The three base features and their hinges at the knots."""
    offence = np.maximum(base[:, 2:3] - np.array(OFFENCE_KNOTS, np.float32), 0.0)
    negativity = np.maximum(base[:, 0:1] - np.array(NEGATIVITY_KNOTS, np.float32), 0.0)
    return np.concatenate([base, offence, negativity], axis=1)


EMPTY = WordPriors(np.zeros(0, np.uint32), *(np.zeros(0, np.float32),) * 3, np.zeros(0, bool),
                   0.0)


@functools.cache
def load_priors(path: Path = PRIORS_PATH) -> WordPriors:
    """The shipped table (cached per process); empty before it is built."""
    if not path.exists():
        return EMPTY
    with np.load(path) as data:
        return WordPriors(data["hashes"].astype(np.uint32), data["valence"].astype(np.float32),
                          data["offence"].astype(np.float32), data["idf2"].astype(np.float32),
                          data["negator"].astype(bool), float(data["offence_bias"]))
