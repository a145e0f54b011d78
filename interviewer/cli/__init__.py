"""The `interviewer` command line: every subcommand drives the same engine as the TUI.

Heavy imports (torch, sentence-transformers, Textual) happen inside commands, never at import.
"""

from __future__ import annotations

import typer

from interviewer import __version__
from interviewer.cli import bank_commands, grading_commands, llm_commands, practice_commands, report_commands
from interviewer.cli.common import UserErrorGroup, console

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


def main() -> None:
    """Console-script entry point: usage and user errors are one line on stderr, never a traceback
    (`UserErrorGroup` does it, so the app behaves the same when tests invoke it in-process)."""
    app(prog_name="interviewer")


if __name__ == "__main__":
    main()
