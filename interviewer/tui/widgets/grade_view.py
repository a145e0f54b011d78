"""Widgets that show a grade: the score with a bar, and each key point with its verdict and evidence."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, ProgressBar, Static

from interviewer.grading.result import KeyPointVerdict, Verdict
from interviewer.reports.formatting import EVIDENCE_VERDICTS, VERDICT_MARK, format_score


class ScoreBar(Horizontal):
    """`7.5/10` followed by a bar filled to the score."""

    DEFAULT_CSS = """
    ScoreBar { height: 1; width: 1fr; }
    ScoreBar > .score-value { width: 8; text-style: bold; }
    ScoreBar > ProgressBar { width: 1fr; }
    ScoreBar > ProgressBar > Bar { width: 1fr; }
    """

    def __init__(self, score: float, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.score = score

    def compose(self) -> ComposeResult:
        yield Label(format_score(self.score), classes="score-value")
        yield ProgressBar(total=10, show_eta=False, show_percentage=False)

    def on_mount(self) -> None:
        self.query_one(ProgressBar).update(progress=self.score)


class KeyPointRow(Horizontal):
    """One key point: ✓ / ~ / ✗, its statement, and the evidence span from the answer (or a note)."""

    DEFAULT_CSS = """
    KeyPointRow { height: auto; }
    KeyPointRow > .verdict-icon { width: 2; text-style: bold; }
    KeyPointRow > Vertical { height: auto; width: 1fr; }
    KeyPointRow .evidence { text-style: italic; }
    """

    def __init__(self, verdict: Verdict, text: str, detail: str | None = None) -> None:
        super().__init__(classes=f"key-point {verdict}")
        self.verdict = verdict
        self.text = text
        self.detail = detail

    @classmethod
    def from_verdict(cls, verdict: KeyPointVerdict) -> KeyPointRow:
        """A graded key point, with its evidence quoted when it was (partly) covered."""
        evidence = None
        if verdict.evidence and verdict.verdict == "contradicted":
            evidence = f"contradicts: “{verdict.evidence}”"
        elif verdict.evidence and verdict.verdict in EVIDENCE_VERDICTS:
            evidence = f"“{verdict.evidence}”"
        return cls(verdict.verdict, verdict.text, evidence)

    def compose(self) -> ComposeResult:
        yield Label(VERDICT_MARK[self.verdict], classes="verdict-icon")
        with Vertical():
            yield Static(self.text, markup=False, classes="key-point-text")
            if self.detail:
                yield Static(self.detail, markup=False, classes="evidence")
