"""The session store under faults: a damaged file is never written, read-only commands never write, a
locked database is a clear error that a retry gets past, an unusable data folder is one error line."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from interviewer.errors import DataFolderError, StoreError
from interviewer.grading.embedding import extract_packaged_model
from interviewer.store import SessionStore
from tests.cli_helpers import run_cli
from tests.faults.conftest import digest
from tests.reports.sample import SampleSessions
from tests.store.factories import make_submission

PAGE = 4096


def corrupt_middle_page(path: Path) -> None:
    """Overwrite one page in the middle of the file (not the header, not the schema) with garbage."""
    data = bytearray(path.read_bytes())
    pages = len(data) // PAGE
    assert pages >= 20, "the sample database should span many pages"
    middle = pages // 2
    data[middle * PAGE : (middle + 1) * PAGE] = b"\xa5" * PAGE
    path.write_bytes(bytes(data))


def tui_must_not_start(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the interview started on a damaged database")

    monkeypatch.setattr("interviewer.cli.practice_commands.run_without_waiting_for_workers", refuse)


# ----- a corrupt page in the middle -------------------------------------------------------------------
def test_a_damaged_middle_page_is_never_written_and_the_error_says_how_to_move_it_aside(
    home_sample: SampleSessions, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = isolated_environment / "sessions.sqlite3"
    corrupt_middle_page(database)
    before = digest(database)
    with pytest.raises(StoreError) as raised:
        SessionStore.open(database)
    message = str(raised.value)
    assert "is damaged" in message and f"mv {database} {database}.damaged" in message and "\n" not in message
    tui_must_not_start(monkeypatch)
    run = run_cli("practice", "--offline", "--questions", "2")
    assert run.exit_code == 2 and run.exception is None, run.stderr
    assert "is damaged" in run.stderr and len(run.stderr.strip().splitlines()) == 1
    for command in (["history"], ["report", "--last"], ["progress"]):
        run = run_cli(*command)
        assert run.exception is None and "Traceback" not in run.stderr
        assert run.exit_code in (0, 2)
        if run.exit_code == 2:
            assert "move it aside" in run.stderr
    assert digest(database) == before


# ----- read-only commands -----------------------------------------------------------------------------
def test_history_report_and_progress_create_no_database(isolated_environment: Path) -> None:
    assert run_cli("history").exit_code == 0
    assert run_cli("progress").exit_code == 0
    assert run_cli("report", "--last").exit_code == 2
    assert not (isolated_environment / "sessions.sqlite3").exists()


def test_a_read_only_store_cannot_write(home_sample: SampleSessions, isolated_environment: Path) -> None:
    database = isolated_environment / "sessions.sqlite3"
    before = digest(database)
    with SessionStore.open(read_only=True) as store:
        assert len(store.sessions()) == 2
        with pytest.raises(StoreError, match="read-only"):
            store.finish_session(home_sample.first_id)
        store.read_only = False  # even past the guard, SQLite's mode=ro refuses the write
        with pytest.raises(StoreError, match="readonly"):
            store.finish_session(home_sample.first_id)
    assert digest(database) == before
    assert run_cli("report", "--last", "--format", "json").exit_code == 0
    assert digest(database) == before


def test_an_older_schema_is_migrated_before_a_read_only_command(tmp_path: Path) -> None:
    from interviewer.store.migrations import migrate

    path = tmp_path / "old.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    migrate(connection, path, target=2)
    connection.close()
    with SessionStore.open(path, read_only=True) as store:
        assert store.sessions() == []


# ----- a locked database ------------------------------------------------------------------------------
def test_a_locked_database_is_a_clear_error_and_a_retry_saves_the_answer_once(tmp_path: Path) -> None:
    path = tmp_path / "sessions.sqlite3"
    with SessionStore.open(path, timeout=0.05) as store:
        session = store.start_session(bank="dl", grader="embedding", question_ids=["1.1"], topics=["Basics"])
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process is writing
        try:
            with pytest.raises(StoreError, match=r"sessions\.sqlite3: cannot write to the session database"):
                store.record_answer(session.id, make_submission("1.1", "my answer"))
            with SessionStore.open(path, read_only=True) as reader:  # readers are not blocked
                assert reader.answers(session.id) == []
        finally:
            other.execute("ROLLBACK")
            other.close()
        store.record_answer(session.id, make_submission("1.1", "my answer"))
        assert [answer.answer for answer in store.answers(session.id)] == ["my answer"]


# ----- an unusable data folder ------------------------------------------------------------------------
@pytest.fixture
def home_under_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("INTERVIEWER_HOME", str(blocker / "interviewer"))
    return blocker


@pytest.mark.parametrize(
    "command",
    [["history"], ["progress"], ["report", "--last"], ["practice", "--offline", "--questions", "1"], ["grade", "IN"]],
)
def test_a_file_where_the_data_folder_should_be_is_one_error_line(
    home_under_a_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    tui_must_not_start(monkeypatch)
    answers = tmp_path / "answers.jsonl"
    answers.write_text('{"question_id": "3.2", "answer": "dead units"}\n', encoding="utf-8")
    run = run_cli(*[str(answers) if part == "IN" else part for part in command])
    assert run.exit_code == 2, (run.stderr, run.exception)
    assert run.exception is None and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and str(home_under_a_file) in run.stderr
    assert home_under_a_file.read_text(encoding="utf-8") == "x"


def test_the_model_is_not_extracted_under_a_file(home_under_a_file: Path) -> None:
    with pytest.raises(DataFolderError, match="must be a writable folder"):
        extract_packaged_model()


def test_a_read_only_data_folder_is_one_error_line_when_the_model_is_extracted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root ignores permissions, so the read-only folder is simulated where the extraction creates its folder."""

    def read_only(*args: Any, **kwargs: Any) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("interviewer.grading.embedding.tempfile.mkdtemp", read_only)
    answers = tmp_path / "answers.jsonl"
    answers.write_text('{"question_id": "3.2", "answer": "dead units"}\n', encoding="utf-8")
    run = run_cli("grade", str(answers))
    assert run.exit_code == 2 and run.exception is None, (run.stderr, run.exception)
    assert len(run.stderr.strip().splitlines()) == 1 and "Permission denied" in run.stderr
