"""Preparing questions and grading answers in chunks gives what one pass gives (fake embedder)."""

from __future__ import annotations

import numpy as np
import pytest

from interviewer.grading import embedding_grader
from interviewer.grading.base import Embedder
from interviewer.grading.embedding_grader import EmbeddingGrader
from interviewer.grading.questions import adhoc_question

QUESTIONS = [
    adhoc_question("What does a stack do?", "A stack is last in, first out. Push adds on top.", question_id="q1"),
    adhoc_question("What is a queue?", "A queue is first in, first out. Enqueue adds at the back.", question_id="q2"),
    adhoc_question(
        "What is a heap?", "A heap keeps the smallest item on top.", key_points=["min on top"], question_id="q3"
    ),
]


def test_chunked_preparation_matches_one_pass(fake_embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    together = EmbeddingGrader(fake_embedder).prepare(QUESTIONS)
    monkeypatch.setattr(embedding_grader, "PREPARE_CHUNK", 2)
    chunked = EmbeddingGrader(fake_embedder).prepare(QUESTIONS)
    for one, other in zip(together, chunked, strict=True):
        assert one.question == other.question and one.phrasing_floors == other.phrasing_floors
        for name in ("phrasing_vectors", "reference_vector", "topic_vector", "key_point_vectors"):
            np.testing.assert_array_equal(getattr(one, name), getattr(other, name))


def test_chunked_grading_matches_one_pass(fake_embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    items = [(question, answer) for question in QUESTIONS for answer in ("It is last in, first out.", "No idea.")]
    together = EmbeddingGrader(fake_embedder).grade_batch(items)
    monkeypatch.setattr(embedding_grader, "GRADE_CHUNK", 2)
    chunked = EmbeddingGrader(fake_embedder).grade_batch(items)
    assert [result.model_dump() for result in chunked] == [result.model_dump() for result in together]
