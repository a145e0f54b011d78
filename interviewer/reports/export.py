"""Render a report in a chosen format and write it to a file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal, get_args

from interviewer.errors import InterviewerError
from interviewer.reports.build import build_report
from interviewer.reports.html import render_html
from interviewer.reports.markdown import render_markdown
from interviewer.reports.models import SessionReport
from interviewer.store import SessionStore

ReportFormat = Literal["md", "html", "json"]
REPORT_FORMATS: tuple[str, ...] = get_args(ReportFormat)


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


def write_text(path: Path, text: str) -> Path:
    """Write UTF-8 text, turning OS errors into one clear ReportError naming the path."""
    if path.is_dir():
        raise ReportError(f"cannot write the report to {path}: it is a folder")
    if not path.parent.is_dir():
        raise ReportError(f"cannot write the report to {path}: folder {path.parent} does not exist")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"cannot write the report to {path}: {exc.strerror or exc}") from exc
    return path


def export_report(store: SessionStore, session_id: int, fmt: str, path: Path) -> Path:
    """Build, render and write the report of a session; returns the path written."""
    text = render_report(build_report(store, session_id), fmt)
    return write_text(Path(path), text)
