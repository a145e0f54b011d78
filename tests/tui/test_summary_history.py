"""The summary screen charts the candidate's scores over past sessions."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Label, Static

from interviewer.reports import build_report
from interviewer.store import SessionStore
from interviewer.tui.screens.summary import SummaryScreen
from interviewer.tui.widgets.grade_view import score_chart
from tests.reports.sample import build_sample_sessions


def test_the_chart_is_on_a_fixed_zero_to_ten_scale() -> None:
    # 4.2 and 5.0 are close: drawn about half high each, not as the lowest and a full column.
    assert score_chart([4.2, 5.0]) == "  \n▇█"
    assert score_chart([0.0, 10.0, 5.0], height=1) == " █▄"
    assert score_chart([10.0, 2.5], height=2) == "█ \n█▄"


async def test_summary_shows_scores_over_sessions(tmp_path) -> None:
    with SessionStore.open(tmp_path / "sessions.sqlite3") as store:
        sample = build_sample_sessions(store)
        report = build_report(store, sample.second_id)
    assert len(report.history) == 2

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(SummaryScreen(report, title="summary"))

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        chart = app.screen.query_one("#history-chart", Static)
        assert str(chart.content) == score_chart([point.overall_score for point in report.history])
        summary = str(app.screen.query_one("#history-summary", Label).render())
        assert "2 sessions on a 0–10 scale" in summary and "latest" in summary
