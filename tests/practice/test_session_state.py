"""Session state that tells the truth: finished when complete, empty and open-elsewhere sessions not offered,
drafts kept until submitted, stale claims (kill -9, old heartbeat) ignored."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from interviewer.bank.models import Bank
from interviewer.grading.result import FollowUp
from interviewer.practice import (
    CLAIM_STALE_AFTER,
    PracticeSession,
    claim_is_live,
    describe_unfinished,
    select_questions,
    session_progress,
    session_to_resume,
    utc_now,
)
from interviewer.store import SessionClaim, SessionStore, Submission
from tests.practice.test_practice import StoreCheckingGrader


def test_the_last_grade_finishes_the_session(bank: Bank, store: SessionStore) -> None:
    questions = select_questions(bank, count=2, seed=1)
    session = PracticeSession.start(store, bank, questions, grader="embedding")
    session.submit(Submission(questions[0], "", skipped=True))
    assert store.get_session(session.id).finished_at is None
    assert session_to_resume(store) is not None
    last = session.submit(Submission(questions[1], "an answer"))
    assert store.get_session(session.id).finished_at is None  # submitted, not graded yet: resume grades it
    assert "1 answer not graded yet" in describe_unfinished(store, session.record)
    session.record_grade(last, StoreCheckingGrader(store).grade(questions[1], "an answer"))
    assert store.get_session(session.id).finished_at is not None
    assert session_to_resume(store) is None


def test_a_session_ending_in_a_skip_is_finished(bank: Bank, store: SessionStore) -> None:
    questions = select_questions(bank, count=1, seed=3)
    session = PracticeSession.start(store, bank, questions, grader="embedding")
    session.submit(Submission(questions[0], "", skipped=True))
    assert store.get_session(session.id).finished_at is not None
    progress = session_progress(store, session.record)
    assert (progress.answered, progress.skipped, progress.describe()) == (0, 1, "0 answered · 1 skipped of 1 question")


def test_a_complete_session_left_unfinished_by_an_older_version_is_finished_not_offered(
    bank: Bank, store: SessionStore
) -> None:
    question = select_questions(bank, count=1, seed=5)[0]
    record = store.start_session(bank=bank.name, grader="embedding", question_ids=[question.id], topics=[])
    answer = store.record_answer(record.id, Submission(question, "an answer"))
    store.record_grade(answer.id, StoreCheckingGrader(store).grade(question, "an answer"))
    assert session_to_resume(store) is None
    assert store.get_session(record.id).finished_at is not None


def test_an_empty_session_is_not_offered_but_one_with_a_draft_is(bank: Bank, store: SessionStore) -> None:
    questions = select_questions(bank, count=2, seed=6)
    older = PracticeSession.start(store, bank, questions, grader="embedding")
    older.submit(Submission(questions[0], "an answer"))
    empty = PracticeSession.start(store, bank, questions, grader="embedding")
    assert session_to_resume(store) == older.record  # the newest, empty one is passed over
    empty.save_draft(questions[0], "half an answer")
    offered = session_to_resume(store)
    assert offered is not None and offered.id == empty.id
    assert "a draft answer kept" in describe_unfinished(store, offered)


def test_a_draft_is_kept_until_its_question_is_submitted(bank: Bank, store: SessionStore) -> None:
    questions = select_questions(bank, count=2, seed=7)
    session = PracticeSession.start(store, bank, questions, grader="embedding")
    session.save_draft(questions[0], "Backprop applies the chain rule", hints_shown=1)
    draft = session.draft_for(questions[0])
    assert draft is not None and draft.answer == "Backprop applies the chain rule" and draft.hints_shown == 1
    assert session.draft_for(questions[1]) is None
    session.save_draft(questions[0], "   ")  # emptied: forgotten
    assert session.draft() is None
    session.save_draft(questions[0], "Backprop applies the chain rule")
    session.submit(Submission(questions[0], "Backprop applies the chain rule"))
    assert session.draft() is None


def test_a_follow_up_draft_names_the_follow_up_to_ask_again(bank: Bank, store: SessionStore) -> None:
    questions = select_questions(bank, count=2, seed=8)
    session = PracticeSession.start(store, bank, questions, grader="embedding")
    parent = session.submit(Submission(questions[0], "an answer"))
    follow_up = FollowUp(text="And then?", kind="missed_key_point", key_point_id=questions[0].key_points[0].id)
    asked = session.follow_up_question(questions[0], follow_up)
    session.save_draft(asked, "half", parent_answer_id=parent.id, follow_up=follow_up)
    target = session.draft_follow_up()
    assert target is not None
    assert (target[0].id, target[1], target[2], target[3]) == (parent.id, questions[0], follow_up, asked)
    assert session.draft_for(asked, parent.id) is not None


def test_a_session_open_in_another_live_process_is_not_offered(bank: Bank, store: SessionStore) -> None:
    questions = select_questions(bank, count=2, seed=9)
    session = PracticeSession.start(store, bank, questions, grader="embedding")
    session.submit(Submission(questions[0], "an answer"))
    assert session_to_resume(store) == session.record  # claimed by this very process: offered
    store.claim_session(session.id, pid=os.getppid(), host=socket.gethostname())  # a live process
    assert session_to_resume(store) is None


def test_stale_claims() -> None:
    now = utc_now()
    here = socket.gethostname()
    claim = SessionClaim(session_id=1, pid=4242, host=here, heartbeat_at=now - timedelta(seconds=5))
    assert claim_is_live(claim, now, alive=lambda pid: True)
    assert not claim_is_live(claim, now, alive=lambda pid: False)  # killed with kill -9: its pid is gone
    old = claim.model_copy(update={"heartbeat_at": now - CLAIM_STALE_AFTER - timedelta(seconds=1)})
    assert not claim_is_live(old, now, alive=lambda pid: True)  # alive but silent: frozen, or a reused pid
    elsewhere = claim.model_copy(update={"host": here + "-other"})
    assert claim_is_live(elsewhere, now, alive=lambda pid: False)  # another host: only the heartbeat tells
