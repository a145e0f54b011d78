"""The report as one self-contained HTML file: Jinja2 with autoescape on, inline CSS and SVG, no scripts."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache

import jinja2

from interviewer.reports.charts import history_line_chart, score_band, topic_bar_chart
from interviewer.reports.formatting import VERDICT_MARK, flag_summary, format_datetime, format_score, format_seconds
from interviewer.reports.models import AnswerReport, SessionReport
from interviewer.wording import plural

WEAKEST_SHOWN = 10
"""Weakest key points listed at the top of a report; the rest are marked in their questions."""


@dataclass(frozen=True)
class AnswerSegment:
    """A run of answer text, the key points whose evidence covers it, and those whose evidence ends here."""

    text: str
    key_point_numbers: tuple[int, ...]
    verdict: str | None
    ending_numbers: tuple[int, ...] = ()


def answer_segments(answer: AnswerReport) -> list[AnswerSegment]:
    """Split the answer at evidence boundaries so each evidence span can be highlighted, overlaps included.

    Each key point's number is shown once, where its evidence ends, so overlapping spans stay readable.
    """
    spans = [
        (key_point.evidence_start, key_point.evidence_end, number, key_point.verdict)
        for number, key_point in enumerate(answer.key_points, start=1)
        if key_point.evidence_start is not None and key_point.evidence_end is not None
    ]
    if not spans:
        return [AnswerSegment(answer.answer, (), None)]
    boundaries = sorted({0, len(answer.answer), *(start for start, *_ in spans), *(end for _, end, *_ in spans)})
    segments: list[AnswerSegment] = []
    for start, end in itertools.pairwise(boundaries):
        covering = [
            (number, verdict)
            for span_start, span_end, number, verdict in spans
            if span_start <= start and end <= span_end
        ]
        numbers = tuple(number for number, _ in covering)
        verdict = None
        if covering:
            found = {v for _, v in covering}
            verdict = next(v for v in ("contradicted", "covered", "partial") if v in found)
        ending = tuple(number for span_start, span_end, number, _ in spans if span_end == end)
        text = answer.answer[start:end]
        previous = segments[-1] if segments else None
        if previous is not None and previous.key_point_numbers == numbers and not previous.ending_numbers:
            segments[-1] = AnswerSegment(previous.text + text, numbers, verdict, ending)
        else:
            segments.append(AnswerSegment(text, numbers, verdict, ending))
    return segments


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("interviewer.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        score=format_score,
        seconds=format_seconds,
        datetime=format_datetime,
        band=score_band,
        flags=flag_summary,
        plural=plural,
    )
    environment.globals.update(verdict_mark=VERDICT_MARK, answer_segments=answer_segments, weakest_shown=WEAKEST_SHOWN)
    return environment


def render_html(report: SessionReport) -> str:
    """The whole report as one HTML document."""
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        session=report.session,
        topic_chart=topic_bar_chart(report.topics),
        history_chart=history_line_chart(report.history, report.session.id),
    )
