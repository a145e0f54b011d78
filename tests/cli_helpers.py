"""Run the real CLI in-process and capture what a user sees."""

from __future__ import annotations

from dataclasses import dataclass

from typer.testing import CliRunner

from interviewer.cli import app


@dataclass
class CliRun:
    """Exit status and output of one CLI invocation."""

    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None


def run_cli(*args: str, input_text: str | None = None) -> CliRun:
    """Invoke `interviewer ARGS...` and return its exit code and streams."""
    runner = CliRunner()
    result = runner.invoke(app, list(args), input=input_text, catch_exceptions=True)
    exception = result.exception if not isinstance(result.exception, SystemExit) else None
    return CliRun(result.exit_code, result.stdout, result.stderr, exception)
