"""Score reports of interview sessions: build the data once, render it as Markdown, HTML or JSON."""

from interviewer.names import REPORT_FORMATS
from interviewer.reports.build import build_report
from interviewer.reports.export import ReportError, export_report, render_json, render_report
from interviewer.reports.html import render_html
from interviewer.reports.markdown import render_markdown
from interviewer.reports.models import SessionReport

__all__ = [
    "REPORT_FORMATS",
    "ReportError",
    "SessionReport",
    "build_report",
    "export_report",
    "render_html",
    "render_json",
    "render_markdown",
    "render_report",
]
