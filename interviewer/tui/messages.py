"""Messages named as past events: screens and workers post them, `@on` handlers in the app act on them.

Each message is a dataclass (Textual runs `Message.__post_init__` after the generated `__init__`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from interviewer.bank.models import Question
from interviewer.grading.result import FollowUp, GradeResult
from interviewer.practice import PracticeOptions

if TYPE_CHECKING:
    from interviewer.grading.base import Embedder
    from interviewer.grading.relevance import RankedQuestion
    from interviewer.store import AnswerRecord, Submission


@dataclass
class AskedQuestion:
    """A question on screen: the question, and for a follow-up the answer it follows up."""

    question: Question
    main_question: Question
    parent_answer: AnswerRecord | None = None
    parent_question: Question | None = None
    follow_up: FollowUp | None = None

    @property
    def is_follow_up(self) -> bool:
        return self.follow_up is not None


@dataclass
class StartRequested(Message):
    """The candidate filled in the start screen and asked to begin."""

    options: PracticeOptions


@dataclass
class BanksChosen(Message):
    """The candidate changed the banks on the start screen (ticked shipped banks and typed paths, as
    --bank values; () means every shipped bank)."""

    banks: tuple[str, ...]


@dataclass
class AnswerSubmitted(Message):
    """The candidate submitted (or skipped, or ran out of time on) a question."""

    asked: AskedQuestion
    submission: Submission


@dataclass
class DraftChanged(Message):
    """The candidate paused typing (or took a hint): the answer box as it is, to keep as a draft."""

    asked: AskedQuestion
    text: str
    hints_shown: int


@dataclass
class AnswerGraded(Message):
    """A worker graded a stored answer."""

    answer: AnswerRecord
    question: Question
    result: GradeResult


@dataclass
class FollowUpsSuggested(Message):
    """A graded answer came with follow-up questions the candidate may answer next."""

    answer: AnswerRecord
    question: Question
    follow_ups: list[FollowUp]


@dataclass
class GradingFailed(Message):
    """Grading an answer raised; the answer stays stored, ungraded."""

    answer: AnswerRecord
    error: str


@dataclass
class ModelLoaded(Message):
    """The embedding model finished loading in its worker."""

    embedder: Embedder
    seconds: float


@dataclass
class ModelLoadFailed(Message):
    """The embedding model could not be loaded; answers stay stored, ungraded."""

    error: str


@dataclass
class FollowUpChosen(Message):
    """The candidate picked a suggested follow-up to answer next."""

    answer: AnswerRecord
    question: Question
    follow_up: FollowUp


@dataclass
class MoveOnRequested(Message):
    """The candidate asked for the next main question (or the summary when none is left)."""


@dataclass
class WeakPracticeRequested(Message):
    """The candidate asked to practise the weak questions of a finished session again."""

    question_ids: list[str]


@dataclass
class JobQuestionsRanked(Message):
    """The bank was ranked against the pasted job description: these questions, most relevant, were chosen."""

    options: PracticeOptions
    ranked: list[RankedQuestion]


@dataclass
class JobRankingFailed(Message):
    """Ranking the bank against the job description failed (the start screen stays)."""

    error: str
