"""`interviewer grade` and `interviewer eval`: the grading engine, headless, on JSONL files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from interviewer.cli.common import BankOption, bank_values, console, error_console, fail
from interviewer.cli.progress import row_progress
from interviewer.grading.batch import BATCH_SIZE
from interviewer.names import EngineName, GraderName

if TYPE_CHECKING:
    from interviewer.bank.models import Bank
    from interviewer.config import Settings
    from interviewer.grading.base import Grader
    from interviewer.grading.batch import InputRow, ParsedFile
    from interviewer.grading.grade_job import Engine, GraderRecipe
    from interviewer.grading.result import GradeResult

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


def _checked_grader_name(settings: Settings, grader_name: GraderName | None) -> GraderName:
    """The grader to use (default: from settings); an LLM grader without an LLM configured is an error (exit 2)."""
    from interviewer.practice import resolve_grader

    return resolve_grader(settings, grader_name or settings.default_grader(), offline=False)


def _graded(grader: Grader, rows: list[InputRow], label: str) -> list[GradeResult]:
    """Grade rows in batches with progress (rows/s, time left) on stderr for long inputs."""
    from interviewer.grading.batch import grade_rows

    with row_progress(error_console, len(rows), label) as advance:
        return grade_rows(grader, rows, on_progress=advance)


def _report_bad_lines(path: Path, parsed: ParsedFile) -> None:
    for bad in parsed.bad_lines:
        _report_bad_line(path, bad.line, bad.reason)


def _report_bad_line(path: Path, line: int, reason: str) -> None:
    error_console.print(f"[yellow]skipped[/] {path}:{line}: {reason}", highlight=False, soft_wrap=True)


def _note(message: str) -> None:
    error_console.print(message, highlight=False, soft_wrap=True)


def _engine(name: EngineName, recipe: GraderRecipe, workers: int | None, batch_size: int) -> Engine:
    from interviewer.grading.grade_job import LocalEngine

    if name == "ray":
        from interviewer.grading.ray_engine import RayEngine

        return RayEngine(recipe, workers=workers, batch_size=batch_size)
    return LocalEngine(recipe, batch_size=batch_size)


def _checked_engine(engine: EngineName, workers: int | None, resume: bool, output: Path | None) -> None:
    """Exit 2 for --workers without Ray, --resume without -o, or Ray not installed."""
    if workers is not None and engine != "ray":
        raise fail("--workers needs --engine ray (the local engine is one process)")
    if resume and output is None:
        raise fail("--resume needs -o OUT: rows written to stdout cannot be resumed")
    if engine == "ray":
        from interviewer.grading.ray_engine import require_ray

        require_ray()


def grade(
    input_file: Path = typer.Argument(
        ..., help="JSONL: one object per line with 'answer' and a question ('-' reads standard input)."
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write graded rows here (default: stdout)."),
    grader_name: GraderName | None = GraderOption,
    bank: list[str] | None = BankOption,
    engine: EngineName = typer.Option(
        "local",
        "--engine",
        "-e",
        help="local: this process; ray: a pool of Ray actors (a local Ray, or the cluster at RAY_ADDRESS; "
        "needs interviewer\\[ray]).",
    ),
    workers: int | None = typer.Option(
        None, "--workers", "-w", min=1, help="Ray actors (default: one per CPU of the Ray cluster).", show_default=False
    ),
    batch_size: int = typer.Option(BATCH_SIZE, "--batch-size", min=1, max=4096, help="Answers per batch."),
    resume: bool = typer.Option(
        False, "--resume", help="Keep the rows OUT (or OUT.partial) holds for unchanged input lines; grade the rest."
    ),
) -> None:
    """Grade a JSONL file of answers; bad lines are reported and skipped (exit 1 if any).

    Each row needs 'answer' and either 'question_id' (a bank question) or 'question' +
    'reference_answer' (optional 'key_points'). Other fields pass through; 'score', 'key_points',
    'flags', 'follow_ups', 'grader', 'provenance' and 'source' (the input line and its hash) are
    added. Blank lines are ignored. With -o, OUT is replaced only when every line is done; until
    then rows collect in OUT.partial, and an interrupted run goes on with --resume.
    """
    from interviewer.config import load_settings
    from interviewer.grading.grade_job import GraderRecipe, run_job, scan_input, seekable_input
    from interviewer.grading.graded_output import GradedFile, StreamedRows
    from interviewer.output_files import check_output_folder, refuse_unsafe_output

    _checked_engine(engine, workers, resume, output)
    settings = load_settings()
    chosen = _checked_grader_name(settings, grader_name)
    if output is not None:
        refuse_unsafe_output(output, inputs=[input_file])
        check_output_folder(output)
    loaded_bank = _load_bank_for_rows(bank)
    runner = _engine(engine, GraderRecipe(settings, chosen, loaded_bank), workers, batch_size)
    sink = GradedFile(output, resume=resume) if output is not None else StreamedRows(sys.stdout)
    earlier = sink.open() if isinstance(sink, GradedFile) else {}
    try:
        with seekable_input(input_file) as readable:
            plan = scan_input(readable, earlier, runner.rows_per_range)
            kept = sink.keep_earlier(plan.done) if isinstance(sink, GradedFile) else 0
            if isinstance(sink, GradedFile) and sink.discarded_partial:
                _note(
                    f"note: {sink.partial} held an unfinished earlier run; starting afresh "
                    "(--resume would go on from it)"
                )
            if resume:
                _note(f"resuming: {kept} row(s) already graded, {plan.todo} line(s) to grade")
            with row_progress(error_console, plan.todo, "grading") as advance:
                counts = run_job(
                    plan,
                    runner,
                    sink,
                    kept=kept,
                    on_bad_line=lambda line, reason: _report_bad_line(input_file, line, reason),
                    on_progress=advance,
                )
        if isinstance(sink, GradedFile):
            sink.finish()
    except KeyboardInterrupt:
        if isinstance(sink, GradedFile):
            sink.close()
            held = sink.rows
            _note(
                f"interrupted: {output} is unchanged; {held} graded row(s) are kept in {sink.partial}: "
                "run the same command with --resume to go on"
                if held
                else f"interrupted: {output} is unchanged"
            )
        else:
            _note("interrupted")
        raise typer.Exit(130) from None
    except BaseException:
        if isinstance(sink, GradedFile):
            sink.close()
        raise
    summary = f"graded {counts.graded} row(s), skipped {counts.bad} bad line(s)"
    if counts.blank:
        summary += f", ignored {counts.blank} blank line(s)"
    if counts.kept:
        summary += f", kept {counts.kept} row(s) graded earlier"
    if counts.graded:
        summary += f" in {counts.seconds:.1f} s ({counts.rows_per_second:.1f} rows/s"
        peaks = getattr(runner, "worker_peaks", None)
        if peaks:
            summary += f", {len(peaks)} Ray worker(s), peak memory per worker {max(peaks.values()) / 2**20:.0f} MB"
        summary += ")"
    _note(summary + (f" → {output}" if output else ""))
    if counts.bad:
        raise typer.Exit(1)


def evaluate(
    dataset: Path = typer.Argument(..., help="JSONL rows as for `grade`, plus human 'score' and 'max_score'."),
    as_json: bool = typer.Option(False, "--json", help="Print the numbers as one JSON object."),
    grader_name: GraderName | None = GraderOption,
    bank: list[str] | None = BankOption,
) -> None:
    """Agreement with human grades: Pearson, Spearman, per-question Pearson, calibrated RMSE, ±1 share.

    When Pearson and Spearman are undefined (every grader score or every human score the same), this is
    one error line and exit status 2; statistics that cannot be computed are n/a (null in --json).
    """
    from rich.table import Table

    from interviewer.config import load_settings
    from interviewer.grading.batch import parse_file
    from interviewer.grading.evaluation import evaluate as evaluate_scores

    settings = load_settings()
    chosen = _checked_grader_name(settings, grader_name)
    loaded_bank = _load_bank_for_rows(bank)
    parsed = parse_file(dataset, loaded_bank, require_human=True, max_key_points=settings.limits.key_points_per_row)
    _report_bad_lines(dataset, parsed)
    if len(parsed.rows) < 2:
        raise fail(f"{dataset}: need at least 2 gradeable rows with human scores, found {len(parsed.rows)}")
    from interviewer.grading.grade_job import GraderRecipe

    grader = GraderRecipe(settings, chosen, loaded_bank).build()
    results = _graded(grader, parsed.rows, "evaluating")
    report = evaluate_scores(
        [result.score for result in results],
        [float(row.data["score"]) for row in parsed.rows],
        [float(row.data["max_score"]) for row in parsed.rows],
        [str(row.data.get("question_id") or row.question.id) for row in parsed.rows],
        grader=grader.name,
    )
    if report.undefined_because is not None:
        skipped = f"; {len(parsed.bad_lines)} bad line(s) skipped" if parsed.bad_lines else ""
        raise fail(
            f"{dataset}: Pearson and Spearman are undefined for these {report.n} rows: "
            f"{report.undefined_because}{skipped}"
        )
    if as_json:
        payload = report.model_dump(mode="json", exclude={"undefined_because"})
        payload["skipped"] = len(parsed.bad_lines)
        sys.stdout.write(json.dumps(payload, allow_nan=False) + "\n")
    else:
        table = Table(title=f"{dataset.name}: {grader.name} grader vs human scores", title_justify="left")
        table.add_column("measure")
        table.add_column("value", justify="right")

        def shown(value: float | None, digits: int = 3) -> str:
            return "n/a" if value is None else f"{value:.{digits}f}"

        table.add_row("Pearson r", shown(report.pearson))
        table.add_row("Spearman ρ", shown(report.spearman))
        table.add_row("mean per-question Pearson r", shown(report.mean_question_pearson))
        table.add_row(
            f"RMSE (0–{report.human_scale:g}, linear calibration, {report.groups}-group CV)", shown(report.rmse)
        )
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
