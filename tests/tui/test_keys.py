"""Every screen action is in the footer and in the command palette; the time limit submits on its own."""

from __future__ import annotations

from collections.abc import Callable

from textual.command import CommandPalette
from textual.widgets import Static, TextArea

from interviewer.store import SessionStore
from interviewer.tui.app import InterviewApp
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.screens.question import QuestionScreen
from tests.tui.conftest import FIXTURE_BANK, SIZE
from tests.tui.test_snapshots import fixed_grader


async def test_question_actions_are_palette_commands(make_app: Callable[..., InterviewApp]) -> None:
    app = make_app(banks=(str(FIXTURE_BANK),), questions=1, skip_start=True, offline=True, grader_factory=fixed_grader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        titles = {command.title for command in app.get_system_commands(screen)}
        assert {"Submit", "Hint", "Skip", "Quit"} <= titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Hint", "enter")
        await pilot.pause()
        assert app.screen is screen
        assert str(screen.query_one("#hints", Static).content).startswith("Hint: ")
        assert screen.hints_shown == 1


async def test_time_limit_submits_the_answer_when_it_runs_out(
    make_app: Callable[..., InterviewApp], store: SessionStore
) -> None:
    app = make_app(
        banks=(str(FIXTURE_BANK),),
        questions=1,
        skip_start=True,
        offline=True,
        time_limit_seconds=60,
        grader_factory=fixed_grader,
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        screen.query_one("#answer", TextArea).insert("Half an answer")
        screen._show_time_left()  # the fake clock moves 42 s per reading: the second reading is past 60 s
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        await app.workers.wait_for_complete()
    assert [answer.answer for answer in store.answers(app.session.id)] == ["Half an answer"]


async def test_quit_with_an_unsubmitted_draft_asks_once(make_app: Callable[..., InterviewApp]) -> None:
    app = make_app(banks=(str(FIXTURE_BANK),), questions=1, skip_start=True, offline=True, grader_factory=fixed_grader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#answer", TextArea).insert("A draft")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, QuestionScreen)
        assert any("not submitted" in notification.message for notification in app._notifications)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert not app.is_running


async def test_quit_without_a_draft_is_immediate(make_app: Callable[..., InterviewApp]) -> None:
    app = make_app(banks=(str(FIXTURE_BANK),), questions=1, skip_start=True, offline=True, grader_factory=fixed_grader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert not app.is_running
