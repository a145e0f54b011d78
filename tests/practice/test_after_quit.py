"""What `interviewer practice` prints after the TUI closes."""

from __future__ import annotations

import os
import socket

import pytest

from interviewer.cli.practice_commands import print_where_things_stand
from interviewer.store import SessionStore
from tests.store.factories import make_submission


def test_unfinished_session_says_how_to_resume(capsys: pytest.CaptureFixture[str]) -> None:
    with SessionStore.open() as store:
        record = store.start_session(bank="deep-learning", grader="embedding", question_ids=["1.1", "2.1"], topics=[])
        store.record_answer(record.id, make_submission("1.1", "a neural network"))
    print_where_things_stand()
    out = capsys.readouterr().out
    assert "session 1: 1 answered · 0 skipped of 2 questions. Run `interviewer` to resume it." in out

    with SessionStore.open() as store:
        store.save_draft(record.id, question_id="2.1", answer="half an answer")
    print_where_things_stand(record.id)
    assert "of 2 questions, and your draft answer. Run `interviewer`" in capsys.readouterr().out

    with SessionStore.open() as store:
        store.finish_session(record.id)
    print_where_things_stand()
    assert "interviewer report --last" in capsys.readouterr().out


def test_a_skip_is_not_counted_as_an_answer(capsys: pytest.CaptureFixture[str]) -> None:
    with SessionStore.open() as store:
        record = store.start_session(bank="deep-learning", grader="embedding", question_ids=["1.1", "2.1"], topics=[])
        store.record_answer(record.id, make_submission("1.1", "a neural network"))
        store.record_answer(record.id, make_submission("2.1", "", skipped=True))
        store.finish_session(record.id)
    print_where_things_stand(record.id)
    assert "Saved session 1: 1 answered · 1 skipped of 2 questions. Export it" in capsys.readouterr().out


def test_an_empty_session_offers_no_export(capsys: pytest.CaptureFixture[str]) -> None:
    with SessionStore.open() as store:
        old = store.start_session(bank="deep-learning", grader="embedding", question_ids=["1.1"], topics=[])
        store.record_answer(old.id, make_submission("1.1", "a neural network"))
        store.finish_session(old.id)
        fresh = store.start_session(bank="deep-learning", grader="embedding", question_ids=["1.1"], topics=[])
    print_where_things_stand(fresh.id)
    out = capsys.readouterr().out
    assert out.strip() == f"Session {fresh.id} ended before any answer: nothing to resume or export."


def test_nothing_said_about_a_session_open_in_another_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    with SessionStore.open() as store:
        record = store.start_session(bank="deep-learning", grader="embedding", question_ids=["1.1"], topics=[])
        store.save_draft(record.id, question_id="1.1", answer="typing")
        store.claim_session(record.id, pid=os.getppid(), host=socket.gethostname())
    print_where_things_stand(None)  # this run quit on the start screen
    assert capsys.readouterr().out == ""


def test_nothing_printed_without_sessions(capsys: pytest.CaptureFixture[str]) -> None:
    print_where_things_stand()
    assert capsys.readouterr().out == ""
