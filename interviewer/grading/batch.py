"""Headless grading of JSONL files: read rows, grade them in batches, keep bad lines apart.

A row holds `answer` and either `question` + `reference_answer` (optional `key_points`) or a bank
`question_id`. When a row has both, the question text and reference in the row win (its
`question_id` then only names it). Blank lines are ignored; every other line becomes either a
graded row or a `BadLine`, so rows out + bad lines = non-blank lines in.

Files are read as bytes and decoded line by line (`utf-8-sig`: a byte-order mark costs no row), so
an undecodable line is one bad line with its number. `NaN` and `Infinity` (and numbers too large
for a float) are not JSON: such a line is a bad line, and no output row holds a non-finite number.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interviewer.bank.models import Bank, Question
from interviewer.config import LimitSettings
from interviewer.errors import InterviewerError
from interviewer.grading.base import Grader
from interviewer.grading.questions import adhoc_question
from interviewer.grading.result import GradeResult

BATCH_SIZE = 128
ADDED_FIELDS = ("score", "key_points", "flags", "follow_ups", "feedback", "grader", "provenance", "source")
BOM = b"\xef\xbb\xbf"
KEY_DIGITS = 16
MAX_KEY_POINTS = LimitSettings().key_points_per_row


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


def read_raw_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes with the line ending) for each line of a file; a UTF-8 byte-order mark at the
    start is dropped. A clear error when the file cannot be read."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InterviewerError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with handle:
        try:
            for number, raw in enumerate(handle, start=1):
                yield number, raw[len(BOM) :] if number == 1 and raw.startswith(BOM) else raw
        except OSError as exc:
            raise InterviewerError(f"{path}: cannot read: {exc.strerror or exc}") from None


def decode_line(raw: bytes) -> str | None:
    """A line's text, or None when it is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def undecodable_reason(raw: bytes) -> str:
    """Why a line is not UTF-8, with the (1-based) column of the first bad byte."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not UTF-8 text ({exc.reason} at byte {exc.start + 1})"
    return "not UTF-8 text"


def is_blank(raw: bytes) -> bool:
    """True for a line of whitespace only (such lines are ignored, not counted as bad)."""
    text = decode_line(raw)
    return text is not None and not text.strip()


def line_key(raw: bytes) -> str:
    """The hash that identifies a line's content: the first 16 hex digits of the SHA-256 of its bytes
    without the line ending (and without a byte-order mark on line 1)."""
    return hashlib.sha256(raw.rstrip(b"\r\n")).hexdigest()[:KEY_DIGITS]


class NonFiniteNumber(ValueError):
    """A JSON number that is NaN, an infinity, or too large for a float."""


def _reject_constant(name: str) -> float:
    raise NonFiniteNumber(name)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NonFiniteNumber(text)
    return value


def loads_finite(text: str) -> Any:
    """json.loads that refuses NaN, Infinity, -Infinity and numbers that overflow a float."""
    return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)


def dumps_finite(value: Any) -> str:
    """One JSON line (without its newline); ValueError when a number in it is not finite."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _non_empty_string(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    return value if isinstance(value, str) and value.strip() else None


def parse_row(
    line: int,
    text: str,
    bank: Bank | None,
    adhoc_cache: dict[tuple[Any, ...], Question],
    require_human: bool,
    *,
    max_key_points: int = MAX_KEY_POINTS,
) -> InputRow | BadLine:
    """One JSONL line to an InputRow, or the BadLine saying what is wrong with it.

    An ad-hoc row may list at most `max_key_points` key points (`limits.key_points_per_row`); key points
    derived from its reference are cut to that many."""
    try:
        data = loads_finite(text)
    except json.JSONDecodeError as exc:
        return BadLine(line, f"not valid JSON ({exc.msg.removesuffix(' starting at')} at column {exc.colno})")
    except NonFiniteNumber as exc:
        return BadLine(line, f"not valid JSON (the number {str(exc)[:40]} is not finite)")
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
        if key_points is not None and len(key_points) > max_key_points:
            return BadLine(
                line,
                f"'key_points' lists {len(key_points)} key points; at most {max_key_points} are graded per row "
                "(limits.key_points_per_row)",
            )
        cache_key = (question_text, reference, tuple(key_points or ()), str(question_id or ""))
        if cache_key not in adhoc_cache:
            adhoc_cache[cache_key] = adhoc_question(
                question_text,
                reference,
                key_points,
                question_id=str(question_id or f"line-{line}"),
                max_key_points=max_key_points,
            )
        return InputRow(line, data, adhoc_cache[cache_key], answer)
    if question_id is None:
        return BadLine(line, "needs 'question_id' or both 'question' and 'reference_answer'")
    if bank is None or str(question_id) not in bank:
        bank_name = bank.name if bank is not None else "no bank"
        return BadLine(line, f"unknown question_id {question_id!r} (not in bank {bank_name})")
    return InputRow(line, data, bank.get(str(question_id)), answer)


def parse_file(
    path: Path, bank: Bank | None, *, require_human: bool = False, max_key_points: int = MAX_KEY_POINTS
) -> ParsedFile:
    """Parse every line of a JSONL file, keeping bad lines with their reasons."""
    parsed = ParsedFile()
    adhoc_cache: dict[tuple[Any, ...], Question] = {}
    for number, raw in read_raw_lines(path):
        text = decode_line(raw)
        if text is not None and not text.strip():
            parsed.blank_lines += 1
            continue
        row = (
            parse_row(number, text, bank, adhoc_cache, require_human, max_key_points=max_key_points)
            if text is not None
            else BadLine(number, undecodable_reason(raw))
        )
        if isinstance(row, BadLine):
            parsed.bad_lines.append(row)
        else:
            parsed.rows.append(row)
    return parsed


def _grade_chunk(grader: Grader, rows: Sequence[InputRow]) -> list[GradeResult]:
    """One batch (the embedding grader embeds all spans of a batch at once)."""
    return list(grader.grade_batch([(row.question, row.answer) for row in rows]))


def grade_rows(
    grader: Grader, rows: Sequence[InputRow], *, on_progress: Callable[[int], None] | None = None
) -> list[GradeResult]:
    """Grade rows in batches of BATCH_SIZE (the embedding grader embeds all spans of a batch at once)."""
    results: list[GradeResult] = []
    for start in range(0, len(rows), BATCH_SIZE):
        chunk = rows[start : start + BATCH_SIZE]
        results.extend(_grade_chunk(grader, chunk))
        if on_progress is not None:
            on_progress(len(chunk))
    return results


@dataclass
class LineOutcome:
    """What became of one non-blank input line: its output row (one JSON text) or why it was skipped."""

    line: int
    output: str | None = None
    reason: str | None = None


GRADING_ATTEMPTS = 2
NON_FINITE_GRADE = "the grade holds a number that is not finite (NaN or infinity)"


def _failure(error: BaseException) -> str:
    message = " ".join(str(error).split())
    if len(message) > 200:
        message = message[:199] + "…"
    return f"grading failed {GRADING_ATTEMPTS} times ({type(error).__name__}: {message})"


def _grade_guarded(grader: Grader, rows: Sequence[InputRow]) -> list[GradeResult | str]:
    """A grade per row, or the reason grading it failed: when the batch raises, each row is graded
    alone, up to GRADING_ATTEMPTS times (an answer's grade does not depend on its batch)."""
    if not rows:
        return []
    try:
        return list(_grade_chunk(grader, rows))
    except Exception:  # noqa: BLE001 - the rows are regraded one by one below
        pass
    graded: list[GradeResult | str] = []
    for row in rows:
        error: BaseException | None = None
        for _ in range(GRADING_ATTEMPTS):
            try:
                graded.append(_grade_chunk(grader, [row])[0])
                break
            except Exception as exc:  # noqa: BLE001 - reported as this row's bad line
                error = exc
        else:
            assert error is not None
            graded.append(_failure(error))
    return graded


def grade_lines(
    grader: Any,
    lines: Sequence[tuple[int, bytes]],
    bank: Bank | None,
    adhoc_cache: dict[tuple[Any, ...], Question],
    *,
    max_key_points: int = MAX_KEY_POINTS,
) -> list[LineOutcome]:
    """Parse, grade and serialise non-blank input lines, one outcome per line in the same order: the unit
    of work of every engine. Each output row names its line: `source` = {line, hash} (see `line_key`)."""
    outcomes: dict[int, LineOutcome] = {}
    rows: list[InputRow] = []
    keys: dict[int, str] = {}
    for number, raw in lines:
        text = decode_line(raw)
        parsed = (
            parse_row(number, text, bank, adhoc_cache, False, max_key_points=max_key_points)
            if text is not None
            else BadLine(number, undecodable_reason(raw))
        )
        if isinstance(parsed, BadLine):
            outcomes[number] = LineOutcome(number, reason=parsed.reason)
        else:
            rows.append(parsed)
            keys[number] = line_key(raw)
    for row, result in zip(rows, _grade_guarded(grader, rows), strict=True):
        if isinstance(result, str):
            outcomes[row.line] = LineOutcome(row.line, reason=result)
            continue
        data = output_row(row, result)
        data["source"] = {"line": row.line, "hash": keys[row.line]}
        try:
            outcomes[row.line] = LineOutcome(row.line, output=dumps_finite(data))
        except ValueError:
            outcomes[row.line] = LineOutcome(row.line, reason=NON_FINITE_GRADE)
    return [outcomes[number] for number, _ in lines]


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
