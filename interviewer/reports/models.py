"""The score report of one session as data: what the Markdown, HTML and JSON exports show.

`report.schema.json` next to this file is generated from `SessionReport`
(`python -m interviewer.schemas` rewrites it; a test checks it has not drifted).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interviewer.grading.result import Flag, FollowUp, KeyPointVerdict, Provenance, Verdict
from interviewer.names import GraderName
from interviewer.store.records import SessionRecord

REPORT_FORMAT_VERSION: Literal[1] = 1
SCHEMA_FILE = Path(__file__).resolve().with_name("report.schema.json")


class ReportModel(BaseModel):
    """Base for report models: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid")


class SessionMeta(SessionRecord):
    """When and how the session ran (the stored session record), with counts of what happened."""

    answered: int = Field(description="Main questions answered (not skipped).")
    skipped: int = Field(description="Main questions skipped.")
    ungraded: int = Field(description="Answers (main or follow-up) without a grade.")
    follow_ups_answered: int = Field(description="Follow-up questions answered.")
    seconds_used: float | None = Field(
        description="Total answering time in seconds over the answers where it was measured; None if none was."
    )


class TopicScore(ReportModel):
    """Mean score of one topic's main questions (a skipped question counts 0)."""

    topic: str = Field(description="Topic name.")
    mean_score: float | None = Field(description="Mean score out of 10; None when nothing in the topic was graded.")
    questions: int = Field(description="Main questions of the topic that were answered or skipped.")


class KeyPointReport(KeyPointVerdict):
    """A key-point verdict plus where its evidence sits in the answer."""

    evidence_start: int | None = Field(
        default=None, description="Character offset of the evidence in the answer text, when it was found there."
    )
    evidence_end: int | None = Field(default=None, description="End offset (exclusive) of the evidence in the answer.")


class AnswerReport(ReportModel):
    """One question asked and the candidate's answer, with its grade."""

    answer_id: int = Field(description="Answer id in the local store.")
    question_id: str = Field(description="Id of the question graded against.")
    question_text: str = Field(description="The question as it was asked.")
    topic: str = Field(description="Topic of the question.")
    answer: str = Field(description="The answer, verbatim.")
    submitted_at: datetime = Field(description="When the answer was submitted (UTC).")
    seconds_taken: float | None = Field(description="Seconds spent answering, if measured.")
    hinted: bool = Field(description="A key point was shown as a hint before answering.")
    skipped: bool = Field(description="The question was skipped.")
    score: float | None = Field(description="Score out of 10; None when not graded.")
    key_points: list[KeyPointReport] = Field(description="Verdict per key point with evidence, in rubric order.")
    flags: list[Flag] = Field(description="Warnings about the answer or its grading (e.g. llm_unavailable).")
    feedback: str | None = Field(description="Written feedback, when the grader gave any.")
    follow_ups_suggested: list[FollowUp] = Field(description="Follow-up questions the grader suggested.")
    follow_up: FollowUp | None = Field(description="For a follow-up answer: the follow-up that was asked.")
    follow_up_answers: list[AnswerReport] = Field(description="Follow-up questions asked after this answer.")
    provenance: Provenance | None = Field(description="What produced the grade; None when not graded.")


class HistoryPoint(ReportModel):
    """One past session's overall score, for the score-over-time chart."""

    session_id: int = Field(description="Session id.")
    started_at: datetime = Field(description="Start time (UTC).")
    overall_score: float = Field(description="Overall score out of 10.")
    grader: GraderName = Field(description="Grader used.")


class WeakKeyPoint(ReportModel):
    """A key point missed or only partly covered in this session."""

    question_id: str = Field(description="Question holding the key point.")
    question_text: str = Field(description="The question as asked.")
    key_point_id: str = Field(description="Key point id.")
    text: str = Field(description="The key point's statement.")
    verdict: Verdict = Field(description="missed or partial.")
    weight: float = Field(description="The key point's weight.")


class SessionReport(ReportModel):
    """The score report of one interview session."""

    format_version: Literal[1] = Field(default=REPORT_FORMAT_VERSION, description="Version of this report format.")
    generated_at: datetime = Field(description="When the report was built (UTC).")
    interviewer_version: str = Field(description="interviewer version that built the report.")
    session: SessionMeta = Field(description="Session metadata.")
    overall_score: float | None = Field(
        description="Mean score of the main questions out of 10 (a skipped one counts 0); None if none was graded."
    )
    topics: list[TopicScore] = Field(description="Per-topic scores, in the order topics were first asked.")
    questions: list[AnswerReport] = Field(description="Main questions in asking order, each with its follow-ups.")
    weakest_key_points: list[WeakKeyPoint] = Field(description="Missed, then partial key points, heaviest first.")
    history: list[HistoryPoint] = Field(
        description="Overall scores of the candidate's sessions of the same bank up to this one, oldest first."
    )
    flag_counts: dict[str, int] = Field(description="How many answers carry each flag code.")
