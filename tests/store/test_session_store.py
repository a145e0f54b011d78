"""The session store: round trip, ordering, immediate commits, threads."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from interviewer import locations
from interviewer.errors import StoreError
from interviewer.grading.result import FlagCode, FollowUp
from interviewer.store import SessionStore, UnknownSessionError

from .factories import make_grade, make_submission


@pytest.fixture
def store(tmp_path: Path):
    with SessionStore.open(tmp_path / "sessions.sqlite3") as opened:
        yield opened


def test_default_path_is_under_interviewer_home(isolated_environment: Path) -> None:
    with SessionStore.open() as store:
        assert store.path == locations.database_file()
        assert store.path.is_relative_to(isolated_environment)
    assert locations.database_file().is_file()


def test_wal_mode_and_foreign_keys(store: SessionStore) -> None:
    connection = sqlite3.connect(store.path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()
    with pytest.raises(StoreError, match="no session 999"):
        store.record_answer(999, make_submission("1.1"))


def test_round_trip_of_session_answers_and_grades(store: SessionStore) -> None:
    session = store.start_session(
        bank="deep-learning",
        grader="hybrid",
        question_ids=["1.1", "2.3"],
        topics=["Basics", "训练"],
        time_limit_seconds=120,
    )
    assert session.finished_at is None and session.mode == "practice" and session.topics == ["Basics", "训练"]
    first = store.record_answer(
        session.id,
        make_submission("1.1", "max(0, x) — «ok»", question_text="What is ReLU?", seconds_taken=42.5, hinted=True),
        review_question_id="1.1",
    )
    assert first.grade is None and first.hinted and not first.skipped
    grade = make_grade(
        "1.1",
        {"definition": "covered", "gradient": "partial", "dying": "missed"},
        evidence={"definition": "max(0, x)"},
        flags=[FlagCode.HINTED, FlagCode.LLM_UNAVAILABLE],
        follow_ups=[FollowUp(text="Why do ReLUs die?", kind="missed_key_point", key_point_id="dying")],
        feedback="Good start.",
        grader="hybrid",
    )
    store.record_grade(first.id, grade)
    follow_up = FollowUp(text="Why do ReLUs die?", kind="missed_key_point", key_point_id="dying")
    second = store.record_answer(
        session.id,
        make_submission("1.1-dying", "", question_text=follow_up.text, parent_answer_id=first.id, follow_up=follow_up),
    )
    skipped = store.record_answer(session.id, make_submission("2.3", "", topic="训练", skipped=True))

    answers = store.answers(session.id)
    assert [answer.id for answer in answers] == [first.id, second.id, skipped.id]
    assert answers[0].grade == grade
    assert answers[0].seconds_taken == 42.5 and answers[0].answer == "max(0, x) — «ok»"
    assert answers[1].parent_answer_id == first.id and answers[1].follow_up == follow_up and answers[1].grade is None
    assert answers[2].skipped and answers[2].grade is None

    regrade = make_grade("1.1", {"definition": "covered", "gradient": "covered", "dying": "covered"})
    store.record_grade(first.id, regrade)
    assert store.get_answer(first.id).grade == regrade

    store.finish_session(session.id)
    finished = store.get_session(session.id)
    assert finished.finished_at is not None and finished.finished_at >= finished.started_at
    assert finished.started_at.tzinfo is not None


def test_answer_is_committed_before_grading(store: SessionStore) -> None:
    session = store.start_session(bank="b", grader="embedding", question_ids=["1"], topics=[])
    store.record_answer(session.id, make_submission("1", "saved at once"))
    # A second, independent connection (another process after a crash) sees it already.
    other = sqlite3.connect(store.path)
    assert other.execute("SELECT answer FROM answers").fetchall() == [("saved at once",)]
    other.close()
    with SessionStore.open(store.path) as reopened:
        assert reopened.unfinished_session() == session
        assert [answer.answer for answer in reopened.answers(session.id)] == ["saved at once"]


def test_sessions_newest_first_and_unfinished(store: SessionStore) -> None:
    assert store.sessions() == [] and store.unfinished_session() is None
    first = store.start_session(bank="b", grader="embedding", question_ids=["1"], topics=[])
    second = store.start_session(bank="b", grader="llm", question_ids=["2"], topics=[], mode="review")
    assert [session.id for session in store.sessions()] == [second.id, first.id]
    store.finish_session(second.id)
    assert store.unfinished_session() == first
    store.finish_session(first.id)
    assert store.unfinished_session() is None


def test_unknown_ids_and_bad_mode(store: SessionStore) -> None:
    with pytest.raises(UnknownSessionError, match="no session 7"):
        store.get_session(7)
    with pytest.raises(UnknownSessionError, match="no answer 3"):
        store.record_grade(3, make_grade("1", {"a": "covered"}))
    with pytest.raises(StoreError, match="mode"):
        store.start_session(bank="b", grader="embedding", question_ids=[], topics=[], mode="exam")  # type: ignore[arg-type]


def test_worker_threads_and_main_thread_share_one_store(store: SessionStore) -> None:
    session = store.start_session(bank="b", grader="embedding", question_ids=["1"], topics=[])
    errors: list[BaseException] = []

    def submit_and_grade(worker: int) -> None:
        try:
            for index in range(20):
                record = store.record_answer(session.id, make_submission("1", f"{worker}-{index}"))
                store.record_grade(record.id, make_grade("1", {"a": "covered"}))
                store.answers(session.id)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=submit_and_grade, args=(worker,)) for worker in range(4)]
    for worker in workers:
        worker.start()
    submit_and_grade(99)
    for worker in workers:
        worker.join()
    assert errors == []
    answers = store.answers(session.id)
    assert len(answers) == 100 and all(answer.grade is not None for answer in answers)


def test_two_stores_on_one_file_see_each_others_commits(store: SessionStore) -> None:
    """The TUI writes while `interviewer report` reads the same file from another process (WAL)."""
    with SessionStore.open(store.path) as reader:
        session = store.start_session(bank="b", grader="embedding", question_ids=["1"], topics=[])
        record = store.record_answer(session.id, make_submission("1"))
        assert reader.answers(session.id)[0].grade is None
        store.record_grade(record.id, make_grade("1", {"a": "covered"}))
        assert reader.answers(session.id)[0].grade is not None
        reader.finish_session(session.id)
        assert store.get_session(session.id).finished_at is not None


def test_a_draft_is_saved_replaced_and_cleared(store: SessionStore) -> None:
    session = store.start_session(bank="dl", grader="embedding", question_ids=["1.1", "2.1"], topics=[])
    assert store.draft(session.id) is None
    store.save_draft(session.id, question_id="1.1", answer="Backprop applies")
    store.save_draft(session.id, question_id="1.1", answer="Backprop applies the chain rule", hints_shown=1)
    draft = store.draft(session.id)
    assert draft is not None
    assert (draft.question_id, draft.answer, draft.hints_shown, draft.parent_answer_id) == (
        "1.1",
        "Backprop applies the chain rule",
        1,
        None,
    )
    parent = store.record_answer(session.id, make_submission("1.1", "An answer."))
    follow_up = FollowUp(kind="missed_key_point", text="Why?", key_point_id="a")
    store.save_draft(
        session.id, question_id="1.1-fu", answer="Because", parent_answer_id=parent.id, follow_up=follow_up
    )
    draft = store.draft(session.id)
    assert draft is not None and draft.parent_answer_id == parent.id and draft.follow_up == follow_up
    store.clear_draft(session.id)
    assert store.draft(session.id) is None


def test_a_claim_is_renewed_and_released_only_by_its_process(store: SessionStore) -> None:
    session = store.start_session(bank="dl", grader="embedding", question_ids=["1.1"], topics=[])
    assert store.session_claim(session.id) is None
    store.claim_session(session.id, pid=111, host="here")
    first = store.session_claim(session.id)
    store.claim_session(session.id, pid=111, host="here")
    renewed = store.session_claim(session.id)
    assert first is not None and renewed is not None and renewed.heartbeat_at >= first.heartbeat_at
    store.release_session(session.id, pid=222)
    assert store.session_claim(session.id) is not None
    store.release_session(session.id, pid=111)
    assert store.session_claim(session.id) is None


def test_unfinished_sessions_newest_first(store: SessionStore) -> None:
    older = store.start_session(bank="dl", grader="embedding", question_ids=["1.1"], topics=[])
    done = store.start_session(bank="dl", grader="embedding", question_ids=["1.1"], topics=[])
    newer = store.start_session(bank="dl", grader="embedding", question_ids=["1.1"], topics=[])
    store.finish_session(done.id)
    assert [session.id for session in store.unfinished_sessions()] == [newer.id, older.id]
