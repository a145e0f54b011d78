"""How the grader treats answers of five kinds: terse, enumeration, paraphrase, contradiction, half right.

Reads answer sets written for the shipped questions (`benchmarks/answer_sets/*.jsonl`: one row per
answer with `question_id`, `kind`, `answer`, `contradicts`, `strict_grade`, and for wrong answers either
`error`, the wrong sentence as the answer says it (deep-learning set), or `correction`, the right statement
the answer gets wrong (curriculum set); the benchmark reads neither) and reports per kind the
mean score, the share of answers showing a contradiction signal (a `contradicted` verdict or a
`contradiction`/`misconception` flag), for wrong answers the share caught on a key point they get wrong
(`on key`: a signal can sit on the wrong key point), and the targets of issue 9:

- fluent contradictions average <= 3/10 and >= 70 % show a signal;
- correct answers (terse, enumeration, paraphrase) show a signal on <= 15 %;
- paraphrases average >= 7.5;
- half-right answers are caught (a signal) on >= 50 %.

Five groups of sets, reported apart: the *development* sets (`benchmarks/answer_sets/*.jsonl`, written by the
project, which chose the grader's thresholds on them), the *independent* set
(`benchmarks/answer_sets/independent/*.jsonl`: 40 other questions, answers written by four writers who saw only
each question's rubric, in four voices, reviewed by a fifth; it measures how far the development figures carry
to answers the grader was not tuned on, and has since informed five decisions), the *second independent* set
(`benchmarks/answer_sets/independent-2/*.jsonl`: 40 further questions, four new writers and voices, written when
the first had been read too often; it has since informed one decision), and the *third independent* set
(`benchmarks/answer_sets/independent-3/*.jsonl`: 35 further questions, four more writers and voices, written when
the second had informed a decision; measured once blind, then informed one decision), and the *fourth
independent* set (`benchmarks/answer_sets/independent-4/*.jsonl`: the last 28 shipped questions no set had, four
more writers and voices, written when the third had informed a decision).

Two kinds are generated from the bank for every question of the sets, so they need no writing:
`reference` (the question's own reference answer: it should score high with no signal, a measure of
false alarms on correct text) and `other_question` (the reference answer of another question of the
same bank and another topic: an answer to the wrong question should score near zero). Pearson is
computed over the written rows only.

    python benchmarks/answer_sets_benchmark.py [--no-judge] [--json] [--details] [--set PATH ...]

With `--set`, the given sets are one group.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

from scipy.stats import pearsonr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interviewer.bank import load_bank  # noqa: E402
from interviewer.grading.result import FlagCode, GradeResult  # noqa: E402

DEVELOPMENT_SETS = sorted((ROOT / "benchmarks" / "answer_sets").glob("*.jsonl"))
INDEPENDENT_SETS = sorted((ROOT / "benchmarks" / "answer_sets" / "independent").glob("*.jsonl"))
SECOND_INDEPENDENT_SETS = sorted((ROOT / "benchmarks" / "answer_sets" / "independent-2").glob("*.jsonl"))
THIRD_INDEPENDENT_SETS = sorted((ROOT / "benchmarks" / "answer_sets" / "independent-3").glob("*.jsonl"))
FOURTH_INDEPENDENT_SETS = sorted((ROOT / "benchmarks" / "answer_sets" / "independent-4").glob("*.jsonl"))
CORRECT_KINDS = ("terse", "enumeration", "paraphrase")
KINDS = (*CORRECT_KINDS, "contradiction", "half_right", "reference", "other_question")
GENERATED_KINDS = ("reference", "other_question")


def generated_rows(rows: list[dict], bank) -> list[dict]:
    """For each question of the sets: its own reference (strict 10) and another question's (strict 0)."""
    generated = []
    for question_id in dict.fromkeys(row["question_id"] for row in rows):
        question = bank.get(question_id)
        generated.append(
            {"question_id": question_id, "kind": "reference", "answer": question.reference_answer, "strict_grade": 10}
        )
        others = [other for other in bank.questions if other.bank == question.bank and other.topic != question.topic]
        if others:
            other = others[sum(map(ord, question_id)) % len(others)]  # deterministic, spread over the bank
            generated.append(
                {
                    "question_id": question_id,
                    "kind": "other_question",
                    "answer": other.reference_answer,
                    "strict_grade": 0,
                    "answered": other.id,
                }
            )
    return generated


def has_signal(result: GradeResult) -> bool:
    """A contradicted verdict, or a contradiction or misconception flag."""
    return bool(result.verdicts("contradicted")) or any(
        flag.code in (FlagCode.CONTRADICTION, FlagCode.MISCONCEPTION) for flag in result.flags
    )


def on_target(row: dict, result: GradeResult) -> bool:
    """A contradicted verdict on a key point the answer gets wrong (the row's `contradicts`): caught where it is
    wrong, not only somewhere (a misconception flag always comes with its key point's contradicted verdict)."""
    wrong = set(row.get("contradicts") or ())
    return any(verdict.key_point_id in wrong for verdict in result.verdicts("contradicted"))


def evaluate(rows: list[dict], results: list[GradeResult]) -> dict:
    by_kind: dict[str, list[tuple[dict, GradeResult]]] = defaultdict(list)
    for row, result in zip(rows, results, strict=True):
        by_kind[row["kind"]].append((row, result))
    report: dict = {"kinds": {}}
    for kind in KINDS:
        pairs = by_kind.get(kind, [])
        if not pairs:
            continue
        scores = [result.score for _, result in pairs]
        report["kinds"][kind] = {
            "n": len(pairs),
            "mean_score": round(statistics.fmean(scores), 2),
            "signal_share": round(sum(has_signal(result) for _, result in pairs) / len(pairs), 3),
            "mean_strict_grade": round(statistics.fmean(row["strict_grade"] for row, _ in pairs), 2),
        }
        if any(row.get("contradicts") for row, _ in pairs):
            report["kinds"][kind]["on_target_share"] = round(
                sum(on_target(row, result) for row, result in pairs) / len(pairs), 3
            )
    correct = [result for kind in CORRECT_KINDS for _, result in by_kind.get(kind, [])]
    kinds = report["kinds"]
    report["correct_signal_share"] = round(sum(map(has_signal, correct)) / len(correct), 3) if correct else None
    report["targets"] = {
        "contradiction mean <= 3": kinds.get("contradiction", {}).get("mean_score", 99) <= 3,
        "contradiction signal >= 70 %": kinds.get("contradiction", {}).get("signal_share", 0) >= 0.7,
        "correct answers signal <= 15 %": (report["correct_signal_share"] or 0) <= 0.15,
        "paraphrase mean >= 7.5": kinds.get("paraphrase", {}).get("mean_score", 0) >= 7.5,
        "half right caught >= 50 %": kinds.get("half_right", {}).get("signal_share", 0) >= 0.5,
    }
    other = [result.score for row, result in zip(rows, results, strict=True) if row["kind"] == "other_question"]
    if other:
        report["other_question_above_3"] = round(sum(score > 3 for score in other) / len(other), 3)
    written = [(row, result) for row, result in zip(rows, results, strict=True) if row["kind"] not in GENERATED_KINDS]
    strict = [row["strict_grade"] for row, _ in written]
    report["pearson_with_strict_grade"] = round(float(pearsonr([r.score for _, r in written], strict)[0]), 3)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="sets", type=Path, action="append", help="answer set JSONL (default: all)")
    parser.add_argument("--no-judge", action="store_true", help="embedding evidence only (the ablation)")
    parser.add_argument("--bank", type=Path, default=None, help="bank folder (default: every shipped bank)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--details", action="store_true", help="print every answer's score and signals")
    args = parser.parse_args()

    from interviewer.grading.embedding import load_embedder
    from interviewer.grading.embedding_grader import EmbeddingGrader
    from interviewer.grading.judge import load_judge

    bank = load_bank(args.bank)
    embedder = load_embedder()
    grader = EmbeddingGrader(embedder, bank=bank, judge=None if args.no_judge else load_judge(embedder))
    groups = (
        {"given sets": args.sets}
        if args.sets
        else {
            "development sets": DEVELOPMENT_SETS,
            "independent set": INDEPENDENT_SETS,
            "second independent set": SECOND_INDEPENDENT_SETS,
            "third independent set": THIRD_INDEPENDENT_SETS,
            "fourth independent set": FOURTH_INDEPENDENT_SETS,
        }
    )
    rows_of: dict[str, list[dict]] = {}
    for name, paths in groups.items():
        rows = [json.loads(line) for path in paths for line in path.read_text().splitlines() if line]
        rows = [row for row in rows if row["question_id"] in bank]
        if rows:
            rows_of[name] = rows + generated_rows(rows, bank)
    every_row = [row for rows in rows_of.values() for row in rows]
    # one batch: a grade does not depend on the rest of its batch (tests/grading/test_batch_independence.py)
    every_result = iter(grader.grade_batch([(bank.get(row["question_id"]), row["answer"]) for row in every_row]))
    results_of = {name: [next(every_result) for _ in rows] for name, rows in rows_of.items()}
    reports = {name: evaluate(rows, results_of[name]) for name, rows in rows_of.items()}
    if args.details:
        for name, rows in rows_of.items():
            for row, result in zip(rows, results_of[name], strict=True):
                marks = "".join(
                    {"covered": "✓", "partial": "~", "missed": "✗", "contradicted": "!"}[v.verdict]
                    for v in result.key_points
                )
                print(
                    f"{row['question_id']:>7} {row['kind']:<13} {result.score:5.2f} {marks:<9} "
                    f"{'SIGNAL' if has_signal(result) else ''}"
                )
    if args.json:
        print(json.dumps(reports, indent=2))
        return
    for name, report in reports.items():
        print(f"\n{name} ({sum(numbers['n'] for numbers in report['kinds'].values())} rows)")
        print_report(report)


def print_report(report: dict) -> None:
    print(f"{'kind':<14}{'n':>4}{'mean':>7}{'signal':>8}{'on key':>8}{'strict':>8}")
    for kind, numbers in report["kinds"].items():
        target = f"{numbers['on_target_share']:>8.0%}" if "on_target_share" in numbers else f"{'':>8}"
        print(
            f"{kind:<14}{numbers['n']:>4}{numbers['mean_score']:>7.2f}{numbers['signal_share']:>8.0%}{target}"
            f"{numbers['mean_strict_grade']:>8.2f}"
        )
    print("on key: a contradicted verdict on a key point the answer gets wrong (its row's `contradicts`)")
    print(f"correct answers with a signal: {report['correct_signal_share']:.0%}")
    if "other_question_above_3" in report:
        print(f"answers to another question scoring above 3: {report['other_question_above_3']:.0%}")
    print(f"Pearson with the strict grades: {report['pearson_with_strict_grade']}")
    for target, met in report["targets"].items():
        print(f"  {'met ' if met else 'MISS'}  {target}")


if __name__ == "__main__":
    main()
