"""Offer to resume an unfinished session: dismisses with True (resume) or False (start fresh)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ResumeScreen(ModalScreen[bool]):
    """The resume offer for an unfinished session: Resume or Start fresh."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "resume", "Resume", show=True),
        Binding("n,escape", "fresh", "Start fresh", show=True),
    ]

    def __init__(self, description: str) -> None:
        super().__init__()
        self.description = description

    def compose(self) -> ComposeResult:
        with Vertical(id="resume-dialog"):
            yield Static("Unfinished session", classes="screen-title")
            yield Static(self.description, markup=False, id="resume-description")
            with Horizontal(id="resume-buttons"):
                yield Button("Resume (r)", variant="primary", id="resume")
                yield Button("Start fresh (n)", id="fresh")

    def on_mount(self) -> None:
        self.query_one("#resume", Button).focus()

    @on(Button.Pressed, "#resume")
    def action_resume(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#fresh")
    def action_fresh(self) -> None:
        self.dismiss(False)
