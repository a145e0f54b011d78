"""Question screen: the question, progress, an answer box, hints, an optional timer."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static, TextArea

from interviewer.practice import hint_key_point
from interviewer.store import Submission
from interviewer.tui.messages import AnswerSubmitted, AskedQuestion


def format_seconds(seconds: float) -> str:
    """`m:ss` for a timer."""
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


class QuestionScreen(Screen[None]):
    """Ask one question; Ctrl+S submits, Ctrl+N skips, Ctrl+G reveals a key point as a hint."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Submit", show=True, priority=True),
        Binding("ctrl+g", "hint", "Hint", show=True, priority=True),
        Binding("ctrl+n", "skip", "Skip", show=True, priority=True),
    ]

    def __init__(
        self,
        asked: AskedQuestion,
        *,
        position: tuple[int, int],
        time_limit_seconds: int | None,
        clock: Callable[[], float],
        model_status: str = "",
        cursor_blink: bool = True,
    ) -> None:
        super().__init__()
        self.asked = asked
        self.position = position
        self.initial_model_status = model_status
        self.time_limit_seconds = time_limit_seconds
        self.clock = clock
        self.cursor_blink = cursor_blink
        self.started_at = clock()
        self.hints_shown = 0
        self.submitted = False
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        question = self.asked.question
        index, total = self.position
        where = f"Follow-up to question {index}/{total}" if self.asked.is_follow_up else f"Question {index}/{total}"
        with Horizontal(id="question-header", classes="header-bar"):
            yield Static(f"{where} · {question.topic} · {question.difficulty}", markup=False, id="progress")
            yield Static("", id="model-status")
            yield Static("", id="timer")
        yield Static(question.question, markup=False, id="question-text")
        yield Static("", markup=False, id="hints")
        yield TextArea(id="answer", soft_wrap=True, show_line_numbers=False, placeholder="Type your answer…")
        yield Footer()

    def on_mount(self) -> None:
        answer_box = self.query_one("#answer", TextArea)
        answer_box.cursor_blink = self.cursor_blink
        answer_box.focus()
        self.query_one("#hints").display = False
        self.show_model_status(self.initial_model_status)
        if self.time_limit_seconds:
            self._show_time_left()
            self._timer = self.set_interval(1.0, self._show_time_left)
        else:
            self.query_one("#timer").display = False

    def show_model_status(self, status: str) -> None:
        """'loading model…' while the embedding model loads; empty once ready."""
        self.query_one("#model-status", Static).update(status)

    def _show_time_left(self) -> None:
        assert self.time_limit_seconds is not None
        left = self.time_limit_seconds - (self.clock() - self.started_at)
        timer = self.query_one("#timer", Static)
        timer.update(f"⏱ {format_seconds(left)} left")
        timer.set_class(left <= 30, "running-out")
        if left <= 0 and not self.submitted:
            self.notify("Time is up: your answer was submitted.", title="Time limit")
            self._submit(allow_empty=True)

    def has_draft(self) -> bool:
        """True when the answer box holds text that was not submitted."""
        return not self.submitted and bool(self.query_one("#answer", TextArea).text.strip())

    def action_submit(self) -> None:
        # Queued behind keys the answer box has not handled yet (fast typing or pasting, then Ctrl+S at once).
        self.query_one("#answer", TextArea).call_later(self._submit, allow_empty=False)

    def _submit(self, *, allow_empty: bool) -> None:
        if self.submitted:
            return
        text = self.query_one("#answer", TextArea).text
        if not text.strip() and not allow_empty:
            self.notify("The answer is empty: write something, or press Ctrl+N to skip.", severity="warning")
            return
        self._send(text, skipped=False)

    def action_skip(self) -> None:
        self.query_one("#answer", TextArea).call_later(self._skip)

    def _skip(self) -> None:
        if not self.submitted:
            self._send(self.query_one("#answer", TextArea).text, skipped=True)

    def _send(self, text: str, *, skipped: bool) -> None:
        self.submitted = True
        if self._timer is not None:
            self._timer.stop()
        asked = self.asked
        submission = Submission(
            question=asked.question,
            answer=text,
            seconds_taken=round(self.clock() - self.started_at, 1),
            hinted=self.hints_shown > 0,
            skipped=skipped,
            parent_answer_id=asked.parent_answer.id if asked.parent_answer is not None else None,
            follow_up=asked.follow_up,
        )
        self.post_message(AnswerSubmitted(asked, submission))

    def action_hint(self) -> None:
        key_point = hint_key_point(self.asked.question, self.hints_shown)
        if key_point is None:
            self.notify("Every key point is already shown.")
            return
        self.hints_shown += 1
        hints = self.query_one("#hints", Static)
        shown = [hint_key_point(self.asked.question, index) for index in range(self.hints_shown)]
        hints.update("\n".join(f"Hint: {point.text}" for point in shown if point))
        hints.display = True
