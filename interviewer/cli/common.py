"""Shared CLI helpers: consoles, the user-error boundary, the --bank option."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click
import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from interviewer.errors import InterviewerError

if TYPE_CHECKING:
    from interviewer.bank.models import Bank

console = Console()
error_console = Console(stderr=True)

BANK_HELP = (
    "Question bank: a shipped bank's name (see `interviewer bank list`), several (repeat the option or "
    "separate with commas), 'all', or a rubric file or folder. Default: every shipped bank."
)
BankOption = typer.Option(None, "--bank", "-b", help=BANK_HELP, show_default=False)


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


def bank_values(bank: list[str] | None) -> tuple[str, ...]:
    """The --bank values, else the configured bank, else () (every shipped bank)."""
    from interviewer.bank.catalog import split_bank_values

    if bank:
        return split_bank_values(bank)
    from interviewer.config import load_settings

    return split_bank_values(load_settings().interview.bank)


def load_chosen_bank(bank: list[str] | None) -> Bank:
    """The bank --bank (or the config) chooses: one resolver for every command."""
    from interviewer.bank.catalog import resolve_bank

    return resolve_bank(bank_values(bank))
