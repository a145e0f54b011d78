"""Import a Markdown question bank (`## Topic`, `### Q1.2: question`, `**Answer:**` ...) as rubric drafts.

The text is repaired first (mojibake from UTF-8 read as cp1252), then split into topics and questions;
key points and follow-ups are drafted from each answer (`key_point_drafts`) for a human to edit.
Layout variations handled: question headings at any level (the level with the most question-like
headings wins), with or without `Q1.2:` numbers, with or without an answer label, `<details>` answers;
sections without questions (title, table of contents, study tips) are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from interviewer.bank.key_point_drafts import draft_from_answer, inline_text, markdown_parser
from interviewer.bank.loader import describe_validation_error, read_text_file
from interviewer.bank.models import RubricFile, RubricQuestion
from interviewer.bank.mojibake import repair_mojibake
from interviewer.bank.rubric_writer import rubric_yaml, write_rubric_files
from interviewer.config import input_limits
from interviewer.errors import BankError

__all__ = ["import_markdown_bank", "repair_mojibake", "rubric_yaml", "write_rubric_files"]

MIN_KEY_POINTS = 3

_QUESTION_NUMBER = re.compile(
    r"^\s*(Q(?:uestion)?\s*)?(\d+(?:\.\d+)*)(?!\.?\d)\s*(?:[:.)\-–—]\s*|\s+)(.+)$", re.IGNORECASE
)
_QUESTION_WORDS = frozenset(
    "what why how when where which who whom whose is are can could does do did should would will "
    "explain describe compare contrast define differentiate distinguish discuss derive list name give "
    "walk tell implement write design outline summarize summarise".split()
)
_DIFFICULTY_TAG = re.compile(r"\s*[\[(](easy|medium|hard)[\])]\s*", re.IGNORECASE)
_LABEL_END = r"\s*(?:(?:\*\*|__)\s*:|:\s*(?:\*\*|__)?)\s*(.*)$"  # '**Answer:**', '**Answer**:', 'Answer:'
_ANSWER_LABEL = re.compile(r"^\s*(?:\*\*|__)?\s*(?:answer|ans|a)" + _LABEL_END, re.IGNORECASE)
_QUESTION_LABEL = re.compile(r"^\s*(?:\*\*|__)?\s*(?:question|q)" + _LABEL_END, re.IGNORECASE)
_ANSWER_MARKER = re.compile(
    r"^\s*#{1,6}\s*(?:answer|solution)s?\s*:?\s*#*\s*$|^\s*<summary>.*answer.*</summary>\s*$", re.IGNORECASE
)
_DETAILS_LINE = re.compile(r"^\s*</?details>\s*$|^\s*<summary>.*</summary>\s*$", re.IGNORECASE)
_RULE_LINE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_FENCE_LINE = re.compile(r"^\s*(```|~~~)")
_TOPIC_NUMBER = re.compile(r"^\s*(?:(?:part|section|chapter)\s+)?\d+(?:\.\d+)*\s*[.:)\-–—]?\s+", re.IGNORECASE)


@dataclass
class _Heading:
    level: int
    text: str
    line: int  # 0-based line of the heading
    body: int  # 0-based line after the heading (a setext heading spans two lines)
    end: int = 0  # 0-based line where its section ends (next heading of the same or a shallower level)
    parent: _Heading | None = None  # the nearest earlier heading of a shallower level


@dataclass
class _QuestionSection:
    heading: _Heading
    topic: str
    number: str | None
    question: str
    difficulty: str
    answer: str


def import_markdown_bank(source: Path, *, bank_name: str) -> list[RubricFile]:
    """Parse a Markdown question bank into one RubricFile per topic, with drafted key points and follow-ups."""
    source = Path(source)
    limit = input_limits().markdown_file_bytes
    text = repair_mojibake(read_text_file(source, max_bytes=limit, limit_name="limits.markdown_file_bytes"))
    sections = _question_sections(source, text)
    if not sections:
        raise BankError(
            source,
            "no questions found: expected headings such as '## Topic' then '### Q1.1: What is ...?' "
            "(numbered, ending in '?', or starting with a question word) followed by the answer",
        )
    topics: dict[str, list[_QuestionSection]] = {}
    for section in sections:
        topics.setdefault(section.topic, []).append(section)
    ids = _question_ids(list(topics.values()))
    rubrics: list[RubricFile] = []
    for topic, topic_sections in topics.items():
        topic_ids = [ids[id(section)] for section in topic_sections]
        questions = [
            _rubric_question(source, section, question_id, [other for other in topic_ids if other != question_id])
            for section, question_id in zip(topic_sections, topic_ids, strict=True)
        ]
        rubrics.append(RubricFile(format=1, bank=bank_name, topic=topic, questions=questions))
    return rubrics


def _question_sections(path: Path, text: str) -> list[_QuestionSection]:
    headings = _headings(text)
    level = _question_level(headings)
    lines = text.splitlines()
    sections: list[_QuestionSection] = []
    for heading in headings:
        if heading.level != level or not _looks_like_question(heading.text):
            continue
        number_match = _QUESTION_NUMBER.match(heading.text)
        question = number_match.group(3) if number_match else heading.text
        difficulty_match = _DIFFICULTY_TAG.search(question)
        question = _DIFFICULTY_TAG.sub(" ", question).strip()
        details, answer = _split_at_answer(lines[heading.body : heading.end])
        if details:
            question_label = _QUESTION_LABEL.match(details.splitlines()[0])
            if question_label:
                details = "\n".join([question_label.group(1), *details.splitlines()[1:]]).strip()
            question = f"{question}\n\n{details}"
        if not answer:
            raise BankError(path, f"question {question.splitlines()[0]!r} has no answer text", line=heading.line + 1)
        sections.append(
            _QuestionSection(
                heading=heading,
                topic=_clean_topic(heading.parent.text) if heading.parent else "General",
                number=number_match.group(2) if number_match else None,
                question=question,
                difficulty=difficulty_match.group(1).lower() if difficulty_match else "medium",
                answer=answer,
            )
        )
    return sections


def _headings(text: str) -> list[_Heading]:
    tokens = markdown_parser().parse(text)
    found = [
        _Heading(level=int(token.tag[1]), text=inline_text(tokens[index + 1]), line=token.map[0], body=token.map[1])
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and token.map
    ]
    line_count = text.count("\n") + 1
    open_sections: list[_Heading] = []  # one pass, so the import stays linear in the number of headings
    for heading in found:
        while open_sections and open_sections[-1].level >= heading.level:
            open_sections.pop().end = heading.line
        heading.parent = open_sections[-1] if open_sections else None
        open_sections.append(heading)
    for heading in open_sections:
        heading.end = line_count
    return found


def _looks_like_question(heading_text: str) -> bool:
    """'Q1.2: ...', '3. What is ...', or a sentence ending in '?' or starting with a question word."""
    number_match = _QUESTION_NUMBER.match(heading_text)
    if number_match and (number_match.group(1) or _is_question_sentence(number_match.group(3))):
        return True
    return _is_question_sentence(heading_text)


def _is_question_sentence(text: str) -> bool:
    text = _DIFFICULTY_TAG.sub(" ", text).strip()
    if text.endswith("?"):
        return True
    first_word = re.match(r"[A-Za-z']+", text)
    return first_word is not None and first_word.group(0).casefold() in _QUESTION_WORDS and len(text.split()) >= 3


def _question_level(headings: Sequence[_Heading]) -> int | None:
    """The heading level holding the questions: the one with the most question-like headings (deeper wins ties)."""
    counts: dict[int, int] = {}
    for heading in headings:
        if _looks_like_question(heading.text):
            counts[heading.level] = counts.get(heading.level, 0) + 1
    return max(counts, key=lambda level: (counts[level], level)) if counts else None


def _clean_topic(text: str) -> str:
    """'1. Neural Network Basics' -> 'Neural Network Basics'; leading emoji dropped too."""
    text = _TOPIC_NUMBER.sub("", re.sub(r"^[^\w(\[]+", "", text))
    return text.strip(" :-–—") or text.strip()


def _split_at_answer(body_lines: list[str]) -> tuple[str, str]:
    """(question details, answer) of a question's section, split at an answer label when there is one."""
    in_fence = False
    for index, line in enumerate(body_lines):
        if _FENCE_LINE.match(line):
            in_fence = not in_fence
        if in_fence:
            continue
        label = _ANSWER_LABEL.match(line)
        if label or _ANSWER_MARKER.match(line):
            rest_of_line = [label.group(1)] if label and label.group(1).strip() else []
            return _clean_block(body_lines[:index]), _clean_block(rest_of_line + body_lines[index + 1 :])
    return "", _clean_block(body_lines)


def _clean_block(lines: Iterable[str]) -> str:
    """Markdown lines without trailing spaces, tabs or <details> lines; blank lines and rules trimmed at the ends."""
    kept = [line.rstrip().expandtabs(4) for line in lines if not _DETAILS_LINE.match(line)]
    start, end = 0, len(kept)
    while start < end and (not kept[start].strip() or _RULE_LINE.match(kept[start])):
        start += 1
    while end > start and (not kept[end - 1].strip() or _RULE_LINE.match(kept[end - 1])):
        end -= 1
    return "\n".join(kept[start:end])


def _question_ids(topics: list[list[_QuestionSection]]) -> dict[int, str]:
    """The numbers from the headings when every question has a distinct one, else '<topic>.<question>'."""
    sections = [section for topic_sections in topics for section in topic_sections]
    numbers = [section.number for section in sections]
    if all(numbers) and len(set(numbers)) == len(numbers):
        return {id(section): str(section.number) for section in sections}
    return {
        id(section): f"{topic_index}.{question_index}"
        for topic_index, topic_sections in enumerate(topics, start=1)
        for question_index, section in enumerate(topic_sections, start=1)
    }


def _rubric_question(source: Path, section: _QuestionSection, question_id: str, related: list[str]) -> RubricQuestion:
    draft = draft_from_answer(section.answer)
    line = section.heading.line + 1
    if len(draft.key_points) < MIN_KEY_POINTS:
        raise BankError(
            source,
            f"question {question_id}: the answer has {len(draft.key_points)} statement(s) to draft key points from, "
            f"need {MIN_KEY_POINTS} (add bullets or sentences to the answer)",
            line=line,
        )
    document = {
        "id": question_id,
        "difficulty": section.difficulty,
        "question": section.question,
        "reference_answer": section.answer,
        "key_points": [key_point.model_dump() for key_point in draft.key_points],
        "follow_ups": [follow_up.model_dump() for follow_up in draft.follow_ups],
        "related": related,
    }
    try:
        return RubricQuestion.model_validate(document)
    except ValidationError as exc:
        problem = describe_validation_error(document, exc)
        raise BankError(source, f"question {question_id}: {problem}", line=line) from None
