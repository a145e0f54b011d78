"""How reports write scores, times and verdicts (shared by Markdown, HTML and the CLI tables)."""

from __future__ import annotations

from datetime import datetime

VERDICT_MARK = {"covered": "✓", "partial": "~", "missed": "✗", "contradicted": "✗!"}
VERDICT_WORD = {"covered": "covered", "partial": "partial", "missed": "missed", "contradicted": "contradicted"}
"""Each mark's word, shown next to it on screen so a verdict reads without colour."""
EVIDENCE_VERDICTS = frozenset({"covered", "partial", "contradicted"})
"""Verdicts whose evidence is shown: the words that cover a key point, or the words that contradict it."""

# Flag codes as a reader says them; an unknown code is shown with spaces for underscores.
FLAG_LABELS = {
    "empty": "empty answer",
    "gibberish": "gibberish",
    "off_topic": "off-topic",
    "keyword_stuffing": "keyword stuffing",
    "parroted_question": "repeats the question",
    "grader_directed": "text aimed at the grader",
    "negation": "negated key point",
    "hinted": "hint used",
    "llm_unavailable": "LLM unavailable",
    "llm_score_capped": "LLM score capped",
    "llm_quote_mismatch": "LLM quote not in answer",
    "experience": "experience question",
    "contradiction": "contradicts a key point",
    "misconception": "common misconception",
    "truncated": "answer too long (graded in part)",
    "non_english": "not in English",
}


def flag_label(code: str) -> str:
    """A flag code in plain words: `off_topic` -> `off-topic`."""
    return FLAG_LABELS.get(code, code.replace("_", " "))


def flag_summary(flag_counts: dict[str, int]) -> str:
    """`off-topic: 1, hint used: 2` for a report header."""
    return ", ".join(f"{flag_label(code)}: {count}" for code, count in flag_counts.items())


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
