"""Counts in words, the same on every screen, report and command line (no imports: cheap at start-up)."""

from __future__ import annotations


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """`1 question`, `2 questions`, `0 follow-ups`: a count with its noun agreeing."""
    return f"{count} {noun if count == 1 else plural_form or noun + 's'}"


def session_counts(answered: int, skipped: int) -> str:
    """`4 answered · 1 skipped`: main questions answered and skipped, never one counted as the other."""
    return f"{answered} answered · {skipped} skipped"
