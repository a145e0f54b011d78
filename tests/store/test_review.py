"""Spaced review: FSRS cards per missed key point, rated on grade, due questions most overdue first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fsrs import Card, Rating

from interviewer.bank.models import Bank, KeyPoint, Question
from interviewer.grading.result import FlagCode, FollowUp
from interviewer.review import due_question_ids, rating_for, record_review
from interviewer.store import SessionStore

from .factories import answer_and_grade, make_grade


@pytest.fixture
def store(tmp_path: Path):
    with SessionStore.open(tmp_path / "sessions.sqlite3") as opened:
        yield opened


def _question(question_id: str, key_point_ids: list[str], bank: str = "dl") -> Question:
    return Question(
        id=question_id,
        question=f"Question {question_id}?",
        reference_answer="Reference.",
        key_points=[KeyPoint(id=key_point_id, text=f"Point {key_point_id}.") for key_point_id in key_point_ids],
        topic="Basics",
        bank=bank,
    )


def test_missed_and_partial_key_points_get_cards_covered_ones_do_not(store: SessionStore) -> None:
    session = store.start_session(bank="dl", grader="embedding", question_ids=["1.1"], topics=[])
    answer_and_grade(store, session.id, "1.1", "ReLU is max(0,x)", {"def": "covered", "grad": "partial", "dying": "missed"})
    cards = {card.key_point_id: card for card in store.review_cards("dl")}
    assert sorted(cards) == ["dying", "grad"]
    assert cards["dying"].last_verdict == "missed" and cards["grad"].last_verdict == "partial"
    # Again schedules sooner than Hard.
    assert cards["dying"].due <= cards["grad"].due
    assert Card.from_json(cards["dying"].card_json).due == cards["dying"].due


def test_due_questions_most_overdue_first_and_filtered_by_bank(store: SessionStore) -> None:
    session = store.start_session(bank="dl", grader="embedding", question_ids=["1", "2", "3"], topics=[])
    answer_and_grade(store, session.id, "1", "a", {"a": "partial", "b": "covered"})
    answer_and_grade(store, session.id, "2", "b", {"a": "missed", "b": "missed"})
    answer_and_grade(store, session.id, "3", "c", {"a": "covered"})
    assert due_question_ids(store, "dl", now=datetime.now(UTC)) == []  # learning steps: due in minutes
    later = datetime.now(UTC) + timedelta(minutes=20)
    assert due_question_ids(store, "dl", now=later) == ["2", "1"]  # Again (missed) is due before Hard (partial)
    assert due_question_ids(store, "other-bank", now=later) == []
    bank = Bank(name="dl", questions=[_question("1", ["a", "b"])])
    assert due_question_ids(store, bank, now=later) == ["1"]  # question 2 is no longer in the bank


def test_a_covered_retry_pushes_the_card_out(store: SessionStore) -> None:
    first = store.start_session(bank="dl", grader="embedding", question_ids=["1"], topics=[])
    answer_and_grade(store, first.id, "1", "a", {"a": "missed"})
    [card_after_miss] = store.review_cards("dl")
    second = store.start_session(bank="dl", grader="embedding", question_ids=["1"], topics=[], mode="review")
    answer_and_grade(store, second.id, "1", "a", {"a": "covered"})
    [card_after_cover] = store.review_cards("dl")
    assert card_after_cover.last_verdict == "covered"
    assert card_after_cover.due > card_after_miss.due


def test_regrade_does_not_rate_twice(store: SessionStore) -> None:
    session = store.start_session(bank="dl", grader="embedding", question_ids=["1"], topics=[])
    record = answer_and_grade(store, session.id, "1", "a", {"a": "missed"})
    [before] = store.review_cards("dl")
    store.record_grade(record.id, make_grade("1", {"a": "covered"}))
    assert store.review_cards("dl") == [before]


def test_follow_up_rates_the_parent_question(store: SessionStore) -> None:
    session = store.start_session(bank="dl", grader="embedding", question_ids=["1"], topics=[])
    parent = answer_and_grade(store, session.id, "1", "a", {"a": "covered", "b": "missed"})
    follow_up = FollowUp(text="And b?", kind="missed_key_point", key_point_id="b")
    child = store.record_answer(
        session.id, question_id="1#b", question_text="And b?", topic="Basics", answer="b!",
        parent_answer_id=parent.id, follow_up=follow_up,
    )
    store.record_grade(child.id, make_grade("1#b", {"b": "covered"}))
    [card] = store.review_cards("dl")
    assert (card.question_id, card.key_point_id, card.last_verdict) == ("1", "b", "covered")

    related = FollowUp(text="Question 2?", kind="related_question", question_id="2")
    other = store.record_answer(
        session.id, question_id="2", question_text="Question 2?", topic="Basics", answer="?",
        parent_answer_id=parent.id, follow_up=related,
    )
    store.record_grade(other.id, make_grade("2", {"x": "missed"}))
    assert {(card.question_id, card.key_point_id) for card in store.review_cards("dl")} == {("1", "b"), ("2", "x")}


def test_hinted_cover_rates_hard_and_record_review_outside_sessions(store: SessionStore) -> None:
    hinted = make_grade("1", {"a": "covered"}, flags=[FlagCode.HINTED])
    assert rating_for(hinted.key_points[0], hinted) == Rating.Hard
    plain = make_grade("1", {"a": "covered"})
    assert rating_for(plain.key_points[0], plain) == Rating.Good
    question = _question("7", ["x", "y"])
    now = datetime(2026, 1, 1, tzinfo=UTC)
    record_review(store, question, make_grade("7", {"x": "missed", "y": "covered"}), now=now)
    assert due_question_ids(store, "dl", now=now + timedelta(hours=1)) == ["7"]


def test_a_skipped_question_schedules_all_its_key_points(store: SessionStore) -> None:
    from interviewer.review import record_skipped

    now = datetime(2026, 1, 1, tzinfo=UTC)
    record_skipped(store, _question("9", ["p", "q"]), now=now)
    cards = store.review_cards("dl")
    assert {(card.key_point_id, card.last_verdict) for card in cards} == {("p", "missed"), ("q", "missed")}
    assert due_question_ids(store, "dl", now=now + timedelta(minutes=5)) == ["9"]


def test_a_damaged_card_keeps_the_grade_and_is_a_store_error(store: SessionStore) -> None:
    import sqlite3

    from interviewer.errors import StoreError

    session = store.start_session(bank="dl", grader="embedding", question_ids=["1"], topics=[])
    answer_and_grade(store, session.id, "1", "a", {"a": "missed"})
    connection = sqlite3.connect(store.path)
    connection.execute("UPDATE review_cards SET card = '{\"broken\": true}'")
    connection.commit()
    connection.close()
    record = store.record_answer(session.id, question_id="1", question_text="q", topic="t", answer="again")
    with pytest.raises(StoreError, match="saved, but its review schedule could not be updated"):
        store.record_grade(record.id, make_grade("1", {"a": "covered"}))
    assert store.get_answer(record.id).grade is not None


def test_missed_is_due_at_once_and_a_later_cover_waits_days(store: SessionStore) -> None:
    now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    question = _question("1", ["a", "b"])
    record_review(store, question, make_grade("1", {"a": "missed", "b": "partial"}), now=now)
    assert due_question_ids(store, "dl", now=now + timedelta(minutes=2)) == ["1"]
    record_review(store, question, make_grade("1", {"a": "covered", "b": "covered"}), now=now + timedelta(minutes=30))
    cards = store.review_cards("dl")
    assert all(card.due - (now + timedelta(minutes=30)) >= timedelta(days=1) for card in cards), cards
    assert due_question_ids(store, "dl", now=now + timedelta(hours=12)) == []
