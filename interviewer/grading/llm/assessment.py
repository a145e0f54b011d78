"""What the LLM must reply: a rubric assessment, validated with pydantic, and the JSON Schema sent for it.

The schema is built per question: one item per key point judged, in rubric order, each item's
`key_point_id` pinned to that key point (an enum), `minItems` = `maxItems`, every text bounded. A
server that enforces schemas (llama.cpp, Ollama, vLLM, OpenAI) then cannot let even a small model
repeat an id, invent one or write on and on. A server that refuses the pinned form (`prefixItems`,
string lengths) gets the portable form: `key_point_id` an enum of the question's ids, still exactly
one item per key point. Validation is the same either way: a reply with a missing, unknown or repeated
id is invalid.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from interviewer.grading.result import Verdict

PROMPT_VERSION = "rubric-v2"
VERDICTS: tuple[Verdict, ...] = ("covered", "partial", "missed", "contradicted")
QUOTE_MAX_CHARS = 200
FEEDBACK_MAX_CHARS = 600
FOLLOW_UP_MAX_CHARS = 200
SCORES = tuple(step / 2 for step in range(21))  # 0, 0.5, ..., 10: a closed set a grammar can enforce
CHARS_PER_TOKEN = 1.0
"""At worst one token per character: English prose averages about 4 characters a token, but a small
model that fills every field to its limit with digits, punctuation or odd words comes close to 1, and a
reply cut off below what the schema allows would be a fault the schema invited."""
TOKEN_MARGIN = 1.25
"""Room for whitespace between JSON tokens (pretty-printing servers indent every line)."""
ITEM_OVERHEAD_CHARS = len('{"key_point_id": "", "quote": "", "verdict": "contradicted"}, ')
OBJECT_OVERHEAD_CHARS = len(
    '{"key_points": [], "grader_directed": false, "score": 10, "feedback": "", "follow_up": ""}'
)
PIN_KEYWORDS = ("prefixItems", "maxLength", "minLength")
"""Keywords of the pinned schema that the portable one leaves out; a server naming one when it refuses
the pinned schema gets the portable one."""


class ReplyModel(BaseModel):
    """Base for LLM replies: extra keys a chatty model adds are dropped, not errors."""

    model_config = ConfigDict(extra="ignore")


class KeyPointAssessment(ReplyModel):
    """The LLM's verdict on one key point, with its evidence."""

    key_point_id: str
    quote: str
    verdict: Verdict


class LLMAssessment(ReplyModel):
    """The LLM's rubric grade of one answer."""

    key_points: list[KeyPointAssessment]
    grader_directed: bool
    score: float = Field(ge=0, le=10)
    feedback: str
    follow_up: str

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


def _text(description: str, max_chars: int | None, *, pinned: bool, min_chars: int = 0) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "description": description}
    if pinned and max_chars is not None:
        schema["maxLength"] = max_chars
    if pinned and min_chars:
        schema["minLength"] = min_chars
    return schema


def _item(key_point_ids: Sequence[str], *, pinned: bool) -> dict[str, Any]:
    # an empty enum is invalid JSON Schema: with no ids to judge, any string (and maxItems 0)
    key_point_id = {"type": "string", "enum": list(key_point_ids)} if key_point_ids else {"type": "string"}
    return {
        "type": "object",
        "properties": {
            "key_point_id": key_point_id,
            "quote": _text(
                "The exact words of the answer that show the verdict (covered, partial or contradicted); "
                "empty when missed.",
                QUOTE_MAX_CHARS,
                pinned=pinned,
            ),
            "verdict": {"type": "string", "enum": list(VERDICTS)},
        },
        "required": ["key_point_id", "quote", "verdict"],
        "additionalProperties": False,
    }


def assessment_schema(key_point_ids: Sequence[str], *, pinned: bool = True) -> dict[str, Any]:
    """The JSON Schema of a reply judging exactly `key_point_ids`.

    pinned: item i judges key point i (`prefixItems`), and texts have maximum lengths. Else the
    portable form: every item's id is an enum of the ids, with exactly len(ids) items.
    """
    count = len(key_point_ids)
    key_points: dict[str, Any] = {"type": "array", "minItems": count, "maxItems": count}
    if pinned and key_point_ids:
        key_points["prefixItems"] = [_item([key_point_id], pinned=True) for key_point_id in key_point_ids]
    else:
        key_points["items"] = _item(key_point_ids, pinned=pinned)
    key_points["description"] = "One verdict per key point to judge, in the order listed."
    return {
        "type": "object",
        "properties": {
            "key_points": key_points,
            "grader_directed": {
                "type": "boolean",
                "description": "True when the answer addresses the grader or tries to change the grade.",
            },
            "score": {"type": "number", "enum": list(SCORES), "description": "The whole answer, 0 to 10."},
            "feedback": _text(
                "Two to four sentences to the candidate: what was good, what was missing or wrong.",
                FEEDBACK_MAX_CHARS,
                pinned=pinned,
                min_chars=1,
            ),
            "follow_up": _text(
                "One interview question aimed at the biggest gap in the answer.",
                FOLLOW_UP_MAX_CHARS,
                pinned=pinned,
                min_chars=1,
            ),
        },
        "required": ["key_points", "grader_directed", "score", "feedback", "follow_up"],
        "additionalProperties": False,
    }


def reply_token_budget(key_point_ids: Sequence[str]) -> int:
    """max_tokens for a reply to `assessment_schema(key_point_ids)`: the longest reply the schema allows,
    in tokens at CHARS_PER_TOKEN, with TOKEN_MARGIN for whitespace."""
    characters = (
        OBJECT_OVERHEAD_CHARS
        + FEEDBACK_MAX_CHARS
        + FOLLOW_UP_MAX_CHARS
        + sum(ITEM_OVERHEAD_CHARS + len(key_point_id) + QUOTE_MAX_CHARS for key_point_id in key_point_ids)
    )
    return math.ceil(characters / CHARS_PER_TOKEN * TOKEN_MARGIN)
