"""`bank check`: every shipped reference answer passes its own rubric; a broken rubric is caught."""

from __future__ import annotations

import pytest

from interviewer.bank.catalog import resolve_bank
from interviewer.grading.bank_check import MIN_MEAN_SCORE, MIN_REFERENCE_SCORE, check_bank
from interviewer.grading.embedding_grader import EmbeddingGrader
from interviewer.grading.judge import load_judge


@pytest.mark.model
def test_every_shipped_bank_passes_its_own_check(embedder) -> None:
    bank = resolve_bank(None)
    judged = EmbeddingGrader(embedder, bank=bank, judge=load_judge(embedder))
    report = check_bank(bank, embedder, EmbeddingGrader(embedder, bank=bank), judged=judged)
    assert report.failures() == []
    # The judge's false alarms on correct references are warnings, counted in docs/grading.md; they must
    # stay a minority (measured: 39 of 210 references with the judge alone, 55 with known wrong statements, 2 since
    # the judge's reading alone no longer decides where known statements exist).
    assert len({line.split(":")[0] for line in report.warnings()}) <= 0.3 * len(bank.questions)
    assert report.mean_score >= MIN_MEAN_SCORE
    assert min(check.score for check in report.questions) >= MIN_REFERENCE_SCORE
    assert not any("off_topic" in check.flags for check in report.questions)


@pytest.mark.model
def test_a_reference_that_misses_its_key_points_fails(embedder) -> None:
    bank = resolve_bank("deep-learning")
    first = bank.questions[0]
    broken = first.model_copy(update={"reference_answer": bank.questions[-1].reference_answer})
    weak = bank.model_copy(update={"questions": [broken, *bank.questions[1:3]]})
    report = check_bank(weak, embedder, EmbeddingGrader(embedder, bank=weak))
    assert not report.passed
    assert any(line.startswith(f"{first.id}:") for line in report.failures())
