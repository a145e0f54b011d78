"""Snapshots of the main screens at 80×24: cursor blink off, fixed seed, fake clock, a fixed grade.

Update after an intended change of the look with `pytest tests/tui --snapshot-update`, and look at the SVGs.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

import pytest

from interviewer.bank.models import Bank, Question
from interviewer.config import Settings
from interviewer.grading.base import Embedder
from interviewer.grading.result import Flag, FlagCode, FollowUp, GradeResult, KeyPointVerdict, Provenance
from interviewer.tui.app import InterviewApp
from tests.tui.conftest import FIXTURE_BANK, SIZE

VERDICT_CYCLE = ("covered", "partial", "missed")


class FixedGrader:
    """Always the same grade shape, so the feedback and summary snapshots do not move with the engine's tuning."""

    name = "embedding"

    def grade(self, question: Question, answer: str, *, asked: Collection[str] = ()) -> GradeResult:
        verdicts = [
            KeyPointVerdict(
                key_point_id=key_point.id,
                text=key_point.text,
                weight=key_point.weight,
                verdict=VERDICT_CYCLE[index % 3],  # type: ignore[arg-type]
                evidence=answer.split(".")[0] if VERDICT_CYCLE[index % 3] != "missed" else None,
            )
            for index, key_point in enumerate(question.key_points)
        ]
        return GradeResult(
            question_id=question.id,
            score=6.5,
            key_points=verdicts,
            flags=[Flag(code=FlagCode.NEGATION, message="the answer negates a key point; check it by hand")],
            follow_ups=[
                FollowUp(text=f"What would you add about: {question.key_points[-1].text}", kind="missed_key_point"),
                FollowUp(text=question.follow_up_texts()[0], kind="rubric"),
            ],
            provenance=Provenance(grader="embedding"),
        )

    def grade_batch(self, items: Sequence[tuple[Question, str]]) -> list[GradeResult]:
        return [self.grade(question, answer) for question, answer in items]

    def prepare(self, questions: Sequence[Question]) -> None:
        pass


def fixed_grader(settings: Settings, name: str, bank: Bank, embedder: Embedder) -> FixedGrader:
    return FixedGrader()


ANSWER = "The chain rule carries the loss gradient back layer by layer. Then the optimizer updates each weight."


@pytest.fixture
def interview(make_app: Callable[..., InterviewApp]) -> InterviewApp:
    return make_app(
        banks=(str(FIXTURE_BANK),),
        topics=("Training",),
        questions=2,
        skip_start=True,
        offline=True,
        seed=11,
        grader_factory=fixed_grader,
    )


async def _answer_first(pilot) -> None:
    pilot.app.screen.query_one("#answer").insert(ANSWER)
    await pilot.press("ctrl+s")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_start_screen(make_app: Callable[..., InterviewApp], snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:
    # The bank field shows the path as given: a relative one keeps the snapshot independent of the checkout's location.
    monkeypatch.chdir(FIXTURE_BANK.parent)
    assert snap_compare(make_app(banks=(FIXTURE_BANK.name,), offline=False), terminal_size=SIZE)


def test_question_screen_with_a_hint(interview: InterviewApp, snap_compare) -> None:
    assert snap_compare(interview, press=["ctrl+g", *"Gradients flow"], terminal_size=SIZE)


def test_feedback_screen(interview: InterviewApp, snap_compare) -> None:
    assert snap_compare(interview, run_before=_answer_first, terminal_size=SIZE)


def test_summary_screen(interview: InterviewApp, snap_compare) -> None:
    async def finish(pilot) -> None:
        await _answer_first(pilot)
        await pilot.press("n", "ctrl+n")
        await pilot.pause()

    assert snap_compare(interview, run_before=finish, terminal_size=SIZE)
