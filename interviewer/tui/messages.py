"""Messages named as past events: screens and workers post them, `@on` handlers in the app act on them."""

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


class StartRequested(Message):
    """The candidate filled in the start screen and asked to begin."""

    def __init__(self, options: PracticeOptions) -> None:
        super().__init__()
        self.options = options


class AnswerSubmitted(Message):
    """The candidate submitted (or skipped, or ran out of time on) a question."""

    def __init__(self, asked: AskedQuestion, submission: Submission) -> None:
        super().__init__()
        self.asked = asked
        self.submission = submission


class AnswerGraded(Message):
    """A worker graded a stored answer."""

    def __init__(self, answer: AnswerRecord, question: Question, result: GradeResult) -> None:
        super().__init__()
        self.answer = answer
        self.question = question
        self.result = result


class FollowUpsSuggested(Message):
    """A graded answer came with follow-up questions the candidate may answer next."""

    def __init__(self, answer: AnswerRecord, question: Question, follow_ups: list[FollowUp]) -> None:
        super().__init__()
        self.answer = answer
        self.question = question
        self.follow_ups = follow_ups


class GradingFailed(Message):
    """Grading an answer raised; the answer stays stored, ungraded."""

    def __init__(self, answer: AnswerRecord, error: str) -> None:
        super().__init__()
        self.answer = answer
        self.error = error


class ModelLoaded(Message):
    """The embedding model finished loading in its worker."""

    def __init__(self, embedder: Embedder, seconds: float) -> None:
        super().__init__()
        self.embedder = embedder
        self.seconds = seconds


class ModelLoadFailed(Message):
    """The embedding model could not be loaded; answers stay stored, ungraded."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class FollowUpChosen(Message):
    """The candidate picked a suggested follow-up to answer next."""

    def __init__(self, answer: AnswerRecord, question: Question, follow_up: FollowUp) -> None:
        super().__init__()
        self.answer = answer
        self.question = question
        self.follow_up = follow_up


class MoveOnRequested(Message):
    """The candidate asked for the next main question (or the summary when none is left)."""


class WeakPracticeRequested(Message):
    """The candidate asked to practise the weak questions of a finished session again."""

    def __init__(self, question_ids: list[str]) -> None:
        super().__init__()
        self.question_ids = question_ids


class JobQuestionsRanked(Message):
    """The bank was ranked against the pasted job description: these questions, most relevant, were chosen."""

    def __init__(self, options: PracticeOptions, ranked: list[RankedQuestion]) -> None:
        super().__init__()
        self.options = options
        self.ranked = ranked


class JobRankingFailed(Message):
    """Ranking the bank against the job description failed (the start screen stays)."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error
