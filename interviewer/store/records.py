"""What the session store hands back: validated records of sessions and answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interviewer.bank.models import Question
from interviewer.grading.result import FollowUp, GradeResult
from interviewer.names import GraderName

SessionMode = Literal["practice", "review"]


@dataclass(frozen=True)
class Submission:
    """An answer as the candidate handed it in, before any grading.

    The one value that travels from the UI through `PracticeSession.submit` to `SessionStore.record_answer`.
    """

    question: Question
    """The question as it was asked (a follow-up's own question for a follow-up answer)."""
    answer: str
    seconds_taken: float | None = None
    hinted: bool = False
    skipped: bool = False
    parent_answer_id: int | None = None
    """For a follow-up answer: the answer it follows up."""
    follow_up: FollowUp | None = None
    """For a follow-up answer: the follow-up that was asked."""


class StoreRecord(BaseModel):
    """Base for store records: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid")


class SessionRecord(StoreRecord):
    """One interview session: what was planned and when it ran."""

    id: int = Field(description="Database id of the session.")
    started_at: datetime = Field(description="When the session started (UTC).")
    finished_at: datetime | None = Field(description="When it was finished (UTC); None while unfinished.")
    bank: str = Field(description="Name of the question bank.")
    grader: GraderName = Field(description="Grader chosen for the session: embedding, llm or hybrid.")
    mode: SessionMode = Field(description="practice, or review (questions with key points due for review).")
    topics: list[str] = Field(description="Topics chosen for the session (empty: all).")
    question_ids: list[str] = Field(description="Planned questions, in asking order.")
    time_limit_seconds: int | None = Field(description="Time limit per answer in seconds, if any.")


class AnswerRecord(StoreRecord):
    """One submitted answer and, once graded, its grade."""

    id: int = Field(description="Database id of the answer.")
    session_id: int = Field(description="Session the answer belongs to.")
    question_id: str = Field(description="Question answered.")
    question_text: str = Field(description="The question as it was asked.")
    topic: str = Field(description="Topic of the question.")
    answer: str = Field(description="The candidate's answer, verbatim.")
    submitted_at: datetime = Field(description="When it was submitted (UTC).")
    seconds_taken: float | None = Field(description="Seconds spent answering, if measured.")
    hinted: bool = Field(description="True when a key point was revealed as a hint.")
    skipped: bool = Field(description="True when the question was skipped.")
    parent_answer_id: int | None = Field(description="For a follow-up answer: the answer it follows up.")
    follow_up: FollowUp | None = Field(description="For a follow-up answer: the follow-up that was asked.")
    review_question_id: str | None = Field(
        description="The question whose review cards this answer rates (its own, or for a follow-up built from "
        "its parent's key points the parent's); None when it rates none (an experience follow-up)."
    )
    grade: GradeResult | None = Field(description="The grade; None until graded.")


class DraftRecord(StoreRecord):
    """The unsubmitted text of a session's answer box, saved as the candidate types."""

    session_id: int = Field(description="Session the draft belongs to.")
    question_id: str = Field(description="Question the draft answers (a follow-up's own id for a follow-up).")
    parent_answer_id: int | None = Field(description="For a follow-up draft: the answer it follows up.")
    follow_up: FollowUp | None = Field(description="For a follow-up draft: the follow-up that was asked.")
    answer: str = Field(description="The text in the answer box.")
    hints_shown: int = Field(description="How many hints were shown for this question (0: none).")
    saved_at: datetime = Field(description="When the draft was saved (UTC).")


class SessionClaim(StoreRecord):
    """Which process has a session open, and when it last said it still does."""

    session_id: int = Field(description="The session.")
    pid: int = Field(description="Process id of the interviewer holding it.")
    host: str = Field(description="Host name of that process.")
    heartbeat_at: datetime = Field(description="When that process last renewed the claim (UTC).")


class ReviewCardRecord(StoreRecord):
    """The spaced-review state of one key point of one question."""

    bank: str = Field(description="Name of the question bank.")
    question_id: str = Field(description="Question holding the key point.")
    key_point_id: str = Field(description="Key point under review.")
    card_json: str = Field(description="The fsrs Card, serialised with Card.to_json().")
    due: datetime = Field(description="When the key point is next due (UTC).")
    last_verdict: str = Field(description="Verdict of the latest graded attempt.")
    updated_at: datetime = Field(description="When the card was last rated (UTC).")
