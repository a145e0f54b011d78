"""Shared CLI helpers: consoles, the user-error boundary, the --bank option."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup, TyperOption

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


READABLE_TYPES = {"str": "text", "int range": "int", "float range": "number", "float": "number"}
"""How `--help` names an option's type, where Typer's own name is Python's (`<str>`, `<int range>`)."""


def reflowed(text: str) -> str:
    """A docstring's paragraphs as one line each, so rich wraps them to the terminal (it keeps every
    newline: a docstring wrapped at 100 columns printed as broken lines at 80); list items and indented
    lines keep their own lines."""
    paragraphs = []
    for block in text.strip().split("\n\n"):
        lines: list[str] = []
        for line in block.splitlines():
            item = line.lstrip().startswith(("- ", "* ", "• ")) or line[:1].isspace()
            if lines and line.strip() and not item:
                lines[-1] = f"{lines[-1]} {line.strip()}"
            else:
                lines.append(line.rstrip())
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def readable_help(command: Any) -> None:
    """`--help` as a reader expects it, for this command and every command below it: its text reflowed
    (`reflowed`), and option types as a reader says them: a flag shows none (Typer 0.29 prints `<bool>`),
    a repeatable option its element (`<text>`, not `<list[str]>`; its help says it repeats), a bounded
    number `<int>` (the bounds follow in brackets)."""
    if command.help:
        command.help = reflowed(command.help)
    context = typer.Context(command)
    help_option = command.get_help_option(context)  # made once and cached by the command
    for param in [*command.params, *([help_option] if help_option is not None else [])]:
        if not isinstance(param, TyperOption) or param.metavar is not None:
            continue
        if param.is_flag:
            param.metavar = ""
            continue
        shown = param.display_type(context).removeprefix("<").removesuffix(">")
        while shown.startswith("list[") and shown.endswith("]"):
            shown = shown.removeprefix("list[").removesuffix("]")
        param.metavar = f"<{READABLE_TYPES.get(shown, shown)}>"
    for subcommand in getattr(command, "commands", {}).values():
        readable_help(subcommand)


class UserErrorGroup(TyperGroup):
    """Root command group: a usage mistake or an InterviewerError from any subcommand is one `error:` line on
    stderr and an exit status (2), never a traceback or a box; the same in-process (tests) as from the console.
    Its `--help` and its commands' read as prose with readable option types (`readable_help`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        readable_help(self)

    def main(  # the signature of click's Command.main, which this overrides
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        def run() -> Any:
            return super(UserErrorGroup, self).main(args, prog_name, complete_var, False, windows_expand_args, **extra)

        if not standalone_mode:
            return run()
        with exit_on_user_error():
            try:
                exit_code = run()
            except typer.Abort:
                print_error("aborted")
                sys.exit(1)
            except typer.TyperException as error:  # click's usage errors (Typer vendors click)
                message = error.format_message()
                if message:  # empty when the help was shown instead (a command group called without a command)
                    context = getattr(error, "ctx", None)  # usage errors know their command, other errors do not
                    hint = f" (see '{context.command_path} --help')" if context is not None else ""
                    print_error(f"{message}{hint}")
                sys.exit(error.exit_code)
        sys.exit(exit_code if isinstance(exit_code, int) else 0)

    def invoke(self, ctx: Any) -> Any:  # Typer's vendored click Context (typer._click is private)
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
