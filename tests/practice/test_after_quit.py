"""What `interviewer practice` prints after the TUI closes."""

from __future__ import annotations

import pytest

from interviewer.cli.practice_commands import print_where_things_stand
from interviewer.store import SessionStore
from tests.store.factories import make_submission


def test_unfinished_session_says_how_to_resume(capsys: pytest.CaptureFixture[str]) -> None:
    with SessionStore.open() as store:
        record = store.start_session(bank="deep-learning", grader="embedding", question_ids=["1.1", "2.1"], topics=[])
        store.record_answer(record.id, make_submission("1.1", "a neural network"))
    print_where_things_stand()
    assert "session 1: 1 of 2 questions answered. Run `interviewer` to resume it." in capsys.readouterr().out

    with SessionStore.open() as store:
        store.finish_session(record.id)
    print_where_things_stand()
    assert "interviewer report --last" in capsys.readouterr().out


def test_nothing_printed_without_sessions(capsys: pytest.CaptureFixture[str]) -> None:
    print_where_things_stand()
    assert capsys.readouterr().out == ""
