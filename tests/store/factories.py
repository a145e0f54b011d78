"""Build sessions through the store API with hand-made grades (no grader needed)."""

from __future__ import annotations

from interviewer.grading.result import Flag, FlagCode, FollowUp, GradeResult, KeyPointVerdict, Provenance, Verdict
from interviewer.store import AnswerRecord, SessionStore


FLAG_MESSAGES = {
    FlagCode.LLM_UNAVAILABLE: "The LLM grader could not be reached; this is the offline embedding grade.",
    FlagCode.EMPTY: "The answer is empty.",
    FlagCode.KEYWORD_STUFFING: "This reads like a list of keywords rather than an explanation.",
    FlagCode.HINTED: "A hint was shown before this answer was written.",
}


def make_grade(
    question_id: str,
    verdicts: dict[str, Verdict],
    *,
    score: float | None = None,
    evidence: dict[str, str] | None = None,
    flags: list[FlagCode] = (),
    follow_ups: list[FollowUp] = (),
    feedback: str | None = None,
    grader: str = "embedding",
) -> GradeResult:
    """A GradeResult with one verdict per key point id; score defaults to the covered share × 10."""
    evidence = evidence or {}
    credit = {"covered": 1.0, "partial": 0.5, "missed": 0.0}
    if score is None:
        score = round(10 * sum(credit[verdict] for verdict in verdicts.values()) / max(len(verdicts), 1), 1)
    return GradeResult(
        question_id=question_id,
        score=score,
        key_points=[
            KeyPointVerdict(
                key_point_id=key_point_id,
                text=f"Key point {key_point_id} of question {question_id}.",
                weight=1.0,
                verdict=verdict,
                similarity=0.8 if verdict == "covered" else 0.3,
                evidence=evidence.get(key_point_id),
            )
            for key_point_id, verdict in verdicts.items()
        ],
        flags=[Flag(code=code, message=FLAG_MESSAGES.get(code, code.value)) for code in flags],
        follow_ups=list(follow_ups),
        feedback=feedback,
        provenance=Provenance(grader=grader, embedding_model="all-MiniLM-L6-v2"),
    )


def answer_and_grade(
    store: SessionStore,
    session_id: int,
    question_id: str,
    answer: str,
    verdicts: dict[str, Verdict],
    *,
    topic: str = "Basics",
    **grade_options: object,
) -> AnswerRecord:
    """Record an answer, then its grade; returns the graded record."""
    record = store.record_answer(
        session_id, question_id=question_id, question_text=f"Question {question_id}?", topic=topic, answer=answer
    )
    store.record_grade(record.id, make_grade(question_id, verdicts, **grade_options))  # type: ignore[arg-type]
    return store.get_answer(record.id)
