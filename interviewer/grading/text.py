"""Plain-text helpers for grading: spans of an answer, key points from a reference, content words.

Pure Python and deterministic; no model here.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

MAX_SPANS = 32
MIN_CLAUSE_WORDS = 3
LONG_SENTENCE_WORDS = 14

_MARKDOWN = re.compile(r"(\*\*|__|`+|^#+\s*|^\s*>\s?)", re.MULTILINE)
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)]|[a-z][.)])\s+", re.MULTILINE)
_INLINE_ENUMERATOR = re.compile(r"(?:^|(?<=[.!?:]\s))\(?\d{1,2}[.)](?=\s)", re.MULTILINE)
# A sentence ends at . ! ? or ; followed by space, but not after an abbreviation such as "e.g." or "i.e.".
_SENTENCE_END = re.compile(
    r"(?<=[.!?;])(?<!(?i:\be\.g\.))(?<!(?i:\bi\.e\.))(?<!(?i:\bvs\.))(?<!(?i:\bcf\.))\s+(?=\S)|\n+"
)
_CLAUSE_BREAK = re.compile(
    r"\s*(?:;|:|,\s*(?=(?:and|but|which|so|while|whereas|because|since|although|though|then|or|thus|hence)\b)"
    r"|\s+(?=(?:because|whereas|while|since|although|which means|so that)\b))\s*",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z][a-z0-9'+-]*|\d+(?:\.\d+)?", re.IGNORECASE)

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each
    etc few for from further had hadn't has hasn't have haven't having he her here hers herself him himself his how i
    if in into is isn't it it's its itself just let's me more most much must my myself no nor not of off on once only
    or other ought our ours ourselves out over own same she should shouldn't so some such than that that's the their
    theirs them themselves then there there's these they this those through thus to too under until up upon us very
    was wasn't we were weren't what when where which while who whom why will with won't would wouldn't you your yours
    yourself yourselves e.g i.e via one ones use used uses using way ways thing things make makes get gets called
    well like many may might need needs also however therefore hence whose within without every either another
    across along among per toward towards since unless whether yet onto whereas although though""".split()
)
NEGATIONS = frozenset(
    "not no never none nothing neither nor cannot can't don't doesn't didn't isn't aren't wasn't weren't won't "
    "wouldn't shouldn't couldn't hasn't haven't hadn't without".split()
)


def clean_markdown(text: str) -> str:
    """Drop Markdown emphasis, code ticks, heading and list markers; keep the words."""
    text = _LIST_ITEM.sub("\n", text)
    text = _MARKDOWN.sub("", text)
    return _INLINE_ENUMERATOR.sub("\n", text)


def words(text: str) -> list[str]:
    """Lower-cased word tokens."""
    return list(_word_tuple(text))


@lru_cache(maxsize=16384)
def _word_tuple(text: str) -> tuple[str, ...]:
    # the guards read the same spans and key points against each other many times per answer
    return tuple(match.group(0).lower().strip("'") for match in _WORD.finditer(text))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A small suffix-stripping stemmer: enough to match 'layers'/'layer', 'computes'/'computing'."""
    for suffix, keep in (
        ("ational", "ate"),
        ("ization", "ize"),
        ("izing", "ize"),
        ("ations", "ate"),
        ("ation", "ate"),
        ("nesses", ""),
        ("ness", ""),
        ("ments", ""),
        ("ment", ""),
        ("ingly", ""),
        ("ings", ""),
        ("ing", ""),
        ("ities", ""),
        ("ity", ""),
        ("ies", "y"),
        ("ied", "y"),
        ("edly", ""),
        ("ed", ""),
        ("ers", ""),
        ("er", ""),
        ("ly", ""),
        ("es", ""),
        ("s", ""),
        ("e", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                continue
            return word[: len(word) - len(suffix)] + keep
    return word


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning (stopwords and 1-letter tokens dropped), in order."""
    return list(_content_stem_tuple(text))


@lru_cache(maxsize=16384)
def _content_stem_tuple(text: str) -> tuple[str, ...]:
    return tuple(stem(word) for word in _word_tuple(text) if word not in STOPWORDS and len(word) > 1)


def sentences(text: str) -> list[str]:
    """Sentences and list items of a text, Markdown removed."""
    pieces = _SENTENCE_END.split(clean_markdown(text))
    return [piece.strip(" \t-–—,") for piece in pieces if piece and re.search("[A-Za-z]", piece)]


def clauses(sentence: str) -> list[str]:
    """A long sentence's clauses (split at ; : and before linking words); a short one stays whole."""
    if len(words(sentence)) < LONG_SENTENCE_WORDS:
        return [sentence]
    parts = [part.strip(" ,") for part in _CLAUSE_BREAK.split(sentence) if part and part.strip(" ,")]
    merged: list[str] = []
    for part in parts:
        if merged and len(words(part)) < MIN_CLAUSE_WORDS:
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    if len(merged) > 1 and len(words(merged[0])) < MIN_CLAUSE_WORDS:
        merged[1] = f"{merged[0]} {merged[1]}"
        merged.pop(0)
    return merged


def answer_spans(text: str, limit: int = MAX_SPANS) -> list[str]:
    """Candidate evidence spans: every sentence, the clauses of long sentences, and adjacent sentence pairs."""
    return [span for span, _ in span_layout(sentences(text), limit)]


SpanPiece = tuple[int, int, int]  # (sentence index, start, end) in characters of that sentence


def span_layout(sentence_list: list[str], limit: int = MAX_SPANS) -> list[tuple[str, tuple[SpanPiece, ...]]]:
    """The spans of `answer_spans`, each with the sentence pieces it is made of."""
    layout: dict[str, tuple[SpanPiece, ...]] = {}
    for index, sentence in enumerate(sentence_list):
        layout.setdefault(sentence, ((index, 0, len(sentence)),))
    for index, sentence in enumerate(sentence_list):
        sentence_clauses = clauses(sentence)
        if len(sentence_clauses) < 2:
            continue
        cursor = 0
        for clause in sentence_clauses:
            start = sentence.find(clause.split()[0], cursor) if clause.split() else -1
            if start < 0:
                continue
            end = min(len(sentence), start + len(clause))
            cursor = start + 1
            layout.setdefault(clause, ((index, start, end),))
    for index, (first, second) in enumerate(itertools.pairwise(sentence_list)):
        layout.setdefault(f"{first} {second}", ((index, 0, len(first)), (index + 1, 0, len(second))))
    items = list(layout.items())
    if len(items) > limit:
        items = items[:limit]
    return items


def derive_key_point_texts(reference: str, max_points: int = 8) -> list[str]:
    """Key points from a reference answer: its sentences and list items, long sentences split into clauses.

    Fragments shorter than three words are merged into their neighbour; at most `max_points`
    (the longest are merged pairwise when there are more).
    """
    points: list[str] = []
    for sentence in sentences(reference):
        for clause in clauses(sentence):
            if points and len(words(clause)) < MIN_CLAUSE_WORDS:
                points[-1] = f"{points[-1]} {clause}"
            else:
                points.append(clause)
    if not points:
        return [reference.strip()]
    while len(points) > max_points:
        shortest = min(range(len(points) - 1), key=lambda index: len(points[index]) + len(points[index + 1]))
        points[shortest : shortest + 2] = [f"{points[shortest]} {points[shortest + 1]}"]
    return points
