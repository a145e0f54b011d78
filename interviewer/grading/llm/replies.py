"""Turning a chat reply into validated data: JSON extraction, and problems described for a retry prompt."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import ValidationError

T = TypeVar("T")

_THINKING = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")
MAX_PROBLEMS = 5


class BadReply(Exception):
    """A reply that arrived but cannot be used; the message is shown to the model when asking again."""


class CutOff(BadReply):
    """The reply stopped at the token limit (finish_reason "length"): asking again would cost as much again."""


def extract_json(content: str) -> Any:
    """The JSON object in a reply: the whole reply, else the first {...} that parses (prose and fences around it)."""
    text = _THINKING.sub("", content).strip()
    text = _FENCE.sub("", text).strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    raise BadReply("the reply is not valid JSON (expected one JSON object)")


def describe_validation_error(exc: ValidationError) -> str:
    """The first few problems of a validation error, one clause each."""
    problems = []
    for error in exc.errors()[:MAX_PROBLEMS]:
        where = ".".join(str(part) for part in error["loc"]) or "object"
        problems.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
    more = len(exc.errors()) - MAX_PROBLEMS
    if more > 0:
        problems.append(f"and {more} more")
    return "; ".join(problems)


def parse_reply(content: str | None, finish_reason: str | None, validate: Callable[[Any], T]) -> T:
    """Validate a reply's content, raising BadReply that says what is wrong."""
    if finish_reason == "length":
        raise CutOff("the reply was cut off at the token limit")
    if content is None or not content.strip():
        raise BadReply("the reply was empty")
    data = extract_json(content)
    if not isinstance(data, dict):
        raise BadReply("the reply is JSON but not an object")
    try:
        return validate(data)
    except ValidationError as exc:
        raise BadReply(f"the reply does not match the schema: {describe_validation_error(exc)}") from None
