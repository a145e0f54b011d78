"""`interviewer bank ...`: list, validate, import and draft question banks."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table
from rich.text import Text

from interviewer.cli.common import BankOption, console, error_console, fail, load_chosen_bank

if TYPE_CHECKING:
    from interviewer.bank.models import Bank, Question
    from interviewer.grading.relevance import RankedQuestion

bank_app = typer.Typer(help="List, validate, import and generate question banks.", no_args_is_help=True)


def question_row(question: Question) -> dict[str, object]:
    """One question as `bank list --json` prints it."""
    return {
        "bank": question.bank,
        "id": question.id,
        "topic": question.topic,
        "difficulty": question.difficulty,
        "question": question.question,
        "tags": list(question.tags),
        "key_points": len(question.key_points),
        "follow_ups": len(question.follow_ups),
        "related": list(question.related),
    }


@bank_app.command("list")
def list_questions(
    bank: list[str] | None = BankOption,
    job: Path | None = typer.Option(
        None, "--job", help="A job description (text file, '-' for stdin): rank the questions by relevance to it."
    ),
    as_json: bool = typer.Option(False, "--json", help='Print {"questions": [...]} as JSON instead of tables.'),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Show only the first N questions."),
) -> None:
    """Show every shipped bank (or the --bank ones) with question and topic counts and difficulty mix;
    with --bank, --job or --limit, or when only one bank is chosen, the questions too.

    With --job, the questions come most relevant first, each with its relevance and the words of
    the posting that matched ("because").
    """
    loaded = load_chosen_bank(bank)
    rows = [question_row(question) for question in loaded.questions]
    if job is not None:
        ranked = rank_bank_for_job(loaded, read_job_description(job))
        rows = [
            {**question_row(entry.question), "relevance": entry.relevance, "because": list(entry.because)}
            for entry in ranked
        ]
    if limit is not None:
        rows = rows[:limit]
    if as_json:
        typer.echo(json.dumps({"questions": rows}, indent=2, ensure_ascii=False))
        return
    several_banks = len({question.bank for question in loaded.questions}) > 1
    if not bank and job is None and limit is None and several_banks:
        console.print(bank_summary_table(loaded))
        console.print("`interviewer bank list --bank NAME` lists a bank's questions; --json prints every question.")
        return
    table = Table(
        title=f"Questions ({loaded.name})" + (f", by relevance to {job}" if job else ""), title_justify="left"
    )
    # Only the question column wraps on narrow terminals; the others keep their width.
    table.add_column("id", style="bold", no_wrap=True)
    if job is not None:
        table.add_column("relevance", justify="right", no_wrap=True)
    table.add_column("topic", overflow="fold", max_width=24)
    table.add_column("difficulty", no_wrap=True)
    table.add_column("question", overflow="fold", min_width=24)
    if job is not None:
        table.add_column("because", overflow="fold", max_width=20)
    for row in rows:
        first_line = str(row["question"]).strip().splitlines()[0]
        cells = [str(row["id"])]
        if job is not None:
            cells.append(f"{row['relevance']:.2f}")
        cells += [str(row["topic"]), str(row["difficulty"]), first_line]
        if job is not None:
            cells.append(", ".join(row["because"]))  # type: ignore[arg-type]
        table.add_row(*cells)
    console.print(table)
    console.print(bank_summary_table(loaded))


def bank_summary_table(loaded: Bank) -> Table:
    """One row per bank: questions, topics, difficulty mix; a total row when there are several."""
    summary = Table(title="Banks", title_justify="left")
    summary.add_column("bank")
    summary.add_column("questions", justify="right")
    summary.add_column("topics", justify="right")
    summary.add_column("easy / medium / hard", justify="right")
    names = list(dict.fromkeys(question.bank for question in loaded.questions))
    for name in names:
        questions = [question for question in loaded.questions if question.bank == name]
        summary.add_row(name, *_counts(questions))
    if len(names) > 1:
        summary.add_row("[bold]total[/]", *_counts(loaded.questions))
    return summary


def _counts(questions: list[Question]) -> list[str]:
    mix = Counter(question.difficulty for question in questions)
    topics = len({question.topic for question in questions})
    return [str(len(questions)), str(topics), f"{mix['easy']} / {mix['medium']} / {mix['hard']}"]


def read_job_description(path: Path) -> str:
    """The text of a job description file ('-' reads stdin); exit 2 when it cannot be read or is empty."""
    if str(path) == "-":
        text = sys.stdin.read()
    else:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise fail(f"{path}: cannot read the job description: {getattr(exc, 'strerror', None) or exc}") from None
    if not text.strip():
        raise fail(f"{path}: the job description is empty")
    return text


def rank_bank_for_job(loaded: Bank, text: str) -> list[RankedQuestion]:
    """Rank with the configured embedding model (loaded here: slow imports only when --job is used)."""
    from interviewer.config import load_settings
    from interviewer.grading.embedding import load_embedder
    from interviewer.grading.relevance import rank_for_job

    return rank_for_job(loaded.questions, text, load_embedder(load_settings().embedding))


@bank_app.command("validate")
def validate(path: Path = typer.Argument(..., help="A rubric file or a folder of them.")) -> None:
    """Check rubric files; exit 0 when valid, 2 with a message naming the file when not."""
    from interviewer.bank import load_bank
    from interviewer.bank.loader import rubric_files

    loaded = load_bank(path)
    file_count = len(rubric_files(path))
    key_points = sum(len(question.key_points) for question in loaded.questions)
    console.print(
        f"[green]valid[/]: {path} — {file_count} file(s), {len(loaded.questions)} questions "
        f"in {len(loaded.topics())} topics, {key_points} key points",
        soft_wrap=True,
    )


@bank_app.command("check")
def check(
    path: list[str] = typer.Argument(..., help="A bank: a shipped bank's name, 'all', or a rubric file or folder."),
    min_score: float = typer.Option(6.5, "--min-score", help="Lowest score a reference answer may get."),
    as_json: bool = typer.Option(False, "--json", help="Print the per-question results as JSON."),
) -> None:
    """Grade each question's reference answer against its own rubric and look for weak rubric text.

    Exit 0 when every reference scores at least --min-score (8.5 on average, embedding evidence) without
    an off-topic or negation flag and no key point restates its question, no misconception reads like a
    key point and no question nearly duplicates another (in this bank or a shipped one); else exit 1 with
    the list. The key-point judge's contradiction readings of a reference are listed as warnings.
    Validation errors exit 2 as for `bank validate`.
    """
    from interviewer.bank.catalog import is_all_shipped, resolve_bank
    from interviewer.config import load_settings
    from interviewer.grading.bank_check import check_bank
    from interviewer.grading.embedding import load_embedder
    from interviewer.grading.embedding_grader import EmbeddingGrader
    from interviewer.grading.judge import load_judge

    loaded = resolve_bank(path)
    embedder = load_embedder(load_settings().embedding)
    others = [] if is_all_shipped(path) else _shipped_questions_or_none()
    grader = EmbeddingGrader(embedder, bank=loaded)
    judge = load_judge(embedder)
    judged = EmbeddingGrader(embedder, bank=loaded, judge=judge) if judge is not None else None
    report = check_bank(loaded, embedder, grader, judged=judged, others=others, min_score=min_score)
    if as_json:
        payload = {
            "passed": report.passed,
            "mean_score": round(report.mean_score, 3),
            "questions": [
                {
                    "bank": item.question.bank,
                    "id": item.question.id,
                    "score": item.score,
                    "flags": item.flags,
                    "problems": item.problems,
                    "warnings": item.warnings,
                }
                for item in report.questions
            ],
            "problems": report.problems,
        }
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        table = Table(title=f"Reference answers graded against their own rubrics ({loaded.name})", title_justify="left")
        for column in ("id", "bank", "score", "flags", "result"):
            table.add_column(column, justify="right" if column == "score" else "left", no_wrap=column != "flags")
        for item in report.questions:
            verdict = "[green]ok[/]" if item.passed else f"[red]{len(item.problems)} problem(s)[/]"
            if item.warnings:
                verdict += f" [yellow]{len(item.warnings)} warning(s)[/]"
            table.add_row(item.question.id, item.question.bank, f"{item.score:.1f}", ", ".join(item.flags), verdict)
        console.print(table)
        console.print(f"mean reference score {report.mean_score:.2f} over {len(report.questions)} questions")
        for line in report.failures():
            console.print(Text.assemble(("fail ", "red"), line), highlight=False, soft_wrap=True)
        for line in report.warnings():
            console.print(Text.assemble(("warn ", "yellow"), line), highlight=False, soft_wrap=True)
        console.print("[green]passed[/]" if report.passed else f"[red]failed[/]: {len(report.failures())} problem(s)")
    if not report.passed:
        raise typer.Exit(1)


def _shipped_questions_or_none() -> list[Question]:
    """The shipped questions, to find near-duplicates of a new bank in; none when they cannot be loaded."""
    from interviewer.bank.catalog import resolve_bank
    from interviewer.errors import BankError

    try:
        return resolve_bank(None).questions
    except BankError:
        return []


@bank_app.command("import")
def import_markdown(
    source: Path = typer.Argument(..., help="A Markdown question bank (## topics, ### questions, answers)."),
    output: Path = typer.Option(..., "--output", "-o", help="Folder to write rubric files into."),
    bank_name: str | None = typer.Option(None, "--name", help="Bank name (default: the output folder's name)."),
) -> None:
    """Turn a Markdown question bank into rubric files, fixing mojibake and drafting key points.

    The output folder is checked before the import starts (never in the data folder; a file there is
    never the source); each rubric file is replaced whole, so a failed write leaves the previous one.
    """
    from interviewer.bank.markdown_import import import_markdown_bank, write_rubric_files
    from interviewer.output_files import check_output_dir

    check_output_dir(output)
    rubrics = import_markdown_bank(source, bank_name=bank_name or output.resolve().name)
    written = write_rubric_files(rubrics, output, inputs=[source])
    question_count = sum(len(rubric.questions) for rubric in rubrics)
    console.print(
        f"[green]imported[/] {question_count} questions in {len(rubrics)} topics from {source} "
        f"into {len(written)} file(s) under {output}",
        soft_wrap=True,
    )
    console.print("Key points are drafts: read them, then run `interviewer bank validate` on the folder.")


COVERED_QUESTIONS = 12
"""Shipped questions most relevant to the posting that `bank generate` names as already covered."""
MAX_DRAFTED = 10
"""Questions one `bank generate` may draft: they come in one reply, each a long one."""


@bank_app.command("generate")
def generate(
    job: Path = typer.Option(..., "--job", help="A job description (text file, '-' for stdin) to draft questions for."),
    output: Path = typer.Option(..., "--output", "-o", help="Folder for the drafts (never inside the shipped banks)."),
    count: int = typer.Option(5, "--count", "-n", min=1, max=MAX_DRAFTED, help="Questions to draft."),
    bank: list[str] | None = BankOption,
) -> None:
    """Draft new questions for a job description with the configured LLM, as a rubric file of drafts.

    The shipped questions (or the --bank ones) most relevant to the posting are named to the model as
    already covered, so it drafts questions on what they leave out. Each drafted question is marked
    `draft: true`, has a `draft-` id and sources marked unverified, and is written as the next numbered
    rubric file in the output folder, never into the shipped banks. Nothing is written unless the whole
    reply is a valid rubric (asked once more when it is not): exit 2 means nothing was written.
    """
    from interviewer.bank.drafts import check_drafts_dir, drafted_ids, write_drafts
    from interviewer.config import load_settings
    from interviewer.grading.llm.client import LLMFault
    from interviewer.grading.llm.drafting import draft_questions
    from interviewer.grading.llm.factory import build_llm_client

    settings = load_settings()
    check_drafts_dir(output)
    client = build_llm_client(settings.llm)  # ConfigError (exit 2) when no LLM is configured
    try:
        text = read_job_description(job)
        loaded = load_chosen_bank(bank)
        covered = [entry.question.question for entry in rank_bank_for_job(loaded, text)[:COVERED_QUESTIONS]]
        taken = {question.id for question in loaded.questions} | drafted_ids(output)
        with error_console.status(f"drafting {count} question(s) with {client.model}..."):
            rubric = draft_questions(
                client, text, covered=covered, count=count, bank=output.resolve().name, taken_ids=taken
            )
    except LLMFault as fault:
        raise fail(f"cannot draft questions with {client.model} at {client.display_url}: {fault.reason}") from None
    finally:
        client.close()
    written = write_drafts(rubric, output, inputs=[] if str(job) == "-" else [job])
    summary = f" {len(rubric.questions)} of {count} question(s) on {rubric.topic!r} into {written}"
    console.print(Text.assemble(("drafted", "green"), summary), highlight=False, soft_wrap=True)
    console.print(
        "They are drafts: check every claim and source, then run `interviewer bank validate` on the folder; "
        f"practise them with `interviewer practice --bank {output}`.",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    """Add the `bank` command group."""
    app.add_typer(bank_app, name="bank")
