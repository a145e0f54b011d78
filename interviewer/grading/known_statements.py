"""Known right and wrong statements of the shipped key points, for recognising wrong answers.

A fluent wrong answer uses a key point's words, so its embedding is close to the key point; it is
closer still to a *wrong* version of that key point. For every key point of the shipped banks the
project wrote right statements (paraphrases, terse forms, list items) and wrong ones (reversed
direction, swapped terms, wrong cause; `training/data/*.yaml`). `python -m training.export_statements`
copies them here (`judge/known_statements.json`) for the key points whose text is the shipped one, so
a reworded key point loses its statements until they are written again. Grading compares an answer's
sentences with both lists (see `EmbeddingGrader` and `verdicts.KnownWrongReading`); the statements are
never shown to the candidate.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from interviewer.bank.models import Question
from interviewer.errors import BankError

KNOWN_STATEMENTS_FILE = Path(__file__).resolve().parent / "judge" / "known_statements.json"


class KeyPointStatements(BaseModel):
    """Statements written for one key point."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    right: tuple[str, ...] = Field(
        min_length=1, description="Statements that say what the key point says, in other words."
    )
    wrong: tuple[str, ...] = Field(min_length=1, description="Statements that contradict the key point.")


class KnownStatements(BaseModel):
    """Per question id, per key-point text, the written statements."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    questions: dict[str, dict[str, KeyPointStatements]] = Field(
        description="Question id -> the key point's exact text -> its statements."
    )

    def for_question(self, question: Question) -> list[KeyPointStatements | None]:
        """Per key point of `question`, its statements, or None when none were written for that text."""
        by_text = self.questions.get(question.id, {})
        return [by_text.get(key_point.text) for key_point in question.key_points]


@functools.cache
def load_known_statements(path: Path = KNOWN_STATEMENTS_FILE) -> KnownStatements:
    """The shipped statements (an empty set when the file is not there); a broken file is an error naming it."""
    if not path.is_file():
        return KnownStatements(questions={})
    try:
        return KnownStatements.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, ValidationError) as exc:
        raise BankError(path, f"not a known-statements file: {exc}") from None
