"""Summary screen: overall and per-topic scores, weakest key points, time used, export and practise again."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from interviewer.practice import WEAK_SCORE, weak_question_ids
from interviewer.reports.formatting import format_score
from interviewer.tui.messages import WeakPracticeRequested
from interviewer.tui.screens.question import format_seconds
from interviewer.tui.widgets.grade_view import KeyPointRow, ScoreBar, score_chart
from interviewer.wording import plural, session_counts

if TYPE_CHECKING:
    from interviewer.reports import SessionReport

WEAKEST_SHOWN = 5


class SummaryScreen(Screen[None]):
    """The end of a session, drawn from the same report model as the exports."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "app.export_report('md')", "Markdown", show=True),
        Binding("h", "app.export_report('html')", "HTML", show=True),
        Binding("j", "app.export_report('json')", "JSON", show=True),
        Binding("w", "practise_weak", "Retry weak", show=True),
        Binding("s", "app.new_session", "New", show=True),
    ]

    def __init__(self, report: SessionReport, *, title: str) -> None:
        super().__init__()
        self.report = report
        self.title_text = title
        self.weak_question_ids = weak_question_ids(report)

    def compose(self) -> ComposeResult:
        report = self.report
        meta = report.session
        with Horizontal(classes="header-bar"):
            yield Static(self.title_text, markup=False, id="progress")
        with VerticalScroll(id="summary"):
            yield Static("Overall", classes="section-label")
            if report.overall_score is None:
                yield Static("No graded answers in this session.", id="overall")
            else:
                yield ScoreBar(report.overall_score, id="overall")
            counts = [session_counts(meta.answered, meta.skipped)]
            if meta.follow_ups_answered:
                counts.append(plural(meta.follow_ups_answered, "follow-up"))
            if meta.ungraded:
                counts.append(f"{meta.ungraded} not graded")
            if meta.seconds_used is not None:
                counts.append(f"time used {format_seconds(meta.seconds_used)}")
            yield Static(" · ".join(counts), id="counts")
            if report.topics:
                yield Static("By topic", classes="section-label")
                for topic_score in report.topics:
                    with Horizontal(classes="topic-row"):
                        yield Label(topic_score.topic, markup=False, classes="topic-name")
                        if topic_score.mean_score is None:
                            yield Label("not graded", classes="not-graded")
                        else:
                            yield ScoreBar(topic_score.mean_score)
            if len(report.history) >= 2:
                scores = [point.overall_score for point in report.history]
                yield Static("Over your sessions", classes="section-label")
                with Horizontal(id="history-row"):
                    yield Static(score_chart(scores), id="history-chart")
                    yield Label(
                        f"{len(scores)} sessions on a 0–10 scale · first {format_score(scores[0])} · "
                        f"latest {format_score(scores[-1])}",
                        id="history-summary",
                    )
            if report.weakest_key_points:
                yield Static("Weakest key points", classes="section-label")
                for weak in report.weakest_key_points[:WEAKEST_SHOWN]:
                    yield KeyPointRow(weak.verdict, weak.text, f"question {weak.question_id}: {weak.question_text}")
            if self.weak_question_ids:
                yield Static(
                    f"Press w to practise the {plural(len(self.weak_question_ids), 'weak question')} again.",
                    id="weak-hint",
                )
        yield Footer()

    def action_practise_weak(self) -> None:
        if not self.weak_question_ids:
            self.notify(f"No weak questions in this session: nothing skipped or scored below {WEAK_SCORE:g}/10.")
            return
        self.post_message(WeakPracticeRequested(self.weak_question_ids))
