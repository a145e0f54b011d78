"""Feedback screen: score, key points with evidence, flags, feedback, follow-ups, reference answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from interviewer.grading.result import FollowUp, GradeResult
from interviewer.tui.messages import AskedQuestion, FollowUpChosen, MoveOnRequested
from interviewer.tui.widgets.grade_view import KeyPointRow, ScoreBar

if TYPE_CHECKING:
    from interviewer.store import AnswerRecord


class FeedbackScreen(Screen[None]):
    """Shows the grade of one answer once its worker reports it; Enter answers a follow-up, n moves on.

    The grade details scroll (PgDn / PgUp) between the question and the follow-ups: the score, then the key
    points, then flags, written feedback and the reference answer, so at 80×24 the key points come first."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "move_on", "Next question", show=True),
        Binding("r", "reveal_reference", "Reference answer", show=True),
        Binding("pagedown", "scroll_details(1)", "Scroll", show=True, priority=True),
        Binding("pageup", "scroll_details(-1)", "Scroll up", show=False, priority=True),
    ]

    def __init__(self, asked: AskedQuestion, answer: AnswerRecord, *, position: tuple[int, int], status: str) -> None:
        super().__init__()
        self.asked = asked
        self.answer = answer
        self.position = position
        self.initial_status = status
        self.result: GradeResult | None = None
        self.failed = False
        self.follow_ups: list[FollowUp] = []

    def compose(self) -> ComposeResult:
        question = self.asked.question
        index, total = self.position
        where = f"Follow-up to question {index}/{total}" if self.asked.is_follow_up else f"Question {index}/{total}"
        with Horizontal(classes="header-bar"):
            yield Static(f"{where} · {question.topic} · feedback", markup=False, id="progress")
        yield Static(question.question, markup=False, id="question-text", classes="asked")
        yield Static(self.initial_status, id="grade-status")
        with VerticalScroll(id="grade-details"):
            yield Static("", id="score-slot")
            yield Static("Key points", classes="section-label", id="key-points-label")
            yield Static("", markup=False, id="flags")
            yield Static("", markup=False, id="feedback-text")
            yield Static("Reference answer", classes="section-label", id="reference-label")
            yield Markdown(question.reference_answer, id="reference")
        yield Static("Follow-ups: Enter answers one, n moves on", classes="section-label", id="follow-ups-label")
        yield OptionList(id="follow-ups")
        yield Footer()

    def on_mount(self) -> None:
        for selector in (
            "#score-slot",
            "#key-points-label",
            "#flags",
            "#feedback-text",
            "#reference-label",
            "#reference",
        ):
            self.query_one(selector).display = False
        self.query_one("#follow-ups-label").display = False
        self.query_one("#follow-ups").display = False

    def show_status(self, status: str) -> None:
        """'loading model…', 'grading…', or why grading failed."""
        self.query_one("#grade-status", Static).update(status)
        self.query_one("#grade-status").display = bool(status)

    def show_grade(self, result: GradeResult) -> None:
        """Fill in the score, key points, flags and feedback."""
        self.result = result
        self.show_status("")
        slot = self.query_one("#score-slot")
        slot.display = True
        slot.mount(ScoreBar(result.score))
        details = self.query_one("#grade-details", VerticalScroll)
        self.query_one("#key-points-label").display = True
        details.mount_all(
            [KeyPointRow.from_verdict(verdict) for verdict in result.key_points], after="#key-points-label"
        )
        if result.flags:
            flags = self.query_one("#flags", Static)
            flags.update("\n".join(f"⚠ {flag.message}" for flag in result.flags))
            flags.display = True
        if result.feedback:
            feedback = self.query_one("#feedback-text", Static)
            feedback.update(result.feedback)
            feedback.display = True
        if not self.follow_ups:
            details.focus()

    def show_follow_ups(self, follow_ups: list[FollowUp]) -> None:
        """List the suggested follow-ups and focus them."""
        self.follow_ups = list(follow_ups)
        options = self.query_one("#follow-ups", OptionList)
        options.clear_options()
        options.add_options([Option(follow_up.text, id=str(index)) for index, follow_up in enumerate(follow_ups)])
        options.display = bool(follow_ups)
        self.query_one("#follow-ups-label").display = bool(follow_ups)
        if follow_ups:
            options.highlighted = 0
            options.focus()

    def show_failure(self, error: str) -> None:
        self.failed = True
        self.show_status(f"Not graded: {error}. Your answer is saved; press n to go on.")
        self.query_one("#grade-details").focus()

    def action_reveal_reference(self) -> None:
        if self.result is None and not self.failed:
            self.notify("The reference answer is shown once the answer is graded.")
            return
        self.query_one("#reference-label").display = True
        reference = self.query_one("#reference")
        reference.display = True
        details = self.query_one("#grade-details", VerticalScroll)
        label = self.query_one("#reference-label")
        self.call_after_refresh(details.scroll_to_widget, label, top=True, animate=False)

    def action_scroll_details(self, direction: int) -> None:
        details = self.query_one("#grade-details", VerticalScroll)
        if direction > 0:
            details.scroll_page_down(animate=False)
        else:
            details.scroll_page_up(animate=False)

    def action_move_on(self) -> None:
        self.post_message(MoveOnRequested())

    @on(OptionList.OptionSelected, "#follow-ups")
    def _follow_up_selected(self, event: OptionList.OptionSelected) -> None:
        follow_up = self.follow_ups[int(event.option.id or 0)]
        self.post_message(FollowUpChosen(self.answer, self.asked.question, follow_up))
