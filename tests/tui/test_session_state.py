"""Pilot tests of session state that tells the truth: no resume offer for a finished, empty or open-elsewhere
session, skips counted as skips, drafts saved as you type and back on resume, failed saves kept and retried."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable

import pytest
from textual.widgets import Static, TextArea

from interviewer.errors import StoreError
from interviewer.store import SessionStore
from interviewer.tui.app import InterviewApp
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.screens.question import DRAFT_SAVED, NOT_SAVED, QuestionScreen
from interviewer.tui.screens.resume import ResumeScreen
from interviewer.tui.screens.start import StartScreen
from interviewer.tui.screens.summary import SummaryScreen
from tests.tui.conftest import FIXTURE_BANK, SIZE
from tests.tui.test_flow import settle
from tests.tui.test_snapshots import fixed_grader

ANSWER = "The chain rule carries the loss gradient back layer by layer."


@pytest.fixture(autouse=True)
def quick_drafts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Save drafts 50 ms after typing stops instead of 1 s, so the tests need not wait."""
    monkeypatch.setattr(InterviewApp, "DRAFT_DELAY_SECONDS", 0.05)


def fixture_app(make_app: Callable[..., InterviewApp], **options: object) -> InterviewApp:
    options.setdefault("skip_start", True)
    return make_app(banks=(str(FIXTURE_BANK),), offline=True, grader_factory=fixed_grader, **options)


async def type_slowly(pilot, app: InterviewApp, text: str) -> None:
    app.screen.query_one("#answer", TextArea).insert(text)
    await pilot.pause(0.2)  # past the draft delay
    await pilot.pause()


async def answer_and_grade(pilot, app: InterviewApp, text: str = ANSWER) -> None:
    await type_slowly(pilot, app, text)
    await pilot.press("ctrl+s")
    await settle(app, pilot)


async def screen_on_start(make_app: Callable[..., InterviewApp]) -> type:
    """The screen `interviewer` (no options) opens with: the resume offer, or the start screen."""
    app = fixture_app(make_app, skip_start=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        return type(app.screen)


async def test_a_session_answered_to_the_end_is_not_offered(
    make_app: Callable[..., InterviewApp], store: SessionStore
) -> None:
    app = fixture_app(make_app, questions=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await answer_and_grade(pilot, app)
        assert isinstance(app.screen, FeedbackScreen) and app.screen.result is not None
        await pilot.press("ctrl+q")  # quit on the last feedback screen, before the summary
    assert store.get_session(app.session.id).finished_at is not None
    assert await screen_on_start(make_app) is StartScreen


async def test_an_empty_session_is_not_offered(make_app: Callable[..., InterviewApp]) -> None:
    app = fixture_app(make_app, questions=2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+q")
    assert await screen_on_start(make_app) is StartScreen


async def test_a_session_open_in_another_process_is_not_offered(
    make_app: Callable[..., InterviewApp], store: SessionStore
) -> None:
    app = fixture_app(make_app, questions=2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await answer_and_grade(pilot, app)
        await pilot.press("ctrl+q")
    store.claim_session(app.session.id, pid=os.getppid(), host=socket.gethostname())  # a live process has it
    assert await screen_on_start(make_app) is StartScreen
    store.claim_session(app.session.id, pid=os.getpid(), host=socket.gethostname())  # that process went away
    assert await screen_on_start(make_app) is ResumeScreen


async def test_a_skip_is_counted_as_a_skip(make_app: Callable[..., InterviewApp]) -> None:
    app = fixture_app(make_app, questions=2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await answer_and_grade(pilot, app)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert str(app.screen.query_one("#counts", Static).content).startswith("1 answered · 1 skipped")
        assert "2 questions" in str(app.screen.query_one("#progress", Static).content)


async def test_a_draft_is_saved_as_you_type_and_back_on_resume(
    make_app: Callable[..., InterviewApp], store: SessionStore
) -> None:
    app = fixture_app(make_app, questions=2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        question = app.screen.asked.question
        await pilot.press("ctrl+g")  # a hint: the draft remembers it
        await type_slowly(pilot, app, "Half an answer")
        assert app.screen.query_one("#answer", TextArea).border_subtitle == DRAFT_SAVED
        draft = store.draft(app.session.id)
        assert draft is not None and (draft.question_id, draft.answer, draft.hints_shown) == (
            question.id,
            "Half an answer",
            1,
        )
        # The process dies here (no quit, no submit): the store already holds the draft.
    again = fixture_app(make_app, skip_start=False)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(again.screen, ResumeScreen)
        assert "a draft answer kept" in str(again.screen.query_one("#resume-description", Static).content)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(again.screen, QuestionScreen) and again.screen.asked.question == question
        assert again.screen.query_one("#answer", TextArea).text == "Half an answer"
        assert again.screen.hints_shown == 1
        await pilot.press("ctrl+s")
        await settle(again, pilot)
    answers = store.answers(again.session.id)
    assert [(answer.answer, answer.hinted) for answer in answers] == [("Half an answer", True)]
    assert store.draft(again.session.id) is None


async def test_a_failed_save_keeps_the_answer_and_ctrl_s_retries(
    make_app: Callable[..., InterviewApp], store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = fixture_app(make_app, questions=2)
    record_answer = store.record_answer

    def locked(*args: object, **kwargs: object) -> None:
        raise StoreError(f"{store.path}: cannot write to the session database (database is locked)")

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_slowly(pilot, app, ANSWER)
        monkeypatch.setattr(store, "record_answer", locked)
        await pilot.press("ctrl+s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen) and not screen.submitted
        answer_box = screen.query_one("#answer", TextArea)
        assert answer_box.text == ANSWER and answer_box.border_subtitle == NOT_SAVED
        assert answer_box.has_class("unsaved")
        assert any("NOT saved yet" in n.message for n in app._notifications)
        assert store.draft(app.session.id).answer == ANSWER  # the draft store keeps it

        monkeypatch.setattr(store, "save_draft", locked)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running
        assert any("NOT saved" in n.message and "Ctrl+S retries" in n.message for n in app._notifications)

        monkeypatch.setattr(store, "record_answer", record_answer)  # the lock is gone
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, FeedbackScreen)
    assert [answer.answer for answer in store.answers(app.session.id)] == [ANSWER]


async def test_a_failed_skip_stays_on_the_question(
    make_app: Callable[..., InterviewApp], store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = fixture_app(make_app, questions=2)

    def locked(*args: object, **kwargs: object) -> None:
        raise StoreError("database is locked")

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        monkeypatch.setattr(store, "record_answer", locked)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen) and not app.screen.submitted
        monkeypatch.undo()
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.screen.position == (2, 2)
