"""Checking an LLM's grade against the answer and the embedding evidence.

A quote the model gives as evidence must really be in the answer, and the model's score may not rise
far above what the embeddings found: a prompt injection that fools the model still cannot buy a grade.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from interviewer.grading.result import GradeResult, KeyPointVerdict, Verdict

SCORE_CAP_MARGIN = 4.0
VERDICT_CREDIT: dict[Verdict, float] = {"covered": 1.0, "partial": 0.5, "missed": 0.0}
_DOWNGRADED: dict[Verdict, Verdict] = {"covered": "partial", "partial": "missed", "missed": "missed"}
_QUOTE_MARKS = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
_ELLIPSIS = re.compile(r"\s*\.\.\.+\s*")
_EDGE_PUNCTUATION = " \t\"'`.,;:!?()[]"


def normalise(text: str) -> str:
    """Case-folded text with unified quote marks and dashes, whitespace collapsed to single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTE_MARKS).casefold()
    return " ".join(text.split())


def quote_in_answer(quote: str, answer: str) -> bool:
    """True when the quote occurs in the answer (an ellipsis may join pieces that occur in order)."""
    haystack = normalise(answer)
    pieces = [piece.strip(_EDGE_PUNCTUATION) for piece in _ELLIPSIS.split(normalise(quote))]
    pieces = [piece for piece in pieces if piece]
    if not pieces:
        return False
    position = 0
    for piece in pieces:
        found = haystack.find(piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def downgrade(verdict: Verdict) -> Verdict:
    """One step down: covered to partial, partial to missed."""
    return _DOWNGRADED[verdict]


def verdict_score(verdicts: Sequence[KeyPointVerdict]) -> float:
    """Weighted share of key points covered (partial counts half), on 0-10."""
    total_weight = sum(verdict.weight for verdict in verdicts)
    if total_weight <= 0:
        return 0.0
    return 10.0 * sum(verdict.weight * VERDICT_CREDIT[verdict.verdict] for verdict in verdicts) / total_weight


def score_cap(embedding_grade: GradeResult, *, grader_directed: bool) -> float:
    """The highest score the embedding evidence allows an LLM to give.

    An answer that speaks to the grader gets no uplift at all: the model's judgement is what it targets.
    """
    margin = 0.0 if grader_directed else SCORE_CAP_MARGIN
    return min(10.0, embedding_grade.score + margin)
