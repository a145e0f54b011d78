"""Shared CLI helpers: consoles, the user-error boundary, the --bank option."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from interviewer.errors import InterviewerError

console = Console()
error_console = Console(stderr=True)

BankOption = typer.Option(
    None, "--bank", "-b", help="Question bank file or folder (default: the shipped rubrics).", show_default=False
)


def print_error(message: str) -> None:
    """One error line on stderr; the message is printed literally (no markup)."""
    error_console.print(Text.assemble(("error: ", "bold red"), message), highlight=False, soft_wrap=True)


def fail(message: str, exit_code: int = 2) -> typer.Exit:
    """Print one error line to stderr and return the Exit to raise."""
    print_error(message)
    return typer.Exit(exit_code)


class UserErrorGroup(TyperGroup):
    """Root command group: an InterviewerError from any subcommand becomes one message and exit 2."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except InterviewerError as exc:
            print_error(str(exc))
            ctx.exit(exc.exit_code)


@contextlib.contextmanager
def exit_on_user_error() -> Iterator[None]:
    """Turn an InterviewerError anywhere below into one message and its exit status, no traceback."""
    try:
        yield
    except InterviewerError as exc:
        print_error(str(exc))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        error_console.print("interrupted")
        sys.exit(130)


def resolve_bank_path(bank: Path | None) -> Path | None:
    """The --bank value, else the configured bank, else None (the shipped rubrics)."""
    if bank is not None:
        return bank
    from interviewer.config import load_settings

    return load_settings().interview.bank
