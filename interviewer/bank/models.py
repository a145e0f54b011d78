"""The rubric format: what a question bank file holds, validated with pydantic.

A rubric file covers one topic of one bank and lists its questions; each question carries
a reference answer and the key points a good answer makes. `docs/rubric-format.md` documents
it and `interviewer/bank/rubric.schema.json` is the JSON Schema generated from these models.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from interviewer.names import Difficulty

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


class Misconception(StrictModel):
    """A wrong claim candidates often make, and the one-line correction the feedback gives."""

    id: str = Field(pattern=KEY_POINT_ID_PATTERN, description="Slug unique within the question, e.g. 'relu-saturates'.")
    claim: NonEmptyText = Field(description="The wrong statement, phrased as a candidate would say it.")
    correction: NonEmptyText = Field(description="What is true instead, in one line.")
    key_point: str | None = Field(default=None, description="Id of the key point the claim contradicts, if one does.")


FollowUpKind = Literal["knowledge", "experience"]


class FollowUpQuestion(StrictModel):
    """A question an interviewer asks next, with the key points its own answer is graded against."""

    question: NonEmptyText = Field(description="The follow-up question as the interviewer asks it.")
    kind: FollowUpKind = Field(
        default="knowledge",
        description="knowledge: graded against its own key points; experience: about the candidate's own work, "
        "graded on structure and specifics, not against a rubric.",
    )
    key_points: list[KeyPoint] = Field(
        default_factory=list, max_length=4, description="What a good answer to the follow-up covers (0-4)."
    )

    @model_validator(mode="after")
    def _experience_has_no_key_points(self) -> FollowUpQuestion:
        if self.kind == "experience" and self.key_points:
            raise ValueError("an experience follow-up is not graded against key points; remove its key_points")
        _require_unique("key point", [key_point.id for key_point in self.key_points])
        return self


def _require_unique(what: str, ids: list[str]) -> None:
    duplicates = [item for item, count in Counter(ids).items() if count > 1]
    if duplicates:
        raise ValueError(f"duplicate {what} id {duplicates[0]!r}")


class QuestionBody(StrictModel):
    """Fields shared by a question in a rubric file and a question in a loaded bank."""

    id: str = Field(pattern=QUESTION_ID_PATTERN, description="Stable id, e.g. '3.1'; `grade` input refers to it.")
    difficulty: Difficulty = Field(default="medium", description="easy, medium or hard.")
    question: NonEmptyText = Field(description="The question as the interviewer asks it.")
    reference_answer: NonEmptyText = Field(description="A model answer in Markdown.")
    key_points: list[KeyPoint] = Field(min_length=1, description="What a good answer covers.")
    misconceptions: list[Misconception] = Field(
        default_factory=list, max_length=6, description="Wrong claims candidates often make, with corrections."
    )
    related: list[str] = Field(default_factory=list, description="Ids of related questions in the same bank.")
    tags: list[NonEmptyText] = Field(default_factory=list, description="Short subject tags, e.g. 'activations'.")
    sources: list[NonEmptyText] = Field(
        default_factory=list, description="Textbooks or papers where every claim of the question can be checked."
    )
    draft: bool = Field(
        default=False,
        description="True for a question an LLM drafted (`bank generate`) that nobody has reviewed: its claims "
        "and sources are unchecked. A draft names at least one source; shipped banks hold no drafts.",
    )

    @model_validator(mode="after")
    def _ids_are_unique_and_linked(self) -> QuestionBody:
        key_point_ids = [key_point.id for key_point in self.key_points]
        _require_unique("key point", key_point_ids)
        _require_unique("misconception", [misconception.id for misconception in self.misconceptions])
        for misconception in self.misconceptions:
            if misconception.key_point is not None and misconception.key_point not in key_point_ids:
                raise ValueError(
                    f"misconception {misconception.id!r}: key point {misconception.key_point!r} is not in the question"
                )
        if self.draft and not self.sources:
            raise ValueError("a draft names at least one source where its claims can be checked")
        return self


class RubricQuestion(QuestionBody):
    """A question as written in a rubric file: 3-8 key points and at least 2 follow-ups."""

    key_points: list[KeyPoint] = Field(min_length=3, max_length=8, description="What a good answer covers (3-8).")
    follow_ups: list[FollowUpQuestion | NonEmptyText] = Field(
        min_length=2,
        description="Questions an interviewer asks next (2 or more): an object with its own key points, "
        "or just the question text.",
    )

    def follow_up_questions(self) -> list[FollowUpQuestion]:
        """The follow-ups as objects (a plain text is a knowledge follow-up without key points of its own)."""
        return [
            follow_up if isinstance(follow_up, FollowUpQuestion) else FollowUpQuestion(question=follow_up)
            for follow_up in self.follow_ups
        ]


class RubricFile(StrictModel):
    """One rubric file: the questions of one topic of a bank."""

    format: Literal[1] = Field(default=1, description="Version of the rubric format.")
    bank: str | None = Field(default=None, description="Bank name; default: the name of the folder holding the file.")
    topic: NonEmptyText = Field(description="Topic of every question in the file.")
    questions: list[RubricQuestion] = Field(min_length=1, description="The questions of this topic.")


QuestionGrading = Literal["key_points", "reference", "experience"]
FOLLOW_UP_ID_INFIX = "-follow-up-"

EXPERIENCE_KEY_POINTS = (
    KeyPoint(id="situation", text="Sets the scene: the project, its data and its goal.", weight=1.0),
    KeyPoint(id="own-action", text="Says what the candidate did personally, and why.", weight=1.5),
    KeyPoint(id="specifics", text="Gives specifics: numbers, sizes, tools, methods or names.", weight=1.5),
    KeyPoint(id="result", text="States the outcome, measured if possible, or what was learned.", weight=1.0),
)
"""What an answer about one's own experience is graded on: its structure and specifics, not facts."""


def follow_up_id(parent_id: str, number: int) -> str:
    """The id of a parent question's rubric follow-up (1-based), e.g. '3.2-follow-up-1'."""
    return f"{parent_id}{FOLLOW_UP_ID_INFIX}{number}"


class Question(QuestionBody):
    """A question ready to ask and grade: the rubric fields plus where it came from."""

    follow_ups: list[FollowUpQuestion] = Field(default_factory=list, description="Questions an interviewer asks next.")
    topic: str = Field(description="Topic the question belongs to.")
    bank: str = Field(default="adhoc", description="Name of the bank holding it.")
    source: Path | None = Field(default=None, description="File it was loaded from, if any.")
    grading: QuestionGrading = Field(
        default="key_points",
        description=(
            "key_points: graded against its written key points; reference: against key points cut from its "
            "reference answer (no rubric; the key-point judge does not read them); experience: on structure and "
            "specifics."
        ),
    )
    parent_id: str | None = Field(default=None, description="For a follow-up: the id of the question it follows.")

    def follow_up_as_question(self, number: int) -> Question | None:
        """Rubric follow-up `number` (1-based) as a question graded against its own target, or None when
        it has no key points of its own (a plain-text follow-up)."""
        if not 1 <= number <= len(self.follow_ups):
            return None
        follow_up = self.follow_ups[number - 1]
        if follow_up.kind == "experience":
            key_points = list(EXPERIENCE_KEY_POINTS)
            reference = (
                "An answer about your own work: the situation, what you did and why, specifics "
                "(numbers, tools, methods), and the outcome or what you learned."
            )
        elif follow_up.key_points:
            key_points = list(follow_up.key_points)
            reference = "\n".join(f"- {key_point.text}" for key_point in key_points)
        else:
            return None
        return Question(
            id=follow_up_id(self.id, number),
            difficulty=self.difficulty,
            question=follow_up.question,
            reference_answer=reference,
            key_points=key_points,
            topic=self.topic,
            bank=self.bank,
            source=self.source,
            grading="experience" if follow_up.kind == "experience" else "key_points",
            parent_id=self.id,
        )

    def follow_up_texts(self) -> list[str]:
        """The follow-up questions' texts, in rubric order."""
        return [follow_up.question for follow_up in self.follow_ups]

    def rubric_follow_up(self, text: str) -> FollowUpQuestion | None:
        """The rubric follow-up asked with this text, if any."""
        return next((follow_up for follow_up in self.follow_ups if follow_up.question == text), None)

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
    _by_id: dict[str, Question] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _related_ids_exist(self) -> Bank:
        known = {question.id for question in self.questions}
        for question in self.questions:
            for related_id in question.related:
                if related_id not in known:
                    raise ValueError(f"question {question.id}: related id {related_id!r} is not in the bank")
        return self

    def get(self, question_id: str) -> Question:
        """The question with this id (a rubric follow-up's id too, e.g. '3.2-follow-up-1'), or KeyError."""
        if len(self._by_id) != len(self.questions):
            self._by_id = {question.id: question for question in self.questions}
        if question_id in self._by_id:
            return self._by_id[question_id]
        parent_id, infix, number = question_id.rpartition(FOLLOW_UP_ID_INFIX)
        if infix and number.isdigit():
            parent = self._by_id.get(parent_id)
            follow_up = parent.follow_up_as_question(int(number)) if parent is not None else None
            if follow_up is not None:
                return follow_up
        raise KeyError(question_id)

    def __contains__(self, question_id: object) -> bool:
        if not isinstance(question_id, str):
            return False
        try:
            self.get(question_id)
        except KeyError:
            return False
        return True

    def topics(self) -> list[str]:
        """Topics in first-seen order."""
        return list(dict.fromkeys(question.topic for question in self.questions))

    def by_topic(self, topic: str) -> list[Question]:
        """Questions of one topic (case-insensitive match)."""
        wanted = topic.casefold()
        return [question for question in self.questions if question.topic.casefold() == wanted]
