"""Build sessions with hand-made grades (no grader needed): submitted and graded through `PracticeSession`,
so review cards are rated as in the product."""

from __future__ import annotations

from typing import Any

from interviewer.bank.models import Bank, KeyPoint, Question
from interviewer.grading.result import Flag, FlagCode, FollowUp, GradeResult, KeyPointVerdict, Provenance, Verdict
from interviewer.practice import PracticeSession
from interviewer.store import AnswerRecord, SessionStore, Submission

FLAG_MESSAGES = {
    FlagCode.LLM_UNAVAILABLE: "The LLM grader could not be reached; this is the offline embedding grade.",
    FlagCode.EMPTY: "The answer is empty.",
    FlagCode.KEYWORD_STUFFING: "This reads like a list of keywords rather than an explanation.",
    FlagCode.HINTED: "A hint was shown before this answer was written.",
}


def make_question(
    question_id: str,
    key_point_ids: list[str] | tuple[str, ...] = ("a",),
    *,
    text: str | None = None,
    topic: str = "Basics",
    bank: str = "dl",
) -> Question:
    """A small question with one key point per id ("Point <id>.")."""
    return Question(
        id=question_id,
        question=text or f"Question {question_id}?",
        reference_answer="Reference.",
        key_points=[KeyPoint(id=key_point_id, text=f"Point {key_point_id}.") for key_point_id in key_point_ids],
        topic=topic,
        bank=bank,
    )


def make_submission(
    question_id: str,
    answer: str = "an answer",
    *,
    question_text: str | None = None,
    topic: str = "Basics",
    **details: Any,
) -> Submission:
    """A Submission of `answer` to a small question with this id, text and topic (`details`: the other fields)."""
    return Submission(question=make_question(question_id, text=question_text, topic=topic), answer=answer, **details)


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
    """Submit an answer, then its grade, through the session; returns the graded record."""
    session = session_of(store, session_id)
    record = session.submit(make_submission(question_id, answer, topic=topic))
    session.record_grade(record, make_grade(question_id, verdicts, **grade_options))  # type: ignore[arg-type]
    return store.get_answer(record.id)


def session_of(store: SessionStore, session_id: int) -> PracticeSession:
    """The stored session as a PracticeSession (over a one-question bank: factory questions are not in it)."""
    bank = Bank(name=store.get_session(session_id).bank, questions=[make_question("0")])
    return PracticeSession.resume(store, bank, store.get_session(session_id))
