"""The rubric format: what a question bank file holds, validated with pydantic.

A rubric file covers one topic of one bank and lists its questions; each question carries
a reference answer and the key points a good answer makes. `docs/rubric-format.md` documents
it and `interviewer/bank/rubric.schema.json` is the JSON Schema generated from these models.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Difficulty = Literal["easy", "medium", "hard"]
QUESTION_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
KEY_POINT_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
NonEmptyText = Annotated[str, Field(min_length=1)]


class StrictModel(BaseModel):
    """Base for data models: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class KeyPoint(StrictModel):
    """One self-contained, checkable statement that a good answer makes."""

    id: str = Field(pattern=KEY_POINT_ID_PATTERN, description="Slug unique within the question, e.g. 'relu-gradient'.")
    text: NonEmptyText = Field(description="The statement, written so it can be checked on its own.")
    weight: float = Field(default=1.0, gt=0, le=5, description="Relative importance within the question.")
    alternatives: list[NonEmptyText] = Field(
        default_factory=list, description="Other ways a candidate may phrase the same point."
    )


class QuestionBody(StrictModel):
    """Fields shared by a question in a rubric file and a question in a loaded bank."""

    id: str = Field(pattern=QUESTION_ID_PATTERN, description="Stable id, e.g. '3.1'; `grade` input refers to it.")
    difficulty: Difficulty = Field(default="medium", description="easy, medium or hard.")
    question: NonEmptyText = Field(description="The question as the interviewer asks it.")
    reference_answer: NonEmptyText = Field(description="A model answer in Markdown.")
    key_points: list[KeyPoint] = Field(min_length=1, description="What a good answer covers.")
    follow_ups: list[NonEmptyText] = Field(default_factory=list, description="Questions an interviewer asks next.")
    related: list[str] = Field(default_factory=list, description="Ids of related questions in the same bank.")

    @field_validator("key_points")
    @classmethod
    def _unique_key_point_ids(cls, key_points: list[KeyPoint]) -> list[KeyPoint]:
        duplicates = [kp_id for kp_id, count in Counter(kp.id for kp in key_points).items() if count > 1]
        if duplicates:
            raise ValueError(f"duplicate key point id {duplicates[0]!r}")
        return key_points


class RubricQuestion(QuestionBody):
    """A question as written in a rubric file: 3-8 key points and at least 2 follow-ups."""

    key_points: list[KeyPoint] = Field(min_length=3, max_length=8, description="What a good answer covers (3-8).")
    follow_ups: list[NonEmptyText] = Field(min_length=2, description="Questions an interviewer asks next (2 or more).")


class RubricFile(StrictModel):
    """One rubric file: the questions of one topic of a bank."""

    format: Literal[1] = Field(default=1, description="Version of the rubric format.")
    bank: str | None = Field(default=None, description="Bank name; default: the name of the folder holding the file.")
    topic: NonEmptyText = Field(description="Topic of every question in the file.")
    questions: list[RubricQuestion] = Field(min_length=1, description="The questions of this topic.")


class Question(QuestionBody):
    """A question ready to ask and grade: the rubric fields plus where it came from."""

    topic: str = Field(description="Topic the question belongs to.")
    bank: str = Field(default="adhoc", description="Name of the bank holding it.")
    source: Path | None = Field(default=None, description="File it was loaded from, if any.")

    def key_point(self, key_point_id: str) -> KeyPoint:
        """The key point with this id."""
        for key_point in self.key_points:
            if key_point.id == key_point_id:
                return key_point
        raise KeyError(key_point_id)


class Bank(StrictModel):
    """A loaded question bank: questions from one or more rubric files, ids unique."""

    name: str = Field(description="Bank name (several names joined with '+' when files disagree).")
    questions: list[Question] = Field(min_length=1, description="Questions in file order.")

    @model_validator(mode="after")
    def _related_ids_exist(self) -> Bank:
        known = {question.id for question in self.questions}
        for question in self.questions:
            for related_id in question.related:
                if related_id not in known:
                    raise ValueError(f"question {question.id}: related id {related_id!r} is not in the bank")
        return self

    def get(self, question_id: str) -> Question:
        """The question with this id, or KeyError."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def __contains__(self, question_id: object) -> bool:
        return any(question.id == question_id for question in self.questions)

    def topics(self) -> list[str]:
        """Topics in first-seen order."""
        return list(dict.fromkeys(question.topic for question in self.questions))

    def by_topic(self, topic: str) -> list[Question]:
        """Questions of one topic (case-insensitive match)."""
        wanted = topic.casefold()
        return [question for question in self.questions if question.topic.casefold() == wanted]
