"""Offline follow-up questions, and the Question a follow-up answer is graded against.

Ranked: (1) a question aimed at the most important missed key point, (2) the rubric's own
follow-ups, (3) the bank question closest to the weak area by embedding similarity. No duplicates,
nothing already asked, at most three.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

import numpy as np

from interviewer.bank.models import Bank, KeyPoint, Question
from interviewer.grading.result import FollowUp, GradeResult, KeyPointVerdict

MAX_FOLLOW_UPS = 3
CLAIM_MIN_WORDS = 6
PROPER_NAMES = frozenset(
    "adam adamw adagrad nesterov xavier glorot kaiming he hinton bayes gaussian euclidean hessian jacobian "
    "fourier markov newton python keras lecun bengio hochreiter schmidhuber".split()
)
_EXPLAINING_WORDS = frozenset("so because which since hence thus therefore giving making".split())
_CLAUSE_VERBS = frozenset(
    """is are was were be has have had can cannot could will would should may might must does do did
    helps help allows allow prevents prevent reduces reduce causes cause means mean requires require uses use
    leads lead makes make gives give lets let becomes become computes compute applies apply adds add removes
    remove updates update learns learn avoids avoid depends depend works work keeps keep scales scale
    acts act controls control maps map combines combine introduces introduce provides provide produces produce
    stops stop forces force encourages encourage penalizes penalises penalize penalise shrinks shrink grows grow
    vanish vanishes explode explodes converges converge approximates approximate saturates saturate
    """.split()
)


def normalise_question_text(text: str) -> str:
    """Case- and punctuation-insensitive form used to detect duplicates and asked questions."""
    return re.sub(r"[^a-z0-9]+", " ", text.casefold()).strip()


def _lower_first(text: str) -> str:
    """Lower-case the first word unless it is a name: an acronym (ReLU, L1, LSTM) or a known proper name."""
    first_word = text.split(maxsplit=1)[0] if text.strip() else ""
    ordinary_word = first_word[1:].islower() or len(first_word) == 1
    if first_word[:1].isupper() and ordinary_word and first_word.strip(",:;'s").lower() not in PROPER_NAMES:
        return text[0].lower() + text[1:]
    return text


def missed_key_point_question(key_point: KeyPoint, *, partial: bool = False) -> str:
    """Phrase a missed key point as an interviewer would ask about it."""
    statement = _lower_first(key_point.text.strip().rstrip(".!;:"))
    tokens = re.findall(r"[a-z']+", statement.casefold())
    reads_as_claim = any(token in _CLAUSE_VERBS for token in tokens) or len(tokens) >= CLAIM_MIN_WORDS
    explains_itself = any(token in _EXPLAINING_WORDS for token in tokens)
    if partial:
        if reads_as_claim:
            return f"You touched on this, but can you be more precise: why is it that {statement}?"
        return f"You touched on {statement}, but only briefly. Can you go into more detail?"
    if reads_as_claim:
        ask = "Can you walk me through how that works?" if explains_itself else "Can you explain why that is?"
        return f"You didn't mention that {statement}. {ask}"
    return f"You didn't mention {statement}. Can you walk me through it?"


def contradicted_key_point_question(evidence: str) -> str:
    """Probe a claim that contradicts a key point, as an interviewer would: without giving the answer away."""
    said = evidence.strip().rstrip(".!;:")
    if len(said) > 140:
        said = said[:137].rsplit(" ", 1)[0] + "…"
    return f"You said “{said}”. Are you sure? Walk me through your reasoning."


def rank_follow_ups(
    question: Question,
    verdicts: Sequence[KeyPointVerdict],
    coverages: Sequence[float],
    *,
    related: tuple[Question, float] | None,
    asked: Collection[str] = (),
) -> list[FollowUp]:
    """1-3 follow-ups in rank order, skipping duplicates and anything whose id or text is in `asked`."""
    asked_texts = {normalise_question_text(item) for item in asked}
    asked_ids = set(asked)
    chosen: list[FollowUp] = []

    def offer(candidate: FollowUp) -> None:
        key = normalise_question_text(candidate.text)
        if len(chosen) >= MAX_FOLLOW_UPS or key in asked_texts:
            return
        if candidate.question_id and candidate.question_id in asked_ids:
            return
        if any(normalise_question_text(existing.text) == key for existing in chosen):
            return
        chosen.append(candidate)

    weak = [
        (verdict, coverage)
        for verdict, coverage in zip(verdicts, coverages, strict=True)
        if verdict.verdict != "covered"
    ]
    weak.sort(
        key=lambda pair: (pair[0].verdict != "contradicted", -pair[0].weight, pair[0].verdict != "missed", pair[1])
    )
    for verdict, _ in weak[:2]:
        key_point = question.key_point(verdict.key_point_id)
        if verdict.verdict == "contradicted" and verdict.evidence:
            text = contradicted_key_point_question(verdict.evidence)
        else:
            text = missed_key_point_question(key_point, partial=verdict.verdict == "partial")
        before = len(chosen)
        offer(FollowUp(text=text, kind="missed_key_point", key_point_id=key_point.id))
        if len(chosen) > before:
            break
    for text in question.follow_up_texts():
        before = len(chosen)
        offer(FollowUp(text=text, kind="rubric"))
        if len(chosen) > before:
            break
    if related is not None:
        related_question, _ = related
        offer(FollowUp(text=related_question.question, kind="related_question", question_id=related_question.id))
    for text in question.follow_up_texts():  # fill up with further rubric follow-ups
        offer(FollowUp(text=text, kind="rubric"))
    return chosen


def closest_related_question(
    question: Question,
    weak_vector: np.ndarray,
    bank: Bank | None,
    question_vectors: dict[str, np.ndarray],
    asked: Collection[str] = (),
) -> tuple[Question, float] | None:
    """The bank question most similar to the weak area; the rubric's `related` list first, then the bank."""
    if bank is None:
        return None
    asked_texts = {normalise_question_text(item) for item in asked}

    def eligible(candidate: Question) -> bool:
        return (
            candidate.id != question.id
            and candidate.id not in asked
            and normalise_question_text(candidate.question) not in asked_texts
            and candidate.id in question_vectors
        )

    listed = [bank.get(question_id) for question_id in question.related if question_id in bank]
    for pool in (listed, bank.questions):
        candidates = [candidate for candidate in pool if eligible(candidate)]
        if candidates:
            scored = [(candidate, float(question_vectors[candidate.id] @ weak_vector)) for candidate in candidates]
            return max(scored, key=lambda pair: pair[1])
    return None


def follow_up_question(
    parent: Question, follow_up: FollowUp, bank: Bank | None, *, result: GradeResult | None = None
) -> Question:
    """The Question a follow-up's answer is graded against.

    Each is graded against its own target: a missed-key-point follow-up against that key point; a
    related-question follow-up is that bank question; a rubric follow-up against its own key points
    (an experience follow-up on structure and specifics). Only a rubric follow-up without key points of
    its own (or an LLM follow-up) falls back to the parent's missed and partial key points (all of them
    when no `result` is given, or when nothing was missed).
    """
    related = follow_up.question_id if follow_up.kind == "related_question" else None
    if related and bank is not None and related in bank:
        return bank.get(related)
    if follow_up.kind == "missed_key_point" and follow_up.key_point_id:
        key_point = parent.key_point(follow_up.key_point_id)
        return _derived(parent, follow_up, [key_point], suffix=key_point.id)
    texts = parent.follow_up_texts()
    if follow_up.kind == "rubric" and follow_up.text in texts:
        own = parent.follow_up_as_question(texts.index(follow_up.text) + 1)
        if own is not None:
            return own
    weak_ids = (
        {verdict.key_point_id for verdict in result.key_points if verdict.verdict != "covered"} if result else set()
    )
    key_points = [key_point for key_point in parent.key_points if key_point.id in weak_ids] or list(parent.key_points)
    index = texts.index(follow_up.text) + 1 if follow_up.text in texts else 0
    return _derived(parent, follow_up, key_points, suffix=f"follow-up-{index}")


def _derived(parent: Question, follow_up: FollowUp, key_points: list[KeyPoint], suffix: str) -> Question:
    reference = "\n".join(f"- {key_point.text}" for key_point in key_points)
    return Question(
        id=f"{parent.id}-{suffix}",
        difficulty=parent.difficulty,
        question=follow_up.text,
        reference_answer=reference,
        key_points=key_points,
        follow_ups=[],
        related=[],
        topic=parent.topic,
        bank=parent.bank,
        source=parent.source,
        parent_id=parent.id,
    )
