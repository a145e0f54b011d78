"""`grade --engine ray`: Ray Data reads the JSONL, a pool of actors grades batches (optional extra `[ray]`).

Read tasks (pinned to the node of the driver, where the input is) read byte ranges of the file as rows
of (line number, bytes). A fixed pool of `GradeWorker` actors, each with its own grader built once
(model and bank loaded once per actor), turns each batch into one outcome per line through the same
`grade_lines` as the local engine. Outcomes stream back to the driver, which writes them.

Faults: an actor that dies is restarted and its batch retried once. A batch whose actor dies twice is
dropped by Ray Data (`max_errored_blocks`); its lines are then graded again one line per task, so a line
that kills its worker twice more is reported as a bad line ("the worker died …") and every other line of
that batch is graded (one task per actor at a time in that pass, so only the killing line's task dies).
Without `RAY_ADDRESS` a local Ray is started (and stopped) for the run; with it, the run joins that
cluster. Ray is imported only here, and only when the engine runs.
"""

from __future__ import annotations

import contextlib
import logging
import os
import resource
import sys
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from interviewer.errors import InterviewerError
from interviewer.grading.batch import BATCH_SIZE, LineOutcome, grade_lines
from interviewer.grading.grade_job import Deliver, GraderRecipe, InputPlan, LineRange, read_range, single_line_ranges

INSTALL_HINT = "--engine ray needs Ray: pip install 'interviewer[ray]'"
RANGES_PER_BATCH = 8
WORKER_DIED = "grading failed: the worker grading this line died twice (killed, out of memory or crashed)"
HOME_VARIABLE = "INTERVIEWER_HOME"


def require_ray() -> Any:
    """The ray module with Ray Data, or InterviewerError naming the extra to install."""
    try:
        import ray
        import ray.data
    except ImportError:
        raise InterviewerError(INSTALL_HINT) from None
    return ray


def peak_rss_bytes() -> int:
    """Peak resident memory of this process."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


class GradeWorker:
    """One Ray actor: builds the grader once, then grades batches of (line, raw) rows."""

    def __init__(self, recipe: GraderRecipe, home: str | None = None):
        if home:
            os.environ[HOME_VARIABLE] = home
        self.recipe = recipe
        self.grader = recipe.build()
        self.adhoc_cache: dict[tuple[Any, ...], Any] = {}
        self.pid = os.getpid()

    def __call__(self, batch: Any) -> Any:
        import pyarrow as pa

        lines = list(zip(batch.column("line").to_pylist(), batch.column("raw").to_pylist(), strict=True))
        outcomes = grade_lines(
            self.grader,
            lines,
            self.recipe.bank,
            self.adhoc_cache,
            max_key_points=self.recipe.settings.limits.key_points_per_row,
        )
        count = len(outcomes)
        return pa.table(
            {
                "line": pa.array([outcome.line for outcome in outcomes], pa.int64()),
                "output": pa.array([outcome.output for outcome in outcomes], pa.large_string()),
                "reason": pa.array([outcome.reason for outcome in outcomes], pa.string()),
                "pid": pa.array([self.pid] * count, pa.int64()),
                "peak_rss": pa.array([peak_rss_bytes()] * count, pa.int64()),
            }
        )


def _read_blocks(path: str, line_range: LineRange, block_rows: int) -> Iterator[Any]:
    import pyarrow as pa

    lines = read_range(Path(path), line_range)
    for start in range(0, len(lines), block_rows):
        chunk = lines[start : start + block_rows]
        yield pa.table(
            {
                "line": pa.array([number for number, _ in chunk], pa.int64()),
                "raw": pa.array([raw for _, raw in chunk], pa.large_binary()),
            }
        )


def _datasource(path: Path, ranges: list[LineRange], block_rows: int) -> Any:
    from ray.data import Datasource, ReadTask
    from ray.data.block import BlockMetadata

    class JsonlLines(Datasource):
        """Line ranges of one JSONL file as rows (line, raw bytes)."""

        def estimate_inmemory_data_size(self) -> int:
            return sum(line_range.length for line_range in ranges)

        def get_read_tasks(self, parallelism: int, *args: Any, **kwargs: Any) -> list[Any]:
            return [
                ReadTask(
                    partial(_read_blocks, str(path), line_range, block_rows),
                    BlockMetadata(
                        num_rows=line_range.count, size_bytes=line_range.length, exec_stats=None, input_files=None
                    ),
                )
                for line_range in ranges
            ]

    build: Callable[[], Any] = JsonlLines  # Datasource's constructor is not annotated
    return build()


@contextlib.contextmanager
def _data_context(preserve_order: bool) -> Iterator[None]:
    from ray.data import DataContext

    context = DataContext.get_current()
    saved: dict[str, Any] = {
        "enable_progress_bars": context.enable_progress_bars,
        "max_errored_blocks": context.max_errored_blocks,
        "preserve_order": context.execution_options.preserve_order,
    }
    context.enable_progress_bars = False
    context.max_errored_blocks = -1
    context.execution_options.preserve_order = preserve_order
    loggers = {name: logging.getLogger(name) for name in ("ray", "ray.data")}
    levels = {name: logger.level for name, logger in loggers.items()}
    for logger in loggers.values():
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        context.enable_progress_bars = saved["enable_progress_bars"]
        context.max_errored_blocks = saved["max_errored_blocks"]
        context.execution_options.preserve_order = saved["preserve_order"]
        for name, logger in loggers.items():
            logger.setLevel(levels[name])


class RayEngine:
    """Grades on a pool of Ray actors; without RAY_ADDRESS on a local Ray started for the run."""

    name = "ray"

    def __init__(self, recipe: GraderRecipe, *, workers: int | None = None, batch_size: int = BATCH_SIZE):
        self.recipe = recipe
        self.workers = workers
        self.batch_size = batch_size
        self.rows_per_range = batch_size * RANGES_PER_BATCH
        self.worker_peaks: dict[int, int] = {}
        self.used_workers = 0

    def run(self, plan: InputPlan, deliver: Deliver) -> None:
        ray = require_ray()
        started_here = self._connect(ray)
        try:
            with contextlib.redirect_stdout(sys.stderr), _data_context(preserve_order=False):
                self._run(ray, plan, deliver)
        finally:
            if started_here:
                with contextlib.suppress(Exception):
                    ray.shutdown()

    def _connect(self, ray: Any) -> bool:
        """Join RAY_ADDRESS, or start a local Ray; False when Ray was already initialised (it stays up)."""
        if ray.is_initialized():
            return False
        address = os.environ.get("RAY_ADDRESS")
        options: dict[str, Any] = {"include_dashboard": False, "logging_level": logging.ERROR, "log_to_driver": False}
        try:
            with contextlib.redirect_stdout(sys.stderr):
                if address:
                    ray.init(address=address, **options)
                else:
                    cpus = max(os.cpu_count() or 1, self.workers or 0)
                    ray.init(address="local", num_cpus=cpus, **options)
        except Exception as exc:  # noqa: BLE001 - any start/connect failure is one line for the user
            where = f"the Ray cluster at RAY_ADDRESS={address}" if address else "a local Ray"
            raise InterviewerError(f"cannot start or join {where}: {type(exc).__name__}: {exc}") from None
        return True

    def _pool_size(self, ray: Any) -> int:
        if self.workers:
            return self.workers
        return max(1, int(ray.cluster_resources().get("CPU", 1)))

    def _run(self, ray: Any, plan: InputPlan, deliver: Deliver) -> None:
        if not plan.ranges:
            return
        self.used_workers = self._pool_size(ray)
        received = self._pass(ray, plan.path, plan.ranges, self.batch_size, deliver)
        expected = {line for line_range in plan.ranges for line in line_range.lines()}
        missing = expected - received
        if missing:  # batches whose worker died twice: each line alone, to find the one that kills it
            received |= self._pass(ray, plan.path, single_line_ranges(plan.path, missing), 1, deliver, alone=True)
            lost = sorted(missing - received)
            if lost:
                deliver([LineOutcome(line, reason=WORKER_DIED) for line in lost])

    def _pass(
        self, ray: Any, path: Path, ranges: list[LineRange], batch_size: int, deliver: Deliver, *, alone: bool = False
    ) -> set[int]:
        """One Ray Data pass over `ranges`; the lines whose outcome came back. `alone`: one task in flight per
        actor, so a line that kills its worker takes down no other line's task (with tasks queued on that
        actor, a good line could fail twice with it and be reported as a bad line)."""
        from ray.data import ActorPoolStrategy
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        here = NodeAffinitySchedulingStrategy(node_id=ray.get_runtime_context().get_node_id(), soft=False)
        dataset = ray.data.read_datasource(
            _datasource(path, ranges, batch_size),
            ray_remote_args={"num_cpus": 0, "scheduling_strategy": here},
        )
        home = os.environ.get(HOME_VARIABLE)
        blocks = sum(-(-line_range.count // batch_size) for line_range in ranges)
        graded = dataset.map_batches(
            GradeWorker,
            fn_constructor_kwargs={"recipe": self.recipe, "home": home},
            batch_size=batch_size,
            batch_format="pyarrow",
            compute=ActorPoolStrategy(
                size=min(self.used_workers, max(1, blocks)), max_tasks_in_flight_per_actor=1 if alone else None
            ),
            num_cpus=1,
            max_restarts=-1,
            max_task_retries=1,
        )
        received: set[int] = set()
        batches = iter(graded.iter_batches(batch_size=None, batch_format="pyarrow"))
        try:
            self._consume(batches, received, deliver)
        finally:  # stops the pipeline (and its actors) when the driver stops early
            close = getattr(batches, "close", None)
            if close is not None:
                close()
        return received

    def _consume(self, batches: Iterator[Any], received: set[int], deliver: Deliver) -> None:
        for batch in batches:
            lines = batch.column("line").to_pylist()
            outputs = batch.column("output").to_pylist()
            reasons = batch.column("reason").to_pylist()
            for pid, peak in zip(batch.column("pid").to_pylist(), batch.column("peak_rss").to_pylist(), strict=True):
                self.worker_peaks[pid] = max(self.worker_peaks.get(pid, 0), peak)
            received.update(lines)
            deliver(
                [
                    LineOutcome(line, output=output, reason=reason)
                    for line, output, reason in zip(lines, outputs, reasons, strict=True)
                ]
            )
