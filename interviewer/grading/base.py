"""The two narrow interfaces of the engine: an Embedder embeds texts, a Grader grades an answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from interviewer.bank.models import Question
from interviewer.grading.result import GradeResult


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    name: str

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts at once; returns float32 array of shape (len(texts), dim), rows L2-normalised."""
        ...


@runtime_checkable
class Grader(Protocol):
    """Scores one answer to one question."""

    name: str

    def grade(self, question: Question, answer: str) -> GradeResult:
        """Grade an answer; never raises for bad answers (flags them instead)."""
        ...
