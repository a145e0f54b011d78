"""The summary screen charts the candidate's scores over past sessions."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Label, Sparkline

from interviewer.reports import build_report
from interviewer.store import SessionStore
from interviewer.tui.screens.summary import SummaryScreen
from tests.reports.sample import build_sample_sessions


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
        chart = app.screen.query_one("#history-chart", Sparkline)
        assert list(chart.data) == [point.overall_score for point in report.history]
        summary = str(app.screen.query_one("#history-summary", Label).render())
        assert "2 sessions" in summary and "latest" in summary
