"""The model loads in the background; grading waits for it; failures become notices, never crashes."""

from __future__ import annotations

import socket
from collections.abc import Callable

from textual.widgets import Static

from interviewer.config import Settings
from interviewer.errors import ModelUnavailableError
from interviewer.grading.base import Embedder
from interviewer.grading.result import FlagCode
from interviewer.store import SessionStore
from interviewer.tui.app import InterviewApp
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.screens.question import QuestionScreen
from tests.tui.conftest import FIXTURE_BANK, SIZE, GatedLoader
from tests.tui.test_flow import GOOD_ANSWER, settle, text_of, type_answer


def notices(app: InterviewApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_first_question_shows_while_the_model_loads_and_grading_waits_for_it(
    make_app: Callable[..., InterviewApp], store: SessionStore, fake_embedder: Embedder
) -> None:
    loader = GatedLoader(fake_embedder)
    app = make_app(banks=(str(FIXTURE_BANK),), questions=1, skip_start=True, offline=True, embedder_loader=loader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        assert text_of(app, "#model-status") == "loading model…"
        await type_answer(app, pilot, GOOD_ANSWER)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        assert text_of(app, "#grade-status") == "loading model…"
        assert store.answers(app.session.id)[0].grade is None  # stored, waiting for the model

        loader.gate.set()
        await settle(app, pilot)
        assert app.screen.result is not None
        assert not app.screen.query_one("#grade-status", Static).display
    assert loader.calls == 1
    assert store.answers(app.session.id)[0].grade is not None


async def test_a_model_that_cannot_load_is_a_notice_and_the_answer_is_kept(
    make_app: Callable[..., InterviewApp], store: SessionStore
) -> None:
    loader = GatedLoader(error=ModelUnavailableError("model folder /nowhere not found"))
    app = make_app(questions=2, skip_start=True, offline=True, embedder_loader=loader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_answer(app, pilot, GOOD_ANSWER)
        await pilot.press("ctrl+s")
        loader.gate.set()
        await settle(app, pilot)
        assert isinstance(app.screen, FeedbackScreen)
        assert text_of(app, "#grade-status").startswith("Not graded")
        assert any("model folder /nowhere not found" in notice for notice in notices(app))
        await pilot.press("n")
        assert isinstance(app.screen, QuestionScreen)  # the session goes on
        assert text_of(app, "#model-status") == "model unavailable"
    assert [answer.answer for answer in store.answers(app.session.id)] == [GOOD_ANSWER]


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_an_unreachable_llm_falls_back_to_the_offline_grade_with_a_visible_note(
    make_app: Callable[..., InterviewApp], store: SessionStore
) -> None:
    settings = Settings(
        llm={
            "model": "test-model",
            "base_url": f"http://127.0.0.1:{closed_port()}/v1",
            "api_key": "sk-test",
            "timeout": 0.5,
            "max_retries": 0,
        }
    )
    app = make_app(settings, questions=1, skip_start=True, grader="hybrid")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_answer(app, pilot, GOOD_ANSWER)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, FeedbackScreen) and screen.result is not None
        assert screen.result.has_flag(FlagCode.LLM_UNAVAILABLE)
        assert screen.query_one("#flags", Static).display
        assert any("offline grade" in notice for notice in notices(app))
    graded = store.answers(app.session.id)[0].grade
    assert graded is not None and graded.has_flag(FlagCode.LLM_UNAVAILABLE)
