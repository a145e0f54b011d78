"""Follow-up rules: 1-3, ranked, no duplicates, nothing already asked; what a follow-up is graded against."""

from __future__ import annotations

from interviewer.bank.models import Bank, FollowUpQuestion, KeyPoint
from interviewer.grading.embedding_grader import EmbeddingGrader
from interviewer.grading.follow_ups import follow_up_question, missed_key_point_question, normalise_question_text
from interviewer.grading.result import FlagCode, FollowUp

DROPOUT = "4.2"
PARTIAL = "During training it randomly sets some neuron outputs to zero, which helps against overfitting."


def test_ranked_missed_key_point_then_rubric_then_related(grader: EmbeddingGrader, bank: Bank) -> None:
    question = bank.get(DROPOUT)
    result = grader.grade(question, PARTIAL)
    kinds = [follow_up.kind for follow_up in result.follow_ups]
    assert kinds == ["missed_key_point", "rubric", "related_question"]
    first = result.follow_ups[0]
    target = question.key_point(first.key_point_id)
    missed = [verdict for verdict in result.key_points if verdict.verdict != "covered"]
    assert target.weight == max(verdict.weight for verdict in missed)  # the most important one
    assert first.text.startswith("You ") and first.text.endswith("?")
    assert result.follow_ups[1].text == question.follow_up_texts()[0]
    related = result.follow_ups[2]
    assert related.question_id in question.related
    assert related.text == bank.get(related.question_id).question


def test_nothing_already_asked_and_no_duplicates(grader: EmbeddingGrader, bank: Bank) -> None:
    question = bank.get(DROPOUT)
    first = grader.grade(question, PARTIAL)
    asked = [follow_up.text for follow_up in first.follow_ups] + [question.related[0], question.related[1]]
    again = grader.grade(question, PARTIAL, asked=asked)
    assert 1 <= len(again.follow_ups) <= 3
    asked_texts = {normalise_question_text(text) for text in asked}
    texts = [normalise_question_text(follow_up.text) for follow_up in again.follow_ups]
    assert not asked_texts & set(texts)
    assert len(texts) == len(set(texts))
    assert all(follow_up.question_id not in asked for follow_up in again.follow_ups)


def test_every_grade_has_follow_ups_even_a_perfect_one(grader: EmbeddingGrader, bank: Bank) -> None:
    for question in bank.questions[:6]:
        result = grader.grade(question, question.reference_answer)
        assert 1 <= len(result.follow_ups) <= 3


def test_missed_key_point_reads_like_an_interviewer() -> None:
    claim = KeyPoint(id="noise", text="The random noise acts as a regularizer and reduces overfitting.")
    topic = KeyPoint(id="layers", text="Input, hidden and output layers")
    assert missed_key_point_question(claim) == (
        "You didn't mention that the random noise acts as a regularizer and reduces overfitting. "
        "Can you explain why that is?"
    )
    because = KeyPoint(id="sigmoid", text="Sigmoid and tanh saturate, so their gradients vanish.")
    assert missed_key_point_question(because).endswith("Can you walk me through how that works?")
    for name in ("Adam keeps a moving average of the gradients.", "L1 drives many weights to exactly zero."):
        assert f"that {name.split()[0]} " in missed_key_point_question(KeyPoint(id="x", text=name))
    assert (
        missed_key_point_question(topic)
        == "You didn't mention input, hidden and output layers. Can you walk me through it?"
    )
    acronym = KeyPoint(id="relu", text="ReLU is cheap to compute.")
    assert "that ReLU is cheap" in missed_key_point_question(acronym)


def test_follow_up_questions_are_graded_against_their_target(grader: EmbeddingGrader, bank: Bank) -> None:
    question = bank.get(DROPOUT)
    result = grader.grade(question, PARTIAL)
    by_kind = {follow_up.kind: follow_up for follow_up in result.follow_ups}
    missed = follow_up_question(question, by_kind["missed_key_point"], bank)
    assert [key_point.id for key_point in missed.key_points] == [by_kind["missed_key_point"].key_point_id]
    assert missed.question == by_kind["missed_key_point"].text
    related = follow_up_question(question, by_kind["related_question"], bank)
    assert related == bank.get(by_kind["related_question"].question_id)
    rubric = follow_up_question(question, by_kind["rubric"], bank, result=result)
    own = question.follow_up_as_question(question.follow_up_texts().index(by_kind["rubric"].text) + 1)
    assert own is not None and own.key_points  # the shipped follow-ups carry their own key points
    assert rubric == own
    assert not {key_point.id for key_point in rubric.key_points} & {key_point.id for key_point in question.key_points}
    # A rubric follow-up without key points of its own falls back to the parent's missed and partial ones.
    bare = question.model_copy(update={"follow_ups": [FollowUpQuestion(question=by_kind["rubric"].text)]})
    fallback = follow_up_question(bare, by_kind["rubric"], bank, result=result)
    weak = {verdict.key_point_id for verdict in result.key_points if verdict.verdict != "covered"}
    assert {key_point.id for key_point in fallback.key_points} == weak


def test_answering_a_missed_key_point_follow_up(grader: EmbeddingGrader, bank: Bank) -> None:
    question = bank.get(DROPOUT)
    key_point = question.key_point("prevents-co-adaptation")
    follow_up = FollowUp(text=missed_key_point_question(key_point), kind="missed_key_point", key_point_id=key_point.id)
    target = follow_up_question(question, follow_up, bank)
    explained = grader.grade(
        target,
        "Because any unit can be dropped on a given step, it cannot rely on particular partners always being "
        "there, so each one has to learn features that work on their own, which makes the network more robust.",
    )
    restated = grader.grade(target, key_point.text)
    assert explained.key_points[0].verdict in {"covered", "partial"}
    assert explained.score >= 5.0
    assert restated.has_flag(
        FlagCode.PARROTED_QUESTION
    )  # the follow-up states the point; repeating it is not an answer
    assert explained.score > restated.score
