"""The `interviewer` command line: every subcommand drives the same engine as the TUI.

Heavy imports (torch, sentence-transformers, Textual) happen inside commands, never at import.
"""

from __future__ import annotations

import sys

import typer

from interviewer import __version__
from interviewer.cli import bank_commands, grading_commands, llm_commands, practice_commands, report_commands
from interviewer.cli.common import UserErrorGroup, console, exit_on_user_error, print_error

app = typer.Typer(
    name="interviewer",
    cls=UserErrorGroup,
    help="A terminal mock-interview coach: answer questions, get graded against key points, offline.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        console.print(f"interviewer {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """With no command, start a practice interview."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(practice_commands.practice)


for module in (practice_commands, bank_commands, grading_commands, llm_commands, report_commands):
    module.register(app)


def _is_usage_error(error: Exception) -> bool:
    """Click's (or Typer's vendored click's) errors: they carry a message and an exit status."""
    return callable(getattr(error, "format_message", None)) and isinstance(getattr(error, "exit_code", None), int)


def main() -> None:
    """Console-script entry point: usage and user errors are one line on stderr, never a traceback."""
    with exit_on_user_error():
        try:
            exit_code = app(prog_name="interviewer", standalone_mode=False)
        except typer.Abort:
            print_error("aborted")
            sys.exit(1)
        except Exception as error:
            if type(error).__name__ == "NoArgsIsHelpError":  # the help text is already printed
                sys.exit(2)
            if not _is_usage_error(error):
                raise
            context = getattr(error, "ctx", None)
            hint = f" (see '{context.command_path} --help')" if context is not None else ""
            print_error(f"{error.format_message()}{hint}")
            sys.exit(error.exit_code)
    sys.exit(exit_code if isinstance(exit_code, int) else 0)


if __name__ == "__main__":
    main()
