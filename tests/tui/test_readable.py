"""Screens that read without colour: verdicts as marks and words, tick boxes that differ by glyph, key points
before the other grade details."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets import Checkbox, RadioSet, SelectionList, Static

from interviewer.config import load_settings
from interviewer.tui.app import InterviewApp
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.screens.start import StartScreen
from interviewer.tui.widgets.grade_view import KeyPointRow
from tests.tui.conftest import FIXTURE_BANK, SIZE
from tests.tui.test_flow import settle
from tests.tui.test_snapshots import ANSWER, fixed_grader

MARKS_AND_WORDS = {("✓", "covered"), ("~", "partial"), ("✗", "missed"), ("✗!", "contradicted")}


async def test_key_points_show_mark_and_word_and_come_first(make_app: Callable[..., InterviewApp]) -> None:
    app = make_app(banks=(str(FIXTURE_BANK),), questions=1, skip_start=True, offline=True, grader_factory=fixed_grader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#answer").insert(ANSWER)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, FeedbackScreen)
        rows = list(screen.query(KeyPointRow))
        assert rows
        for row in rows:
            mark = str(row.query_one(".verdict-icon").render())
            text = str(row.query_one(".key-point-text", Static).content)
            assert (mark, text.split(":")[0]) in {
                ("✓", "covered"),
                ("~", "partial"),
                ("✗", "missed"),
                ("✗!", "contradicted"),
            }
        details = [child.id for child in screen.query_one("#grade-details").children if child.id]
        assert details.index("key-points-label") < details.index("flags") < details.index("feedback-text")


async def test_tick_boxes_differ_by_glyph(make_app: Callable[..., InterviewApp]) -> None:
    app = make_app(banks=(str(FIXTURE_BANK),), offline=True, grader_factory=fixed_grader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StartScreen)
        topics = screen.query_one("#topics", SelectionList)
        topics.select("Training")
        await pilot.pause()
        lines = [topics.render_line(y).text for y in range(topics.option_count)]
        assert lines[0].startswith("▐ ▌ Activations") and lines[1].startswith("▐✓▌ Training")
        review = screen.query_one("#review", Checkbox)
        assert str(review.render()).startswith("▐ ▌")
        review.value = True
        await pilot.pause()
        assert str(review.render()).startswith("▐✓▌")
        difficulty = screen.query_one("#difficulty", RadioSet)
        marks = {str(button.render())[:3] for button in difficulty.query("RadioChoice")}
        assert marks == {"▐●▌", "▐ ▌"}


async def test_the_chosen_theme_is_remembered(
    make_app: Callable[..., InterviewApp], tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    monkeypatch.setenv("INTERVIEWER_CONFIG", str(config))
    monkeypatch.delenv("TEXTUAL_THEME", raising=False)
    app = make_app(banks=(str(FIXTURE_BANK),), offline=True, grader_factory=fixed_grader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.theme = "nord"  # as Ctrl+P → Theme does
        await pilot.pause()
    assert load_settings().tui.theme == "nord"
    again = make_app(load_settings(), banks=(str(FIXTURE_BANK),), offline=True, grader_factory=fixed_grader)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "nord"
