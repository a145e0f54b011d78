"""Spaced review of weak key points with FSRS (the `fsrs` package).

Every key point a candidate misses or covers only partly gets an FSRS card keyed by
(bank, question id, key point id). Each later graded attempt rates the card from its verdict
(missed → Again, partial → Hard, covered → Good, or Hard when a hint was shown), and FSRS decides
when it is due again. Key points always covered never get a card.

`SessionStore.record_grade` calls `review_answer` for every answer's first grade, so a session layer
only calls `record_skipped` when a question is skipped (skips are not graded); `record_review` is for
grades made outside a session.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from fsrs import Card, Rating, Scheduler

from interviewer.bank.models import Bank, Question
from interviewer.grading.result import FlagCode, GradeResult, KeyPointVerdict, Provenance
from interviewer.store.records import AnswerRecord, ReviewCardRecord

if TYPE_CHECKING:
    from interviewer.store import SessionStore

RATING_BY_VERDICT = {"contradicted": Rating.Again, "missed": Rating.Again, "partial": Rating.Hard, "covered": Rating.Good}

# One short (re)learning step: a missed or partial key point is due again a minute later (the next
# review session asks it), and once it is covered it graduates to intervals of days, instead of FSRS's
# flashcard default of a second step ten minutes later, which would re-ask a long interview question
# just answered well. No fuzzing: the same grades give the same schedule.
SCHEDULER = Scheduler(
    learning_steps=(timedelta(minutes=1),), relearning_steps=(timedelta(minutes=1),), enable_fuzzing=False
)


def rating_for(verdict: KeyPointVerdict, result: GradeResult) -> Rating:
    """The FSRS rating of one key point's attempt; a hinted cover counts as Hard, not Good."""
    rating = RATING_BY_VERDICT[verdict.verdict]
    if rating == Rating.Good and result.has_flag(FlagCode.HINTED):
        return Rating.Hard
    return rating


def _card_id(bank: str, question_id: str, key_point_id: str) -> int:
    digest = hashlib.blake2b(f"{bank}\0{question_id}\0{key_point_id}".encode(), digest_size=6).digest()
    return int.from_bytes(digest, "big")


def rated_cards(
    existing: dict[tuple[str, str], ReviewCardRecord],
    bank: str,
    question_id: str,
    result: GradeResult,
    now: datetime,
) -> list[ReviewCardRecord]:
    """The cards after rating this result (pure): existing cards keyed by (question id, key point id)."""
    updated: list[ReviewCardRecord] = []
    for verdict in result.key_points:
        record = existing.get((question_id, verdict.key_point_id))
        if record is not None:
            card = Card.from_json(record.card_json)
        elif verdict.verdict == "covered":
            continue
        else:
            card = Card(card_id=_card_id(bank, question_id, verdict.key_point_id), due=now)
        card, _review_log = SCHEDULER.review_card(card, rating_for(verdict, result), review_datetime=now)
        updated.append(
            ReviewCardRecord(
                bank=bank,
                question_id=question_id,
                key_point_id=verdict.key_point_id,
                card_json=card.to_json(),
                due=card.due,
                last_verdict=verdict.verdict,
                updated_at=now,
            )
        )
    return updated


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def _apply(store: SessionStore, bank: str, question_id: str, result: GradeResult, now: datetime | None) -> None:
    existing = {
        (card.question_id, card.key_point_id): card
        for card in store.review_cards(bank)
        if card.question_id == question_id
    }
    store.save_review_cards(rated_cards(existing, bank, question_id, result, _utc(now)))


def record_review(store: SessionStore, question: Question, result: GradeResult, now: datetime | None = None) -> None:
    """Rate the key points of `question` in its bank from `result` (outside a session; sessions do this on grade)."""
    _apply(store, question.bank, question.id, result, now)


def record_skipped(store: SessionStore, question: Question, now: datetime | None = None) -> None:
    """Schedule every key point of a skipped question as missed (skips are not graded, so a session
    layer calls this when the candidate skips)."""
    verdicts = [
        KeyPointVerdict(key_point_id=key_point.id, text=key_point.text, weight=key_point.weight, verdict="missed")
        for key_point in question.key_points
    ]
    result = GradeResult(
        question_id=question.id, score=0, key_points=verdicts, provenance=Provenance(grader="skipped")
    )
    record_review(store, question, result, now)


def rated_question(answer: AnswerRecord, parent_of: Callable[[int], AnswerRecord | None]) -> AnswerRecord:
    """The answer whose question a (follow-up) answer rates: a follow-up rates its first ancestor's
    question, a related-question follow-up its own. `parent_of` looks an answer up by id (None: unknown)."""
    if answer.follow_up is not None and answer.follow_up.kind == "related_question" and answer.follow_up.question_id:
        return answer.model_copy(update={"question_id": answer.follow_up.question_id})
    while answer.parent_answer_id is not None:
        parent = parent_of(answer.parent_answer_id)
        if parent is None:
            break
        answer = parent
    return answer


def review_answer(store: SessionStore, answer: AnswerRecord, result: GradeResult, now: datetime | None = None) -> None:
    """Rate the key points of a stored answer's question from its grade (called by `record_grade`)."""
    bank = store.get_session(answer.session_id).bank
    _apply(store, bank, rated_question(answer, store.get_answer).question_id, result, now)


def review_cards_of(store: SessionStore, bank: Bank | str) -> list[ReviewCardRecord]:
    """The review cards of a bank. A `Bank` of several banks (e.g. `all`) reads the cards rated under its
    own name and under each of its banks' names (a question practised in `all` is due when reviewing its
    bank alone, and the other way round); where both hold a key point, the latest rating counts."""
    if not isinstance(bank, Bank):
        return store.review_cards(bank)
    names = dict.fromkeys([bank.name, *(question.bank for question in bank.questions)])
    latest: dict[tuple[str, str], ReviewCardRecord] = {}
    for name in names:
        for card in store.review_cards(name):
            key = (card.question_id, card.key_point_id)
            if key not in latest or card.updated_at > latest[key].updated_at:
                latest[key] = card
    return list(latest.values())


def due_question_ids(store: SessionStore, bank: Bank | str, now: datetime | None = None) -> list[str]:
    """Questions with key points due for review, most overdue first (then the most due key points).

    With a `Bank`, questions no longer in it are left out.
    """
    moment = _utc(now)
    earliest_due: dict[str, datetime] = {}
    due_counts: dict[str, int] = {}
    for card in review_cards_of(store, bank):
        if card.due > moment:
            continue
        if isinstance(bank, Bank) and card.question_id not in bank:
            continue
        earliest_due[card.question_id] = min(card.due, earliest_due.get(card.question_id, card.due))
        due_counts[card.question_id] = due_counts.get(card.question_id, 0) + 1
    return sorted(earliest_due, key=lambda question_id: (earliest_due[question_id], -due_counts[question_id], question_id))
