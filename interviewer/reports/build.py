"""Build a `SessionReport` from the session store."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

from interviewer import __version__
from interviewer.grading.result import KeyPointVerdict
from interviewer.reports.formatting import EVIDENCE_VERDICTS
from interviewer.reports.models import (
    AnswerReport,
    HistoryPoint,
    KeyPointReport,
    SessionMeta,
    SessionReport,
    TopicScore,
    WeakKeyPoint,
)
from interviewer.store import AnswerRecord, SessionRecord, SessionStore

HISTORY_LIMIT = 30
"""Most sessions shown in the score-over-time chart."""


def locate_evidence(answer: str, evidence: str | None) -> tuple[int, int] | None:
    """Where the evidence span sits in the answer: exact, else ignoring case and runs of whitespace."""
    if not evidence or not evidence.strip():
        return None
    start = answer.find(evidence)
    if start >= 0:
        return start, start + len(evidence)
    words = evidence.split()
    pattern = r"\s+".join(re.escape(word) for word in words)
    match = re.search(pattern, answer, flags=re.IGNORECASE)
    return (match.start(), match.end()) if match else None


def _key_point_report(answer: str, verdict: KeyPointVerdict) -> KeyPointReport:
    span = locate_evidence(answer, verdict.evidence) if verdict.verdict in EVIDENCE_VERDICTS else None
    return KeyPointReport(
        **verdict.model_dump(),
        evidence_start=span[0] if span else None,
        evidence_end=span[1] if span else None,
    )


def _answer_report(record: AnswerRecord, children: dict[int, list[AnswerRecord]]) -> AnswerReport:
    grade = record.grade
    return AnswerReport(
        answer_id=record.id,
        question_id=record.question_id,
        question_text=record.question_text,
        topic=record.topic,
        answer=record.answer,
        submitted_at=record.submitted_at,
        seconds_taken=record.seconds_taken,
        hinted=record.hinted,
        skipped=record.skipped,
        score=grade.score if grade else None,
        key_points=[_key_point_report(record.answer, verdict) for verdict in grade.key_points] if grade else [],
        flags=list(grade.flags) if grade else [],
        feedback=grade.feedback if grade else None,
        follow_ups_suggested=list(grade.follow_ups) if grade else [],
        follow_up=record.follow_up,
        follow_up_answers=[_answer_report(child, children) for child in children.get(record.id, [])],
        provenance=grade.provenance if grade else None,
    )


def main_scores(answers: list[AnswerRecord]) -> list[tuple[AnswerRecord, float]]:
    """(answer, score) of each graded or skipped main question; a skipped one scores 0."""
    scored = []
    for answer in answers:
        if answer.parent_answer_id is not None:
            continue
        if answer.skipped:
            scored.append((answer, 0.0))
        elif answer.grade is not None:
            scored.append((answer, answer.grade.score))
    return scored


def overall_score(answers: list[AnswerRecord]) -> float | None:
    """Mean over the main questions (a skipped one counts 0); None when none was graded."""
    scored = main_scores(answers)
    if not any(answer.grade is not None for answer, _score in scored):
        return None
    return sum(score for _answer, score in scored) / len(scored)


def topic_scores(answers: list[AnswerRecord]) -> list[TopicScore]:
    """Per-topic means of the main questions, topics in first-asked order."""
    by_topic: dict[str, list[float]] = {}
    for answer, score in main_scores(answers):
        by_topic.setdefault(answer.topic, []).append(score)
    for answer in answers:
        by_topic.setdefault(answer.topic, [])
    return [
        TopicScore(topic=topic, mean_score=sum(scores) / len(scores) if scores else None, questions=len(scores))
        for topic, scores in by_topic.items()
    ]


def key_point_question_id(answer: AnswerRecord) -> str:
    """The question whose key points an answer's verdicts are about: the one its grade rates for review
    (a follow-up built from its parent's key points: the parent's), else its own."""
    return answer.review_question_id or answer.question_id


def weakest_key_points(answers: list[AnswerRecord]) -> list[WeakKeyPoint]:
    """Missed then partial key points, heaviest first; one entry per key point, its latest verdict
    (a follow-up that covers a key point its main answer missed takes it off the list)."""
    question_texts: dict[str, str] = {}
    for answer in answers:
        question_texts.setdefault(answer.question_id, answer.question_text)
    latest: dict[tuple[str, str], WeakKeyPoint | None] = {}
    for answer in answers:
        if answer.grade is None:
            continue
        question_id = key_point_question_id(answer)
        for verdict in answer.grade.key_points:
            key = (question_id, verdict.key_point_id)
            if verdict.verdict == "covered":
                latest[key] = None
                continue
            latest[key] = WeakKeyPoint(
                question_id=question_id,
                question_text=question_texts.get(question_id, answer.question_text),
                key_point_id=verdict.key_point_id,
                text=verdict.text,
                verdict=verdict.verdict,
                weight=verdict.weight,
            )
    weak = [point for point in latest.values() if point is not None]
    return sorted(weak, key=lambda point: (point.verdict not in ("missed", "contradicted"), -point.weight))


def score_history(store: SessionStore, session: SessionRecord) -> list[HistoryPoint]:
    """Overall scores of the sessions of the same bank up to this one, oldest first."""
    points = []
    for past in reversed(store.sessions()):
        if past.bank != session.bank or past.started_at > session.started_at:
            continue
        score = overall_score(store.answers(past.id))
        if score is not None:
            points.append(
                HistoryPoint(session_id=past.id, started_at=past.started_at, overall_score=score, grader=past.grader)
            )
    return points[-HISTORY_LIMIT:]


def build_report(store: SessionStore, session_id: int) -> SessionReport:
    """The report of one session; UnknownSessionError (a StoreError) for an unknown id."""
    session = store.get_session(session_id)
    answers = store.answers(session_id)
    children: dict[int, list[AnswerRecord]] = {}
    for answer in answers:
        if answer.parent_answer_id is not None:
            children.setdefault(answer.parent_answer_id, []).append(answer)
    main_answers = [answer for answer in answers if answer.parent_answer_id is None]
    flag_counts = Counter(flag.code.value for answer in answers if answer.grade for flag in answer.grade.flags)
    meta = SessionMeta(
        **session.model_dump(),
        answered=sum(1 for answer in main_answers if not answer.skipped),
        skipped=sum(1 for answer in main_answers if answer.skipped),
        ungraded=sum(1 for answer in answers if answer.grade is None and not answer.skipped),
        follow_ups_answered=len(answers) - len(main_answers),
        seconds_used=(
            sum(timed) if (timed := [a.seconds_taken for a in answers if a.seconds_taken is not None]) else None
        ),
    )
    return SessionReport(
        generated_at=datetime.now(UTC),
        interviewer_version=__version__,
        session=meta,
        overall_score=overall_score(answers),
        topics=topic_scores(answers),
        questions=[_answer_report(answer, children) for answer in main_answers],
        weakest_key_points=weakest_key_points(answers),
        history=score_history(store, session),
        flag_counts=dict(sorted(flag_counts.items())),
    )
