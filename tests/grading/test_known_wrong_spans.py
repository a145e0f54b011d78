"""Which sentence of an answer stands for a key point's known wrong statements (pure: vectors made by hand)."""

from __future__ import annotations

import numpy as np

from interviewer.bank.models import KeyPoint, Question
from interviewer.grading.answer_vectors import AnswerText, AnswerVectors, answer_text
from interviewer.grading.embedding_grader import (
    KnownMatch,
    PreparedQuestion,
    WordContrast,
    closer_to_wrong,
    known_cosines,
    word_contrasts,
)
from interviewer.grading.text import content_stems
from interviewer.grading.verdicts import DEFAULT_RULES

DIM = 4
AXES = np.eye(DIM, dtype=np.float32)


def _prepared(
    known_right: list[np.ndarray],
    known_wrong: list[np.ndarray],
    reference: np.ndarray | None = None,
    contrasts: list[list[WordContrast]] | None = None,
) -> PreparedQuestion:
    question = Question(
        id="q",
        topic="Testing",
        question="Why?",
        reference_answer="Because.",
        key_points=[KeyPoint(id=f"k{index}", text=f"Point {index}.") for index in range(len(known_wrong))],
    )
    empty = np.zeros((0, DIM), dtype=np.float32)
    return PreparedQuestion(
        question=question,
        question_stems=frozenset(),
        phrasing_owner=[],
        phrasing_vectors=empty,
        phrasing_tokens=None,
        reference_vector=AXES[0],
        topic_vector=AXES[0],
        key_point_vectors=empty,
        phrasing_floors=[],
        known_right=known_right,
        known_wrong=known_wrong,
        known_contrasts=contrasts or [[WordContrast(frozenset(), frozenset())] * len(wrong) for wrong in known_wrong],
        reference_sentences=reference,
    )


def _answer(sentence_list: list[str], vectors_by_span: dict[str, np.ndarray]) -> tuple[AnswerText, AnswerVectors]:
    part = answer_text(" ".join(sentence_list), sentence_list)
    span_vectors = np.stack([vectors_by_span.get(span, AXES[3]) for span in part.spans])
    return part, AnswerVectors(span_vectors, None, AXES[0], AXES[0])


def _closer(ready: PreparedQuestion, part: AnswerText, vectors: AnswerVectors) -> dict[int, list[KnownMatch]]:
    return closer_to_wrong(part, known_cosines(ready, vectors.span_vectors), DEFAULT_RULES)


def test_the_closest_whole_sentence_to_a_wrong_statement_and_its_margin() -> None:
    first, second = "It scales the weights, so nothing changes.", "Units are dropped at test time."
    part, vectors = _answer([first, second], {first: AXES[0], second: AXES[1]})
    ready = _prepared([AXES[[0]]], [AXES[[1]]])
    (found,) = _closer(ready, part, vectors)[0]
    assert part.spans[found.span] == second
    assert np.isclose(found.similarity, 1.0) and np.isclose(
        found.over_answer, 0.0
    )  # the first one states the right one
    assert np.isclose(found.over_sentence, 1.0)  # this sentence itself is nothing like a right statement


def test_a_sentence_with_the_words_that_make_a_statement_wrong_has_a_word_contrast() -> None:
    contrast = WordContrast.of(
        "A coefficient is the change in probability per unit of the feature.",
        "A coefficient is the change in log-odds per unit of the feature.",
    )
    assert contrast.wrong_only == set(content_stems("probability"))
    assert contrast.right_only == set(content_stems("log-odds"))
    wrong = "Each coefficient tells you how the probability moves when the feature goes up by one."
    right = "Each coefficient tells you how the log-odds move when the feature goes up by one."
    assert contrast.read(wrong) == 1.0 and contrast.read(right) == -1.0
    assert contrast.read("The probability, and so the log-odds, go up.") == 0.0
    # a first sentence with clauses, so span numbers are not sentence rows; the right sentence is less like the
    # wrong statement than the wrong one, and still like it
    opening = "Logistic regression is a linear model, but it predicts a probability through a sigmoid."
    close = (AXES[1] + 0.5 * AXES[2]) / np.linalg.norm(AXES[1] + 0.5 * AXES[2])
    part, vectors = _answer([opening, right, wrong], {wrong: AXES[1], right: close})
    assert len(part.spans) > 3, part.spans
    ready = _prepared([AXES[[0]]], [AXES[[1]]], contrasts=[[contrast]])
    found = {part.spans[match.span]: match.word_contrast for match in _closer(ready, part, vectors)[0]}
    assert found == {wrong: 1.0, right: -1.0}
    far = _prepared([AXES[[0]]], [AXES[[2]]], contrasts=[[contrast]])
    assert all(match.word_contrast == 0.0 for match in _closer(far, part, vectors)[0])  # like no wrong statement


def test_each_wrong_statement_is_contrasted_with_its_closest_right_statement_without_the_question_words() -> None:
    wrong = ["The coefficient is the change in probability.", "The model is fit in closed form."]
    right = ["The model is fit iteratively.", "The coefficient is the change in log-odds."]
    wrong_vectors, right_vectors = AXES[[1, 2]], AXES[[2, 1]]  # the first wrong one is like the second right one
    first, second = word_contrasts(wrong, wrong_vectors, right, right_vectors)
    assert (first.wrong_only, first.right_only) == (set(content_stems("probability")), set(content_stems("log-odds")))
    assert first.right_only.isdisjoint(content_stems("iteratively"))
    assert second.wrong_only == set(content_stems("closed form")) and second.right_only == set(
        content_stems("iteratively")
    )
    asked = frozenset(content_stems("Is the change in probability constant?"))
    (without_question,) = word_contrasts(wrong[:1], wrong_vectors[:1], right, right_vectors, asked)
    assert without_question.wrong_only == set()  # repeating the question's words is no sign of the mistake
    assert without_question.read("Is the change in probability constant? No.") == 0.0


def test_clauses_and_joined_spans_never_stand_for_a_wrong_statement() -> None:
    sentence = "Dropout is off at inference, but it is on in training."
    part, vectors = _answer([sentence, "Fine."], {})
    clause_or_joined = [index for index, span in enumerate(part.spans) if span != sentence and span != "Fine."]
    assert clause_or_joined, part.spans
    span_vectors = vectors.span_vectors.copy()
    span_vectors[clause_or_joined] = AXES[1]  # only the clauses look like the wrong statement
    vectors = AnswerVectors(span_vectors, None, AXES[0], AXES[0])
    (found,) = _closer(_prepared([AXES[[0]]], [AXES[[1]]]), part, vectors)[0]
    assert part.spans[found.span] in (sentence, "Fine.") and found.similarity < 1.0


def test_key_points_without_wrong_statements_are_left_out() -> None:
    part, vectors = _answer(["One sentence."], {})
    empty = np.zeros((0, DIM), dtype=np.float32)
    found = _closer(_prepared([AXES[[0]], AXES[[0]]], [empty, AXES[[1]]]), part, vectors)
    assert found.keys() == {1}


def test_every_sentence_leaning_wrong_is_listed_after_the_closest() -> None:
    """A second sentence like a wrong statement, and closer to it than to any right one, is listed after the
    closest (whatever their order in the answer); one as like a right statement, or in the reference's own
    words, is not. Only the closest is compared with the whole answer, and the reference's sentences do not
    count in that comparison."""
    tilted = (AXES[1] + AXES[2]) / np.sqrt(2)  # like the wrong statement (0.71), nothing like the right one
    mixed = (AXES[1] + AXES[0]) / np.sqrt(2)
    sentence_list = ["Wrong two.", "Mixed.", "Wrong one.", "Other."]
    vectors_by_span = {"Wrong two.": tilted, "Mixed.": mixed, "Wrong one.": AXES[1], "Other.": AXES[2]}
    part, vectors = _answer(sentence_list, vectors_by_span)
    found = _closer(_prepared([AXES[[0]]], [AXES[[1]]]), part, vectors)[0]
    assert [part.spans[match.span] for match in found] == ["Wrong one.", "Wrong two."]
    closest, other = found
    assert np.isclose(closest.over_answer, 1.0 - np.sqrt(0.5))  # "Mixed." is the answer's best right match
    assert other.over_answer is None and np.isclose(other.over_sentence, np.sqrt(0.5))
    in_reference_words = _prepared([AXES[[0]]], [AXES[[1]]], reference=np.stack([tilted]))
    found = _closer(in_reference_words, part, vectors)[0]
    assert [part.spans[match.span] for match in found] == ["Wrong one."]
    assert np.isclose(found[0].over_answer, 1.0 - np.sqrt(0.5))  # the reference's words do not count here
    assert np.isclose(found[0].over_sentence, 1.0 - np.sqrt(0.5))  # they do here: "Wrong one." is 0.71 like them
