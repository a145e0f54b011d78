"""`interviewer practice` (and `interviewer` with no command): the TUI mock interview."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer


def practice(
    offline: Annotated[
        bool,
        typer.Option("--offline", help="Grade with the local embedding model only; never open a network connection."),
    ] = False,
    topic: Annotated[
        Optional[list[str]], typer.Option("--topic", "-t", help="Topic to practise (repeat for several; default all).")
    ] = None,
    questions: Annotated[
        Optional[int], typer.Option("--questions", "-n", min=1, max=100, help="Number of questions.")
    ] = None,
    difficulty: Annotated[
        Optional[str],
        typer.Option("--difficulty", "-d", help="easy, medium or hard (default: any).", show_default=False),
    ] = None,
    grader: Annotated[
        Optional[str],
        typer.Option("--grader", "-g", help="embedding, llm or hybrid (default: from config).", show_default=False),
    ] = None,
    review: Annotated[
        bool, typer.Option("--review", help="Ask the questions whose key points are due for review.")
    ] = False,
    bank: Annotated[
        Optional[Path],
        typer.Option(
            "--bank", "-b", help="Question bank file or folder (default: the shipped rubrics).", show_default=False
        ),
    ] = None,
    time_limit: Annotated[
        Optional[int],
        typer.Option("--time-limit", min=10, help="Time limit per answer in seconds.", show_default=False),
    ] = None,
    seed: Annotated[
        Optional[int], typer.Option("--seed", help="Seed for question order (repeatable interviews).")
    ] = None,
) -> None:
    """Start a mock interview in the terminal.

    With --topic, --questions, --difficulty or --review it goes straight to the first question;
    otherwise a start screen asks. An unfinished session is offered for resuming.
    """
    from interviewer.cli.common import fail
    from interviewer.config import load_settings
    from interviewer.practice import PracticeOptions

    if difficulty is not None and difficulty not in ("easy", "medium", "hard"):
        raise fail(f"--difficulty must be easy, medium or hard, not {difficulty!r}")
    if grader is not None and grader not in ("embedding", "llm", "hybrid"):
        raise fail(f"--grader must be embedding, llm or hybrid, not {grader!r}")
    if offline:
        # Nothing may reach a model hub: the packaged model loads from disk.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        if grader not in (None, "embedding"):
            raise fail(f"--offline grades with embeddings only; --grader {grader} needs the network")
    settings = load_settings()
    options = PracticeOptions(
        bank_path=bank if bank is not None else settings.interview.bank,
        topics=tuple(topic or ()),
        questions=questions or settings.interview.questions,
        difficulty=difficulty,  # type: ignore[arg-type]
        grader="embedding" if offline else grader,  # type: ignore[arg-type]
        time_limit_seconds=time_limit if time_limit is not None else settings.interview.time_limit_seconds,
        review=review,
        offline=offline,
        skip_start=bool(topic or questions or difficulty or review),
        seed=seed,
    )
    from interviewer.tui.app import create_app

    create_app(settings, options=options).run()


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("practice")(practice)
