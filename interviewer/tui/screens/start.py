"""Start screen: banks, topics, a job description, number of questions, difficulty, grader, time limit,
review and adaptive order."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Input, Label, RadioSet, SelectionList, Static, TextArea

from interviewer.bank.catalog import ALL_BANKS, shipped_bank_names, split_bank_values
from interviewer.bank.models import Bank
from interviewer.names import DIFFICULTIES, GRADER_NAMES, Difficulty, GraderName
from interviewer.practice import GraderChoice, PracticeOptions
from interviewer.tui.messages import BanksChosen, StartRequested
from interviewer.tui.widgets.tick_boxes import RadioChoice, TickBox, TickList

DIFFICULTY_CHOICES: dict[str, Difficulty | None] = {
    "any": None,
    **{difficulty: difficulty for difficulty in DIFFICULTIES},
}
"""The difficulty radio buttons: label → difficulty (None: any)."""
GRADERS_BY_NAME: dict[str, GraderName] = {name: name for name in GRADER_NAMES}


class StartScreen(Screen[None]):
    """Choose what to practise; Ctrl+S or the Start button begins."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "start", "Start", show=True)]

    def __init__(self, bank: Bank, options: PracticeOptions, grader_choices: list[GraderChoice], grader: GraderName):
        super().__init__()
        self.bank = bank
        self.options = options
        self.grader_choices = grader_choices
        self.default_grader = grader

    def compose(self) -> ComposeResult:
        options = self.options
        with VerticalScroll(id="start-form"):
            yield Static("Mock interview", classes="screen-title")
            shipped = shipped_bank_names()
            chosen = split_bank_values(options.banks)
            every = not chosen or [value.casefold() for value in chosen] == [ALL_BANKS]
            yield Label("Banks (none ticked = all)", classes="section-label")
            yield TickList(*[(name, name, every or name in chosen) for name in shipped], id="banks", compact=True)
            with Horizontal(classes="field"):
                yield Label("Other bank", classes="field-label")
                yield Input(
                    value=", ".join(
                        value for value in chosen if value not in shipped and value.casefold() != ALL_BANKS
                    ),
                    placeholder="a rubric file or folder (optional)",
                    id="bank-path",
                    compact=True,
                )
            yield Label("Topics (none ticked = all)", classes="section-label")
            yield TickList(
                *[
                    (topic, topic, topic.casefold() in {t.casefold() for t in options.topics})
                    for topic in self.bank.topics()
                ],
                id="topics",
                compact=True,
            )
            yield Label(
                "Job description (optional): paste a posting to be asked what it needs",
                classes="section-label",
            )
            yield TextArea(options.job_description or "", id="job", soft_wrap=True, compact=True)
            with Horizontal(classes="field"):
                yield Label("Questions", classes="field-label")
                yield Input(
                    value=str(options.questions), type="integer", id="question-count", classes="short", compact=True
                )
                yield Label("Limit (s)", classes="field-label short-label")
                yield Input(
                    value=str(options.time_limit_seconds or ""),
                    type="integer",
                    placeholder="none",
                    id="time-limit",
                    classes="short",
                    compact=True,
                )
            with Horizontal(classes="field"):
                yield Label("Difficulty", classes="field-label")
                with RadioSet(id="difficulty", classes="inline", compact=True):
                    for label, value in DIFFICULTY_CHOICES.items():
                        yield RadioChoice(label, value=value == options.difficulty, name=label)
            with Horizontal(classes="field"):
                yield Label("Grader", classes="field-label")
                with RadioSet(id="grader", classes="inline", compact=True):
                    for choice in self.grader_choices:
                        yield RadioChoice(
                            choice.label,
                            value=choice.name == self.default_grader,
                            name=choice.name,
                            disabled=choice.unavailable_reason is not None,
                        )
            reasons = {choice.unavailable_reason for choice in self.grader_choices if choice.unavailable_reason}
            for reason in sorted(reasons):
                yield Static(f"LLM and hybrid unavailable: {reason}", markup=False, classes="unavailable-reason")
            yield TickBox(
                "Review: ask the questions whose key points are due", options.review, id="review", compact=True
            )
            yield TickBox(
                "Adaptive: harder after a strong answer, easier after a weak one; weak topics first",
                options.adaptive,
                id="adaptive",
                compact=True,
            )
            yield Button("Start interview (Ctrl+S)", variant="primary", id="start", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#banks" if self.query_one("#banks", SelectionList).option_count else "#topics").focus()

    def set_bank(self, bank: Bank) -> None:
        """Show the topics of a newly loaded bank."""
        self.bank = bank
        topics = self.query_one("#topics", SelectionList)
        topics.clear_options()
        topics.add_options([(topic, topic) for topic in bank.topics()])
        banks = self.query_one("#banks", SelectionList)
        loaded = {question.bank for question in bank.questions}
        with self.prevent(SelectionList.SelectedChanged):
            banks.deselect_all()
            for name in shipped_bank_names():
                if name in loaded:
                    banks.select(name)

    def bank_values(self) -> tuple[str, ...]:
        """The banks ticked plus the path typed; () (every shipped bank) when nothing is chosen."""
        ticked = list(self.query_one("#banks", SelectionList).selected)
        paths = split_bank_values(self.query_one("#bank-path", Input).value)
        every = set(ticked) == set(shipped_bank_names())
        if not paths:
            return () if every or not ticked else tuple(ticked)
        return split_bank_values([*([] if every else ticked), *paths])  # a path replaces the default "all"

    @on(Input.Submitted, "#bank-path")
    def _bank_path_entered(self) -> None:
        self.post_message(BanksChosen(self.bank_values()))

    @on(SelectionList.SelectedChanged, "#banks")
    def _banks_changed(self) -> None:
        self.post_message(BanksChosen(self.bank_values()))

    @on(Button.Pressed, "#start")
    def _start_pressed(self) -> None:
        self.action_start()

    def action_start(self) -> None:
        try:
            options = self.read_options()
        except ValueError as exc:
            self.notify(str(exc), title="Check the form", severity="warning")
            return
        self.post_message(StartRequested(options))

    def read_options(self) -> PracticeOptions:
        """The form as PracticeOptions; ValueError with a readable message for bad fields."""
        count_text = self.query_one("#question-count", Input).value.strip() or "5"
        limit_text = self.query_one("#time-limit", Input).value.strip()
        count = int(count_text)
        if not 1 <= count <= 100:
            raise ValueError("Questions: choose between 1 and 100")
        limit = int(limit_text) if limit_text else None
        if limit is not None and limit < 10:
            raise ValueError("Time limit: at least 10 seconds, or leave it empty for none")
        difficulty_button = self.query_one("#difficulty", RadioSet).pressed_button
        difficulty = DIFFICULTY_CHOICES.get(difficulty_button.name or "any") if difficulty_button else None
        grader_button = self.query_one("#grader", RadioSet).pressed_button
        grader = GRADERS_BY_NAME.get(grader_button.name or "") if grader_button else None
        job = self.query_one("#job", TextArea).text.strip()
        return PracticeOptions(
            banks=self.bank_values(),
            job_description=job or None,
            adaptive=self.query_one("#adaptive", Checkbox).value,
            topics=tuple(self.query_one("#topics", SelectionList).selected),
            questions=count,
            difficulty=difficulty,
            grader=grader or self.default_grader,
            time_limit_seconds=limit,
            review=self.query_one("#review", Checkbox).value,
            offline=self.options.offline,
            seed=self.options.seed,
        )
