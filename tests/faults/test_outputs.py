"""Outputs the user names (`grade -o`, `report -o`, `bank import -o`, the report export): never the input,
the database or a file in the data folder; the folder checked before any work; replaced whole or not at all."""

from __future__ import annotations

import errno
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from interviewer import output_files
from interviewer.reports import export_report
from interviewer.store import SessionStore
from tests.cli_helpers import run_cli
from tests.conftest import FIXTURES
from tests.faults.conftest import digest
from tests.reports.sample import SampleSessions

MARKDOWN = FIXTURES / "markdown" / "no-q-numbers.md"


def disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writes of whole files fail as on a full disk: half the bytes land, then OSError(ENOSPC)."""
    real = output_files.write_all

    def write_all(descriptor: int, data: bytes) -> None:
        real(descriptor, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output_files, "write_all", write_all)


def no_work(monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"{target} ran before the output was checked")

    monkeypatch.setattr(target, refuse)


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


# ----- report -o ---------------------------------------------------------------------------------------
def test_report_into_the_database_is_refused_and_the_history_kept(
    home_sample: SampleSessions, isolated_environment: Path
) -> None:
    database = isolated_environment / "sessions.sqlite3"
    before = digest(database)
    for target in (database, isolated_environment / "sessions.sqlite3-wal"):
        run = run_cli("report", "--last", "--format", "html", "-o", str(target))
        assert run.exit_code == 2, run.stderr
        assert "the output is the session database" in run.stderr and run.exception is None
    assert digest(database) == before
    assert run_cli("history").exit_code == 0


def test_report_into_the_data_folder_is_refused(home_sample: SampleSessions, isolated_environment: Path) -> None:
    target = isolated_environment / "cache" / "report.md"
    run = run_cli("report", "--last", "-o", str(target))
    assert run.exit_code == 2 and "inside the data folder" in run.stderr
    assert not target.exists()


def test_report_folder_is_checked_before_the_report_is_built(
    home_sample: SampleSessions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_work(monkeypatch, "interviewer.reports.build_report")
    run = run_cli("report", "--last", "-o", str(tmp_path / "missing" / "report.md"))
    assert run.exit_code == 2 and "does not exist" in run.stderr and run.exception is None


def test_report_on_a_full_disk_keeps_the_previous_file(
    home_sample: SampleSessions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "report.html"
    out.write_text("previous report\n", encoding="utf-8")
    with monkeypatch.context() as patch:
        disk_full(patch)
        run = run_cli("report", "--last", "--format", "html", "-o", str(out))
    assert run.exit_code == 2 and run.exception is None
    assert "No space left on device" in run.stderr and "the previous file is unchanged" in run.stderr
    assert out.read_text(encoding="utf-8") == "previous report\n"
    assert leftovers(tmp_path) == []
    assert run_cli("report", "--last", "--format", "html", "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_the_tui_export_writes_its_own_reports_folder_but_never_the_database(
    home_sample: SampleSessions, isolated_environment: Path
) -> None:
    with SessionStore.open() as store:
        own = isolated_environment / "reports" / "session-1.md"
        own.parent.mkdir()
        assert export_report(store, home_sample.first_id, "md", own, managed=True) == own.resolve()
        assert own.read_text(encoding="utf-8").startswith("#")
        before = digest(store.path)
        with pytest.raises(Exception, match="the output is the session database"):
            export_report(store, home_sample.first_id, "md", store.path, managed=True)
        assert digest(store.path) == before


# ----- grade -o ----------------------------------------------------------------------------------------
@pytest.mark.usefixtures("fake_model")
def test_grade_into_its_own_input_is_refused_before_grading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    no_work(monkeypatch, "interviewer.grading.grade_job.GraderRecipe.build")
    source = tmp_path / "answers.jsonl"
    source.write_text(json.dumps({"question_id": "3.2", "answer": "dead units"}) + "\n{not json\n", encoding="utf-8")
    before = digest(source)
    run = run_cli("grade", str(source), "-o", str(source))
    assert run.exit_code == 2 and "the output is the input file" in run.stderr
    assert digest(source) == before


# ----- bank import -o ----------------------------------------------------------------------------------
def test_bank_import_into_the_data_folder_is_refused_before_importing(
    isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_work(monkeypatch, "interviewer.bank.markdown_import.import_markdown_bank")
    target = isolated_environment / "my-bank"
    run = run_cli("bank", "import", str(MARKDOWN), "-o", str(target))
    assert run.exit_code == 2 and "inside the data folder" in run.stderr and run.exception is None
    assert not target.exists()


def test_bank_import_into_a_file_is_refused_before_importing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    no_work(monkeypatch, "interviewer.bank.markdown_import.import_markdown_bank")
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    run = run_cli("bank", "import", str(MARKDOWN), "-o", str(blocker / "bank"))
    assert run.exit_code == 2 and "is not a folder" in run.stderr and run.exception is None


def test_bank_import_over_its_own_source_is_refused(tmp_path: Path) -> None:
    output = tmp_path / "bank"
    assert run_cli("bank", "import", str(MARKDOWN), "-o", str(output)).exit_code == 0
    first = sorted(output.iterdir())[0]
    shutil.copyfile(MARKDOWN, first)  # the Markdown source now sits where the first rubric file goes
    before = digest(first)
    run = run_cli("bank", "import", str(first), "-o", str(output))
    assert run.exit_code == 2 and "the output is the input file" in run.stderr
    assert digest(first) == before


def test_bank_import_on_a_full_disk_keeps_the_previous_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = tmp_path / "bank"
    assert run_cli("bank", "import", str(MARKDOWN), "-o", str(output)).exit_code == 0
    before = {path.name: path.read_bytes() for path in output.iterdir()}
    with monkeypatch.context() as patch:
        disk_full(patch)
        run = run_cli("bank", "import", str(MARKDOWN), "-o", str(output))
    assert run.exit_code == 2 and "No space left on device" in run.stderr and run.exception is None
    assert {path.name: path.read_bytes() for path in output.iterdir()} == before
