"""`grade --engine ray` on a local Ray with 2 CPUs: the same rows as the local engine, resume after an
interrupt, and poisoned rows (one that raises, one that kills its worker). Skipped without Ray."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from interviewer.bank.models import Bank
from interviewer.config import load_settings
from interviewer.grading.grade_job import GraderRecipe, run_job, scan_input
from interviewer.grading.graded_output import GradedFile, partial_path
from interviewer.grading.ray_engine import WORKER_DIED, RayEngine
from tests.cli_helpers import CliRun, run_cli
from tests.grading.test_grade_output import ADHOC, answer_rows, strict_rows, write_rows

pytestmark = pytest.mark.usefixtures("use_test_model", "model_for_workers")


@pytest.fixture(scope="module", autouse=True)
def local_ray() -> Iterator[None]:
    """One local Ray with 2 CPUs for the module (the engine joins it instead of starting its own). Ray is imported
    here, not at collection: every test of the module uses the real model, and the fast tier skips them all."""
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.data")
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the poisoned recipes below
    yield
    ray.shutdown()


@pytest.fixture
def model_for_workers(monkeypatch: pytest.MonkeyPatch, embedder: Any) -> None:
    """Workers load the model the test session already extracted (no extraction per test)."""
    monkeypatch.setenv("INTERVIEWER_EMBEDDING__MODEL", embedder.cache_id)


def run_local_with_one_thread(*args: str) -> CliRun:
    """The local engine with one torch thread, as each 1-CPU Ray worker runs (Ray sets OMP_NUM_THREADS to
    its CPUs): the kernels' results change with the thread count (up to 4e-4 of an embedding under bf16 on
    AMX CPUs), so the engines agree to the byte only at the same count."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return run_cli(*args)
    finally:
        torch.set_num_threads(threads)


def mixed_rows(count: int) -> list[Any]:
    """Bank answers, ad-hoc questions, a bad line, a blank line and fields that pass through."""
    rows: list[Any] = answer_rows(count)
    rows.insert(3, "{not json")
    rows.insert(5, "")
    rows.insert(7, {"id": "adhoc-1", **ADHOC, "answer": "Keys and their values, in buckets picked by a hash."})
    rows.insert(9, {"id": "adhoc-2", **ADHOC, "answer": "A list of numbers.", "score": 1, "cohort": "b"})
    rows.append({"id": "no-question", "answer": "orphan"})
    return rows


def test_ray_gives_the_same_rows_as_the_local_engine(tmp_path: Path) -> None:
    source = write_rows(tmp_path / "answers.jsonl", mixed_rows(30))
    local, distributed = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    local_run = run_local_with_one_thread("grade", str(source), "-o", str(local))
    ray_run = run_cli(
        "grade", str(source), "-o", str(distributed), "--engine", "ray", "--workers", "2", "--batch-size", "4"
    )
    assert local_run.exit_code == ray_run.exit_code == 1, ray_run.stderr
    assert distributed.read_bytes() == local.read_bytes()  # every score, verdict, flag and follow-up
    rows = strict_rows(distributed)
    assert [row["source"]["line"] for row in rows] == sorted(row["source"]["line"] for row in rows)
    (adhoc,) = [row for row in rows if row["id"] == "adhoc-2"]
    assert adhoc["cohort"] == "b" and adhoc["input_score"] == 1  # passthrough fields kept
    skipped = sorted(line for line in ray_run.stderr.splitlines() if line.startswith("skipped"))
    assert skipped == sorted(line for line in local_run.stderr.splitlines() if line.startswith("skipped"))
    assert "graded 32 row(s), skipped 2 bad line(s), ignored 1 blank line(s)" in ray_run.stderr
    assert "Ray worker(s), peak memory per worker" in ray_run.stderr


def test_an_interrupted_ray_run_resumes_with_every_row_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write_rows(tmp_path / "answers.jsonl", mixed_rows(20))
    local = tmp_path / "local.jsonl"
    run_local_with_one_thread("grade", str(source), "-o", str(local))
    out = tmp_path / "graded.jsonl"
    real_append = GradedFile.append
    appended = {"batches": 0}

    def append_then_interrupt(self: GradedFile, outcomes: Any) -> int:
        written = real_append(self, outcomes)
        appended["batches"] += 1
        if appended["batches"] == 2:
            raise KeyboardInterrupt
        return written

    with monkeypatch.context() as patch:
        patch.setattr(GradedFile, "append", append_then_interrupt)
        result = run_cli("grade", str(source), "-o", str(out), "--engine", "ray", "--batch-size", "4")
    assert result.exit_code == 130, result.stderr
    assert not out.exists()
    held = strict_rows(partial_path(out))
    assert 0 < len(held) < 22
    result = run_cli("grade", str(source), "-o", str(out), "--engine", "ray", "--batch-size", "4", "--resume")
    assert result.exit_code == 1, result.stderr
    assert f"kept {len(held)} row(s) graded earlier" in result.stderr
    assert out.read_bytes() == local.read_bytes()
    lines = [row["source"]["line"] for row in strict_rows(out)]
    assert len(lines) == len(set(lines)) == 22


@dataclass(frozen=True)
class PoisonedRecipe(GraderRecipe):
    """Builds the real grader, wrapped: an answer with KILL kills the worker process, RAISE raises."""

    def build(self) -> Any:
        return PoisonedGrader(super().build())


class PoisonedGrader:
    def __init__(self, inner: Any):
        self.inner = inner

    def grade_batch(self, items: Any) -> Any:
        for _, answer in items:
            if "KILL" in answer:
                os._exit(3)
            if "RAISE" in answer:
                raise ValueError("cannot grade this one")
        return self.inner.grade_batch(items)


def test_poisoned_rows_are_reported_and_the_rest_graded(tmp_path: Path, bank: Bank) -> None:
    # A batch of 8 holds both: after its worker dies twice, its 8 lines are graded one by one, and the
    # lines next to the killing one must not die with it.
    rows = answer_rows(10)
    rows[2]["answer"] = "RAISE"
    rows[6]["answer"] = "KILL"
    source = write_rows(tmp_path / "answers.jsonl", rows)
    out = tmp_path / "graded.jsonl"
    engine = RayEngine(PoisonedRecipe(load_settings(), "embedding", bank), workers=2, batch_size=8)
    sink = GradedFile(out, resume=False)
    plan = scan_input(source, sink.open(), engine.rows_per_range)
    bad: list[tuple[int, str]] = []
    counts = run_job(plan, engine, sink, on_bad_line=lambda line, reason: bad.append((line, reason)))
    sink.finish()
    assert sorted(bad) == [(3, "grading failed 2 times (ValueError: cannot grade this one)"), (7, WORKER_DIED)]
    assert counts.graded == 8 and counts.bad == 2
    assert [row["id"] for row in strict_rows(out)] == [1, 2, 4, 5, 6, 8, 9, 10]
    assert len(engine.worker_peaks) >= 2  # the worker that died was replaced
    assert all(json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())
