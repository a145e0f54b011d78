"""CLI commands: `interviewer llm check`."""

from __future__ import annotations

import typer

from interviewer.cli.common import console, fail

llm_app = typer.Typer(help="The optional LLM grader (any OpenAI-compatible server).", no_args_is_help=True)

MARKS = {True: "[green]ok[/]  ", False: "[red]FAIL[/]", None: "[yellow]note[/]"}


@llm_app.command("check")
def check() -> None:
    """Send one tiny request and report: server reachable, model exists, which structured output works."""
    from interviewer.config import load_settings
    from interviewer.errors import ConfigError
    from interviewer.grading.llm.health import check_llm

    try:
        settings = load_settings()
        report = check_llm(settings.llm)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    console.print(f"LLM [bold]{report.model}[/] at {report.server}", highlight=False)
    for line in report.lines:
        console.print(f"  {MARKS[line.ok]} {line.label}: {line.detail}", highlight=False, soft_wrap=True)
    if report.ok:
        console.print("The LLM grader can use this server ([bold]--grader llm[/] or [bold]hybrid[/]).")
        return
    console.print("The LLM grader cannot use this server; grading falls back to embeddings.", highlight=False)
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.add_typer(llm_app, name="llm")
