"""Checking an LLM's grade against the answer and the embedding evidence.

A quote the model gives as evidence must really be in the answer (whole words, at least one word that
carries content), else its verdict counts as missed; and the model's score may not rise far above what
the embeddings found: a prompt injection that fools the model still cannot buy a grade.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from interviewer.grading.result import GradeResult, KeyPointVerdict
from interviewer.grading.scoring import VERDICT_CREDIT
from interviewer.grading.text import STOPWORDS, words

SCORE_CAP_MARGIN = 4.0
_QUOTE_MARKS = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
_ELLIPSIS = re.compile(r"\s*\.\.\.+\s*")
_EDGE_PUNCTUATION = " \t\"'`.,;:!?()[]"


def normalise(text: str) -> str:
    """Case-folded text with unified quote marks and dashes, whitespace collapsed to single spaces."""
    return _normalise_with_positions(text)[0]


def _normalise_with_positions(text: str) -> tuple[str, list[int]]:
    """The normalised text, and for each of its characters the index of the original character it came from."""
    characters: list[str] = []
    positions: list[int] = []
    for index, character in enumerate(text):
        if character.isspace():
            if characters and characters[-1] != " ":
                characters.append(" ")
                positions.append(index)
            continue
        for piece in unicodedata.normalize("NFKC", character).translate(_QUOTE_MARKS).casefold():
            characters.append(piece)
            positions.append(index)
    while characters and characters[-1] == " ":
        characters.pop()
        positions.pop()
    return "".join(characters), positions


def _carries_content(text: str) -> bool:
    """At least one word that is not a stopword (a quote of "a" or "it is" shows nothing)."""
    return any(len(word) > 1 and word not in STOPWORDS for word in words(text))


def _find_whole_words(haystack: str, piece: str, start: int) -> int:
    """The first position >= start where piece occurs starting and ending at word boundaries, or -1."""
    found = haystack.find(piece, start)
    while found >= 0:
        end = found + len(piece)
        before_ok = found == 0 or not (haystack[found - 1].isalnum() and piece[0].isalnum())
        after_ok = end == len(haystack) or not (haystack[end].isalnum() and piece[-1].isalnum())
        if before_ok and after_ok:
            return found
        found = haystack.find(piece, found + 1)
    return -1


def locate_quote(quote: str, answer: str) -> str | None:
    """The answer's own text that a quote cites, or None when the quote is not in the answer.

    Case, whitespace, quote marks and dashes are ignored, and an ellipsis may join pieces that occur
    in order (the span from the first piece to the last is returned). Each piece must be whole words
    of the answer, and the quote must hold a word that carries content.
    """
    haystack, positions = _normalise_with_positions(answer)
    pieces = [piece.strip(_EDGE_PUNCTUATION) for piece in _ELLIPSIS.split(normalise(quote))]
    pieces = [piece for piece in pieces if piece]
    if not pieces or not _carries_content(" ".join(pieces)):
        return None
    start = end = found = -1
    cursor = 0
    for piece in pieces:
        found = _find_whole_words(haystack, piece, cursor)
        if found < 0:
            return None
        if start < 0:
            start = found
        cursor = end = found + len(piece)
    return answer[positions[start] : positions[end - 1] + 1]


def quote_in_answer(quote: str, answer: str) -> bool:
    """True when the quote occurs in the answer (see locate_quote)."""
    return locate_quote(quote, answer) is not None


def verdict_score(verdicts: Sequence[KeyPointVerdict]) -> float:
    """Weighted verdict credit (scoring.VERDICT_CREDIT: partial half, missed none, contradicted a penalty), on 0-10."""
    total_weight = sum(verdict.weight for verdict in verdicts)
    if total_weight <= 0:
        return 0.0
    credit = sum(verdict.weight * VERDICT_CREDIT[verdict.verdict] for verdict in verdicts) / total_weight
    return 10.0 * min(1.0, max(0.0, credit))


def score_cap(embedding_grade: GradeResult, *, grader_directed: bool) -> float:
    """The highest score the embedding evidence allows an LLM to give.

    An answer that speaks to the grader gets no uplift at all: the model's judgement is what it targets.
    """
    margin = 0.0 if grader_directed else SCORE_CAP_MARGIN
    return min(10.0, embedding_grade.score + margin)
