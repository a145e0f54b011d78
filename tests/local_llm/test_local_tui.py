"""The TUI with the hybrid grader over the real local model: answer, submit, read the model's feedback."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets import Static

from interviewer.grading.result import FlagCode
from interviewer.store import SessionStore
from interviewer.tui.app import InterviewApp
from interviewer.tui.screens.feedback import FeedbackScreen
from tests.local_llm.conftest import LOCAL_MODEL, LocalServer, Stopwatch, local_settings
from tests.tui.conftest import FIXTURE_BANK, SIZE, make_app, store  # noqa: F401 - fixtures
from tests.tui.test_flow import GOOD_ANSWER, settle, type_answer

pytestmark = [pytest.mark.local_llm, pytest.mark.model]  # a real model: not in the fast tier


async def test_hybrid_interview_shows_the_local_models_feedback(
    make_app: Callable[..., InterviewApp],  # noqa: F811
    store: SessionStore,  # noqa: F811
    local_server: LocalServer,
) -> None:
    app = make_app(
        local_settings(local_server),
        banks=(str(FIXTURE_BANK),),
        topics=("Training",),
        questions=1,
        skip_start=True,
        grader="hybrid",
        seed=1,
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_answer(app, pilot, GOOD_ANSWER)
        with Stopwatch("TUI: submit to feedback, hybrid"):
            await pilot.press("ctrl+s")
            await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, FeedbackScreen) and screen.result is not None
        result = screen.result
        assert not result.has_flag(FlagCode.LLM_UNAVAILABLE), result.flags
        assert (result.provenance.grader, result.provenance.llm_model) == ("hybrid", LOCAL_MODEL)
        if result.has_flag(FlagCode.GRADER_DIRECTED):
            # The model itself read the answer as speaking to the grader (SmolLM2-135M sometimes does for a plain
            # answer): what it wrote is not shown (docs/llm.md), and the flag says why.
            assert result.feedback is None
        else:
            assert result.feedback
            assert str(screen.query_one("#feedback-text", Static).content) == result.feedback
    stored = store.answers(app.session.id)[0].grade
    assert stored is not None and stored.feedback == result.feedback
