"""`interviewer practice`: the TUI interview (filled in by the TUI issue)."""

from __future__ import annotations

import typer

from interviewer.cli.common import console


def practice() -> None:
    """Start a mock interview in the terminal."""
    console.print("The interview TUI is not built yet; try `interviewer bank list`.")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("practice")(practice)
