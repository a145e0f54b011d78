"""Question screen: the question, progress, an answer box, hints, an optional timer."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static, TextArea

from interviewer.practice import hint_key_point
from interviewer.store import Submission
from interviewer.tui.messages import AnswerSubmitted, AskedQuestion, DraftChanged

DRAFT_SAVED = "draft saved"
NOT_SAVED = "⚠ not saved yet · Ctrl+S retries"


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
        draft: str = "",
        hints_shown: int = 0,
        draft_delay: float = 1.0,
    ) -> None:
        """`draft` and `hints_shown`: a saved draft to continue (resume); `draft_delay`: seconds of no typing
        before the answer box is posted as a `DraftChanged` (debounced draft saving)."""
        super().__init__()
        self.asked = asked
        self.position = position
        self.initial_model_status = model_status
        self.time_limit_seconds = time_limit_seconds
        self.clock = clock
        self.cursor_blink = cursor_blink
        self.started_at = clock()
        self.hints_shown = hints_shown
        self.initial_draft = draft
        self.draft_delay = draft_delay
        self.submitted = False
        self.save_failed = False
        """The last save (submit, skip or draft) failed: the text is only in the answer box."""
        self._timer: Timer | None = None
        self._draft_timer: Timer | None = None
        self._posted_text = draft

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
        if self.initial_draft:
            answer_box.load_text(self.initial_draft)
            answer_box.move_cursor(answer_box.document.end)
            answer_box.border_subtitle = "draft restored"
        answer_box.focus()
        self._show_hints()
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

    @on(TextArea.Changed, "#answer")
    def _answer_changed(self) -> None:
        """Debounce: post the draft once typing pauses for `draft_delay` seconds."""
        if self.submitted or self.query_one("#answer", TextArea).text == self._posted_text:
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(self.draft_delay, self.post_draft)

    def post_draft(self) -> None:
        """Hand the answer box to the app to save as the session's draft (now, not debounced)."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        if not self.submitted:
            self._posted_text = self.query_one("#answer", TextArea).text
            self.post_message(DraftChanged(self.asked, self._posted_text, self.hints_shown))

    def show_save_state(self, state: str, *, failed: bool = False) -> None:
        """Under the answer box: 'draft saved', or that the answer is not saved yet (shown until a save works)."""
        self.save_failed = failed
        answer_box = self.query_one("#answer", TextArea)
        answer_box.border_subtitle = state
        answer_box.set_class(failed, "unsaved")

    def submit_failed(self, error: str) -> None:
        """The submission could not be stored: keep the answer here, editable, and let Ctrl+S retry."""
        self.submitted = False
        self.show_save_state(NOT_SAVED, failed=True)
        self.notify(
            f"Your answer is NOT saved yet ({error}). It stays here: Ctrl+S retries.",
            title="Not saved",
            severity="error",
            timeout=15,
        )

    def draft_holds(self, text: str) -> bool:
        """True when the last draft posted is this text and its save did not fail."""
        return text == self._posted_text and not self.save_failed

    def answer_text(self) -> str:
        return self.query_one("#answer", TextArea).text

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
        if self._draft_timer is not None:
            self._draft_timer.stop()
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
        self._show_hints()
        self.post_draft()  # a hint marks the answer hinted, even after a crash

    def _show_hints(self) -> None:
        hints = self.query_one("#hints", Static)
        shown = [hint_key_point(self.asked.question, index) for index in range(self.hints_shown)]
        hints.update("\n".join(f"Hint: {point.text}" for point in shown if point))
        hints.display = bool(self.hints_shown)
