"""Headless grading of JSONL files: read rows, grade them in batches, keep bad lines apart.

A row holds `answer` and either `question` + `reference_answer` (optional `key_points`) or a bank
`question_id`. When a row has both, the question text and reference in the row win (its
`question_id` then only names it). Blank lines are ignored; every other line becomes either a
graded row or a `BadLine`, so rows out + bad lines = non-blank lines in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interviewer.bank.models import Bank, Question
from interviewer.errors import InterviewerError
from interviewer.grading.questions import adhoc_question
from interviewer.grading.result import GradeResult

BATCH_SIZE = 128
ADDED_FIELDS = ("score", "key_points", "flags", "follow_ups", "feedback", "grader", "provenance")


@dataclass
class BadLine:
    """A line that could not be graded, and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class InputRow:
    """A parsed line: the original object, the question to grade against and the answer."""

    line: int
    data: dict[str, Any]
    question: Question
    answer: str


@dataclass
class ParsedFile:
    """Rows ready to grade and the lines skipped, in input order."""

    rows: list[InputRow] = field(default_factory=list)
    bad_lines: list[BadLine] = field(default_factory=list)
    blank_lines: int = 0


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) for each line of a UTF-8 file; a clear error when it cannot be read."""
    try:
        handle = path.open(encoding="utf-8", errors="strict")
    except OSError as exc:
        raise InterviewerError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                yield number, line
        except UnicodeDecodeError as exc:
            raise InterviewerError(f"{path}: not UTF-8 text ({exc.reason})") from None


def _non_empty_string(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    return value if isinstance(value, str) and value.strip() else None


def parse_row(
    line: int, text: str, bank: Bank | None, adhoc_cache: dict[tuple[Any, ...], Question], require_human: bool
) -> InputRow | BadLine:
    """One JSONL line to an InputRow, or the BadLine saying what is wrong with it."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return BadLine(line, f"not valid JSON ({exc.msg} at column {exc.colno})")
    if not isinstance(data, dict):
        return BadLine(line, "expected a JSON object")
    answer = data.get("answer")
    if not isinstance(answer, str):
        return BadLine(line, "missing 'answer' (a string)")
    if require_human:
        score, max_score = data.get("score"), data.get("max_score")
        if not isinstance(score, int | float) or isinstance(score, bool):
            return BadLine(line, "missing human 'score' (a number)")
        if not isinstance(max_score, int | float) or isinstance(max_score, bool) or max_score <= 0:
            return BadLine(line, "missing 'max_score' (a positive number)")
    question_text = _non_empty_string(data, "question")
    reference = _non_empty_string(data, "reference_answer")
    question_id = data.get("question_id")
    if question_text and reference:
        key_points = data.get("key_points")
        if key_points is not None and (
            not isinstance(key_points, list) or not all(isinstance(item, str) for item in key_points)
        ):
            return BadLine(line, "'key_points' must be a list of strings")
        cache_key = (question_text, reference, tuple(key_points or ()), str(question_id or ""))
        if cache_key not in adhoc_cache:
            adhoc_cache[cache_key] = adhoc_question(
                question_text, reference, key_points, question_id=str(question_id or f"line-{line}")
            )
        return InputRow(line, data, adhoc_cache[cache_key], answer)
    if question_id is None:
        return BadLine(line, "needs 'question_id' or both 'question' and 'reference_answer'")
    if bank is None or str(question_id) not in bank:
        bank_name = bank.name if bank is not None else "no bank"
        return BadLine(line, f"unknown question_id {question_id!r} (not in bank {bank_name})")
    return InputRow(line, data, bank.get(str(question_id)), answer)


def parse_file(path: Path, bank: Bank | None, *, require_human: bool = False) -> ParsedFile:
    """Parse every line of a JSONL file, keeping bad lines with their reasons."""
    parsed = ParsedFile()
    adhoc_cache: dict[tuple[Any, ...], Question] = {}
    for number, text in read_lines(path):
        if not text.strip():
            parsed.blank_lines += 1
            continue
        row = parse_row(number, text, bank, adhoc_cache, require_human)
        (parsed.bad_lines if isinstance(row, BadLine) else parsed.rows).append(row)
    return parsed


def grade_rows(
    grader: Any, rows: Sequence[InputRow], *, on_progress: Callable[[int], None] | None = None
) -> list[GradeResult]:
    """Grade rows in batches (all spans of a batch embedded at once when the grader supports it)."""
    results: list[GradeResult] = []
    batch_method = getattr(grader, "grade_batch", None)
    for start in range(0, len(rows), BATCH_SIZE):
        chunk = rows[start : start + BATCH_SIZE]
        if batch_method is not None:
            results.extend(batch_method([(row.question, row.answer) for row in chunk]))
        else:
            results.extend(grader.grade(row.question, row.answer) for row in chunk)
        if on_progress is not None:
            on_progress(len(chunk))
    return results


def output_row(row: InputRow, result: GradeResult) -> dict[str, Any]:
    """The input object plus the grade; input fields with the same names are kept as `input_<name>`."""
    output = {}
    for name, value in row.data.items():
        output[f"input_{name}" if name in ADDED_FIELDS else name] = value
    output["score"] = result.score
    output["key_points"] = [verdict.model_dump(mode="json") for verdict in result.key_points]
    output["flags"] = [flag.model_dump(mode="json") for flag in result.flags]
    output["follow_ups"] = [follow_up.model_dump(mode="json") for follow_up in result.follow_ups]
    output["feedback"] = result.feedback
    output["grader"] = result.provenance.grader
    output["provenance"] = result.provenance.model_dump(mode="json")
    return output
