"""Spaced review: the pure FSRS scheduler, and the session that rates cards on grade and skip.

A follow-up's verdicts update only its own target's cards: a missed-key-point follow-up rates that
key point of its parent, a rubric follow-up with key points of its own rates cards under its own id,
a related-question follow-up that question, an experience follow-up nothing, and a rubric follow-up
without key points of its own (like an LLM follow-up) its parent's key points.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fsrs import Card, Rating

from interviewer.bank.models import Bank, FollowUpQuestion, KeyPoint, Question
from interviewer.errors import StoreError
from interviewer.grading.result import FlagCode, FollowUp, GradeResult, KeyPointVerdict, Provenance
from interviewer.practice import PracticeSession, review_question_ids
from interviewer.review import (
    due_question_ids,
    latest_cards,
    rated_cards,
    rating_for,
    review_target,
    skipped_result,
)
from interviewer.store import SessionStore, Submission
from tests.store.factories import make_grade, make_question

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=20)


def _key_points(*ids: str) -> list[KeyPoint]:
    return [KeyPoint(id=key_point_id, text=f"Point {key_point_id}.") for key_point_id in ids]


BANK = Bank(
    name="dl",
    questions=[
        Question(
            id="1",
            question="Question 1?",
            reference_answer="Reference 1.",
            key_points=_key_points("a", "b", "c"),
            follow_ups=[
                FollowUpQuestion(question="Own follow-up?", key_points=_key_points("x", "y")),
                FollowUpQuestion(question="Tell me about a project of yours.", kind="experience"),
                FollowUpQuestion(question="Plain follow-up?"),
            ],
            related=["2"],
            topic="Basics",
            bank="dl",
        ),
        Question(
            id="2",
            question="Question 2?",
            reference_answer="Reference 2.",
            key_points=_key_points("p", "q"),
            topic="Basics",
            bank="dl",
        ),
    ],
)
FOLLOW_UPS = {
    "missed key point": FollowUp(text="And b?", kind="missed_key_point", key_point_id="b"),
    "rubric, own key points": FollowUp(text="Own follow-up?", kind="rubric"),
    "related question": FollowUp(text="Question 2?", kind="related_question", question_id="2"),
    "experience": FollowUp(text="Tell me about a project of yours.", kind="rubric"),
    "rubric, no key points": FollowUp(text="Plain follow-up?", kind="rubric"),
    "llm": FollowUp(text="What about c?", kind="llm"),
}


class WordGrader:
    """Covers the key points whose ids are words of the answer, misses the others."""

    name = "embedding"

    def grade(self, question: Question, answer: str, *, asked: Collection[str] = ()) -> GradeResult:
        words = set(answer.split())
        verdicts = [
            KeyPointVerdict(
                key_point_id=key_point.id,
                text=key_point.text,
                weight=key_point.weight,
                verdict="covered" if key_point.id in words else "missed",
            )
            for key_point in question.key_points
        ]
        return GradeResult(
            question_id=question.id, score=0, key_points=verdicts, provenance=Provenance(grader="embedding")
        )

    def grade_batch(self, items: Sequence[tuple[Question, str]]) -> list[GradeResult]:
        return [self.grade(question, answer) for question, answer in items]

    def prepare(self, questions: Sequence[Question]) -> None:
        pass


GRADER = WordGrader()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SessionStore]:
    with SessionStore.open(tmp_path / "sessions.sqlite3") as opened:
        yield opened


def _session(store: SessionStore, *question_ids: str, at: datetime = NOW, mode: str = "practice") -> PracticeSession:
    questions = [BANK.get(question_id) for question_id in question_ids or ("1",)]
    return PracticeSession.start(store, BANK, questions, grader="embedding", mode=mode, clock=lambda: at)


def _cards(store: SessionStore) -> dict[tuple[str, str], str]:
    return {(card.question_id, card.key_point_id): card.last_verdict for card in store.review_cards("dl")}


def test_missed_and_partial_key_points_get_cards_covered_ones_do_not(store: SessionStore) -> None:
    session = _session(store)
    session.answer(Submission(BANK.get("1"), "a"), GRADER)
    assert _cards(store) == {("1", "b"): "missed", ("1", "c"): "missed"}
    [card, _] = store.review_cards("dl")
    assert Card.from_json(card.card_json).due == card.due == NOW + timedelta(minutes=1)


def test_a_covered_retry_pushes_the_card_out_and_a_regrade_does_not_rate_twice(store: SessionStore) -> None:
    first, _ = _session(store).answer(Submission(BANK.get("1"), "a b"), GRADER)
    [after_miss] = store.review_cards("dl")
    _session(store, at=LATER, mode="review").answer(Submission(BANK.get("1"), "a b c"), GRADER)
    [after_cover] = store.review_cards("dl")
    assert after_cover.last_verdict == "covered" and after_cover.due - LATER >= timedelta(days=1)

    _session(store).record_grade(first, GRADER.grade(BANK.get("1"), "a b c"))  # a re-grade of the first answer
    assert store.review_cards("dl") == [after_cover] and after_miss.due < after_cover.due


def test_a_skipped_question_comes_back_as_due(store: SessionStore) -> None:
    session = _session(store, "1", "2")
    skipped = session.submit(Submission(BANK.get("2"), "", skipped=True))
    assert skipped.grade is None and session.ungraded_answers() == []
    assert _cards(store) == {("2", "p"): "missed", ("2", "q"): "missed"}
    assert review_question_ids(store, BANK, now=NOW) == []  # one learning step: due a minute later
    assert review_question_ids(store, BANK, now=NOW + timedelta(minutes=1)) == ["2"]


def _answer_follow_up(store: SessionStore, kind: str, answer: str) -> PracticeSession:
    """Answer question 1 covering all its key points, then the follow-up of this kind with `answer`."""
    session = _session(store)
    parent, _ = session.answer(Submission(BANK.get("1"), "a b c"), GRADER)
    assert _cards(store) == {}
    follow_up = FOLLOW_UPS[kind]
    question = session.follow_up_question(BANK.get("1"), follow_up)
    session.answer(Submission(question, answer, parent_answer_id=parent.id, follow_up=follow_up), GRADER)
    return session


@pytest.mark.parametrize(
    ("kind", "answer", "cards"),
    [
        ("missed key point", "nothing", {("1", "b"): "missed"}),
        ("rubric, own key points", "x", {("1-follow-up-1", "y"): "missed"}),
        ("related question", "p", {("2", "q"): "missed"}),
        ("experience", "nothing", {}),
        ("rubric, no key points", "a", {("1", "b"): "missed", ("1", "c"): "missed"}),
        ("llm", "c", {("1", "a"): "missed", ("1", "b"): "missed"}),
    ],
)
def test_a_follow_up_rates_only_its_own_target(
    store: SessionStore, kind: str, answer: str, cards: dict[tuple[str, str], str]
) -> None:
    session = _answer_follow_up(store, kind, answer)
    assert _cards(store) == cards
    [_, follow_up] = session.answers()
    assert follow_up.review_question_id == (next(iter(cards))[0] if cards else None)
    due = review_question_ids(store, BANK, now=LATER)
    assert due == sorted({question_id for question_id, _ in cards})  # each due question is one the bank resolves


def test_a_rubric_follow_up_with_its_own_key_points_comes_back_in_review(store: SessionStore) -> None:
    _answer_follow_up(store, "rubric, own key points", "x")
    [due] = review_question_ids(store, BANK, now=LATER)
    question = BANK.get(due)
    assert (question.question, question.parent_id) == ("Own follow-up?", "1")

    review = _session(store, due, at=LATER, mode="review")
    assert review.next_question() == question
    review.answer(Submission(question, "x y"), GRADER)
    assert _cards(store) == {("1-follow-up-1", "y"): "covered"}


def test_a_follow_up_of_a_follow_up_rates_the_target_its_key_points_belong_to(store: SessionStore) -> None:
    session = _answer_follow_up(store, "rubric, own key points", "nothing")
    own = session.answers()[1]
    nested = FollowUp(text="And y?", kind="missed_key_point", key_point_id="y")
    question = session.follow_up_question(BANK.get("1-follow-up-1"), nested)
    record, _ = session.answer(Submission(question, "y", parent_answer_id=own.id, follow_up=nested), GRADER)
    assert record.review_question_id == "1-follow-up-1"
    assert _cards(store) == {("1-follow-up-1", "x"): "missed", ("1-follow-up-1", "y"): "covered"}
    assert session.question_for(record) == question  # resume finds the nested follow-up's question again


def test_review_target_is_pure() -> None:
    main = BANK.get("1")
    assert review_target(main, None, None, BANK) == "1"
    assert review_target(BANK.get("1-follow-up-2"), FOLLOW_UPS["rubric, own key points"], "1", BANK) is None
    derived = make_question("1-b", ["b"], bank="dl")
    assert review_target(derived, FOLLOW_UPS["missed key point"], "1", BANK) == "1"
    assert review_target(derived, FOLLOW_UPS["missed key point"], None, BANK) is None


def test_due_questions_most_overdue_first_and_filtered_by_bank() -> None:
    cards = [
        *rated_cards([], "dl", "1", make_grade("1", {"a": "partial", "b": "covered"}), NOW),
        *rated_cards([], "dl", "2", make_grade("2", {"a": "missed", "b": "missed"}), NOW),
        *rated_cards([], "dl", "3", make_grade("3", {"a": "covered"}), NOW),
    ]
    assert due_question_ids(cards, NOW) == []  # learning steps: due in minutes
    assert due_question_ids(cards, LATER) == ["2", "1"]  # Again (missed) is due before Hard (partial)
    only_one = Bank(name="dl", questions=[make_question("1", ["a", "b"])])
    assert due_question_ids(cards, LATER, bank=only_one) == ["1"]  # question 2 is no longer in the bank


def test_hinted_cover_rates_hard_and_a_skip_rates_every_key_point_missed() -> None:
    hinted = make_grade("1", {"a": "covered"}, flags=[FlagCode.HINTED])
    assert rating_for(hinted.key_points[0], hinted) == Rating.Hard
    plain = make_grade("1", {"a": "covered"})
    assert rating_for(plain.key_points[0], plain) == Rating.Good
    skipped = skipped_result(make_question("9", ["p", "q"]))
    assert [(verdict.key_point_id, verdict.verdict) for verdict in skipped.key_points] == [
        ("p", "missed"),
        ("q", "missed"),
    ]


def test_missed_is_due_at_once_and_a_later_cover_waits_days() -> None:
    cards = rated_cards([], "dl", "1", make_grade("1", {"a": "missed", "b": "partial"}), NOW)
    assert due_question_ids(cards, NOW + timedelta(minutes=2)) == ["1"]
    covered_at = NOW + timedelta(minutes=30)
    cards = rated_cards(cards, "dl", "1", make_grade("1", {"a": "covered", "b": "covered"}), covered_at)
    assert all(card.due - covered_at >= timedelta(days=1) for card in cards), cards
    assert due_question_ids(cards, NOW + timedelta(hours=12)) == []


def test_a_damaged_card_keeps_the_grade_and_is_a_store_error(store: SessionStore) -> None:
    session = _session(store)
    session.answer(Submission(BANK.get("1"), "a b"), GRADER)
    connection = sqlite3.connect(store.path)
    connection.execute("UPDATE review_cards SET card = '{\"broken\": true}'")
    connection.commit()
    connection.close()
    record = session.submit(Submission(BANK.get("1"), "again"))
    with pytest.raises(StoreError, match="saved, but its review schedule could not be updated"):
        session.record_grade(record, GRADER.grade(BANK.get("1"), "a b c"))
    assert store.get_answer(record.id).grade is not None


def _bank_of(name: str, question_id: str) -> Bank:
    return Bank(
        name=name,
        questions=[
            Question(
                id=question_id,
                question=f"Question {question_id}?",
                reference_answer="Reference.",
                key_points=_key_points("a", "b"),
                topic="Basics",
                bank=name,
            )
        ],
    )


def test_a_selection_rates_cards_under_each_question_bank_and_reviews_across_them(store: SessionStore) -> None:
    first, second = _bank_of("ml", "m1"), _bank_of("stats", "s1")
    selection = Bank(name="ml+stats", questions=[*first.questions, *second.questions])
    session = PracticeSession.start(store, selection, selection.questions, grader="embedding", clock=lambda: NOW)
    session.answer(Submission(selection.get("m1"), "a"), GRADER)
    session.submit(Submission(selection.get("s1"), "", skipped=True))
    assert [card.question_id for card in store.review_cards("ml")] == ["m1"]  # keyed by the question's bank
    assert {card.question_id for card in store.review_cards("stats")} == {"s1"}
    assert store.review_cards("ml+stats") == []
    assert review_question_ids(store, first, now=LATER) == ["m1"]  # practised in the selection, due alone
    assert set(review_question_ids(store, selection, now=LATER)) == {"m1", "s1"}

    # Practised alone later: the selection reads the newer card.
    alone = PracticeSession.start(store, first, first.questions, grader="embedding", clock=lambda: LATER)
    alone.answer(Submission(first.get("m1"), "a b"), GRADER)
    assert review_question_ids(store, selection, now=LATER + timedelta(hours=12)) == ["s1"]


def test_cards_rated_under_a_selection_name_still_count() -> None:
    legacy = rated_cards([], "all", "1", make_grade("1", {"a": "missed"}), NOW)  # rated under `all` before
    assert due_question_ids(latest_cards(legacy), LATER, bank=BANK) == ["1"]
    newer = rated_cards(legacy, "dl", "1", make_grade("1", {"a": "covered"}), LATER)
    assert [card.bank for card in newer] == ["dl"] and newer[0].last_verdict == "covered"
    assert due_question_ids(latest_cards([*legacy, *newer]), LATER + timedelta(hours=12)) == []
    unrelated = rated_cards([], "other", "1", make_grade("1", {"a": "missed"}), NOW)
    assert len(latest_cards([*newer, *unrelated])) == 2  # an unrelated bank's '1' is another question
