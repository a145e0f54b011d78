"""The LLM grader in the TUI, over the LLM tests' scripted OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from textual.widgets import Static

from interviewer.store import SessionStore
from interviewer.tui.app import InterviewApp
from interviewer.tui.screens.feedback import FeedbackScreen
from tests.llm.conftest import ChatServer, llm_settings_for, rubric_responder
from tests.tui.conftest import FIXTURE_BANK, SIZE
from tests.tui.test_flow import GOOD_ANSWER, settle, type_answer

FEEDBACK = "Clear on the chain rule; say more about what the optimizer does."


@pytest.fixture
def llm_server() -> Iterator[ChatServer]:
    server = ChatServer()
    server.responder = rubric_responder(verdict="covered", score=8.0, feedback=FEEDBACK)
    server.start()
    yield server
    server.stop()


async def test_llm_grade_shows_its_feedback_text(
    make_app: Callable[..., InterviewApp], store: SessionStore, llm_server: ChatServer
) -> None:
    settings = llm_settings_for(llm_server.base_url)
    app = make_app(
        settings, banks=(str(FIXTURE_BANK),), topics=("Training",), questions=1, skip_start=True, grader="llm", seed=1
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_answer(app, pilot, GOOD_ANSWER)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, FeedbackScreen) and screen.result is not None
        assert screen.result.provenance.grader == "llm"
        assert str(screen.query_one("#feedback-text", Static).content) == FEEDBACK
    assert llm_server.chat_requests(), "the LLM server was asked"
    assert store.answers(app.session.id)[0].grade.feedback == FEEDBACK
