"""Usage mistakes are one line on stderr with exit status 2, no traceback, no box: in-process, and through
the real console entry point."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.cli_helpers import run_cli


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["report", "--format", "pdf"], "'pdf' is not one of 'md', 'html', 'json'"),
        (["no-such-command"], "No such command 'no-such-command'"),
        (["grade"], "Missing argument"),
        (["bank", "validate", "no/such/bank.yaml"], "no/such/bank.yaml: no such file or folder"),
    ],
)
def test_usage_errors_are_one_line(arguments: list[str], expected: str) -> None:
    run = run_cli(*arguments)
    assert run.exit_code == 2, run
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("error: ") and expected in lines[0]
    assert run.exception is None


def test_the_console_script_prints_one_line_for_an_error() -> None:
    """In a real process: exit status 2, one line on stderr, no traceback."""
    completed = subprocess.run(
        [sys.executable, "-m", "interviewer", "report", "--format", "pdf"], capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 2, completed
    assert completed.stderr.startswith("error: ") and len(completed.stderr.strip().splitlines()) == 1
    assert "Traceback" not in completed.stderr


def test_version_and_help_list_every_command() -> None:
    version = run_cli("--version")
    assert version.exit_code == 0 and version.stdout.startswith("interviewer ")
    help_text = run_cli("--help")
    assert help_text.exit_code == 0
    for command in ("practice", "bank", "grade", "eval", "llm", "history", "report", "progress"):
        assert command in help_text.stdout


def test_a_command_group_without_a_command_shows_its_help_and_exits_2() -> None:
    run = run_cli("bank")
    assert run.exit_code == 2 and "validate" in run.stdout and "error:" not in run.stderr


@pytest.mark.parametrize(
    "command", [[], ["practice"], ["grade"], ["bank", "list"], ["report"], ["history"], ["progress"], ["eval"]]
)
def test_help_names_option_types_readably(command: list[str]) -> None:
    run = run_cli(*command, "--help")
    assert run.exit_code == 0, run
    assert "Usage" in run.stdout
    for unreadable in ("<bool>", "list[", "<str>", "int range"):
        assert unreadable not in run.stdout, (command, unreadable)


def test_help_text_is_reflowed_to_the_terminal() -> None:
    """A docstring wrapped at 100 columns used to print as broken lines ("... or" / "'question' +")."""
    text = run_cli("grade", "--help").stdout
    assert "'question' + 'reference_answer' (optional 'key_points')" in " ".join(text.split())
    lines = [line.strip() for line in text.splitlines()]
    assert "'question' +" not in lines


def test_reflowed_keeps_paragraphs_and_list_items() -> None:
    from interviewer.cli.common import reflowed

    assert reflowed("One line\nand its rest.\n\nItems:\n- first\n- second\n  indented") == (
        "One line and its rest.\n\nItems:\n- first\n- second\n  indented"
    )


def test_practice_help_shows_each_type_once() -> None:
    text = run_cli("practice", "--help").stdout
    assert "<text>" in text and "<int>" in text and "<easy|medium|hard>" in text and "<path>" in text
