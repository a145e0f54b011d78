"""`interviewer practice` (and `interviewer` with no command): the TUI mock interview."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from interviewer.cli.common import BANK_HELP
from interviewer.names import Difficulty, GraderName

if TYPE_CHECKING:
    from textual.app import App


def practice(
    offline: Annotated[
        bool,
        typer.Option("--offline", help="Grade with the local embedding model only; never open a network connection."),
    ] = False,
    topic: Annotated[
        list[str] | None, typer.Option("--topic", "-t", help="Topic to practise (repeat for several; default all).")
    ] = None,
    questions: Annotated[
        int | None, typer.Option("--questions", "-n", min=1, max=100, help="Number of questions.")
    ] = None,
    difficulty: Annotated[
        Difficulty | None,
        typer.Option("--difficulty", "-d", help="easy, medium or hard (default: any).", show_default=False),
    ] = None,
    grader: Annotated[
        GraderName | None,
        typer.Option("--grader", "-g", help="embedding, llm or hybrid (default: from config).", show_default=False),
    ] = None,
    review: Annotated[
        bool, typer.Option("--review", help="Ask the questions whose key points are due for review.")
    ] = False,
    bank: Annotated[list[str] | None, typer.Option("--bank", "-b", help=BANK_HELP, show_default=False)] = None,
    time_limit: Annotated[
        int | None,
        typer.Option("--time-limit", min=10, help="Time limit per answer in seconds.", show_default=False),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed for question order (repeatable interviews).")] = None,
    job: Annotated[
        Path | None,
        typer.Option(
            "--job",
            help="A job description (text file, '-' for stdin): ask the questions most relevant to it.",
            show_default=False,
        ),
    ] = None,
    adaptive: Annotated[
        bool,
        typer.Option("--adaptive", help="Harder after a strong answer, easier after a weak one; weak topics first."),
    ] = False,
) -> None:
    """Start a mock interview in the terminal.

    With --topic, --questions, --difficulty, --review or --job it goes straight to the first question;
    otherwise a start screen asks (all shipped banks ticked unless --bank chose some). An unfinished
    session is offered for resuming.
    """
    from interviewer.cli.bank_commands import read_job_description
    from interviewer.cli.common import bank_values, fail
    from interviewer.config import load_settings
    from interviewer.practice import PracticeOptions

    if offline:
        # Nothing may reach a model hub: the packaged model loads from disk.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        if grader not in (None, "embedding"):
            raise fail(f"--offline grades with embeddings only; --grader {grader} needs the network")
    settings = load_settings()
    job_description = read_job_description(job) if job is not None else None
    options = PracticeOptions(
        banks=bank_values(bank),
        topics=tuple(topic or ()),
        questions=questions or settings.interview.questions,
        difficulty=difficulty,
        grader="embedding" if offline else grader,
        time_limit_seconds=time_limit if time_limit is not None else settings.interview.time_limit_seconds,
        review=review,
        offline=offline,
        skip_start=bool(topic or questions or difficulty or review or job),
        seed=seed,
        job_description=job_description,
        adaptive=adaptive,
    )
    from interviewer.tui.app import create_app

    app = create_app(settings, options=options)
    run_without_waiting_for_workers(app)
    print_where_things_stand(app.session.id if app.session is not None else None)
    exit_without_waiting_for_workers()


def run_without_waiting_for_workers(app: App[None]) -> None:
    """Run the app on a loop of our own, closed like asyncio.run closes one, except that it does not
    wait for worker threads: a model load cannot be interrupted, and quitting should not wait for it."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        app.run(loop=loop)
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        asyncio.set_event_loop(None)
        loop.close()  # shuts the default executor down without waiting for its threads


def exit_without_waiting_for_workers() -> None:
    """Leave at once even if a model load or grading thread is still running.

    Such threads cannot be interrupted and Python would wait for them at exit (seconds on a cold
    start). Nothing is lost: every submitted answer is already committed, and an answer whose grade
    was still being computed is graded when the session is resumed.
    """
    main_thread = threading.main_thread()
    if any(thread is not main_thread and thread.is_alive() and not thread.daemon for thread in threading.enumerate()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def print_where_things_stand(session_id: int | None = None) -> None:
    """After the TUI closes: what of the session (this run's, else the newest) is saved and how to go on."""
    from interviewer.cli.common import console
    from interviewer.practice import open_elsewhere, session_progress
    from interviewer.store import SessionStore

    with SessionStore.open(read_only=True) as store:
        sessions = store.sessions()
        session = next((record for record in sessions if record.id == session_id), sessions[0] if sessions else None)
        if session is None or (session.id != session_id and open_elsewhere(store, session)):
            return  # nothing of this run's; the newest session is another terminal's
        progress = session_progress(store, session)
    if progress.empty:
        message = f"Session {session.id} ended before any answer: nothing to resume or export."
    elif session.finished_at is None:
        draft = ", and your draft answer" if progress.draft else ""
        message = f"Saved session {session.id}: {progress.describe()}{draft}. Run `interviewer` to resume it."
    else:
        message = (
            f"Saved session {session.id}: {progress.describe()}. "
            "Export it with `interviewer report --last --format html -o report.html`."
        )
    console.print(message, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("practice")(practice)
