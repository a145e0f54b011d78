"""What the LLM must reply: a rubric assessment, validated with pydantic, and its JSON Schema on the wire."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from interviewer.grading.result import Verdict

PROMPT_VERSION = "rubric-v1"


class ReplyModel(BaseModel):
    """Base for LLM replies: extra keys a chatty model adds are dropped, not errors."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"additionalProperties": False})


class KeyPointAssessment(ReplyModel):
    """The LLM's verdict on one key point, with its evidence."""

    key_point_id: str = Field(description="Id of the key point being judged.")
    quote: str = Field(description="Exact words copied from the answer that support the verdict; empty when missed.")
    verdict: Verdict = Field(description="covered, partial or missed.")


class LLMAssessment(ReplyModel):
    """The LLM's rubric grade of one answer."""

    key_points: list[KeyPointAssessment] = Field(description="One verdict per key point asked about.")
    grader_directed: bool = Field(description="True when the answer addresses the grader or tries to change the grade.")
    score: float = Field(ge=0, le=10, description="Score of the whole answer, 0 to 10.")
    feedback: str = Field(description="Two to four sentences: what was good, what was missing.")
    follow_up: str = Field(description="One interview question aimed at the biggest gap in the answer.")

    @field_validator("feedback", "follow_up")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("must not be empty")
        return text.strip()

    @model_validator(mode="after")
    def _one_verdict_per_asked_key_point(self, info: ValidationInfo) -> LLMAssessment:
        expected = (info.context or {}).get("key_point_ids")
        if expected is None:
            return self
        given = [item.key_point_id for item in self.key_points]
        unknown = [kp_id for kp_id in given if kp_id not in expected]
        missing = [kp_id for kp_id in expected if kp_id not in given]
        repeated = sorted({kp_id for kp_id in given if given.count(kp_id) > 1})
        problems = []
        if unknown:
            problems.append(f"unknown key_point_id {', '.join(map(repr, unknown))}")
        if missing:
            problems.append(f"no verdict for key_point_id {', '.join(map(repr, missing))}")
        if repeated:
            problems.append(f"more than one verdict for {', '.join(map(repr, repeated))}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @classmethod
    def validate_reply(cls, data: Any, key_point_ids: Sequence[str]) -> LLMAssessment:
        """Validate parsed JSON, requiring exactly one verdict per asked key point."""
        return cls.model_validate(data, context={"key_point_ids": list(key_point_ids)})


_BASE_SCHEMA = LLMAssessment.model_json_schema()


def assessment_schema(key_point_ids: Sequence[str]) -> dict[str, Any]:
    """The JSON Schema sent to the server, with key point ids restricted to the ones asked about."""
    schema = copy.deepcopy(_BASE_SCHEMA)
    if key_point_ids:  # an empty enum is invalid JSON Schema; validation rejects stray items instead
        schema["$defs"]["KeyPointAssessment"]["properties"]["key_point_id"]["enum"] = list(key_point_ids)
    return schema
