"""Summary screen: overall and per-topic scores, weakest key points, time used, export and practise again."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from interviewer.practice import SessionSummary
from interviewer.tui.messages import WeakPracticeRequested
from interviewer.tui.screens.question import format_seconds
from interviewer.tui.widgets.grade_view import KeyPointRow, ScoreBar

WEAKEST_SHOWN = 5


class SummaryScreen(Screen[None]):
    """The end of a session."""

    BINDINGS = [
        Binding("m", "app.export_report('md')", "Markdown", show=True),
        Binding("h", "app.export_report('html')", "HTML", show=True),
        Binding("j", "app.export_report('json')", "JSON", show=True),
        Binding("w", "practise_weak", "Retry weak", show=True),
        Binding("s", "app.new_session", "New", show=True),
    ]

    def __init__(self, summary: SessionSummary, *, title: str) -> None:
        super().__init__()
        self.summary = summary
        self.title_text = title

    def compose(self) -> ComposeResult:
        summary = self.summary
        with Horizontal(classes="header-bar"):
            yield Static(self.title_text, markup=False, id="progress")
        with VerticalScroll(id="summary"):
            yield Static("Overall", classes="section-label")
            if summary.overall_score is None:
                yield Static("No graded answers in this session.", id="overall")
            else:
                yield ScoreBar(summary.overall_score, id="overall")
            counts = [f"answered {summary.answered}", f"skipped {summary.skipped}"]
            if summary.follow_ups_answered:
                counts.append(f"follow-ups {summary.follow_ups_answered}")
            if summary.ungraded:
                counts.append(f"not graded {summary.ungraded}")
            counts.append(f"time used {format_seconds(summary.seconds_used)}")
            yield Static(" · ".join(counts), id="counts")
            if summary.topic_scores:
                yield Static("By topic", classes="section-label")
                for topic_score in summary.topic_scores:
                    with Horizontal(classes="topic-row"):
                        yield Label(topic_score.topic, markup=False, classes="topic-name")
                        yield ScoreBar(topic_score.mean_score)
            if summary.weakest_key_points:
                yield Static("Weakest key points", classes="section-label")
                for weak in summary.weakest_key_points[:WEAKEST_SHOWN]:
                    yield KeyPointRow(weak.verdict, weak.key_point_text, f"question {weak.question_id}")  # type: ignore[arg-type]
            if summary.weak_question_ids:
                yield Static(
                    f"Press w to practise the {len(summary.weak_question_ids)} weak question(s) again.",
                    id="weak-hint",
                )
        yield Footer()

    def action_practise_weak(self) -> None:
        if not self.summary.weak_question_ids:
            self.notify("No weak questions in this session: nothing scored below 6/10.")
            return
        self.post_message(WeakPracticeRequested(self.summary.weak_question_ids))
