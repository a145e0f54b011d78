"""A Pilot walk through what a grade means: a fluent contradiction is called one, and a follow-up is graded
against its own key points (real model and key-point judge)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Label, OptionList

from interviewer.grading.base import Embedder
from interviewer.grading.judge import JUDGE_DIR
from interviewer.store import SessionStore
from interviewer.tui.app import InterviewApp
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.screens.question import QuestionScreen
from interviewer.tui.widgets.grade_view import KeyPointRow
from tests.tui.conftest import SIZE
from tests.tui.test_flow import settle, type_answer

BANK = Path(__file__).resolve().parent / "fixtures" / "verdicts"
CONTRADICTION = (
    "Activation functions do not really need to be non-linear. Even with purely linear activations, a deep stack "
    "of layers learns non-linear functions, because every extra layer adds expressive power."
)
FOLLOW_UP = "Why can a sigmoid activation slow down training in deep networks?"
FOLLOW_UP_ANSWER = (
    "For large positive or negative inputs the sigmoid flattens out, so its derivative is almost zero there. "
    "Backprop multiplies these small derivatives layer after layer, so the early layers get vanishing gradients."
)

pytestmark = pytest.mark.skipif(
    not (JUDGE_DIR / "judge.safetensors").is_file(), reason="the judge's weights are not built"
)


async def test_a_contradiction_is_called_out_and_a_follow_up_is_graded_against_its_own_key_points(
    make_app: Callable[..., InterviewApp], store: SessionStore, embedder: Embedder
) -> None:
    app = make_app(banks=(str(BANK),), questions=1, skip_start=True, offline=True, seed=1, embedder=embedder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        await type_answer(app, pilot, CONTRADICTION)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, FeedbackScreen) and screen.result is not None
        result = screen.result
        contradicted = result.verdicts("contradicted")
        assert "linear-stack-collapses" in [verdict.key_point_id for verdict in contradicted]
        assert result.score <= 3.0
        assert {flag.code for flag in result.flags} & {"contradiction", "misconception"}
        row = next(row for row in screen.query(KeyPointRow) if row.verdict == "contradicted")
        assert str(row.query_one(".verdict-icon", Label).content) == "✗!"
        assert row.detail is not None and row.detail.startswith("contradicts: “")
        assert screen.follow_ups[0].text.endswith("Are you sure? Walk me through your reasoning.")

        position = next(index for index, follow_up in enumerate(screen.follow_ups) if follow_up.text == FOLLOW_UP)
        options = screen.query_one("#follow-ups", OptionList)
        assert options.has_focus and options.highlighted == 0
        for _ in range(position):
            await pilot.press("down")
        await pilot.press("enter")
        assert isinstance(app.screen, QuestionScreen) and app.screen.asked.is_follow_up
        await type_answer(app, pilot, FOLLOW_UP_ANSWER)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        follow_up_screen = app.screen
        assert isinstance(follow_up_screen, FeedbackScreen) and follow_up_screen.result is not None
        graded = follow_up_screen.result
        assert [verdict.key_point_id for verdict in graded.key_points] == ["sigmoid-saturates", "gradients-shrink"]
        assert not graded.verdicts("contradicted") and graded.score >= 6.0
        assert len(follow_up_screen.query(KeyPointRow)) == 2

    answers = store.answers(app.session.id)
    assert [answer.grade.question_id for answer in answers if answer.grade] == ["v.1", "v.1-follow-up-1"]
