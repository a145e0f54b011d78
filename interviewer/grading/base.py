"""The two narrow interfaces of the engine: an Embedder embeds texts, a Grader grades answers.

An Embedder declares what it can do beyond `embed_batch` in class attributes, so callers branch on
a declared capability instead of probing for methods. A Grader is a protocol: the embedding grader,
the LLM graders and test doubles implement it without inheriting anything.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from interviewer.bank.models import Question
from interviewer.grading.result import GradeResult


@dataclass(frozen=True)
class TokenVectors:
    """Contextual token embeddings of one text and, per token, its word and character span.

    `vectors` rows are L2-normalised; `raw` are the model's outputs (mean-pooling them over all
    tokens gives the text's sentence embedding); special tokens have word "" and offsets (0, 0).
    `hidden` holds the token states after a middle layer (the key-point judge's input), when asked for.
    """

    vectors: np.ndarray
    words: tuple[str, ...]
    raw: np.ndarray | None = None
    offsets: tuple[tuple[int, int], ...] | None = None
    hidden: np.ndarray | None = None


class Embedder(ABC):
    """Turns texts into L2-normalised vectors.

    Capabilities, declared by each subclass:

    - `provides_token_vectors`: `embed_with_tokens` returns contextual token embeddings too (the
      grader's token view and its pooled, question-word-free span vectors need them; without them it
      embeds span texts);
    - `caches_persistently`: `embed_persistent` keeps the vectors of recurring texts (key points,
      references, questions) in a cache that outlives the process; otherwise it is `embed_batch`.
    """

    name: str
    provides_token_vectors: bool = False
    caches_persistently: bool = False
    _cache_id: str | None = None

    @property
    def cache_id(self) -> str:
        """What identifies this embedder's vectors in a persistent cache (default: its name)."""
        return self._cache_id or self.name

    @cache_id.setter
    def cache_id(self, value: str) -> None:
        self._cache_id = value

    @abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts at once; returns float32 array of shape (len(texts), dim), rows L2-normalised."""

    def embed_with_tokens(
        self, texts: Sequence[str], hidden_layer: int | None = None
    ) -> tuple[np.ndarray, list[TokenVectors]]:
        """Sentence embeddings plus contextual token embeddings per text (when `provides_token_vectors`);
        with `hidden_layer`, also each text's token states after that layer (for the key-point judge)."""
        raise NotImplementedError(f"{type(self).__name__} provides no token vectors")

    def innermost(self) -> Embedder:
        """The embedder that runs the model (a wrapper such as the cache returns the one it wraps)."""
        return self

    def embed_persistent(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of recurring texts (key points, references, questions), cached where the embedder can."""
        return self.embed_batch(texts)


class Grader(Protocol):
    """Scores answers to questions; never raises for a bad answer (flags it instead)."""

    name: str

    def grade(self, question: Question, answer: str, *, asked: Collection[str] = ()) -> GradeResult:
        """Grade one answer; follow-ups whose question id or text is in `asked` are not suggested again."""
        ...

    def grade_batch(self, items: Sequence[tuple[Question, str]]) -> list[GradeResult]:
        """Grade many (question, answer) pairs at once (in one embedding pass where the grader can)."""
        ...

    def prepare(self, questions: Sequence[Question]) -> object:
        """Do ahead what grading these questions needs (embed their key points), so the first grade is quick."""
        ...
