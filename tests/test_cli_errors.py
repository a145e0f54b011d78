"""The real console entry point: usage mistakes are one line on stderr with exit status 2, no traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest


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
    completed = subprocess.run(
        [sys.executable, "-m", "interviewer", *arguments], capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 2, completed
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("error: ") and expected in lines[0]
    assert "Traceback" not in completed.stderr


def test_version_and_help_exit_zero() -> None:
    version = subprocess.run([sys.executable, "-m", "interviewer", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("interviewer ")
    help_text = subprocess.run([sys.executable, "-m", "interviewer", "--help"], capture_output=True, text=True)
    assert help_text.returncode == 0
    for command in ("practice", "bank", "grade", "eval", "llm", "history", "report", "progress"):
        assert command in help_text.stdout
