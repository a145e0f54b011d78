"""The grade of one answer: shared by the CLI, the TUI, the store and the reports."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interviewer import __version__

Verdict = Literal["covered", "partial", "missed", "contradicted"]
DecidedBy = Literal["embedding", "judge", "llm"]
FollowUpKind = Literal["missed_key_point", "rubric", "related_question", "llm"]


class FlagCode(StrEnum):
    """Why a grade deserves a second look; each flag carries a plain-words message."""

    EMPTY = "empty"
    GIBBERISH = "gibberish"
    OFF_TOPIC = "off_topic"
    KEYWORD_STUFFING = "keyword_stuffing"
    PARROTED_QUESTION = "parroted_question"
    GRADER_DIRECTED = "grader_directed"
    NEGATION = "negation"
    HINTED = "hinted"
    LLM_UNAVAILABLE = "llm_unavailable"
    LLM_SCORE_CAPPED = "llm_score_capped"
    LLM_QUOTE_MISMATCH = "llm_quote_mismatch"
    EXPERIENCE = "experience"
    CONTRADICTION = "contradiction"
    MISCONCEPTION = "misconception"
    TRUNCATED = "truncated"
    NON_ENGLISH = "non_english"


class ResultModel(BaseModel):
    """Base for result models: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid")


class KeyPointVerdict(ResultModel):
    """How well the answer covers one key point, and the evidence for it."""

    key_point_id: str = Field(description="Id of the key point within its question.")
    text: str = Field(description="The key point's statement.")
    weight: float = Field(description="The key point's weight in the score.")
    verdict: Verdict = Field(description="covered, partial, missed, or contradicted (the answer states the opposite).")
    similarity: float | None = Field(default=None, description="Cosine similarity of the best-matching span.")
    evidence: str | None = Field(default=None, description="The span of the answer that supports the verdict.")
    decided_by: DecidedBy = Field(default="embedding", description="Which grader decided this verdict.")
    confidence: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="How sure the deciding grader is of this verdict (the key-point judge's probability); "
        "None when not measured. The hybrid grader asks the LLM about the uncertain ones.",
    )


class Flag(ResultModel):
    """A warning attached to a grade."""

    code: FlagCode = Field(description="Machine-readable kind of flag.")
    message: str = Field(description="What it means, in plain words.")


class FollowUp(ResultModel):
    """A suggested next question."""

    text: str = Field(description="The question to ask.")
    kind: FollowUpKind = Field(description="Where it came from.")
    key_point_id: str | None = Field(default=None, description="Key point it targets, if any.")
    question_id: str | None = Field(default=None, description="Bank question it is, for related questions.")


class Provenance(ResultModel):
    """What produced a grade, so it can be reproduced."""

    grader: str = Field(description="embedding, llm or hybrid.")
    embedding_model: str | None = Field(default=None, description="Embedding model name.")
    llm_model: str | None = Field(default=None, description="LLM model name, when one was used.")
    prompt_version: str | None = Field(default=None, description="LLM prompt version, when one was used.")
    engine_version: str = Field(default=__version__, description="interviewer version.")


class GradeResult(ResultModel):
    """The grade of one answer on a 0-10 scale, explained."""

    question_id: str = Field(description="Question that was answered.")
    score: float = Field(ge=0, le=10, description="Score out of 10.")
    key_points: list[KeyPointVerdict] = Field(description="Verdict per key point, in rubric order.")
    flags: list[Flag] = Field(default_factory=list, description="Warnings about the answer or the grading.")
    follow_ups: list[FollowUp] = Field(default_factory=list, description="1-3 suggested follow-up questions, ranked.")
    feedback: str | None = Field(default=None, description="Written feedback (LLM graders).")
    reference_similarity: float | None = Field(
        default=None, description="Cosine similarity of the whole answer to the reference answer."
    )
    provenance: Provenance = Field(description="Grader, models and versions.")

    def has_flag(self, code: FlagCode) -> bool:
        """True when a flag with this code is attached."""
        return any(flag.code == code for flag in self.flags)

    def verdicts(self, verdict: Verdict) -> list[KeyPointVerdict]:
        """Key points with this verdict."""
        return [key_point for key_point in self.key_points if key_point.verdict == verdict]
