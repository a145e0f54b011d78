"""Render a report in a chosen format and write it to a file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from interviewer.errors import InterviewerError
from interviewer.names import REPORT_FORMATS, ReportFormat
from interviewer.output_files import check_output, write_output
from interviewer.reports.build import build_report
from interviewer.reports.html import render_html
from interviewer.reports.markdown import render_markdown
from interviewer.reports.models import SessionReport
from interviewer.store import SessionStore

SUFFIX_FORMATS: dict[str, ReportFormat] = {
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
}
"""The format an output file's name asks for, when --format is not given."""


def format_for_output(path: Path | None) -> ReportFormat:
    """The report format for an output path: from its suffix (report.html is HTML), else Markdown."""
    return SUFFIX_FORMATS.get(path.suffix.lower(), "md") if path is not None else "md"


class ReportError(InterviewerError):
    """A report that cannot be rendered or written as asked."""


def render_json(report: SessionReport) -> str:
    """The report as indented JSON (validates against `report.schema.json`)."""
    return report.model_dump_json(indent=2) + "\n"


RENDERERS: dict[str, Callable[[SessionReport], str]] = {
    "md": render_markdown,
    "html": render_html,
    "json": render_json,
}


def render_report(report: SessionReport, fmt: str) -> str:
    """The report in one of REPORT_FORMATS."""
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise ReportError(f"unknown report format {fmt!r}; choose one of {', '.join(REPORT_FORMATS)}") from None
    return renderer(report)


def export_report(store: SessionStore, session_id: int, fmt: str, path: Path, *, managed: bool = False) -> Path:
    """Build, render and write the report of a session; returns the path written.

    The output is checked before the report is built and replaced whole (`interviewer.output_files`):
    never the session database, nor a file in the data folder unless `managed` (interviewer's own
    reports folder); a failed write leaves the previous file as it was.
    """
    check_output(Path(path), managed=managed)
    text = render_report(build_report(store, session_id), fmt)
    return write_output(Path(path), text, managed=managed)
