"""The issue's done-when, end to end on the real model: two practice sessions graded by the
EmbeddingGrader through PracticeSession, then history, progress, every report format and review order."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from interviewer.bank import load_bank
from interviewer.bank.catalog import resolve_bank
from interviewer.grading.embedding_grader import EmbeddingGrader
from interviewer.practice import PracticeSession, review_cards_of, review_question_ids
from interviewer.reports.models import SessionReport
from interviewer.store import SessionStore, Submission
from tests.cli_helpers import run_cli

FIRST_ANSWERS = {
    "1.1": "A neural network is layers of neurons. Each neuron takes a weighted sum of inputs plus bias and applies "
    "an activation. It learns by gradient descent.",
    "4.2": "Dropout randomly sets activations to zero during training.",
    "5.1": None,  # skipped
}
SECOND_ANSWERS = {
    "4.2": "During training dropout randomly zeroes each activation with probability p, so neurons cannot co-adapt; "
    "it acts like an ensemble of thinned subnetworks and the noise regularizes. At inference dropout is off "
    "(model.eval()) and outputs are scaled, or inverted dropout scales during training.",
}


def _run_session(store: SessionStore, grader: EmbeddingGrader, answers: dict[str, str | None], mode: str) -> int:
    bank = grader.bank
    questions = [bank.get(question_id) for question_id in answers]
    session = PracticeSession.start(store, bank, questions, grader="embedding", mode=mode)
    for question in questions:
        text = answers[question.id]
        if text is None:
            session.submit(Submission(question, "", skipped=True))
        else:
            session.answer(Submission(question, text, seconds_taken=30), grader)
    session.finish()
    return session.id


@pytest.fixture
def two_sessions(embedder, isolated_environment: Path) -> tuple[int, int]:
    grader = EmbeddingGrader(embedder, load_bank(None))
    with SessionStore.open() as store:
        first = _run_session(store, grader, FIRST_ANSWERS, "practice")
        due = review_question_ids(store, grader.bank, now=datetime.now(UTC) + timedelta(minutes=5))
        assert set(due) >= {"4.2", "5.1"}  # the weak and the skipped question come back
        alone = review_question_ids(store, resolve_bank("deep-learning"), now=datetime.now(UTC) + timedelta(minutes=5))
        assert set(alone) >= {"4.2", "5.1"}  # practised under `all`, due when reviewing their bank alone
        second = _run_session(store, grader, SECOND_ANSWERS, "review")
    return first, second


def test_two_sessions_show_in_history_progress_reports_and_review(
    two_sessions: tuple[int, int], tmp_path: Path
) -> None:
    first, second = two_sessions
    rows = json.loads(run_cli("history", "--json").stdout)
    assert [row["session_id"] for row in rows] == [second, first]
    assert rows[1]["asked_questions"] == 3 and rows[0]["mode"] == "review"
    assert all(row["mean_score"] is not None for row in rows)

    progress = json.loads(run_cli("progress", "--json").stdout)
    regularization = next(topic for topic in progress["topics"] if topic["topic"] == "Regularization")
    assert [point["session_id"] for point in regularization["points"]] == [first, second]
    assert regularization["points"][1]["mean_score"] > regularization["points"][0]["mean_score"]

    for fmt in ("md", "html", "json"):
        output = tmp_path / f"second.{fmt}"
        assert run_cli("report", str(second), "-f", fmt, "-o", str(output)).exit_code == 0
    report = SessionReport.model_validate_json((tmp_path / "second.json").read_text(encoding="utf-8"))
    assert [point.session_id for point in report.history] == [first, second]
    [dropout] = report.questions
    assert dropout.score is not None and any(kp.evidence_start is not None for kp in dropout.key_points)
    html = (tmp_path / "second.html").read_text(encoding="utf-8")
    assert "<mark class=" in html and dropout.question_text in html
    first_md = run_cli("report", str(first)).stdout
    assert "_Skipped._" in first_md and "What is a neural network" in first_md

    # Review: 5.1 was skipped and never answered, so it is still due; 4.2's key points covered in the
    # review session moved out by days.
    with SessionStore.open() as store:
        later = datetime.now(UTC) + timedelta(minutes=5)
        deep_learning = resolve_bank("deep-learning")
        assert "5.1" in review_question_ids(store, deep_learning, now=later)  # practised under `all`: due alone
        assert "5.1" in review_question_ids(store, load_bank(None), now=later)  # and when reviewing `all`
        covered_now = [
            card
            for card in review_cards_of(store, load_bank(None))  # keyed under the question's own bank
            if card.bank == "deep-learning" and card.question_id == "4.2" and card.last_verdict == "covered"
        ]
        assert covered_now and all(card.due > later + timedelta(hours=12) for card in covered_now)
