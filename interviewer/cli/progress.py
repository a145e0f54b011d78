"""Progress of long gradings on stderr: rows done, rows/s and the time left.

On a terminal, a bar that updates in place; otherwise (a log file, a cluster job) one plain line every
PLAIN_INTERVAL seconds. Short inputs (fewer than PROGRESS_MIN_ROWS rows) show nothing.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn
from rich.text import Text

PROGRESS_MIN_ROWS = 200
PLAIN_INTERVAL = 30.0


class RowsPerSecondColumn(ProgressColumn):
    """The current rate in rows/s (rich's estimate over the last 30 s)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("… rows/s" if speed is None else f"{speed:,.1f} rows/s", style="progress.data.speed")


def format_duration(seconds: float) -> str:
    """1:02:03 / 4:05 style."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class PlainProgress:
    """A line every `interval` seconds: `grading: 4,096/20,000 rows (20%), 152.3 rows/s, ETA 1:31`.

    The rate is measured from the first finished rows (model loading and start-up are not counted)."""

    def __init__(
        self,
        total: int,
        label: str,
        write: Callable[[str], None],
        *,
        interval: float = PLAIN_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.total = total
        self.label = label
        self.write = write
        self.interval = interval
        self.clock = clock
        self.done = 0
        self._first: tuple[float, int] | None = None
        self._last_line = clock()

    def advance(self, rows: int) -> None:
        now = self.clock()
        if self._first is None and rows:
            self._first = (now, self.done + rows)  # the rate counts from the end of the first batch
        self.done += rows
        if now - self._last_line >= self.interval:
            self._last_line = now
            self.write(self.line(now))

    def line(self, now: float) -> str:
        share = self.done / self.total if self.total else 1.0
        text = f"{self.label}: {self.done:,}/{self.total:,} rows ({share:.0%})"
        if self._first is None:
            return text
        started, rows_then = self._first
        elapsed = now - started
        rate = (self.done - rows_then) / elapsed if elapsed > 0 else 0.0
        if rate <= 0:
            return text
        return f"{text}, {rate:,.1f} rows/s, ETA {format_duration((self.total - self.done) / rate)}"


@contextlib.contextmanager
def row_progress(console: Console, total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A function to call with the number of rows just finished; shows progress when total is large."""
    if total < PROGRESS_MIN_ROWS:
        yield lambda rows: None
        return
    if not console.is_terminal:
        plain = PlainProgress(total, label, lambda line: console.print(line, highlight=False, soft_wrap=True))
        yield plain.advance
        return
    progress = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        RowsPerSecondColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    with progress:
        task = progress.add_task(label, total=total)
        yield lambda rows: progress.advance(task, rows)
