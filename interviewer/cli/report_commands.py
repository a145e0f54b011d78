"""CLI commands over stored sessions: `history`, `report` and `progress`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.table import Table

from interviewer.cli.common import BankOption, console, load_chosen_bank
from interviewer.names import ReportFormat

if TYPE_CHECKING:
    from interviewer.reports.progress import HistoryRow
    from interviewer.store import SessionStore

SPARK_BLOCKS = "▁▂▃▄▅▆▇█"


def _open_store() -> SessionStore:
    """The session database, read-only: these commands never write it (nor create it)."""
    from interviewer.store import SessionStore

    return SessionStore.open(read_only=True)


def sparkline(scores: list[float]) -> str:
    """Scores out of 10 as a row of block characters."""
    return "".join(SPARK_BLOCKS[min(int(score / 10 * len(SPARK_BLOCKS)), len(SPARK_BLOCKS) - 1)] for score in scores)


def _session_notes(row: HistoryRow) -> list[str]:
    notes = ["review"] if row.mode == "review" else []
    if row.skipped_questions:
        notes.append(f"{row.skipped_questions} skipped")
    if not row.finished:
        notes.append("unfinished")
    if row.llm_fallbacks:
        notes.append(f"LLM down ×{row.llm_fallbacks}")
    return notes


def history(
    as_json: bool = typer.Option(False, "--json", help="Print the sessions as JSON instead of a table."),
) -> None:
    """List past sessions, newest first: date, bank, questions, mean score, grader."""
    from interviewer.reports.formatting import format_score
    from interviewer.reports.progress import session_history

    with _open_store() as store:
        rows = session_history(store)
    if as_json:
        typer.echo(json.dumps([row.model_dump(mode="json") for row in rows], indent=2, ensure_ascii=False))
        return
    if not rows:
        console.print("No sessions yet: run [bold]interviewer practice[/] to start one.")
        return
    table = Table(
        title="Interview sessions, newest first (times in UTC)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("id", justify="right", style="bold")
    table.add_column("date")
    table.add_column("bank", min_width=min(30, max(len(row.bank) for row in rows)))
    table.add_column("answered", justify="right")
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("grader")
    notes = [", ".join(_session_notes(row)) for row in rows]
    if any(notes):
        table.add_column("notes")
    for row, note in zip(rows, notes, strict=True):
        cells = [
            str(row.session_id),
            f"{row.started_at:%Y-%m-%d %H:%M}",
            row.bank,
            f"{row.answered_questions}/{row.planned_questions}",
            format_score(row.mean_score),
            row.grader,
        ]
        table.add_row(*cells, *([note] if any(notes) else []))
    console.print(table)


def report(
    session_id: int | None = typer.Argument(
        None, help="Session id (see `interviewer history`); default: the latest with an answer."
    ),
    last: bool = typer.Option(False, "--last", help="Report the latest session with an answer."),
    fmt: ReportFormat | None = typer.Option(
        None,
        "--format",
        "-f",
        help="md, html or json (default: from the -o file's suffix, .html, .json or .md; else md).",
        show_default=False,
    ),
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        help="Write to this file instead of stdout (replaced whole; never the database or a file in the data folder).",
    ),
    bank: list[str] | None = BankOption,
) -> None:
    """Export the score report of one session as Markdown, HTML or JSON (default: the latest, of --bank if given)."""
    from interviewer.output_files import check_output, write_output
    from interviewer.reports import ReportError, build_report, render_report
    from interviewer.reports.export import format_for_output
    from interviewer.reports.progress import session_uses

    if session_id is not None and last:
        raise ReportError("give a SESSION_ID or --last, not both")
    if output is not None:
        check_output(output)
    chosen_format = fmt or format_for_output(output)
    chosen = load_chosen_bank(bank) if bank else None
    with _open_store() as store:
        if session_id is None:
            sessions = [s for s in store.sessions() if chosen is None or session_uses(s, chosen)]
            if not sessions:
                of_bank = f" of bank {chosen.name!r}" if chosen is not None else ""
                raise ReportError(f"no sessions{of_bank} stored yet in {store.path}: run `interviewer practice` first")
            # The newest session with an answer: one quit before its first answer has nothing to report.
            session_id = next((s.id for s in sessions if store.answers(s.id)), sessions[0].id)
        text = render_report(build_report(store, session_id), chosen_format)
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    written = write_output(output, text)
    # soft_wrap: a long path is never broken across lines (it must stay copyable)
    console.print(
        f"wrote the {chosen_format} report of session {session_id} to {written}", highlight=False, soft_wrap=True
    )


def progress(
    bank: list[str] | None = BankOption,
    show_all: bool = typer.Option(False, "--all", help="Also list key points that were always covered."),
    as_json: bool = typer.Option(False, "--json", help="Print the progress data as JSON."),
) -> None:
    """How scores moved over sessions, per topic and per key point (with the next review date), and what is due."""
    from interviewer.reports.formatting import VERDICT_MARK
    from interviewer.reports.progress import build_progress

    chosen = load_chosen_bank(bank) if bank else None
    with _open_store() as store:
        data = build_progress(store, chosen)
    if as_json:
        typer.echo(data.model_dump_json(indent=2))
        return
    if not data.topics and not data.key_points and not data.due:
        console.print("No graded sessions yet: run [bold]interviewer practice[/] to start one.")
        return
    banks = sorted({topic.bank for topic in data.topics})
    topics = Table(
        title=f"Score per topic out of 10, oldest → newest session ({', '.join(banks)})",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    topics.add_column("topic")
    if len(banks) > 1:
        topics.add_column("bank")
    for column in ("sessions", "first", "latest", "best", "change"):
        topics.add_column(column, justify="right", no_wrap=True)
    topics.add_column("trend", no_wrap=True)
    for topic in data.topics:
        scores = [point.mean_score for point in topic.points]
        cells = [topic.topic, *([topic.bank] if len(banks) > 1 else [])]
        cells += [str(len(scores)), f"{scores[0]:.1f}", f"{scores[-1]:.1f}", f"{max(scores):.1f}"]
        cells += [f"{scores[-1] - scores[0]:+.1f}" if len(scores) > 1 else "—", sparkline(scores)]
        topics.add_row(*cells)
    console.print(topics)
    key_points = [entry for entry in data.key_points if show_all or any(a.verdict != "covered" for a in entry.attempts)]
    table = Table(
        title="Key points: ✓ covered · ~ partial · ✗ missed, oldest → newest (times in UTC)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("question", style="bold")
    table.add_column("key point", ratio=1)
    table.add_column("attempts")
    table.add_column("review due", no_wrap=True)
    for entry in key_points:
        table.add_row(
            entry.question_id,
            entry.text,
            " ".join(VERDICT_MARK[attempt.verdict] for attempt in entry.attempts),
            f"{entry.review_due:%m-%d %H:%M}" if entry.review_due else "—",
        )
    console.print(table)
    hidden = len(data.key_points) - len(key_points)
    if hidden:
        console.print(f"{hidden} key point(s) always covered are hidden; --all shows them.")
    if data.due:
        console.print(f"Due for review now ({len(data.due)}), asked by [bold]interviewer practice --review[/]:")
        for due in data.due:
            console.print(f"  {due.question_id}  {due.question or ''}", highlight=False, markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add `history`, `report` and `progress`."""
    app.command("history")(history)
    app.command("report")(report)
    app.command("progress")(progress)
