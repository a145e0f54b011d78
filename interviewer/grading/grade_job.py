"""A `grade` job: scan the input, grade the lines still to do on an engine, write every row once.

The input is scanned first (line count, blank lines, the lines an earlier run already graded) and cut
into ranges of lines. An engine grades the ranges and hands back one `LineOutcome` per non-blank line
(a graded row, or the reason the line was skipped); the job writes rows to the output as they come
and counts, so that rows written + rows kept from earlier + bad lines + blank lines = input lines.

Engines: `LocalEngine` grades in this process; `interviewer.grading.ray_engine.RayEngine` grades on a
pool of Ray actors. Both call the grader through `grade_lines` (that is, `grade_batch`), and an
answer's grade does not depend on its batch, so both give the same rows.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from interviewer.errors import InterviewerError
from interviewer.grading.batch import BATCH_SIZE, BOM, LineOutcome, grade_lines, is_blank, line_key

if TYPE_CHECKING:
    from interviewer.bank.models import Bank, Question
    from interviewer.config import Settings
    from interviewer.grading.base import Grader
    from interviewer.names import GraderName


@dataclass(frozen=True)
class LineRange:
    """A run of input lines to read together: its bytes in the file and the lines in it not to grade."""

    offset: int
    length: int
    first_line: int
    skip: frozenset[int]
    count: int

    def lines(self) -> list[int]:
        """The numbers of the lines of the range to grade."""
        span = range(self.first_line, self.first_line + self.count + len(self.skip))
        return [number for number in span if number not in self.skip]


@dataclass
class InputPlan:
    """What a scan found: the lines of the input, which are blank, which an earlier run already graded."""

    path: Path
    total_lines: int = 0
    blank_lines: int = 0
    done: set[int] = field(default_factory=set)
    todo: int = 0
    ranges: list[LineRange] = field(default_factory=list)


def _raw_lines_with_offsets(path: Path) -> Iterator[tuple[int, int, bytes]]:
    """(line number, byte offset, bytes) of every line of the file."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InterviewerError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with handle:
        offset = 0
        try:
            for number, raw in enumerate(handle, start=1):
                yield number, offset, raw
                offset += len(raw)
        except OSError as exc:
            raise InterviewerError(f"{path}: cannot read: {exc.strerror or exc}") from None


def scan_input(path: Path, earlier: dict[int, str], rows_per_range: int) -> InputPlan:
    """Scan the input once: blank lines, lines whose earlier row still matches (same line, same hash),
    and ranges of about rows_per_range lines to grade."""
    plan = InputPlan(path)
    start = first = count = 0
    skip: set[int] = set()
    end = 0

    def close_range() -> None:
        if count:
            plan.ranges.append(LineRange(start, end - start, first, frozenset(skip), count))

    for number, offset, raw in _raw_lines_with_offsets(path):
        plan.total_lines = number
        text = raw[len(BOM) :] if number == 1 and raw.startswith(BOM) else raw
        if is_blank(text):
            plan.blank_lines += 1
            wanted = False
        elif earlier.get(number) is not None and earlier[number] == line_key(text):
            plan.done.add(number)
            wanted = False
        else:
            wanted = True
        if wanted and count == 0:
            start, first, skip = offset, number, set()
        if count and not wanted:
            skip.add(number)
        if wanted:
            count += 1
            plan.todo += 1
        end = offset + len(raw)
        if count >= rows_per_range:
            close_range()
            count = 0
    close_range()
    return plan


STDIN = "-"
"""The input path that means standard input."""


@contextlib.contextmanager
def seekable_input(path: Path) -> Iterator[Path]:
    """The input as a regular file that the scan and the read tasks can seek in. Standard input (`-`), a
    pipe (`/dev/stdin`, `<(…)`) or any other stream is copied once to a temporary file, removed afterwards;
    a regular file (or a missing one, for its own error) is used as it is."""
    if str(path) != STDIN and (path.is_file() or not path.exists()):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="interviewer-grade-") as folder:
        copy = Path(folder) / "input.jsonl"
        with copy.open("wb") as target:
            if str(path) == STDIN:
                shutil.copyfileobj(sys.stdin.buffer, target)
            else:
                with path.open("rb") as source:
                    shutil.copyfileobj(source, target)
        yield copy


def read_range(path: Path, line_range: LineRange) -> list[tuple[int, bytes]]:
    """The lines of a range still to grade: (line number, bytes without the newline)."""
    with path.open("rb") as handle:
        handle.seek(line_range.offset)
        data = handle.read(line_range.length)
    pieces = data.split(b"\n")
    if data.endswith(b"\n"):
        pieces.pop()
    lines = []
    for index, raw in enumerate(pieces):
        number = line_range.first_line + index
        if number in line_range.skip:
            continue
        if number == 1 and raw.startswith(BOM):
            raw = raw[len(BOM) :]
        lines.append((number, raw))
    return lines


def single_line_ranges(path: Path, lines: set[int]) -> list[LineRange]:
    """One range for each of these lines (to grade them one at a time)."""
    ranges = []
    for number, offset, raw in _raw_lines_with_offsets(path):
        if number in lines:
            ranges.append(LineRange(offset, len(raw), number, frozenset(), 1))
    return ranges


@dataclass(frozen=True)
class GraderRecipe:
    """How to build the grader (in this process or in each worker): settings, grader name, bank."""

    settings: Settings
    grader_name: GraderName
    bank: Bank | None

    def build(self) -> Grader:
        """Load the embedding model and build the named grader (slow: loads the model)."""
        from interviewer.grading import embedding
        from interviewer.grading.factory import build_grader

        embedder = embedding.load_embedder(self.settings.embedding)
        return build_grader(self.settings, self.grader_name, bank=self.bank, embedder=embedder)


Deliver = Callable[[Sequence[LineOutcome]], None]


class Engine(Protocol):
    """Grades the ranges of a plan and delivers one outcome per line to grade, in any order."""

    name: str
    rows_per_range: int

    def run(self, plan: InputPlan, deliver: Deliver) -> None: ...


class LocalEngine:
    """One process: the grader is built once (when there is something to grade), batches in input order."""

    name = "local"

    def __init__(self, recipe: GraderRecipe, *, batch_size: int = BATCH_SIZE):
        self.recipe = recipe
        self.batch_size = batch_size
        self.rows_per_range = batch_size
        self._grader: Any | None = None

    def run(self, plan: InputPlan, deliver: Deliver) -> None:
        adhoc_cache: dict[tuple[Any, ...], Question] = {}
        for line_range in plan.ranges:
            lines = read_range(plan.path, line_range)
            for start in range(0, len(lines), self.batch_size):
                if self._grader is None:
                    self._grader = self.recipe.build()
                chunk = lines[start : start + self.batch_size]
                deliver(
                    grade_lines(
                        self._grader,
                        chunk,
                        self.recipe.bank,
                        adhoc_cache,
                        max_key_points=self.recipe.settings.limits.key_points_per_row,
                    )
                )


class RowSink(Protocol):
    """Where graded rows go (a GradedFile or a StreamedRows)."""

    def append(self, outcomes: Sequence[LineOutcome]) -> int: ...


@dataclass
class JobCounts:
    """What a job did, for the summary line: rows graded now, kept from earlier, bad, blank; seconds."""

    total_lines: int = 0
    to_grade: int = 0
    graded: int = 0
    kept: int = 0
    bad: int = 0
    blank: int = 0
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.graded / self.seconds if self.seconds > 0 else 0.0


def run_job(
    plan: InputPlan,
    engine: Engine,
    sink: RowSink,
    *,
    kept: int = 0,
    on_bad_line: Callable[[int, str], None] = lambda line, reason: None,
    on_progress: Callable[[int], None] = lambda done: None,
) -> JobCounts:
    """Grade what the plan has to do on the engine, writing rows to the sink as they come.

    Every line to grade ends as a written row or a bad line; a line delivered twice (a retried batch)
    counts once. Exceptions (an interrupt, a failed write) propagate after the rows delivered so far
    are written."""
    counts = JobCounts(plan.total_lines, plan.todo, kept=kept, blank=plan.blank_lines)
    seen: set[int] = set()
    started = time.perf_counter()

    def deliver(outcomes: Sequence[LineOutcome]) -> None:
        fresh = [outcome for outcome in outcomes if outcome.line not in seen]
        seen.update(outcome.line for outcome in fresh)
        counts.graded += sink.append(fresh)
        for outcome in fresh:
            if outcome.output is None:
                counts.bad += 1
                on_bad_line(outcome.line, outcome.reason or "not graded")
        counts.seconds = time.perf_counter() - started
        on_progress(len(fresh))

    try:
        engine.run(plan, deliver)
    finally:
        counts.seconds = time.perf_counter() - started
    return counts
