"""Quality check of a question bank for its author: does each reference answer pass its own rubric?

Each question's reference answer is graded against its own key points by the offline grader's
embedding evidence, with the bank as context (so an answer that reads as another question's answer is
flagged off-topic). A question fails when its reference scores below `MIN_REFERENCE_SCORE` or is
flagged off-topic or negating a key point. With the key-point judge, the judge's reading of the
reference is reported as *warnings*: a reference sentence the judge reads as contradicting its own key
point will be flagged the same way in a candidate who says it. That is a judge false alarm more often
than a rubric error (docs/grading.md), so it does not fail the check; reword the key point or the
sentence when the warning points at an ambiguity. The check also names key points that only restate the question,
misconceptions whose wording is too close to a key point, and near-duplicate questions (across
banks too), which fail the bank the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from interviewer.bank.models import Bank, Question
from interviewer.grading.base import Embedder
from interviewer.grading.embedding_grader import EmbeddingGrader
from interviewer.grading.result import FlagCode

MIN_REFERENCE_SCORE = 6.5
"""A reference answer scoring below this against its own rubric fails the check."""
MIN_MEAN_SCORE = 8.5
"""The bank's references must score at least this on average."""
RESTATES_QUESTION = 0.9
"""Cosine from which a key point reads as the question itself, not as something a good answer adds."""
MISCONCEPTION_TOO_CLOSE = 0.95
"""Cosine from which a misconception's claim reads like a key point (the grader could not tell them apart)."""
DUPLICATE_QUESTION = 0.92
"""Cosine from which two questions (any banks) are near-duplicates."""
FAILING_FLAGS = frozenset({FlagCode.OFF_TOPIC, FlagCode.CONTRADICTION, FlagCode.MISCONCEPTION, FlagCode.NEGATION})


@dataclass
class QuestionCheck:
    """The check of one question: its reference's score and flags, and every problem found."""

    question: Question
    score: float
    flags: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """The judge's contradiction or misconception readings of the reference (they do not fail the check)."""

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass
class BankCheck:
    """The check of a whole bank."""

    questions: list[QuestionCheck]
    problems: list[str] = field(default_factory=list)
    """Bank-wide problems (mean score, near-duplicate questions)."""

    @property
    def mean_score(self) -> float:
        return float(np.mean([check.score for check in self.questions])) if self.questions else 0.0

    @property
    def passed(self) -> bool:
        return not self.problems and all(check.passed for check in self.questions)

    def failures(self) -> list[str]:
        """Every problem, one line each, prefixed with the question id where it belongs to one."""
        lines = [f"{check.question.id}: {problem}" for check in self.questions for problem in check.problems]
        return lines + self.problems

    def warnings(self) -> list[str]:
        """Every warning, one line each, prefixed with the question id."""
        return [f"{check.question.id}: {warning}" for check in self.questions for warning in check.warnings]


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def check_bank(
    bank: Bank,
    embedder: Embedder,
    grader: EmbeddingGrader,
    *,
    judged: EmbeddingGrader | None = None,
    others: Sequence[Question] = (),
    min_score: float = MIN_REFERENCE_SCORE,
) -> BankCheck:
    """Grade every reference against its rubric and look for weak rubric text.

    `grader` scores (embedding evidence: pass it without a judge); `judged`, a grader with the judge,
    adds its contradiction readings as warnings. `others` are questions of other banks to look for
    near-duplicates in (e.g. the shipped banks).
    """
    items = [(question, question.reference_answer) for question in bank.questions]
    results = grader.grade_batch(items)
    readings = judged.grade_batch(items) if judged is not None else [None] * len(items)
    checks = []
    for question, result, reading in zip(bank.questions, results, readings, strict=True):
        flags = [flag.code for flag in result.flags]
        check = QuestionCheck(question, result.score, [str(code) for code in flags])
        if result.score < min_score:
            check.problems.append(f"reference answer scores {result.score:.1f} < {min_score:g} against its own rubric")
        for flag in result.flags:
            if flag.code in FAILING_FLAGS:
                check.problems.append(f"reference answer flagged {flag.code}: {flag.message}")
        for flag in reading.flags if reading is not None else []:
            if flag.code in (FlagCode.CONTRADICTION, FlagCode.MISCONCEPTION):
                check.warnings.append(f"the judge reads the reference as {flag.code}: {flag.message}")
        checks.append(check)
    _check_wording(checks, embedder)
    report = BankCheck(checks)
    if checks and report.mean_score < MIN_MEAN_SCORE:
        report.problems.append(f"mean reference score {report.mean_score:.2f} < {MIN_MEAN_SCORE:g}")
    report.problems.extend(near_duplicates(bank.questions, others, embedder))
    return report


def _check_wording(checks: list[QuestionCheck], embedder: Embedder) -> None:
    """Key points that restate the question; misconceptions worded like a key point."""
    texts: list[str] = []
    for check in checks:
        question = check.question
        texts += [
            question.question,
            *(kp.text for kp in question.key_points),
            *(m.claim for m in question.misconceptions),
        ]
    unique = list(dict.fromkeys(texts))
    vectors = dict(zip(unique, _unit(embedder.embed_batch(unique)), strict=True))
    for check in checks:
        question = check.question
        asked = vectors[question.question]
        for key_point in question.key_points:
            similarity = float(vectors[key_point.text] @ asked)
            if similarity >= RESTATES_QUESTION:
                check.problems.append(f"key point {key_point.id!r} restates the question (cosine {similarity:.2f})")
        for misconception in question.misconceptions:
            for key_point in question.key_points:
                similarity = float(vectors[misconception.claim] @ vectors[key_point.text])
                if similarity >= MISCONCEPTION_TOO_CLOSE:
                    check.problems.append(
                        f"misconception {misconception.id!r} reads like key point {key_point.id!r} "
                        f"(cosine {similarity:.2f})"
                    )


def near_duplicates(questions: Sequence[Question], others: Sequence[Question], embedder: Embedder) -> list[str]:
    """Pairs of questions (within `questions`, or against `others`) asked in nearly the same words."""
    own_ids = {question.id for question in questions}
    pool = [*questions, *(question for question in others if question.id not in own_ids)]
    if len(pool) < 2:
        return []
    vectors = _unit(embedder.embed_batch([question.question for question in pool]))
    similarities = vectors[: len(questions)] @ vectors.T
    found = []
    for row, question in enumerate(questions):
        for column in range(len(pool)):
            if column <= row and column < len(questions):
                continue
            if similarities[row, column] >= DUPLICATE_QUESTION:
                other = pool[column]
                found.append(
                    f"questions {question.id} ({question.bank}) and {other.id} ({other.bank}) are near-duplicates "
                    f"(cosine {similarities[row, column]:.2f})"
                )
    return found
