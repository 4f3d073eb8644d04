"""Build workers/tone/word_priors.npz: `python -m training.priors` (dev extra).

Reads the VADER lexicon (vaderSentiment 3.3.2) and alt-profanity-check 1.9.1's per-word SVM
weights and IDF, both MIT-licensed (see workers/tone/priors.py for how the scorer uses them and
workers/tone/NOTICE-word-priors.txt for their notices). Neither package is needed at run time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from workers.tone.features import text_hash, tokenize
from workers.tone.priors import NEGATORS, PRIORS_PATH


def single_token(word: str) -> bool:
    """Only words our tokeniser keeps whole can be looked up by their hash."""
    tokens = tokenize([word])
    return len(tokens.starts) == 1 and tokens.ends[0] - tokens.starts[0] == len(
        word.encode("utf-8"))


def vader_valence() -> dict[str, float]:
    """Word (lower case) to mean valence, from vaderSentiment's lexicon (dev extra)."""
    from importlib.resources import files

    lexicon = files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    valence: dict[str, float] = {}
    for line in lexicon.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            valence.setdefault(parts[0].lower(), float(parts[1]))
    return valence


def build(out: Path = PRIORS_PATH) -> dict:
    """Write the table from vaderSentiment's lexicon and alt-profanity-check's model."""
    from importlib.resources import files

    import joblib

    valence = vader_valence()
    data = files("profanity_check").joinpath("data")
    vectorizer = joblib.load(str(data.joinpath("vectorizer.joblib")))
    model = joblib.load(str(data.joinpath("model.joblib")))
    svms = [c.estimator for c in model.calibrated_classifiers_]
    coef = np.mean([svm.coef_[0] for svm in svms], axis=0)
    bias = float(np.mean([svm.intercept_[0] for svm in svms]))
    offence: dict[str, tuple[float, float]] = {}
    for word, column in vectorizer.vocabulary_.items():
        idf = float(vectorizer.idf_[column])
        offence[word.lower()] = (idf * float(coef[column]), idf * idf)
    words = sorted(w for w in set(valence) | set(offence) | set(NEGATORS) if single_token(w))
    hashes = np.array([text_hash(w) for w in words], np.uint32)
    order = np.argsort(hashes, kind="stable")
    hashes, unique = np.unique(hashes[order], return_index=True)  # a collision keeps one word
    picked = [words[order[i]] for i in unique]
    np.savez_compressed(
        out, hashes=hashes,
        valence=np.array([valence.get(w, 0.0) for w in picked], np.float16),
        offence=np.array([offence.get(w, (0.0, 0.0))[0] for w in picked], np.float32),
        idf2=np.array([offence.get(w, (0.0, 0.0))[1] for w in picked], np.float32),
        negator=np.array([w in NEGATORS for w in picked]), offence_bias=np.float32(bias))
    return {"words": len(picked), "valence": sum(w in valence for w in picked),
            "offence": sum(w in offence for w in picked),
            "hash_collisions": len(words) - len(picked)}


if __name__ == "__main__":
    import json

    print(json.dumps(build(), indent=2))
