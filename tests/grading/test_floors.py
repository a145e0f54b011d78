"""Chance levels per key point: written key points get sibling floors, key points cut from a reference do not."""

from __future__ import annotations

from interviewer.grading import scoring
from interviewer.grading.base import Embedder
from interviewer.grading.embedding_grader import EmbeddingGrader
from interviewer.grading.questions import adhoc_question
from interviewer.grading.scoring import ScoringOptions

QUESTION = "What does a stack do?"
REFERENCE = (
    "A stack stores items in last-in, first-out order. Push puts an item on top of the stack. "
    "Pop removes the item on top of the stack."
)
POINTS = [sentence for sentence in REFERENCE.split(". ")]


def test_written_key_points_sharing_words_get_raised_floors(fake_embedder: Embedder) -> None:
    question = adhoc_question(QUESTION, REFERENCE, key_points=POINTS)
    assert question.grading == "key_points"
    (prepared,) = EmbeddingGrader(fake_embedder).prepare([question])
    assert any(min(floors) > scoring.SIMILARITY_FLOOR for floors in prepared.phrasing_floors)


def test_key_points_cut_from_a_reference_keep_the_global_floor(fake_embedder: Embedder) -> None:
    question = adhoc_question(QUESTION, REFERENCE)
    assert question.grading == "reference" and len(question.key_points) == 3
    (prepared,) = EmbeddingGrader(fake_embedder).prepare([question])
    assert prepared.phrasing_floors == [(scoring.SIMILARITY_FLOOR, scoring.SIMILARITY_FLOOR)] * 3


def test_the_ablation_can_put_floors_on_every_key_point_or_none(fake_embedder: Embedder) -> None:
    cut, written = adhoc_question(QUESTION, REFERENCE), adhoc_question(QUESTION, REFERENCE, key_points=POINTS)
    (on_cut,) = EmbeddingGrader(fake_embedder, options=ScoringOptions(sibling_floors="all")).prepare([cut])
    assert any(min(floors) > scoring.SIMILARITY_FLOOR for floors in on_cut.phrasing_floors)
    (off,) = EmbeddingGrader(fake_embedder, options=ScoringOptions(sibling_floors="none")).prepare([written])
    assert off.phrasing_floors == [(scoring.SIMILARITY_FLOOR, scoring.SIMILARITY_FLOOR)] * 3
