"""Import a Markdown question bank (`## topic`, `### Q1.2: question`, `**Answer:**` ...) as rubric drafts.

The text is repaired with ftfy first (UTF-8 that was read as cp1252), then split into topics and
questions, and key points are drafted from the answer's bullets, numbered steps, table rows and
prose. Drafted key points and follow-ups are a starting point: a human reads and edits them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path

import ftfy
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pydantic import ValidationError

from interviewer.bank.loader import describe_validation_error, read_text_file
from interviewer.bank.models import KeyPoint, RubricFile, RubricQuestion
from interviewer.errors import BankError

MIN_KEY_POINTS = 3
MAX_KEY_POINTS = 8

# Bytes 0x80-0xBF as cp1252 decodes them (ftfy's "sloppy" variant keeps the five undefined ones).
_CONTINUATION_CHARS = bytes(range(0x80, 0xC0)).decode("sloppy-windows-1252")
# Mojibake that lost its last byte: cp1252 has no character for 0x81, 0x8D, 0x8F, 0x90 and 0x9D, so
# some tools dropped it. Each prefix maps to the byte that is by far the likeliest in technical text.
_LOST_LAST_BYTE = {
    "â‚": "\x81",  # E2 82 81: subscript one
    "â€": "\x9d",  # E2 80 9D: right double quotation mark
    "â†": "\x90",  # E2 86 90: leftwards arrow
    "Ï": "\x81",  # CF 81: Greek small rho
}
_LOST_BYTE_PATTERN = re.compile(
    "(" + "|".join(map(re.escape, _LOST_LAST_BYTE)) + ")(?![" + re.escape(_CONTINUATION_CHARS) + "])"
)

_QUESTION_NUMBER = re.compile(r"^\s*(?:Q(?:uestion)?\s*)?(\d+(?:\.\d+)*)\s*[:.)\-–—]\s*(.+)$", re.IGNORECASE)
_QUESTION_WORDS = frozenset(
    "what why how when where which who whom whose is are can could does do did should would will "
    "explain describe compare contrast define differentiate distinguish discuss derive list name give "
    "walk tell implement write design outline summarize summarise".split()
)
_DIFFICULTY_TAG = re.compile(r"\s*[\[(](easy|medium|hard)[\])]\s*", re.IGNORECASE)
_ANSWER_LABEL = re.compile(
    r"^\s*(?:\*\*|__)?\s*(?:answer|ans|a)\s*(?:(?:\*\*|__)\s*:|:\s*(?:\*\*|__)?)\s*(.*)$", re.IGNORECASE
)
_QUESTION_LABEL = re.compile(r"^\s*(?:\*\*|__)?\s*(?:question|q)\s*(?:(?:\*\*|__)\s*:|:\s*(?:\*\*|__)?)\s*(.*)$", re.IGNORECASE)
_ANSWER_HEADING = re.compile(r"^\s*#{1,6}\s*(?:answer|solution)s?\s*:?\s*#*\s*$", re.IGNORECASE)
_DETAILS_LINE = re.compile(r"^\s*</?details>\s*$|^\s*<summary>.*</summary>\s*$", re.IGNORECASE)
_RULE_LINE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_LEADING_NUMBER = re.compile(r"^\s*(?:(?:part|section|chapter)\s+)?\d+(?:\.\d+)*\s*[.:)\-–—]?\s+", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8-read-as-cp1252 mojibake: restore bytes some tools dropped, then let ftfy fix the rest."""
    restored = _LOST_BYTE_PATTERN.sub(lambda match: match.group(1) + _LOST_LAST_BYTE[match.group(1)], text)
    return ftfy.fix_text(restored, uncurl_quotes=False)


_SLUG_STOPWORDS = frozenset("a an the of to in on for with and or is are be by as at it its this that".split())


def slugify(text: str, *, max_words: int = 5, max_length: int = 48) -> str:
    """A lowercase hyphenated slug of the first words of a text ('The gradient of ReLU' -> 'gradient-relu')."""
    all_words = re.findall(r"[a-z0-9]+", text.casefold())
    words = [word for word in all_words if word not in _SLUG_STOPWORDS][:max_words] or all_words[:max_words]
    slug = "-".join(words)[:max_length].strip("-")
    return slug or "point"


# --- Markdown structure ------------------------------------------------------------------------


@dataclass
class _Heading:
    level: int
    text: str
    line: int  # 0-based line of the heading
    end: int = 0  # 0-based line after its section (the next heading of the same or a shallower level)


@dataclass
class _DraftQuestion:
    heading: _Heading
    topic: str
    number: str | None
    question: str
    difficulty: str
    answer: str


@dataclass
class _Candidate:
    """A statement drafted into a key point, with the short label (bold lead, first table cell) it names."""

    text: str
    label: str | None = None


@dataclass
class _CandidateGroups:
    groups: list[list[_Candidate]] = field(default_factory=list)
    prose: list[_Candidate] = field(default_factory=list)


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def _inline_plain(token: Token) -> str:
    """Plain text of an inline token: emphasis, links and code marks dropped, line breaks as spaces."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _bold_label(token: Token) -> str | None:
    """The bold lead of an inline token ('**Forward Pass**: ...' -> 'Forward Pass'), if it starts with one."""
    children = [child for child in token.children or [] if not (child.type == "text" and not child.content)]
    if len(children) >= 3 and children[0].type == "strong_open" and children[1].type == "text":
        label = children[1].content.strip().rstrip(":").strip()
        return label or None
    return None


def _headings(text: str) -> list[_Heading]:
    tokens = _markdown().parse(text)
    found: list[_Heading] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            found.append(_Heading(level=int(token.tag[1]), text=_inline_plain(tokens[index + 1]), line=token.map[0]))
    line_count = text.count("\n") + 1
    for index, heading in enumerate(found):
        heading.end = next((later.line for later in found[index + 1 :] if later.level <= heading.level), line_count)
    return found


def _looks_like_question(heading_text: str) -> bool:
    if _QUESTION_NUMBER.match(heading_text) and not heading_text.rstrip().endswith(":"):
        stripped = _QUESTION_NUMBER.match(heading_text)
        assert stripped is not None
        if heading_text.lstrip().upper().startswith("Q") or _is_question_sentence(stripped.group(2)):
            return True
    return _is_question_sentence(heading_text)


def _is_question_sentence(text: str) -> bool:
    text = _DIFFICULTY_TAG.sub(" ", text).strip()
    if text.endswith("?"):
        return True
    first_word = re.match(r"[A-Za-z']+", text)
    return bool(first_word) and first_word.group(0).casefold() in _QUESTION_WORDS and len(text.split()) >= 3


def _question_level(headings: Sequence[_Heading]) -> int | None:
    """The heading level that holds the questions: the one with the most question-like headings (deeper wins ties)."""
    counts: dict[int, int] = {}
    for heading in headings:
        if _looks_like_question(heading.text):
            counts[heading.level] = counts.get(heading.level, 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda level: (counts[level], level))


def _clean_topic(text: str) -> str:
    text = re.sub(r"^[^\w(\[]+", "", text)  # leading emoji and symbols
    text = _LEADING_NUMBER.sub("", text)
    return text.strip(" :-–—") or text.strip()


def _clean_block(lines: Iterable[str]) -> str:
    """Markdown lines without trailing spaces, tabs, <details> wrappers, or leading/trailing blank lines and rules."""
    kept = [line.rstrip().expandtabs(4) for line in lines if not _DETAILS_LINE.match(line)]
    while kept and (not kept[0].strip() or _RULE_LINE.match(kept[0])):
        kept.pop(0)
    while kept and (not kept[-1].strip() or _RULE_LINE.match(kept[-1])):
        kept.pop()
    return "\n".join(kept)


def _split_body(body_lines: list[str]) -> tuple[str, str]:
    """(extra question text, answer) of a question's section, split at an 'Answer:' label if there is one."""
    in_fence = False
    for index, line in enumerate(body_lines):
        if re.match(r"^\s*(```|~~~)", line):
            in_fence = not in_fence
        if in_fence:
            continue
        label = _ANSWER_LABEL.match(line)
        if label or _ANSWER_HEADING.match(line) or re.match(r"^\s*<summary>.*answer.*</summary>\s*$", line, re.I):
            before = body_lines[:index]
            after = ([label.group(1)] if label and label.group(1).strip() else []) + body_lines[index + 1 :]
            return _clean_block(before), _clean_block(after)
    return "", _clean_block(body_lines)


def _draft_questions(path: Path, text: str) -> list[_DraftQuestion]:
    headings = _headings(text)
    level = _question_level(headings)
    if level is None:
        return []
    lines = text.splitlines()
    drafts: list[_DraftQuestion] = []
    for index, heading in enumerate(headings):
        if heading.level != level or not _looks_like_question(heading.text):
            continue
        parents = [earlier for earlier in headings[:index] if earlier.level < level]
        topic = _clean_topic(parents[-1].text) if parents else "General"
        number_match = _QUESTION_NUMBER.match(heading.text)
        number = number_match.group(1) if number_match else None
        question = number_match.group(2) if number_match else heading.text
        difficulty_match = _DIFFICULTY_TAG.search(question)
        difficulty = difficulty_match.group(1).lower() if difficulty_match else "medium"
        question = _DIFFICULTY_TAG.sub(" ", question).strip()
        extra, answer = _split_body(lines[heading.line + 1 : heading.end])
        question_label = _QUESTION_LABEL.match(extra.splitlines()[0]) if extra else None
        if question_label:
            extra = "\n".join([question_label.group(1), *extra.splitlines()[1:]]).strip()
        if extra:
            question = f"{question}\n\n{extra}"
        if not answer.strip():
            raise BankError(path, f"question {question.splitlines()[0]!r} has no answer text", line=heading.line + 1)
        drafts.append(
            _DraftQuestion(
                heading=heading, topic=topic, number=number, question=question, difficulty=difficulty, answer=answer
            )
        )
    return drafts


# --- Key points and follow-ups -------------------------------------------------------------------


def _table_rows(tokens: Sequence[Token], start: int) -> tuple[list[str], list[list[tuple[str, str | None]]], int]:
    """Header cells and body rows (cell text, bold lead) of the table opening at `start`; index after it."""
    header: list[str] = []
    rows: list[list[tuple[str, str | None]]] = []
    in_head = False
    index = start
    while index < len(tokens) and tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open" and not in_head:
            rows.append([])
        elif token.type == "inline":
            if in_head:
                header.append(_inline_plain(token))
            elif rows:
                rows[-1].append((_inline_plain(token), _bold_label(token)))
        index += 1
    return header, rows, index + 1


def _table_candidates(header: Sequence[str], rows: Sequence[Sequence[tuple[str, str | None]]]) -> list[_Candidate]:
    """One sentence per row: 'ReLU activation: gradient = 1 for positive inputs' or 'Capacity — Shallow: Limited; Deep: High'."""
    candidates: list[_Candidate] = []
    for row in rows:
        if not row or not row[0][0]:
            continue
        subject = row[0][0]
        cells = [(name, value) for name, (value, _) in zip_longest(header[1:], row[1:], fillvalue=("", None)) if value]
        if not cells:
            continue
        if len(header) == 2:
            text = f"{subject}: {cells[0][1]}"
        else:
            text = f"{subject} — " + "; ".join(f"{name.lower() or 'detail'}: {value}" for name, value in cells)
        candidates.append(_Candidate(text=text, label=subject))
    return candidates


def _sentences(text: str) -> list[str]:
    return [sentence.strip() for sentence in _SENTENCE_END.split(text) if len(sentence.split()) >= 3]


def _candidates(answer: str) -> _CandidateGroups:
    """Statements in the answer, grouped by the list or table they come from; prose sentences apart."""
    tokens = _markdown().parse(answer)
    found = _CandidateGroups()
    section_label: str | None = None
    list_depth = 0
    current_group: list[_Candidate] | None = None
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type in ("bullet_list_open", "ordered_list_open"):
            if list_depth == 0:
                current_group = []
                found.groups.append(current_group)
            list_depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif token.type == "table_open":
            header, rows, index = _table_rows(tokens, index)
            found.groups.append(_table_candidates(header, rows))
            continue
        elif token.type == "heading_open":
            section_label = _inline_plain(tokens[index + 1]).rstrip(":") or None
            index += 3
            continue
        elif token.type == "inline" and list_depth > 0 and current_group is not None:
            item = _inline_plain(token)
            if item:
                label = _bold_label(token)
                text = f"{section_label}: {item}" if section_label and not label and len(section_label.split()) <= 4 else item
                current_group.append(_Candidate(text=text, label=label))
        elif token.type == "inline":
            paragraph = _inline_plain(token)
            label = _bold_label(token)
            if paragraph.endswith(":") and (label == paragraph.rstrip(":") or len(paragraph.split()) < 6):
                section_label = label or paragraph.rstrip(":")  # a lead-in such as '**Causes:**'
            else:
                found.prose.extend(_Candidate(text=sentence) for sentence in _sentences(paragraph.rstrip(":")))
        index += 1
    found.groups = [group for group in found.groups if group]
    return found


def _select(groups: _CandidateGroups, limit: int) -> list[_Candidate]:
    """Up to `limit` statements, taken in turn from each list, table and the prose so every part is represented."""
    pools = [list(group) for group in ([groups.prose] if groups.prose else []) + groups.groups]
    chosen: list[_Candidate] = []
    seen: set[str] = set()
    while len(chosen) < limit and any(pools):
        for pool in pools:
            while pool:
                candidate = pool.pop(0)
                key = candidate.text.casefold()
                if key not in seen:
                    seen.add(key)
                    chosen.append(candidate)
                    break
            if len(chosen) >= limit:
                break
    order = {id(candidate): position for position, candidate in enumerate(_document_order(groups))}
    return sorted(chosen, key=lambda candidate: order[id(candidate)])


def _document_order(groups: _CandidateGroups) -> list[_Candidate]:
    return [*groups.prose, *(candidate for group in groups.groups for candidate in group)]


def _key_points(candidates: Sequence[_Candidate]) -> list[KeyPoint]:
    key_points: list[KeyPoint] = []
    used: set[str] = set()
    for candidate in candidates:
        base = slugify(candidate.label or candidate.text, max_words=4)
        slug, suffix = base, 2
        while slug in used:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        used.add(slug)
        key_points.append(KeyPoint(id=slug, text=candidate.text, weight=1.0))
    return key_points


def _follow_ups(candidates: Sequence[_Candidate]) -> list[str]:
    """Two questions probing drafted key points (named terms first), plus one asking for an example."""
    named = [candidate for candidate in candidates if candidate.label and len(candidate.label.split()) <= 5]
    picks = (named[:1] + named[-1:]) if len(named) > 1 else (named + [c for c in candidates if c not in named])[:2]
    questions: list[str] = []
    for candidate in picks:
        if candidate.label and len(candidate.label.split()) <= 5:
            questions.append(f"Can you explain {candidate.label} in more detail, and why it matters here?")
        else:
            questions.append(f"Can you expand on this point: {candidate.text.rstrip('.:;')}?")
    questions.append("Can you give a concrete example from your own work where this mattered?")
    return list(dict.fromkeys(questions))


# --- Public API ----------------------------------------------------------------------------------


def import_markdown_bank(source: Path, *, bank_name: str) -> list[RubricFile]:
    """Parse a Markdown question bank into one RubricFile per topic, with drafted key points and follow-ups."""
    source = Path(source)
    text = repair_mojibake(read_text_file(source))
    drafts = _draft_questions(source, text)
    if not drafts:
        raise BankError(
            source,
            "no questions found: expected headings such as '## Topic' then '### Q1.1: What is ...?' "
            "(numbered, ending in '?', or starting with a question word) followed by the answer",
        )
    topics: dict[str, list[_DraftQuestion]] = {}
    for draft in drafts:
        topics.setdefault(draft.topic, []).append(draft)
    ids = _question_ids(topics)
    rubrics: list[RubricFile] = []
    for topic, topic_drafts in topics.items():
        topic_ids = [ids[id(draft)] for draft in topic_drafts]
        questions = [
            _rubric_question(source, draft, question_id, [other for other in topic_ids if other != question_id])
            for draft, question_id in zip(topic_drafts, topic_ids, strict=True)
        ]
        rubrics.append(RubricFile(format=1, bank=bank_name, topic=topic, questions=questions))
    return rubrics


def _question_ids(topics: dict[str, list[_DraftQuestion]]) -> dict[int, str]:
    """The numbers from the headings when every question has a unique one, else '<topic>.<index>'."""
    drafts = [draft for topic_drafts in topics.values() for draft in topic_drafts]
    numbers = [draft.number for draft in drafts]
    if all(numbers) and len(set(numbers)) == len(numbers):
        return {id(draft): str(draft.number) for draft in drafts}
    return {
        id(draft): f"{topic_index}.{question_index}"
        for topic_index, topic_drafts in enumerate(topics.values(), start=1)
        for question_index, draft in enumerate(topic_drafts, start=1)
    }


def _rubric_question(source: Path, draft: _DraftQuestion, question_id: str, related: list[str]) -> RubricQuestion:
    candidates = _select(_candidates(draft.answer), MAX_KEY_POINTS)
    line = draft.heading.line + 1
    if len(candidates) < MIN_KEY_POINTS:
        raise BankError(
            source,
            f"question {question_id}: the answer has {len(candidates)} statement(s) to draft key points from, "
            f"need {MIN_KEY_POINTS} (add bullets or sentences to the answer)",
            line=line,
        )
    document = {
        "id": question_id,
        "difficulty": draft.difficulty,
        "question": draft.question,
        "reference_answer": draft.answer,
        "key_points": [key_point.model_dump() for key_point in _key_points(candidates)],
        "follow_ups": _follow_ups(candidates),
        "related": related,
    }
    try:
        return RubricQuestion.model_validate(document)
    except ValidationError as exc:
        raise BankError(source, f"question {question_id}: {describe_validation_error(document, exc)}", line=line) from None


class _RubricDumper(yaml.SafeDumper):
    """YAML with multi-line strings as literal blocks and lists indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_RubricDumper.add_representer(str, _represent_text)


def rubric_yaml(rubric: RubricFile) -> str:
    """A rubric file as YAML: keys in model order, multi-line text as `|` blocks, empty alternatives left out."""
    document = rubric.model_dump(mode="json")
    for question in document["questions"]:
        for key_point in question["key_points"]:
            if not key_point["alternatives"]:
                del key_point["alternatives"]
    return yaml.dump(document, Dumper=_RubricDumper, sort_keys=False, allow_unicode=True, width=1000)


def rubric_file_name(index: int, topic: str) -> str:
    """'01-neural-network-basics.yaml' for the first topic."""
    return f"{index:02d}-{slugify(topic, max_words=8, max_length=60)}.yaml"


def write_rubric_files(rubrics: list[RubricFile], output: Path, *, overwrite: bool = False) -> list[Path]:
    """Write one YAML file per rubric into `output`; existing files are kept unless `overwrite` (they may hold edits)."""
    output = Path(output)
    targets = [output / rubric_file_name(index, rubric.topic) for index, rubric in enumerate(rubrics, start=1)]
    if not overwrite:
        for target in targets:
            if target.exists():
                raise BankError(target, "already exists; import into an empty folder so edited rubrics are not overwritten")
    try:
        output.mkdir(parents=True, exist_ok=True)
        for target, rubric in zip(targets, rubrics, strict=True):
            target.write_text(rubric_yaml(rubric), encoding="utf-8")
    except OSError as exc:
        raise BankError(output, f"cannot write rubric files: {exc.strerror or exc}") from None
    return targets
