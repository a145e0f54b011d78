"""How reports write scores, times and verdicts (shared by Markdown, HTML and the CLI tables)."""

from __future__ import annotations

from datetime import datetime

VERDICT_MARK = {"covered": "✓", "partial": "~", "missed": "✗"}


def format_score(score: float | None) -> str:
    """`7.5/10`, or an em dash when there is no score."""
    return "—" if score is None else f"{score:.1f}/10"


def format_seconds(seconds: float | None) -> str:
    """`45 s`, `3 min 05 s`, `1 h 02 min`; an em dash when unknown."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_datetime(moment: datetime | None) -> str:
    """`2026-11-26 01:15 UTC` (reports are shared, so no local time zone), an em dash when None."""
    return "—" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")
