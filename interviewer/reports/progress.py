"""Session history and progress over time: per topic and per key point, across sessions."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import Field

from interviewer.bank.models import Bank
from interviewer.grading.result import FlagCode, Verdict
from interviewer.names import GraderName
from interviewer.reports.build import key_point_question_id, overall_score, topic_scores
from interviewer.reports.models import ReportModel
from interviewer.review import banks_overlap, card_banks, due_question_ids, latest_cards
from interviewer.store import ReviewCardRecord, SessionStore
from interviewer.store.records import SessionMode, SessionRecord


class HistoryRow(ReportModel):
    """One past session in `interviewer history`."""

    session_id: int = Field(description="Session id (use it with `interviewer report`).")
    started_at: datetime = Field(description="Start time (UTC).")
    finished: bool = Field(description="Whether the session was finished.")
    bank: str = Field(description="Question bank name.")
    mode: SessionMode = Field(description="practice or review.")
    grader: GraderName = Field(description="Grader used.")
    planned_questions: int = Field(description="Main questions planned.")
    asked_questions: int = Field(description="Main questions answered or skipped.")
    answered_questions: int = Field(default=0, description="Main questions answered (not skipped).")
    skipped_questions: int = Field(default=0, description="Main questions skipped.")
    mean_score: float | None = Field(description="Overall score out of 10 (a skipped question counts 0).")
    llm_fallbacks: int = Field(description="Answers graded offline because the LLM could not be reached.")


def session_history(store: SessionStore) -> list[HistoryRow]:
    """Every session, newest first."""
    rows = []
    for session in store.sessions():
        answers = store.answers(session.id)
        main = [answer for answer in answers if answer.parent_answer_id is None]
        rows.append(
            HistoryRow(
                session_id=session.id,
                started_at=session.started_at,
                finished=session.finished_at is not None,
                bank=session.bank,
                mode=session.mode,
                grader=session.grader,
                planned_questions=len(session.question_ids),
                asked_questions=len(main),
                answered_questions=sum(1 for answer in main if not answer.skipped),
                skipped_questions=sum(1 for answer in main if answer.skipped),
                mean_score=overall_score(answers),
                llm_fallbacks=sum(
                    1 for answer in answers if answer.grade and answer.grade.has_flag(FlagCode.LLM_UNAVAILABLE)
                ),
            )
        )
    return rows


def session_uses(session: SessionRecord, bank: Bank) -> bool:
    """True when a session asked any question of the bank (or was run on a bank of the same name)."""
    return session.bank == bank.name or any(question_id in bank for question_id in session.question_ids)


class TopicScorePoint(ReportModel):
    """A topic's mean score in one session."""

    session_id: int = Field(description="Session id.")
    started_at: datetime = Field(description="Session start (UTC).")
    mean_score: float = Field(description="Mean score of the topic's main questions in that session.")


class TopicProgress(ReportModel):
    """How one topic's scores moved over sessions."""

    bank: str = Field(description="Question bank name.")
    topic: str = Field(description="Topic name.")
    points: list[TopicScorePoint] = Field(description="One point per session that asked the topic, oldest first.")


class KeyPointAttempt(ReportModel):
    """One graded attempt at a key point."""

    session_id: int = Field(description="Session id.")
    answered_at: datetime = Field(description="When the answer was submitted (UTC).")
    verdict: Verdict = Field(description="covered, partial or missed.")


class KeyPointProgress(ReportModel):
    """How one key point's verdicts moved over attempts, and when it is due for review."""

    bank: str = Field(description="Question bank name.")
    question_id: str = Field(description="Question holding the key point.")
    key_point_id: str = Field(description="Key point id.")
    text: str = Field(description="The key point's statement.")
    attempts: list[KeyPointAttempt] = Field(description="Graded attempts, oldest first.")
    review_due: datetime | None = Field(description="When it is next due for spaced review; None without a card.")


class DueQuestion(ReportModel):
    """A question with key points due for spaced review (what `interviewer practice --review` asks)."""

    bank: str = Field(description="Question bank name.")
    question_id: str = Field(description="Question id (a rubric follow-up's own id, e.g. '3.2-follow-up-1').")
    question: str | None = Field(description="The question as it was last asked; None when no stored answer asked it.")
    due_since: datetime = Field(description="When its first key point fell due (UTC).")
    key_point_ids: list[str] = Field(description="Its key points due now.")


class Progress(ReportModel):
    """Progress over all stored sessions."""

    topics: list[TopicProgress] = Field(description="Per bank and topic, in first-asked order.")
    key_points: list[KeyPointProgress] = Field(description="Per key point, weakest latest verdict first.")
    due: list[DueQuestion] = Field(description="Questions due for review now, most overdue first, per bank.")


def due_questions(
    bank: str, cards: list[ReviewCardRecord], question_texts: dict[str, str], now: datetime
) -> list[DueQuestion]:
    """The bank's questions due for review at `now`, in review order (`cards`: one per key point)."""
    due_cards = [card for card in cards if card.due <= now]
    return [
        DueQuestion(
            bank=bank,
            question_id=question_id,
            question=question_texts.get(question_id),
            due_since=min(card.due for card in due_cards if card.question_id == question_id),
            key_point_ids=[card.key_point_id for card in due_cards if card.question_id == question_id],
        )
        for question_id in due_question_ids(cards, now)
    ]


def build_progress(store: SessionStore, bank: Bank | None = None, now: datetime | None = None) -> Progress:
    """Per-topic score trends and per-key-point verdict trails over every session, and the questions due
    for review at `now` (default: now).

    With a bank, only its questions and topics count (a session over several banks contributes
    the part that belongs to this one).
    """
    sessions = [session for session in reversed(store.sessions()) if bank is None or session_uses(session, bank)]
    topics: dict[tuple[str, str], TopicProgress] = {}
    key_points: dict[tuple[str, str, str], KeyPointProgress] = {}
    question_texts: dict[str, str] = {}
    for session in sessions:
        answers = store.answers(session.id)
        if bank is not None:
            answers = [answer for answer in answers if answer.question_id in bank]
        question_texts.update((answer.question_id, answer.question_text) for answer in answers)
        for topic_score in topic_scores(answers):
            if topic_score.mean_score is None:
                continue
            progress = topics.setdefault(
                (session.bank, topic_score.topic), TopicProgress(bank=session.bank, topic=topic_score.topic, points=[])
            )
            progress.points.append(
                TopicScorePoint(session_id=session.id, started_at=session.started_at, mean_score=topic_score.mean_score)
            )
        for answer in answers:
            if answer.grade is None:
                continue
            question_id = key_point_question_id(answer)
            for verdict in answer.grade.key_points:
                key = (session.bank, question_id, verdict.key_point_id)
                entry = key_points.setdefault(
                    key,
                    KeyPointProgress(
                        bank=session.bank,
                        question_id=question_id,
                        key_point_id=verdict.key_point_id,
                        text=verdict.text,
                        attempts=[],
                        review_due=None,
                    ),
                )
                entry.attempts.append(
                    KeyPointAttempt(session_id=session.id, answered_at=answer.submitted_at, verdict=verdict.verdict)
                )
    # Cards are keyed by the question's own bank; a session over a selection (`all`, 'a+b') finds them there.
    if bank is None:
        stored = store.review_cards()
    else:
        stored = [card for name in card_banks(bank) for card in store.review_cards(name)]
    cards = latest_cards(stored)
    if bank is not None:
        cards = [card for card in cards if card.question_id in bank]
    cards_by_key_point: dict[tuple[str, str], list[ReviewCardRecord]] = {}
    for card in cards:
        cards_by_key_point.setdefault((card.question_id, card.key_point_id), []).append(card)
    for entry in key_points.values():
        for card in cards_by_key_point.get((entry.question_id, entry.key_point_id), []):
            if banks_overlap(card.bank, entry.bank):
                entry.review_due = card.due
    moment = now or datetime.now(UTC)
    cards_by_bank: dict[str, list[ReviewCardRecord]] = {}
    for card in cards:
        cards_by_bank.setdefault(card.bank, []).append(card)
    due = [
        question
        for bank_name in sorted(cards_by_bank)
        for question in due_questions(bank_name, cards_by_bank[bank_name], question_texts, moment)
    ]
    order = {"contradicted": 0, "missed": 0, "partial": 1, "covered": 2}
    ranked = sorted(
        key_points.values(),
        key=lambda entry: (
            order[entry.attempts[-1].verdict],
            -len(entry.attempts),
            entry.question_id,
            entry.key_point_id,
        ),
    )
    return Progress(topics=list(topics.values()), key_points=ranked, due=due)
