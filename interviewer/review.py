"""Spaced review of weak key points with FSRS (the `fsrs` package): a pure scheduler.

Every key point a candidate misses or covers only partly gets an FSRS card keyed by (bank, question
id, key point id), the bank being the question's own (not a selection such as `all`). Each later
graded attempt rates the card from its verdict (missed or contradicted → Again, partial → Hard,
covered → Good, or Hard when a hint was shown), and FSRS decides when it is due again. A skipped
question rates every key point as missed. Key points always covered never get a card.

Nothing here reads or writes the store: `PracticeSession` asks which question an answer rates
(`review_target`), hands the stored cards to `rated_cards` and saves what comes back, and lists due
questions with `due_question_ids` (over the cards of a selection's banks: `card_banks`, `latest_cards`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta

from fsrs import Card, Rating, Scheduler

from interviewer.bank.loader import ALL_BANKS
from interviewer.bank.models import Bank, Question
from interviewer.grading.result import FlagCode, FollowUp, GradeResult, KeyPointVerdict, Provenance
from interviewer.store.records import ReviewCardRecord

RATING_BY_VERDICT = {
    "contradicted": Rating.Again,
    "missed": Rating.Again,
    "partial": Rating.Hard,
    "covered": Rating.Good,
}

# One short (re)learning step: a missed or partial key point is due again a minute later (the next
# review session asks it), and once it is covered it graduates to intervals of days, instead of FSRS's
# flashcard default of a second step ten minutes later, which would re-ask a long interview question
# just answered well. No fuzzing: the same grades give the same schedule.
SCHEDULER = Scheduler(
    learning_steps=(timedelta(minutes=1),), relearning_steps=(timedelta(minutes=1),), enable_fuzzing=False
)


def review_target(question: Question, follow_up: FollowUp | None, parent_target: str | None, bank: Bank) -> str | None:
    """The question whose review cards an answer to `question` rates; None when it rates none.

    `question` is the question the answer is graded against (for a follow-up, the one
    `follow_up_question` built), `parent_target` the target of the answer it follows up. A follow-up's
    verdicts update only its own target's cards:

    - a main question, a related-question follow-up (that bank question), and a rubric follow-up with
      key points of its own (e.g. '3.2-follow-up-1', which `Bank.get` resolves, so it can come back in
      review) rate themselves;
    - an experience follow-up rates nothing: it is graded on structure, not on facts to review;
    - a missed-key-point follow-up (that one key point of its parent), a rubric follow-up without key
      points of its own and an LLM follow-up are graded against their parent's key points, so they rate
      their parent's target.
    """
    if question.grading == "experience":
        return None
    if follow_up is None or _is_bank_question(question, bank):
        return question.id
    return parent_target


def _is_bank_question(question: Question, bank: Bank) -> bool:
    """The bank holds this very question (a main or related question, or a rubric follow-up of its own)."""
    return question.id in bank and bank.get(question.id) == question


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
    cards: Iterable[ReviewCardRecord], bank: str, question_id: str, result: GradeResult, now: datetime
) -> list[ReviewCardRecord]:
    """The cards of `question_id` after rating `result` at `now` (pure).

    `cards` are the stored cards, one per key point (`latest_cards` of those read under `card_banks`;
    those of other questions are ignored); the rated cards are keyed under `bank`, the question's own
    bank. Raises ValueError, KeyError or TypeError for a stored card that cannot be read.
    """
    existing = {
        card.key_point_id: card
        for card in latest_cards(cards)
        if card.question_id == question_id and banks_overlap(card.bank, bank)
    }
    updated: list[ReviewCardRecord] = []
    for verdict in result.key_points:
        record = existing.get(verdict.key_point_id)
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


def skipped_result(question: Question) -> GradeResult:
    """What a skip rates: every key point of the question missed (a skip is not graded)."""
    verdicts = [
        KeyPointVerdict(key_point_id=key_point.id, text=key_point.text, weight=key_point.weight, verdict="missed")
        for key_point in question.key_points
    ]
    return GradeResult(question_id=question.id, score=0, key_points=verdicts, provenance=Provenance(grader="skipped"))


def card_banks(bank: Bank) -> list[str]:
    """The bank names whose cards hold the review state of `bank`'s questions: each question's own bank
    (where cards are rated), and the bank's own name (a selection such as `all` or 'a+b', under which
    earlier versions rated the cards of a session over it)."""
    return list(dict.fromkeys([*(question.bank for question in bank.questions), bank.name]))


def banks_overlap(first: str, second: str) -> bool:
    """True when two bank names can hold the same question: the same bank, `all` (every shipped bank), or
    selections ('a+b', see `bank.catalog`) sharing a bank."""
    if first == second or ALL_BANKS in (first, second):
        return True
    return not set(first.split("+")).isdisjoint(second.split("+"))


def latest_cards(cards: Iterable[ReviewCardRecord]) -> list[ReviewCardRecord]:
    """One card per key point, the latest rated, of cards read under several bank names (see `card_banks`):
    a question practised under `all` is due when reviewing its bank alone, and the other way round.

    Cards of the same (question id, key point id) are the same key point only where their banks overlap
    (`banks_overlap`): two unrelated banks may both have a question '1.1'.
    """
    kept: dict[tuple[str, str], list[ReviewCardRecord]] = {}
    for card in sorted(cards, key=lambda card: card.updated_at, reverse=True):
        same_key = kept.setdefault((card.question_id, card.key_point_id), [])
        if not any(banks_overlap(card.bank, newer.bank) for newer in same_key):
            same_key.append(card)
    return [card for same_key in kept.values() for card in same_key]


def due_question_ids(cards: Iterable[ReviewCardRecord], now: datetime, *, bank: Bank | None = None) -> list[str]:
    """Questions with key points due at `now`, most overdue first (then the most due key points).

    With a `bank`, questions it no longer holds are left out.
    """
    earliest_due: dict[str, datetime] = {}
    due_counts: dict[str, int] = {}
    for card in cards:
        if card.due > now or (bank is not None and card.question_id not in bank):
            continue
        earliest_due[card.question_id] = min(card.due, earliest_due.get(card.question_id, card.due))
        due_counts[card.question_id] = due_counts.get(card.question_id, 0) + 1
    return sorted(
        earliest_due, key=lambda question_id: (earliest_due[question_id], -due_counts[question_id], question_id)
    )
