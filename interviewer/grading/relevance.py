"""How relevant each bank question is to a job description, offline, and why.

The posting is cut into passages (lines and sentences) and every passage is embedded with the
grading model. A question's relevance is the mean cosine of its three best passages against the
question's subject text (topic, question, tags). Boilerplate ("competitive salary") matches nothing
strongly, so it does not dilute the score the way one embedding of the whole posting would.
A small keyword signal adds the posting's words that name the question's tags or topic; those words
are also the "because" shown with each question.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from interviewer.bank.models import Question
from interviewer.grading.base import Embedder
from interviewer.names import Difficulty

TOP_PASSAGES = 3
"""A question's embedding relevance: the mean of its best passages' cosines (1 would let one stray line win)."""
KEYWORD_WEIGHT = 0.04
"""Relevance added per matched subject term, weighted by how rare the term is in the bank (at most 3 terms)."""
MAX_PASSAGE_WORDS = 60
MIN_PASSAGE_WORDS = 3
WORD = re.compile(r"[a-z][a-z0-9+#]*(?:[-/.][a-z0-9+#]+)*")
STOPWORDS = frozenset(
    """a an and are as at be by for from has have in into is it its of on or our the their this to we with you your
    will who what which how using use used work working team teams role experience years strong skills ability
    plus including etc across about more new build building help product products company join across
    data model models learning machine ml system systems engineer engineering""".split()
)
"""Words too common in postings (or in every ML question) to explain a match."""
ABBREVIATIONS = {
    "llm": "large language model",
    "llms": "large language models",
    "nlp": "natural language processing",
    "rag": "retrieval augmented generation",
    "cv": "computer vision",
    "recsys": "recommender systems",
    "mlops": "machine learning operations deployment monitoring",
    "a/b": "ab testing",
    "rlhf": "reinforcement learning from human feedback",
}
"""Expanded in passages before embedding: the small model knows the words better than the acronyms."""


@dataclass(frozen=True)
class RankedQuestion:
    """A question with its relevance to a posting and the posting's words that matched."""

    question: Question
    relevance: float
    because: tuple[str, ...] = field(default_factory=tuple)


def passages(text: str) -> list[str]:
    """The posting's lines and sentences with at least a few words, long ones cut into pieces."""
    pieces: list[str] = []
    for line in text.splitlines():
        for sentence in re.split(r"(?<=[.!?;:])\s+", line.strip(" \t-*•·")):
            words = sentence.split()
            for start in range(0, len(words), MAX_PASSAGE_WORDS):
                chunk = words[start : start + MAX_PASSAGE_WORDS]
                if len(chunk) >= MIN_PASSAGE_WORDS:
                    pieces.append(" ".join(chunk))
    if not pieces and text.strip():
        pieces.append(" ".join(text.split()[:MAX_PASSAGE_WORDS]))
    return pieces


def expand_abbreviations(text: str) -> str:
    """Spell out the acronyms postings use (LLM, RAG, NLP...) next to themselves."""
    return re.sub(
        r"\b[A-Za-z/]+\b",
        lambda match: (
            f"{match.group(0)} ({ABBREVIATIONS[match.group(0).lower()]})"
            if match.group(0).lower() in ABBREVIATIONS
            else match.group(0)
        ),
        text,
    )


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ers", "er", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def words_of(text: str) -> list[str]:
    """Lower-case words without stopwords (hyphenated terms split too)."""
    found: list[str] = []
    for word in WORD.findall(text.lower()):
        for part in {word, *re.split(r"[-/.]", word)}:
            if part and part not in STOPWORDS and len(part) > 1:
                found.append(part)
    return found


def subject_text(question: Question) -> str:
    """What a question is about, for matching: its topic, question and tags."""
    tags = ", ".join(tag.replace("-", " ") for tag in question.tags)
    return f"{question.topic}: {question.question} ({tags})"


def subject_terms(question: Question) -> set[str]:
    """Stems of the question's tags and topic: the words that can explain a match."""
    return {_stem(word) for word in words_of(" ".join([question.topic, *question.tags]))}


def rank_for_job(questions: Sequence[Question], job_description: str, embedder: Embedder) -> list[RankedQuestion]:
    """Every question, most relevant to the posting first (ties keep the given order)."""
    pieces = [expand_abbreviations(piece) for piece in passages(job_description)]
    if not pieces:
        return [RankedQuestion(question, 0.0) for question in questions]
    vectors = _normalised(embedder.embed_batch([*pieces, *(subject_text(question) for question in questions)]))
    passage_vectors, question_vectors = vectors[: len(pieces)], vectors[len(pieces) :]
    similarities = question_vectors @ passage_vectors.T
    best = np.sort(similarities, axis=1)[:, ::-1][:, : min(TOP_PASSAGES, len(pieces))].mean(axis=1)

    job_words = words_of(job_description)
    job_stems: dict[str, str] = {}
    for word in job_words:
        job_stems.setdefault(_stem(word), word)
    term_counts = Counter(term for question in questions for term in subject_terms(question))
    ranked = []
    for index, question in enumerate(questions):
        matched = sorted(
            (term for term in subject_terms(question) if term in job_stems),
            key=lambda term: (term_counts[term], term),
        )[:3]
        keyword = sum(1.0 / math.log2(1 + term_counts[term]) for term in matched)
        relevance = float(best[index]) + KEYWORD_WEIGHT * keyword
        ranked.append(RankedQuestion(question, round(relevance, 4), tuple(job_stems[term] for term in matched)))
    order = sorted(range(len(ranked)), key=lambda index: -ranked[index].relevance)
    return [ranked[index] for index in order]


def _normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


DIFFICULTY_ORDER: dict[Difficulty, int] = {"easy": 0, "medium": 1, "hard": 2}


def select_for_job(ranked: Sequence[RankedQuestion], count: int) -> list[RankedQuestion]:
    """The `count` most relevant questions, at most a third of them (at least 1) from any one topic,
    ordered easy to hard so the interview warms up; the cap is lifted when too few topics match."""
    cap = max(1, math.ceil(count / 3))
    chosen: list[RankedQuestion] = []
    per_topic: Counter[str] = Counter()
    for candidate in ranked:
        if len(chosen) == count:
            break
        if per_topic[candidate.question.topic] < cap:
            chosen.append(candidate)
            per_topic[candidate.question.topic] += 1
    for candidate in ranked:
        if len(chosen) == count:
            break
        if candidate not in chosen:
            chosen.append(candidate)
    order = {id(candidate): position for position, candidate in enumerate(chosen)}
    return sorted(chosen, key=lambda c: (DIFFICULTY_ORDER[c.question.difficulty], order[id(c)]))
