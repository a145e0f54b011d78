"""`interviewer grade` and `interviewer eval`: the grading engine, headless, on JSONL files."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from interviewer.cli.common import BankOption, bank_values, console, error_console, fail

if TYPE_CHECKING:
    from interviewer.bank.models import Bank
    from interviewer.grading.base import Grader

PROGRESS_MIN_ROWS = 200
GraderOption = typer.Option(
    None, "--grader", "-g", help="embedding, llm or hybrid (default: from settings).", show_default=False
)


def _load_bank_for_rows(bank: list[str] | None) -> Bank | None:
    """The bank rows may refer to by question_id (default: every shipped bank, so any shipped id resolves);
    missing shipped banks only matter when a bank was asked for."""
    from interviewer.bank.catalog import resolve_bank
    from interviewer.errors import BankError

    values = bank_values(bank)
    try:
        return resolve_bank(values)
    except BankError:
        if values:
            raise
        return None


def _checked_grader_name(grader_name: str | None) -> str:
    """The grader to use; exit 2 for an unknown name or an LLM grader without an LLM configured."""
    from interviewer.config import load_settings
    from interviewer.grading.factory import GRADER_NAMES

    if grader_name is not None and grader_name not in GRADER_NAMES:
        raise fail(f"unknown grader {grader_name!r}: choose one of {', '.join(GRADER_NAMES)}")
    settings = load_settings()
    chosen = grader_name or settings.default_grader()
    if chosen != "embedding" and not settings.llm.configured:
        raise fail(
            f"the {chosen!r} grader needs an LLM: set INTERVIEWER_LLM__MODEL (and INTERVIEWER_LLM__BASE_URL) "
            "or [llm] model in the config file"
        )
    return chosen


def _build(chosen: str, bank: Bank | None) -> Grader:
    from interviewer.config import load_settings
    from interviewer.grading.embedding import load_embedder
    from interviewer.grading.factory import build_grader

    settings = load_settings()
    embedder = load_embedder(settings.embedding)
    return build_grader(settings, chosen, bank=bank, embedder=embedder)  # type: ignore[arg-type]


def _graded(grader: Grader, rows: list, label: str) -> list:
    """Grade rows in batches with a progress bar on stderr for long inputs."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from interviewer.grading.batch import grade_rows

    show = len(rows) >= PROGRESS_MIN_ROWS and error_console.is_terminal
    progress = (
        Progress(
            TextColumn(label),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=error_console,
            transient=True,
        )
        if show
        else nullcontext()
    )
    with progress:
        task = progress.add_task(label, total=len(rows)) if show else None
        return grade_rows(
            grader, rows, on_progress=(lambda done: progress.advance(task, done)) if show else None
        )


def _report_bad_lines(path: Path, parsed) -> None:
    for bad in parsed.bad_lines:
        error_console.print(f"[yellow]skipped[/] {path}:{bad.line}: {bad.reason}", highlight=False, soft_wrap=True)


def grade(
    input_file: Path = typer.Argument(..., help="JSONL: one object per line with 'answer' and a question."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write graded rows here (default: stdout)."),
    grader_name: str | None = GraderOption,
    bank: list[str] | None = BankOption,
) -> None:
    """Grade a JSONL file of answers; bad lines are reported and skipped (exit 1 if any).

    Each row needs 'answer' and either 'question_id' (a bank question) or 'question' +
    'reference_answer' (optional 'key_points'). Other fields pass through; 'score', 'key_points',
    'flags', 'follow_ups' and 'grader' are added. Blank lines are ignored.
    """
    from interviewer.grading.batch import output_row, parse_file

    chosen = _checked_grader_name(grader_name)
    loaded_bank = _load_bank_for_rows(bank)
    parsed = parse_file(input_file, loaded_bank)
    _report_bad_lines(input_file, parsed)
    results = _graded(_build(chosen, loaded_bank), parsed.rows, "grading") if parsed.rows else []
    lines = [json.dumps(output_row(row, result), ensure_ascii=False) + "\n" for row, result in zip(parsed.rows, results, strict=True)]
    if output is not None:
        try:
            output.write_text("".join(lines), encoding="utf-8")
        except OSError as exc:
            raise fail(f"{output}: cannot write: {exc.strerror or exc}") from None
    else:
        sys.stdout.write("".join(lines))
        sys.stdout.flush()
    summary = f"graded {len(results)} row(s), skipped {len(parsed.bad_lines)} bad line(s)"
    if parsed.blank_lines:
        summary += f", ignored {parsed.blank_lines} blank line(s)"
    error_console.print(summary + (f" → {output}" if output else ""), highlight=False, soft_wrap=True)
    if parsed.bad_lines:
        raise typer.Exit(1)


def evaluate(
    dataset: Path = typer.Argument(..., help="JSONL rows as for `grade`, plus human 'score' and 'max_score'."),
    as_json: bool = typer.Option(False, "--json", help="Print the numbers as one JSON object."),
    grader_name: str | None = GraderOption,
    bank: list[str] | None = BankOption,
) -> None:
    """Agreement with human grades: Pearson, Spearman, per-question Pearson, calibrated RMSE, ±1 share."""
    from rich.table import Table

    from interviewer.grading.batch import parse_file
    from interviewer.grading.evaluation import evaluate as evaluate_scores

    chosen = _checked_grader_name(grader_name)
    loaded_bank = _load_bank_for_rows(bank)
    parsed = parse_file(dataset, loaded_bank, require_human=True)
    _report_bad_lines(dataset, parsed)
    if len(parsed.rows) < 2:
        raise fail(f"{dataset}: need at least 2 gradeable rows with human scores, found {len(parsed.rows)}")
    grader = _build(chosen, loaded_bank)
    results = _graded(grader, parsed.rows, "evaluating")
    report = evaluate_scores(
        [result.score for result in results],
        [float(row.data["score"]) for row in parsed.rows],
        [float(row.data["max_score"]) for row in parsed.rows],
        [str(row.data.get("question_id") or row.question.id) for row in parsed.rows],
        grader=grader.name,
    )
    if as_json:
        payload = report.model_dump(mode="json")
        payload["skipped"] = len(parsed.bad_lines)
        sys.stdout.write(json.dumps(payload) + "\n")
    else:
        table = Table(title=f"{dataset.name}: {grader.name} grader vs human scores", title_justify="left")
        table.add_column("measure")
        table.add_column("value", justify="right")

        def shown(value: float | None, digits: int = 3) -> str:
            return "n/a" if value is None or value != value else f"{value:.{digits}f}"

        table.add_row("Pearson r", shown(report.pearson))
        table.add_row("Spearman ρ", shown(report.spearman))
        table.add_row("mean per-question Pearson r", shown(report.mean_question_pearson))
        table.add_row(f"RMSE (0–{report.human_scale:g}, linear calibration, {report.groups}-group CV)", shown(report.rmse))
        table.add_row("within ±1 point", "n/a" if report.within_one is None else f"{report.within_one:.1%}")
        table.add_row("n", str(report.n))
        if parsed.bad_lines:
            table.add_row("skipped lines", str(len(parsed.bad_lines)))
        console.print(table)
    if parsed.bad_lines:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `grade` and `eval`."""
    app.command("grade")(grade)
    app.command("eval")(evaluate)
