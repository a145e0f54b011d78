"""A deterministic stand-in for the embedding model, for flow tests that need grading but not its quality.

`HashingEmbedder` gives every lower-cased word a fixed pseudo-random vector (seeded by a hash of the
word) and a text the mean of its words' vectors, so texts that share words are similar. It has token
vectors with word offsets like the real model (two special tokens around each text), so the grader runs
the same code paths; it loads in no time and imports no torch. Its scores mean nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from interviewer.grading.base import Embedder, TokenVectors

WORD = re.compile(r"\w+")


class HashingEmbedder(Embedder):
    """Bag-of-hashed-words embeddings with token vectors; the same text always gives the same vector."""

    name = "hashing-fake"
    provides_token_vectors = True
    DIMENSION = 64

    def __init__(self) -> None:
        self._words: dict[str, np.ndarray] = {}
        self._special = self._vector("[special]")

    def _vector(self, word: str) -> np.ndarray:
        if word not in self._words:
            seed = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")
            self._words[word] = np.random.default_rng(seed).standard_normal(self.DIMENSION).astype(np.float32)
        return self._words[word]

    def _tokens(self, text: str) -> TokenVectors:
        matches = list(WORD.finditer(text))
        raw = np.stack([self._special, *(self._vector(match.group().lower()) for match in matches), self._special])
        words = ("", *(match.group().lower() for match in matches), "")
        offsets = ((0, 0), *(match.span() for match in matches), (0, 0))
        return TokenVectors(vectors=_normalised(raw), words=words, raw=raw, offsets=offsets)

    def embed_with_tokens(
        self, texts: Sequence[str], hidden_layer: int | None = None
    ) -> tuple[np.ndarray, list[TokenVectors]]:
        """`hidden_layer` is ignored: the fake has no layers (the key-point judge runs only on the real model)."""
        tokens = [self._tokens(text) for text in texts]
        if not tokens:
            return np.zeros((0, self.DIMENSION), dtype=np.float32), []
        assert all(item.raw is not None for item in tokens)
        return _normalised(np.stack([item.raw.mean(axis=0) for item in tokens if item.raw is not None])), tokens

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_with_tokens(texts)[0]


def _normalised(vectors: np.ndarray) -> np.ndarray:
    return (vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12)).astype(np.float32)
