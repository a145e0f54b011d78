"""Questions that are not in a bank: built from a question text and a reference answer."""

from __future__ import annotations

import re

from interviewer.bank.models import KeyPoint, Question
from interviewer.grading.text import derive_key_point_texts

ADHOC_TOPIC = "adhoc"
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_question_id(raw: str | None, fallback: str = "adhoc") -> str:
    """A question id matching the bank's id pattern, derived from any string."""
    cleaned = _ID_UNSAFE.sub("-", str(raw or "")).strip("-._")
    return cleaned or fallback


def adhoc_question(
    question_text: str,
    reference_answer: str,
    key_points: list[str] | None = None,
    question_id: str = "adhoc",
    topic: str = ADHOC_TOPIC,
    *,
    max_key_points: int | None = None,
) -> Question:
    """A gradeable Question; without key points they are derived from the reference's sentences and items
    (the first `max_key_points` of them, when given)."""
    texts = [text.strip() for text in (key_points or []) if text and text.strip()]
    derived = not texts
    if derived:
        texts = derive_key_point_texts(reference_answer)[:max_key_points]
    return Question(
        id=safe_question_id(question_id),
        question=question_text,
        reference_answer=reference_answer,
        key_points=[KeyPoint(id=f"kp-{index}", text=text) for index, text in enumerate(texts, start=1)],
        topic=topic,
        bank="adhoc",
        grading="reference" if derived else "key_points",
    )
