"""Widgets that show a grade: the score with a bar, and each key point with its verdict and evidence."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Label, ProgressBar, Static

from interviewer.grading.result import KeyPointVerdict, Verdict
from interviewer.reports.formatting import EVIDENCE_VERDICTS, VERDICT_MARK, VERDICT_WORD, format_score


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
    """One key point: ✓ / ~ / ✗ and the verdict in words (readable without colour), its statement, and the
    evidence span from the answer (or a note)."""

    DEFAULT_CSS = """
    KeyPointRow { height: auto; }
    KeyPointRow > .verdict-icon { width: 3; text-style: bold; }
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
            verdict = Content.styled(f"{VERDICT_WORD[self.verdict]}: ", "bold")
            yield Static(verdict + Content(self.text), classes="key-point-text")
            if self.detail:
                yield Static(self.detail, markup=False, classes="evidence")


BLOCKS = " ▁▂▃▄▅▆▇█"


def score_chart(scores: list[float], *, height: int = 2) -> str:
    """Scores out of 10 as columns of block characters on a fixed 0–10 scale (`height` rows, top row first):
    4.2 and 5.0 are drawn 42 % and 50 % high, not stretched between the lowest and the highest score."""
    steps = (len(BLOCKS) - 1) * height
    levels = [round(min(max(score, 0.0), 10.0) / 10 * steps) for score in scores]
    rows = []
    for row in reversed(range(height)):
        base = row * (len(BLOCKS) - 1)
        rows.append("".join(BLOCKS[min(max(level - base, 0), len(BLOCKS) - 1)] for level in levels))
    return "\n".join(rows)
