"""`interviewer bank ...`: list, validate and import question banks."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer
from rich.table import Table

from interviewer.cli.common import BankOption, console, resolve_bank_path

bank_app = typer.Typer(help="List, validate and import question banks.", no_args_is_help=True)


@bank_app.command("list")
def list_questions(bank: Path | None = BankOption) -> None:
    """Show the questions of a bank with counts per topic."""
    from interviewer.bank import load_bank

    loaded = load_bank(resolve_bank_path(bank))
    table = Table(title=f"Question bank: {loaded.name}", title_justify="left")
    # Only the question column wraps on narrow terminals; the others keep their width.
    table.add_column("id", style="bold", no_wrap=True)
    table.add_column("topic", no_wrap=True)
    table.add_column("difficulty", no_wrap=True)
    table.add_column("question", overflow="fold")
    for question in loaded.questions:
        first_line = question.question.strip().splitlines()[0]
        table.add_row(question.id, question.topic, question.difficulty, first_line)
    console.print(table)
    counts = Counter(question.topic for question in loaded.questions)
    summary = Table(title="Questions per topic", title_justify="left")
    summary.add_column("topic")
    summary.add_column("questions", justify="right")
    for topic in loaded.topics():
        summary.add_row(topic, str(counts[topic]))
    summary.add_row("[bold]total[/]", f"[bold]{len(loaded.questions)}[/] in {len(counts)} topics")
    console.print(summary)


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


@bank_app.command("import")
def import_markdown(
    source: Path = typer.Argument(..., help="A Markdown question bank (## topics, ### questions, answers)."),
    output: Path = typer.Option(..., "--output", "-o", help="Folder to write rubric files into."),
    bank_name: str | None = typer.Option(None, "--name", help="Bank name (default: the output folder's name)."),
) -> None:
    """Turn a Markdown question bank into rubric files, fixing mojibake and drafting key points."""
    from interviewer.bank.markdown_import import import_markdown_bank, write_rubric_files

    rubrics = import_markdown_bank(source, bank_name=bank_name or output.resolve().name)
    written = write_rubric_files(rubrics, output)
    question_count = sum(len(rubric.questions) for rubric in rubrics)
    console.print(
        f"[green]imported[/] {question_count} questions in {len(rubrics)} topics from {source} "
        f"into {len(written)} file(s) under {output}",
        soft_wrap=True,
    )
    console.print("Key points are drafts: read them, then run `interviewer bank validate` on the folder.")


def register(app: typer.Typer) -> None:
    """Add the `bank` command group."""
    app.add_typer(bank_app, name="bank")
