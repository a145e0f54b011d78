"""Where `interviewer grade` writes its rows: a resumable output file, or a stream (stdout).

`grade -o OUT` never writes OUT directly. Rows are appended, whole lines at a time, to `OUT.partial`
in the same folder as they are graded (in whatever order the engine finishes them). When every line is
accounted for, the rows are written in input-line order to a temporary file that replaces OUT with
`os.replace`, and `OUT.partial` is removed. So a run that fails or is interrupted leaves the previous OUT
untouched and its progress in `OUT.partial`, and `--resume` picks it up: each output row carries
`source` = {line, hash}, the input line number and the hash of that line's content, and a row of OUT or
`OUT.partial` counts as done when both still match the input. A torn last line (a process killed in the
middle of a write) is cut off when the run resumes. `OUT.partial` is locked while a run writes it, so
two runs cannot write the same output.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from interviewer.errors import InterviewerError
from interviewer.grading.batch import LineOutcome, loads_finite
from interviewer.output_files import commit_file, fsync_folder, replacing, resolve_output, signals_held, write_all

PARTIAL_SUFFIX = ".partial"
COPY_CHUNK = 1 << 20
OUTPUT_FILE, PARTIAL_FILE = 0, 1

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock
    fcntl = None  # type: ignore[assignment]


def partial_path(output: Path) -> Path:
    """The progress file of an output: OUT.partial, next to it."""
    target = resolve_output(output)
    return target.with_name(target.name + PARTIAL_SUFFIX)


def row_source(line_text: bytes) -> tuple[int, str] | None:
    """(line, hash) of an output row written by `grade`, or None for anything else."""
    try:
        row = loads_finite(line_text.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    source = row.get("source") if isinstance(row, dict) else None
    if not isinstance(source, dict):
        return None
    line, key = source.get("line"), source.get("hash")
    if isinstance(line, int) and not isinstance(line, bool) and line > 0 and isinstance(key, str):
        return line, key
    return None


def _complete_lines(descriptor: int) -> Iterable[tuple[int, bytes]]:
    """(offset, line without its newline) for each newline-terminated line of an open file."""
    with open(os.dup(descriptor), "rb") as handle:
        handle.seek(0)
        offset = 0
        for line in handle:
            if not line.endswith(b"\n"):
                return
            yield offset, line[:-1]
            offset += len(line)


@dataclass(frozen=True)
class _Stored:
    """Where a finished row sits: which file, at which offset, how many bytes (with its newline)."""

    file: int
    offset: int
    length: int


class GradedFile:
    """`grade -o OUT`: rows go to OUT.partial as they are graded; `finish` replaces OUT whole."""

    def __init__(self, output: Path, *, resume: bool):
        self.display = output
        self.path = resolve_output(output)
        self.partial = partial_path(output)
        self.resume = resume
        self.discarded_partial = False
        self._descriptor: int | None = None
        self._size = 0
        self._earlier: dict[int, tuple[str, _Stored]] = {}
        self._index: dict[int, _Stored] = {}
        self._partial_lines = 0
        self._partial_ordered = True
        self._last_line = 0

    # ----- opening and resuming ----------------------------------------------------------------
    def open(self) -> dict[int, str]:
        """Create (or with resume, reopen) OUT.partial and lock it; returns line -> hash of rows graded earlier."""
        try:
            descriptor = os.open(self.partial, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise InterviewerError(
                f"{self.display}: cannot write in {self.path.parent}: {exc.strerror or exc}"
            ) from None
        if fcntl is not None:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(descriptor)
                raise InterviewerError(
                    f"{self.display}: another `interviewer grade` is writing this output (it holds {self.partial})"
                ) from None
        self._descriptor = descriptor
        if self.resume:
            self._read_earlier()
        else:
            self.discarded_partial = os.fstat(descriptor).st_size > 0
            os.ftruncate(descriptor, 0)
        os.lseek(descriptor, self._size, os.SEEK_SET)
        return {line: key for line, (key, _) in self._earlier.items()}

    def _read_earlier(self) -> None:
        assert self._descriptor is not None
        if self.path.is_file():
            with open(self.path, "rb") as handle:
                for offset, text in _complete_lines(handle.fileno()):
                    self._remember(OUTPUT_FILE, offset, text)
        end = 0
        for offset, text in _complete_lines(self._descriptor):
            self._remember(PARTIAL_FILE, offset, text)
            end = offset + len(text) + 1
        os.ftruncate(self._descriptor, end)  # a torn last line (a killed write) is cut off
        self._size = end

    def _remember(self, file: int, offset: int, text: bytes) -> None:
        if file == PARTIAL_FILE:
            self._partial_lines += 1
        source = row_source(text)
        if source is not None:
            line, key = source
            self._earlier[line] = (key, _Stored(file, offset, len(text) + 1))

    def keep_earlier(self, lines: Iterable[int]) -> int:
        """Keep the earlier rows of these lines (those that still match the input); returns how many."""
        last_offset = -1
        for line in sorted(lines):
            _, stored = self._earlier[line]
            self._index[line] = stored
            if stored.file == OUTPUT_FILE or stored.offset < last_offset:
                self._partial_ordered = False
            last_offset = stored.offset if stored.file == PARTIAL_FILE else last_offset
            self._last_line = max(self._last_line, line)
        if sum(stored.file == PARTIAL_FILE for stored in self._index.values()) != self._partial_lines:
            self._partial_ordered = False  # OUT.partial holds rows that no longer match the input
        self._earlier = {}
        return len(self._index)

    # ----- writing -----------------------------------------------------------------------------
    def append(self, outcomes: Sequence[LineOutcome]) -> int:
        """Append the graded rows of a batch (each line once) as whole lines; returns how many."""
        assert self._descriptor is not None
        chunks: list[bytes] = []
        for outcome in outcomes:
            if outcome.output is None or outcome.line in self._index:
                continue
            data = (outcome.output + "\n").encode("utf-8")
            self._index[outcome.line] = _Stored(PARTIAL_FILE, self._size + sum(map(len, chunks)), len(data))
            if outcome.line <= self._last_line:
                self._partial_ordered = False
            self._last_line = max(self._last_line, outcome.line)
            chunks.append(data)
        if not chunks:
            return 0
        try:
            write_all(self._descriptor, b"".join(chunks))
        except OSError as exc:
            raise InterviewerError(
                f"{self.partial}: cannot write: {exc.strerror or exc}; the rows graded so far are kept there "
                f"and {self.display} is unchanged: run the same command with --resume to go on"
            ) from None
        self._size += sum(map(len, chunks))
        self._partial_lines += len(chunks)
        return len(chunks)

    @property
    def rows(self) -> int:
        """Rows held so far (kept from earlier runs and graded now)."""
        return len(self._index)

    # ----- finishing ---------------------------------------------------------------------------
    def finish(self) -> None:
        """Replace OUT with every row, in input-line order; OUT.partial is removed."""
        assert self._descriptor is not None
        try:
            if self._partial_ordered:
                commit_file(self._descriptor, self.partial, self.path)
            else:
                self._assemble()
        except OSError as exc:
            raise InterviewerError(
                f"{self.display}: cannot write: {exc.strerror or exc}; the previous file is unchanged and the "
                f"graded rows are kept in {self.partial}: run the same command with --resume to finish"
            ) from None
        if not self._partial_ordered:
            with contextlib.suppress(OSError):
                self.partial.unlink()
                fsync_folder(self.path.parent)
        self._close()

    def _assemble(self) -> None:
        assert self._descriptor is not None
        sources = {PARTIAL_FILE: self._descriptor}
        with contextlib.ExitStack() as stack:
            if any(stored.file == OUTPUT_FILE for stored in self._index.values()):
                sources[OUTPUT_FILE] = stack.enter_context(open(self.path, "rb")).fileno()
            descriptor = stack.enter_context(replacing(self.path))
            buffer = bytearray()
            for line in sorted(self._index):
                stored = self._index[line]
                buffer += os.pread(sources[stored.file], stored.length, stored.offset)
                if len(buffer) >= COPY_CHUNK:
                    write_all(descriptor, bytes(buffer))
                    buffer.clear()
            write_all(descriptor, bytes(buffer))

    def close(self) -> None:
        """Stop without finishing (an error or an interruption): OUT stays as it was; OUT.partial keeps the
        rows graded so far, or is removed when it holds none."""
        if self._descriptor is None:
            return
        self._close()
        if self._size == 0 and self._partial_lines == 0:
            self.partial.unlink(missing_ok=True)

    def _close(self) -> None:
        if self._descriptor is not None:
            with contextlib.suppress(OSError):
                os.close(self._descriptor)
            self._descriptor = None


class StreamedRows:
    """Rows written to a stream (stdout) as they are graded, whole lines at a time."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.rows = 0

    def append(self, outcomes: Sequence[LineOutcome]) -> int:
        text = "".join(outcome.output + "\n" for outcome in outcomes if outcome.output is not None)
        if text:
            with signals_held():
                self.stream.write(text)
                self.stream.flush()
        written = sum(outcome.output is not None for outcome in outcomes)
        self.rows += written
        return written


def describe(sink: Any) -> str:
    """Where rows went, for the summary line."""
    return str(sink.display) if isinstance(sink, GradedFile) else "stdout"
