"""Label-free calibration check on the interview bank: does the score match the displayed verdicts?

    python benchmarks/grading_calibration.py [BANK_DIR]

For every bank question it grades answers made of k of its n key points (every run of k consecutive
key points, wrapping around, for k = 1..n), once verbatim and once paraphrased (each key point's first
rubric alternative, its text when it has none), plus the reference answer and another question's
reference. It prints the mean score by fraction of key points stated, and how far scores are from the
score the verdicts imply (covered 1, partial 1/2, missed 0, weighted by the rubric weights). No labels.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from interviewer.bank import load_bank
from interviewer.bank.models import Bank, Question
from interviewer.grading.embedding_grader import EmbeddingGrader
from interviewer.grading.llm.evidence import verdict_score
from interviewer.grading.result import GradeResult
from interviewer.grading.scoring import ScoringOptions

BUCKETS = (
    (0.0, 0.0, "another question's reference"),
    (0.01, 0.25, "≤ 1/4 of the key points"),
    (0.25, 0.5, "1/4 – 1/2"),
    (0.5, 0.75, "1/2 – 3/4"),
    (0.75, 0.99, "3/4 – all but one"),
    (1.0, 1.0, "all key points"),
)


@dataclass(frozen=True)
class CalibrationAnswer:
    """A constructed answer to a bank question and the share of the key-point weight it states."""

    question: Question
    answer: str
    stated_share: float
    kind: str  # verbatim, paraphrased, reference, other


def calibration_answers(bank: Bank) -> list[CalibrationAnswer]:
    """k-of-n key-point answers (verbatim and paraphrased), the reference and another question's reference."""
    questions = bank.questions
    answers = []
    for position, question in enumerate(questions):
        points = question.key_points
        total = sum(point.weight for point in points)
        for k in range(1, len(points) + 1):
            for start in range(len(points)):
                chosen = [points[(start + offset) % len(points)] for offset in range(k)]
                share = sum(point.weight for point in chosen) / total if k < len(points) else 1.0
                answers.append(CalibrationAnswer(question, " ".join(p.text for p in chosen), share, "verbatim"))
                paraphrase = " ".join(
                    (p.alternatives[0] if p.alternatives else p.text).rstrip(".") + "." for p in chosen
                )
                answers.append(CalibrationAnswer(question, paraphrase, share, "paraphrased"))
                if k == len(points):
                    break  # every rotation of all key points is the same answer
        answers.append(CalibrationAnswer(question, question.reference_answer, 1.0, "reference"))
        other = questions[(position + len(questions) // 2) % len(questions)]
        answers.append(CalibrationAnswer(question, other.reference_answer, 0.0, "other"))
    return answers


def grade_all(grader: EmbeddingGrader, answers: Sequence[CalibrationAnswer]) -> list[GradeResult]:
    results: list[GradeResult] = []
    for start in range(0, len(answers), 128):
        chunk = answers[start : start + 128]
        results.extend(grader.grade_batch([(item.question, item.answer) for item in chunk]))
    return results


def summary(answers: Sequence[CalibrationAnswer], results: Sequence[GradeResult]) -> dict[str, float]:
    """Mean score per bucket and kind, and the gap between scores and the verdict-implied scores."""
    by_row: dict[str, list[float]] = defaultdict(list)
    gaps = []
    for item, result in zip(answers, results, strict=True):
        implied = verdict_score(result.key_points)
        gaps.append(result.score - implied)
        label = "the reference answer" if item.kind == "reference" else bucket_label(item)
        by_row[label].append(result.score)
        by_row[f"{label} / stated"].append(10.0 * item.stated_share)
        by_row[f"{label} / verdicts"].append(implied)
    out = {label: float(np.mean(scores)) for label, scores in by_row.items()}
    out["mean |score − verdict score|"] = float(np.mean(np.abs(gaps)))
    out["mean score − verdict score"] = float(np.mean(gaps))
    out["share within ±1.5 of verdict score"] = float(np.mean(np.abs(gaps) <= 1.5))
    return out


def bucket_label(item: CalibrationAnswer) -> str:
    for low, high, label in BUCKETS:
        if low <= round(item.stated_share, 4) <= high:
            return f"{label} ({item.kind})" if item.kind != "other" else label
    raise ValueError(item.stated_share)


def row_order() -> list[str]:
    labels = ["the reference answer"]
    for _, _, label in reversed(BUCKETS[1:]):
        labels += [f"{label} (verbatim)", f"{label} (paraphrased)"]
    return [*labels, BUCKETS[0][2]]


VARIANTS = (
    ("coverage as is, reference uncapped", ScoringOptions(verdict_credit=False, reference_cap=False)),
    ("verdict credit, reference uncapped", ScoringOptions(reference_cap=False)),
    ("coverage as is, reference capped", ScoringOptions(verdict_credit=False)),
    ("**shipped**: verdict credit, reference capped", ScoringOptions()),
)


def main() -> None:
    from interviewer.grading.embedding import load_embedder

    bank = load_bank(Path(sys.argv[1])) if len(sys.argv) > 1 else load_bank()
    embedder = load_embedder()
    answers = calibration_answers(bank)
    columns = [
        summary(answers, grade_all(EmbeddingGrader(embedder, bank=bank, options=options), answers))
        for _, options in VARIANTS
    ]
    print(f"Bank {bank.name}: {len(bank.questions)} questions, {len(answers)} answers\n")
    shipped = columns[-1]
    print(
        "| answer | share stated × 10 | verdict score (shipped) | " + " | ".join(label for label, _ in VARIANTS) + " |"
    )
    print("|---" * (len(VARIANTS) + 3) + "|")
    for label in row_order():
        if label in shipped:
            known = f"{shipped[label + ' / stated']:.2f} | {shipped[label + ' / verdicts']:.2f}"
            print(f"| {label} | {known} | " + " | ".join(f"{stats[label]:.2f}" for stats in columns) + " |")
    for label in ("mean |score − verdict score|", "mean score − verdict score"):
        print(f"| {label} | | | " + " | ".join(f"{stats[label]:.2f}" for stats in columns) + " |")
    label = "share within ±1.5 of verdict score"
    print(f"| {label} | | | " + " | ".join(f"{stats[label]:.0%}" for stats in columns) + " |")


if __name__ == "__main__":
    main()
