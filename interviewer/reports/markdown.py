"""The report as Markdown: readable as plain text in a terminal and rendered on a Git host.

Everything that comes from the candidate or the bank is escaped, so an answer cannot add headings,
links, tables or raw HTML to the report.
"""

from __future__ import annotations

import re

from interviewer.reports.formatting import (
    EVIDENCE_VERDICTS,
    VERDICT_MARK,
    flag_summary,
    format_datetime,
    format_score,
    format_seconds,
)
from interviewer.reports.html import WEAKEST_SHOWN
from interviewer.reports.models import AnswerReport, SessionReport
from interviewer.wording import plural

# Characters with inline meaning in CommonMark/GFM (plus HTML's < > &); escaped anywhere.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#!])")
_ORDERED_LIST_START = re.compile(r"^(\d+)([.)])")
_BLOCK_START_CHARS = "-+="


def escape_markdown(text: str) -> str:
    """Escape text placed inside a line (after a list marker, in a heading or table cell) so Markdown
    shows it literally; newlines become spaces."""
    return _INLINE_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _escape_line(line: str) -> str:
    """Escape a whole line: inline specials, plus a start that would open a block.
    Leading spaces become no-break spaces so indentation never makes a code block."""
    body = line.lstrip()
    indent = "\u00a0" * (len(line) - len(body))
    body = _INLINE_SPECIAL.sub(r"\\\1", body)
    body = "\\" + body if body and body[0] in _BLOCK_START_CHARS else _ORDERED_LIST_START.sub(r"\1\\\2", body)
    return indent + body


def quote_block(text: str) -> str:
    """Multi-line text as an escaped blockquote, keeping its line breaks."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    quoted = [f"> {_escape_line(line)}  " if line.strip() else ">" for line in lines]
    return "\n".join(quoted).rstrip()


def _answer_block(answer: AnswerReport, level: int) -> list[str]:
    heading = "#" * level
    if answer.follow_up is not None:
        title = f"{heading} Follow-up: {escape_markdown(answer.question_text)}"
    else:
        title = f"{heading} {escape_markdown(answer.question_id)} · {escape_markdown(answer.question_text)}"
    facts = [
        f"**Score:** {'skipped' if answer.skipped else format_score(answer.score)}",
        f"**Topic:** {escape_markdown(answer.topic)}",
    ]
    if answer.seconds_taken is not None:
        facts.append(f"**Time:** {format_seconds(answer.seconds_taken)}")
    if answer.hinted:
        facts.append("**Hint used**")
    lines = [title, "", " · ".join(facts), ""]
    if answer.skipped:
        lines += ["_Skipped._", ""]
    elif not answer.answer.strip():
        lines += ["_(empty answer)_", ""]
    else:
        lines += ["**Answer:**", "", quote_block(answer.answer), ""]
    if answer.key_points:
        lines += ["**Key points:**", ""]
        for key_point in answer.key_points:
            mark = VERDICT_MARK[key_point.verdict]
            if key_point.verdict == "contradicted" and key_point.evidence:
                line = (
                    f"- {mark} contradicts: “{escape_markdown(key_point.evidence)}” — {escape_markdown(key_point.text)}"
                )
            else:
                line = f"- {mark} {key_point.verdict}: {escape_markdown(key_point.text)}"
                if key_point.evidence and key_point.verdict in EVIDENCE_VERDICTS:
                    line += f"  \n  evidence: “{escape_markdown(key_point.evidence)}”"
            lines.append(line)
        lines.append("")
    elif answer.score is None and not answer.skipped:
        lines += ["_Not graded._", ""]
    if answer.flags:
        lines += ["**Flags:**", ""]
        lines += [f"- ⚠ {escape_markdown(flag.message)} (`{flag.code.value}`)" for flag in answer.flags]
        lines.append("")
    if answer.feedback:
        lines += ["**Feedback:**", "", quote_block(answer.feedback), ""]
    if answer.follow_ups_suggested:
        lines += ["**Suggested follow-ups:**", ""]
        lines += [f"- {escape_markdown(follow_up.text)}" for follow_up in answer.follow_ups_suggested]
        lines.append("")
    for follow_up_answer in answer.follow_up_answers:
        lines += _answer_block(follow_up_answer, min(level + 1, 6))
    return lines


def render_markdown(report: SessionReport) -> str:
    """The whole report as Markdown text."""
    session = report.session
    lines = [
        f"# Interview report · session {session.id}",
        "",
        f"**Overall score: {format_score(report.overall_score)}**",
        "",
        "| | |",
        "|---|---|",
        f"| Bank | {escape_markdown(session.bank)} |",
        f"| Started | {format_datetime(session.started_at)} |",
        f"| Finished | {format_datetime(session.finished_at) if session.finished_at else 'not finished'} |",
        f"| Mode | {session.mode} |",
        f"| Grader | {escape_markdown(session.grader)} |",
        f"| Questions | {session.answered} answered, {session.skipped} skipped of"
        f" {plural(len(session.question_ids), 'question')} planned;"
        f" {plural(session.follow_ups_answered, 'follow-up')} |",
        f"| Time used | {format_seconds(session.seconds_used)} |",
    ]
    if report.flag_counts:
        lines.append(f"| Flags | {escape_markdown(flag_summary(report.flag_counts))} |")
    if session.ungraded:
        lines.append(f"| Not graded | {plural(session.ungraded, 'answer')} |")
    lines += ["", "## Scores by topic", "", "| Topic | Score | Questions |", "|---|---:|---:|"]
    lines += [
        f"| {escape_markdown(topic.topic)} | {format_score(topic.mean_score)} | {topic.questions} |"
        for topic in report.topics
    ]
    if len(report.history) > 1:
        lines += ["", "## Score over sessions", "", "| Session | Date | Score |", "|---:|---|---:|"]
        lines += [
            f"| {point.session_id} | {format_datetime(point.started_at)} | {format_score(point.overall_score)} |"
            for point in report.history
        ]
    if report.weakest_key_points:
        lines += ["", "## Weakest key points", ""]
        lines += [
            f"- {VERDICT_MARK[point.verdict]} {escape_markdown(point.text)} "
            f"(question {escape_markdown(point.question_id)})"
            for point in report.weakest_key_points[:WEAKEST_SHOWN]
        ]
        hidden = len(report.weakest_key_points) - WEAKEST_SHOWN
        if hidden > 0:
            lines.append(f"- …and {hidden} more, marked in the questions below")
    lines += ["", "## Questions", ""]
    for answer in report.questions:
        lines += _answer_block(answer, 3)
    lines += [
        "---",
        "",
        f"_Generated by interviewer {escape_markdown(report.interviewer_version)} at "
        f"{format_datetime(report.generated_at)}. ✓ covered · ~ partial · ✗ missed._",
        "",
    ]
    return "\n".join(lines)
