"""Tick boxes and radio buttons whose state shows in the glyph, not only in its colour.

Textual draws a ticked and an unticked box alike (`▐X▌`) and tells them apart by colour alone, which a
monochrome terminal, a colour-blind reader or a low-contrast theme loses. These draw `▐✓▌` / `▐ ▌` and
`▐●▌` / `▐ ▌` instead; the colours stay as the theme sets them.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Checkbox, RadioButton, SelectionList
from textual.widgets._toggle_button import ToggleButton

TICKED = "✓"
UNTICKED = " "
CHOSEN = "●"


class TickBox(Checkbox):
    """A checkbox drawn `▐✓▌` when ticked and `▐ ▌` when not."""

    def watch_value(self) -> None:
        self.BUTTON_INNER = TICKED if self.value else UNTICKED
        super().watch_value()

    def on_mount(self) -> None:
        self.BUTTON_INNER = TICKED if self.value else UNTICKED


class RadioChoice(RadioButton):
    """A radio button drawn `▐●▌` when chosen and `▐ ▌` when not."""

    def watch_value(self) -> None:
        self.BUTTON_INNER = CHOSEN if self.value else UNTICKED
        super().watch_value()

    def on_mount(self) -> None:
        self.BUTTON_INNER = CHOSEN if self.value else UNTICKED


class TickList(SelectionList[str]):
    """A selection list whose ticked lines read `▐✓▌` and unticked ones `▐ ▌`."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        if len(segments) < 2 or segments[1].text != ToggleButton.BUTTON_INNER or segments[1].style is None:
            return strip
        index = segments[1].style.meta.get("option")
        if index is None:
            return strip
        ticked = self.get_option_at_index(index).value in self.selected
        segments[1] = Segment(TICKED if ticked else UNTICKED, segments[1].style, segments[1].control)
        return Strip(segments, strip.cell_length)
