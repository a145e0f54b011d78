"""Draft key points and follow-up questions from a reference answer written in Markdown.

Statements come from the answer's bullets, numbered steps, table rows (one sentence per row) and
prose sentences. Drafts are a starting point for a human editor, not finished rubrics.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from interviewer.bank.models import FollowUpQuestion, KeyPoint

MAX_KEY_POINTS = 8
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
_SLUG_STOPWORDS = frozenset("a an the of to in on for with and or is are be by as at it its this that".split())


def markdown_parser() -> MarkdownIt:
    """CommonMark with GitHub-style tables."""
    return MarkdownIt("commonmark").enable("table")


def inline_text(token: Token) -> str:
    """Plain text of an inline token: emphasis, link and code marks dropped, line breaks as spaces."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "html_inline", "image"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def bold_label(token: Token) -> str | None:
    """The bold lead of an inline token ('**Forward Pass**: ...' -> 'Forward Pass'), if it starts with one."""
    children = [child for child in token.children or [] if not (child.type == "text" and not child.content)]
    if len(children) >= 3 and children[0].type == "strong_open" and children[1].type == "text":
        return children[1].content.strip().rstrip(":").strip() or None
    return None


def slugify(text: str, *, max_words: int = 4, max_length: int = 48) -> str:
    """A lowercase hyphenated slug of the first words that matter ('The gradient of ReLU' -> 'gradient-relu')."""
    all_words = re.findall(r"[a-z0-9]+", text.casefold())
    words = [word for word in all_words if word not in _SLUG_STOPWORDS][:max_words] or all_words[:max_words]
    return "-".join(words)[:max_length].strip("-") or "point"


@dataclass(frozen=True)
class AnswerDraft:
    """Key points (weight 1.0) and follow-up questions drafted from one reference answer."""

    key_points: list[KeyPoint]
    follow_ups: list[FollowUpQuestion]


@dataclass
class _Statement:
    """A statement that may become a key point, with the term it is about (bold lead, first table cell)."""

    text: str
    label: str | None = None


@dataclass
class _Statements:
    """Statements grouped by the list or table they come from; prose sentences kept apart."""

    groups: list[list[_Statement]] = field(default_factory=list)
    prose: list[_Statement] = field(default_factory=list)

    def in_document_order(self) -> list[_Statement]:
        return [*self.prose, *(statement for group in self.groups for statement in group)]


def draft_from_answer(answer: str, *, max_key_points: int = MAX_KEY_POINTS) -> AnswerDraft:
    """Up to `max_key_points` key points from the answer, and follow-ups probing them (empty when nothing found)."""
    chosen = _select(_statements(answer), max_key_points)
    key_points = _key_points(chosen)
    return AnswerDraft(key_points=key_points, follow_ups=_follow_ups(chosen, key_points) if chosen else [])


def _statements(answer: str) -> _Statements:
    tokens = markdown_parser().parse(answer)
    found = _Statements()
    section_label: str | None = None  # the latest short lead-in such as '**Causes:**' or a heading
    list_depth = 0
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type in ("bullet_list_open", "ordered_list_open"):
            if list_depth == 0:
                found.groups.append([])
            list_depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif token.type == "table_open":
            header, rows, index = _table(tokens, index)
            found.groups.append(_table_statements(header, rows))
            continue
        elif token.type == "heading_open":
            section_label = inline_text(tokens[index + 1]).rstrip(":") or None
            index += 3
            continue
        elif token.type == "inline" and list_depth > 0:
            item = inline_text(token)
            label = bold_label(token)
            if item:
                labelled = section_label and not label and len(section_label.split()) <= 4
                found.groups[-1].append(_Statement(text=f"{section_label}: {item}" if labelled else item, label=label))
        elif token.type == "inline":
            paragraph = inline_text(token)
            label = bold_label(token)
            if paragraph.endswith(":") and (label == paragraph.rstrip(":") or len(paragraph.split()) < 6):
                section_label = label or paragraph.rstrip(":")
            else:
                found.prose.extend(_Statement(text=sentence) for sentence in _sentences(paragraph.rstrip(":")))
        index += 1
    found.groups = [group for group in found.groups if group]
    return found


def _table(tokens: Sequence[Token], start: int) -> tuple[list[str], list[list[str]], int]:
    """Header cells and body rows of the table opening at `start`, and the index after it."""
    header: list[str] = []
    rows: list[list[str]] = []
    in_head = False
    index = start
    while index < len(tokens) and tokens[index].type != "table_close":
        token = tokens[index]
        if token.type in ("thead_open", "thead_close"):
            in_head = token.type == "thead_open"
        elif token.type == "tr_open" and not in_head:
            rows.append([])
        elif token.type == "inline":
            if in_head:
                header.append(inline_text(token))
            elif rows:
                rows[-1].append(inline_text(token))
        index += 1
    return header, rows, index + 1


def _table_statements(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[_Statement]:
    """One sentence per row: 'ReLU activation — How It Helps: Gradient = 1 for positive inputs'."""
    statements: list[_Statement] = []
    for row in rows:
        if not row or not row[0]:
            continue
        subject, values = row[0], row[1:]
        names = list(header[1:]) + [""] * max(0, len(values) - len(header) + 1)
        cells = [f"{name}: {value}" if name else value for name, value in zip(names, values, strict=True) if value]
        if cells:
            statements.append(_Statement(text=f"{subject} — " + "; ".join(cells), label=subject))
    return statements


def _sentences(text: str) -> list[str]:
    return [sentence.strip() for sentence in _SENTENCE_END.split(text) if len(sentence.split()) >= 3]


def _select(statements: _Statements, limit: int) -> list[_Statement]:
    """Up to `limit` distinct statements taken in turn from the prose and each list and table, in document order."""
    pools = [deque(pool) for pool in ([statements.prose] if statements.prose else []) + statements.groups]
    chosen: list[_Statement] = []
    seen: set[str] = set()
    while len(chosen) < limit and any(pools):
        for pool in pools:
            while pool:
                statement = pool.popleft()
                if statement.text.casefold() not in seen:
                    seen.add(statement.text.casefold())
                    chosen.append(statement)
                    break
            if len(chosen) >= limit:
                break
    position = {id(statement): order for order, statement in enumerate(statements.in_document_order())}
    return sorted(chosen, key=lambda statement: position[id(statement)])


def _key_points(statements: Sequence[_Statement]) -> list[KeyPoint]:
    key_points: list[KeyPoint] = []
    used: set[str] = set()
    for statement in statements:
        base = slugify(statement.label or statement.text)
        slug, suffix = base, 2
        while slug in used:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        used.add(slug)
        key_points.append(KeyPoint(id=slug, text=statement.text, weight=1.0))
    return key_points


def _follow_ups(statements: Sequence[_Statement], key_points: Sequence[KeyPoint]) -> list[FollowUpQuestion]:
    """Two questions probing drafted points (named terms first), each graded against the point it probes,
    and one asking for an example from the candidate's work (graded on structure and specifics)."""
    named = [statement for statement in statements if statement.label and len(statement.label.split()) <= 5]
    unnamed = [statement for statement in statements if statement not in named]
    picks = named[:1] + named[-1:] if len(named) > 1 else (named + unnamed)[:2]
    by_text = {key_point.text: key_point for key_point in key_points}
    follow_ups: dict[str, FollowUpQuestion] = {}
    for statement in picks:
        text = (
            f"Can you explain {statement.label} in more detail, and why it matters here?"
            if statement in named
            else f"Can you expand on this point: {statement.text.rstrip('.:;')}?"
        )
        probed = [by_text[statement.text]] if statement.text in by_text else []
        follow_ups.setdefault(text, FollowUpQuestion(question=text, key_points=probed))
    example = "Can you give a concrete example from your own work where this mattered?"
    follow_ups[example] = FollowUpQuestion(question=example, kind="experience")
    return list(follow_ups.values())
