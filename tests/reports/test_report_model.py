"""build_report: scores, structure, evidence offsets, history; JSON Schema drift."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from interviewer.reports import build_report, render_json
from interviewer.reports.build import locate_evidence
from interviewer.reports.models import SCHEMA_FILE, SessionReport
from interviewer.store import SessionStore
from tests.reports.sample import LONG_ANSWER, SampleSessions


def test_report_of_the_rich_session(store: SessionStore, sample: SampleSessions) -> None:
    report = build_report(store, sample.second_id)
    session = report.session
    assert (len(session.question_ids), session.answered, session.skipped, session.follow_ups_answered) == (7, 6, 1, 1)
    assert session.ungraded == 0 and session.seconds_used == 31
    # Main questions: 1.1 6.2, 2.1 7.5, 2.2 5, 3.1 5, 4.1 5, 4.2 0, 5.1 skipped = 0.
    assert report.overall_score == pytest.approx((6.2 + 7.5 + 5 + 5 + 5 + 0 + 0) / 7)
    topics = {topic.topic: topic for topic in report.topics}
    assert topics["Backpropagation"].mean_score == 6.25 and topics["Backpropagation"].questions == 2
    assert topics["Optimization"].mean_score == 0 and topics["Optimization"].questions == 1
    assert next(iter(topics)) == "Neural Network Basics"

    [relu, *_rest] = report.questions
    assert [question.question_id for question in report.questions] == ["1.1", "2.1", "2.2", "3.1", "4.1", "4.2", "5.1"]
    assert len(relu.follow_up_answers) == 1 and relu.follow_up_answers[0].follow_up is not None
    layers = relu.key_points[0]
    assert relu.answer[layers.evidence_start : layers.evidence_end] == "stacks layers of neurons"
    assert relu.key_points[3].verdict == "missed" and relu.key_points[3].evidence_start is None

    skipped = report.questions[-1]
    assert skipped.skipped and skipped.score is None and skipped.key_points == []
    fallback = report.questions[2]
    assert [flag.code.value for flag in fallback.flags] == ["llm_unavailable"]
    assert report.flag_counts == {"empty": 1, "keyword_stuffing": 1, "llm_unavailable": 1}
    assert len(report.questions[4].answer) == len(LONG_ANSWER) == 100_000

    # The follow-up covered "loss", so it is not among the weakest; missed come before partial.
    weakest = [(point.question_id, point.key_point_id, point.verdict) for point in report.weakest_key_points]
    assert ("1.1", "loss", "missed") not in weakest and ("1.1", "learned", "partial") in weakest
    verdicts = [verdict for *_ids, verdict in weakest]
    assert verdicts == sorted(verdicts, key=lambda verdict: verdict != "missed")

    assert [point.session_id for point in report.history] == [sample.first_id, sample.second_id]
    first_report = build_report(store, sample.first_id)
    assert [point.session_id for point in first_report.history] == [sample.first_id]


def test_json_validates_against_the_schema_and_round_trips(store: SessionStore, sample: SampleSessions) -> None:
    report = build_report(store, sample.second_id)
    text = render_json(report)
    data = json.loads(text)
    validator = Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    assert list(validator.iter_errors(data)) == []
    assert SessionReport.model_validate_json(text) == report
    assert "反向传播" in text and "<script>" in text  # JSON keeps the text verbatim; escaping is the viewer's job


def test_report_of_a_session_without_answers(store: SessionStore) -> None:
    session = store.start_session(bank="b", grader="embedding", question_ids=["1"], topics=[])
    report = build_report(store, session.id)
    assert report.overall_score is None and report.questions == [] and report.history == []


def test_locate_evidence_tolerates_case_and_whitespace() -> None:
    answer = "Dropout   randomly\nZEROES activations."
    assert locate_evidence(answer, "randomly zeroes activations") == (10, 37)
    assert locate_evidence(answer, "Dropout") == (0, 7)
    assert locate_evidence(answer, "batch norm") is None
    assert locate_evidence(answer, "  ") is None
