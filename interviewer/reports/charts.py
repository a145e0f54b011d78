"""Geometry of the report's inline SVG charts, computed here so the template only draws."""

from __future__ import annotations

from dataclasses import dataclass

from interviewer.reports.formatting import format_score
from interviewer.reports.models import HistoryPoint, TopicScore

CHART_WIDTH = 840
LABEL_WIDTH = 220
VALUE_WIDTH = 70
BAR_HEIGHT = 22
BAR_GAP = 10
LABEL_CHARS = 32


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def score_band(score: float | None) -> str:
    """CSS class for a score: strong (>= 7), fair (>= 4), weak, or none."""
    if score is None:
        return "none"
    return "strong" if score >= 7 else "fair" if score >= 4 else "weak"


@dataclass(frozen=True)
class Bar:
    """One topic's bar."""

    label: str
    full_label: str
    value_text: str
    y: float
    width: float
    band: str


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars of per-topic scores out of 10."""

    width: int
    height: int
    label_width: int
    plot_width: int
    bar_height: int
    bars: list[Bar]
    gridlines: list[tuple[float, str]]


def topic_bar_chart(topics: list[TopicScore]) -> BarChart:
    """One bar per topic, scaled to 10."""
    plot_width = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = [
        Bar(
            label=_short(topic.topic),
            full_label=topic.topic,
            value_text=format_score(topic.mean_score),
            y=BAR_GAP + index * (BAR_HEIGHT + BAR_GAP),
            width=round(plot_width * (topic.mean_score or 0) / 10, 1),
            band=score_band(topic.mean_score),
        )
        for index, topic in enumerate(topics)
    ]
    height = BAR_GAP + len(bars) * (BAR_HEIGHT + BAR_GAP) + 16
    gridlines = [(LABEL_WIDTH + plot_width * tick / 10, str(tick)) for tick in (0, 5, 10)]
    return BarChart(CHART_WIDTH, height, LABEL_WIDTH, plot_width, BAR_HEIGHT, bars, gridlines)


@dataclass(frozen=True)
class LinePoint:
    """One session on the score-over-time chart."""

    x: float
    y: float
    label: str
    tooltip: str
    current: bool


@dataclass(frozen=True)
class LineChart:
    """Overall score per session, oldest to newest."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    points: list[LinePoint]
    polyline: str
    gridlines: list[tuple[float, str]]


def history_line_chart(history: list[HistoryPoint], current_session_id: int) -> LineChart:
    """A line through the sessions' overall scores; the current session is marked."""
    width, height = CHART_WIDTH, 220
    left, right, top, bottom = 50, CHART_WIDTH - 50, 16, 220 - 40
    span = max(len(history) - 1, 1)

    def y_of(score: float) -> float:
        return round(bottom - (bottom - top) * score / 10, 1)

    points = []
    for index, point in enumerate(history):
        x = round(left + (right - left) * index / span, 1) if len(history) > 1 else (left + right) / 2
        points.append(
            LinePoint(
                x=x,
                y=y_of(point.overall_score),
                label=f"#{point.session_id} · {point.started_at:%b %d}",
                tooltip=f"session {point.session_id}, {point.started_at:%Y-%m-%d %H:%M}: "
                f"{format_score(point.overall_score)} ({point.grader})",
                current=point.session_id == current_session_id,
            )
        )
    polyline = " ".join(f"{point.x},{point.y}" for point in points)
    gridlines = [(y_of(tick), str(tick)) for tick in (0, 5, 10)]
    return LineChart(width, height, left, right, top, bottom, points, polyline, gridlines)
