"""One practice interview without any UI: choosing the questions, and a session that stores every
answer the moment it is submitted, then grades it and stores the grade.

`PracticeSession` owns an answer's lifecycle: it stores the submission, grades it (`grade_answer`,
pure, safe in a worker thread), stores the grade and schedules spaced review through the pure
scheduler in `interviewer.review` (skips included). The store only stores.

The TUI drives this module; so can a script or a test. Nothing here imports Textual or torch.
"""

from __future__ import annotations

import os
import random
import socket
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from interviewer import review
from interviewer.bank.models import Bank, KeyPoint, Question
from interviewer.config import NO_LLM_CONFIGURED, Settings
from interviewer.errors import InterviewerError, StoreError
from interviewer.grading.result import Flag, FlagCode, FollowUp, GradeResult
from interviewer.names import Difficulty, GraderName
from interviewer.store import (
    AnswerRecord,
    DraftRecord,
    ReviewCardRecord,
    SessionClaim,
    SessionMode,
    SessionRecord,
    SessionStore,
    Submission,
)
from interviewer.wording import plural, session_counts

if TYPE_CHECKING:
    from interviewer.grading.base import Embedder, Grader
    from interviewer.grading.relevance import RankedQuestion
    from interviewer.reports import SessionReport

WEAK_SCORE = 6.0
"""A main question scored below this (or skipped) comes back in "practise weak questions again"."""


class PracticeError(InterviewerError):
    """A practice session cannot be set up as asked (no matching questions, review unavailable...)."""


@dataclass
class PracticeOptions:
    """What the candidate asked for, from the command line or the start screen."""

    banks: tuple[str, ...] = ()
    """--bank values (shipped bank names, 'all', paths; see bank.catalog); () means every shipped bank."""
    topics: tuple[str, ...] = ()
    questions: int = 5
    difficulty: Difficulty | None = None
    grader: GraderName | None = None
    time_limit_seconds: int | None = None
    review: bool = False
    offline: bool = False
    skip_start: bool = False
    """Go straight to the first question instead of showing the start screen."""
    seed: int | None = None
    job_description: str | None = None
    """A pasted job posting: the session asks the shipped questions most relevant to it."""
    adaptive: bool = False
    """Order the questions by the last score (harder after a strong answer) and weak topics first."""


@dataclass(frozen=True)
class GraderChoice:
    """A grader the candidate can pick, or why it cannot be picked."""

    name: GraderName
    label: str
    unavailable_reason: str | None = None


def grader_choices(settings: Settings, *, offline: bool) -> list[GraderChoice]:
    """The three graders, with the LLM ones unavailable (and why) offline or when no LLM is configured."""
    reason = None
    if offline:
        reason = "offline mode: only the embedding grader runs"
    elif not settings.llm.configured:
        reason = NO_LLM_CONFIGURED
    return [
        GraderChoice("embedding", "Embeddings (offline)"),
        GraderChoice("llm", "LLM", reason),
        GraderChoice("hybrid", "Hybrid", reason),
    ]


def resolve_grader(settings: Settings, requested: GraderName | None, *, offline: bool) -> GraderName:
    """The grader to use: the requested one if it can run, else the configured default; PracticeError otherwise."""
    choices = {choice.name: choice for choice in grader_choices(settings, offline=offline)}
    if requested is None:
        default = settings.default_grader()
        return default if choices[default].unavailable_reason is None else "embedding"
    reason = choices[requested].unavailable_reason
    if reason:
        raise PracticeError(f"grader {requested!r} is not available ({reason})")
    return requested


def matching_topics(bank: Bank, topics: Collection[str]) -> list[str]:
    """The bank's topics named (case-insensitively) in `topics`, all of them when empty; PracticeError for
    a topic the bank does not have."""
    known_topics = bank.topics()
    wanted_topics: list[str] = []
    for topic in topics:
        matches = [known for known in known_topics if known.casefold() == topic.casefold()]
        if not matches:
            raise PracticeError(f"no topic {topic!r} in bank {bank.name!r}; topics: {', '.join(known_topics)}")
        wanted_topics.extend(match for match in matches if match not in wanted_topics)
    return wanted_topics or known_topics


def select_questions(
    bank: Bank,
    topics: Collection[str] = (),
    count: int = 5,
    difficulty: Difficulty | None = None,
    seed: int | None = None,
    topic_order: Sequence[str] = (),
) -> list[Question]:
    """Pick `count` questions of the given topics (all when empty) and difficulty (any when None).

    Questions are shuffled within each topic, then taken round-robin across topics, so a short
    session still covers several topics. The same seed gives the same interview. Topics named in
    `topic_order` (e.g. the candidate's weakest) come first, in that order.
    """
    if count < 1:
        raise PracticeError("the number of questions must be at least 1")
    wanted_topics = matching_topics(bank, topics)
    rng = random.Random(seed)
    per_topic: list[tuple[str, list[Question]]] = []
    for topic in wanted_topics:
        pool = [
            question for question in bank.by_topic(topic) if difficulty is None or question.difficulty == difficulty
        ]
        rng.shuffle(pool)
        if pool:
            per_topic.append((topic, pool))
    rng.shuffle(per_topic)
    rank = {topic: position for position, topic in enumerate(topic_order)}
    per_topic.sort(key=lambda entry: rank.get(entry[0], len(rank)))
    if not per_topic:
        where = ", ".join(topics) if topics else "any topic"
        raise PracticeError(f"no {difficulty} questions in {where} of bank {bank.name!r}")
    chosen: list[Question] = []
    while len(chosen) < count and any(pool for _, pool in per_topic):
        for _, pool in per_topic:
            if pool and len(chosen) < count:
                chosen.append(pool.pop())
    return chosen


def plan_job_questions(bank: Bank, options: PracticeOptions, embedder: Embedder) -> list[RankedQuestion]:
    """The questions of a job-description session: the most relevant of the chosen topics and difficulty,
    spread over topics and ordered easy to hard (see grading.relevance)."""
    from interviewer.grading.relevance import rank_for_job, select_for_job

    if not options.job_description or not options.job_description.strip():
        raise PracticeError("the job description is empty")
    wanted = set(matching_topics(bank, options.topics))
    pool = [
        question
        for question in bank.questions
        if question.topic in wanted and (options.difficulty is None or question.difficulty == options.difficulty)
    ]
    if not pool:
        raise PracticeError(f"no {options.difficulty or ''} questions in the chosen topics of bank {bank.name!r}")
    ranked = rank_for_job(pool, options.job_description, embedder)
    return select_for_job(ranked, options.questions)


Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, timezone-aware UTC: when review cards are rated and due."""
    return datetime.now(UTC)


def review_cards_of(store: SessionStore, bank: Bank) -> list[ReviewCardRecord]:
    """The review cards of a bank's questions, one per key point: read under each of its questions' banks
    and its own name (`review.card_banks`), the latest rating counting (`review.latest_cards`). So a
    question practised under a selection such as `all` is due when reviewing its bank alone, and the
    other way round."""
    return review.latest_cards(card for name in review.card_banks(bank) for card in store.review_cards(name))


def review_question_ids(store: SessionStore, bank: Bank, now: datetime | None = None) -> list[str]:
    """Questions of the bank whose key points are due for spaced review, most overdue first."""
    return review.due_question_ids(review_cards_of(store, bank), now or utc_now(), bank=bank)


def answered_question_ids(answers: Iterable[AnswerRecord]) -> set[str]:
    """Main questions answered or skipped (follow-up answers do not count)."""
    return {answer.question_id for answer in answers if answer.parent_answer_id is None}


@dataclass(frozen=True)
class SessionProgress:
    """How far a stored session got: main questions answered and skipped (never one counted as the other)."""

    planned: int
    answered: int
    skipped: int
    follow_ups: int
    ungraded: int
    """Answers (main or follow-up) submitted but not graded yet; skips need no grade."""
    draft: bool
    """An unsubmitted draft is saved."""

    @property
    def done(self) -> int:
        return self.answered + self.skipped

    @property
    def complete(self) -> bool:
        """Every planned main question answered or skipped, and every answer graded."""
        return self.done >= self.planned and not self.ungraded

    @property
    def empty(self) -> bool:
        """Nothing submitted and no draft: quit before any answer."""
        return not self.done and not self.follow_ups and not self.draft

    def describe(self) -> str:
        """`4 answered · 1 skipped of 5 questions`."""
        return f"{session_counts(self.answered, self.skipped)} of {plural(self.planned, 'question')}"


def session_progress(store: SessionStore, record: SessionRecord) -> SessionProgress:
    """Counts of a stored session's answers, and whether a draft is waiting."""
    answers = store.answers(record.id)
    main = {answer.question_id: answer for answer in answers if answer.parent_answer_id is None}
    return SessionProgress(
        planned=len(record.question_ids),
        answered=sum(1 for answer in main.values() if not answer.skipped),
        skipped=sum(1 for answer in main.values() if answer.skipped),
        follow_ups=sum(1 for answer in answers if answer.parent_answer_id is not None),
        ungraded=sum(1 for answer in answers if answer.grade is None and not answer.skipped),
        draft=store.draft(record.id) is not None,
    )


def describe_unfinished(store: SessionStore, record: SessionRecord) -> str:
    """The resume offer's text: which session, how far it got."""
    progress = session_progress(store, record)
    started = record.started_at.strftime("%Y-%m-%d %H:%M UTC")
    details = [progress.describe()]
    if progress.ungraded:
        details.append(f"{plural(progress.ungraded, 'answer')} not graded yet")
    if progress.draft:
        details.append("a draft answer kept")
    return (
        f"Session {record.id}, started {started}: {'; '.join(details)} "
        f"({record.bank} bank, {record.grader} grader). Resume it, or start fresh?"
    )


CLAIM_HEARTBEAT_SECONDS = 20.0
"""How often a running interview renews its claim on its session."""
CLAIM_STALE_AFTER = timedelta(seconds=90)
"""A claim not renewed for this long is stale (a frozen or suspended process, or one on another host)."""


def pid_alive(pid: int) -> bool:
    """True when a process with this id runs on this host (signal 0 only checks)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    except OSError:
        return False
    return True


def claim_is_live(
    claim: SessionClaim,
    now: datetime,
    *,
    host: str | None = None,
    alive: Callable[[int], bool] = pid_alive,
) -> bool:
    """Whether a claim still holds: renewed within CLAIM_STALE_AFTER and, on this host, its process running.

    A process killed with kill -9 leaves its claim behind; its pid is gone, so the claim is stale at once.
    On another host (a shared data folder) only the heartbeat's age can tell."""
    if now - claim.heartbeat_at > CLAIM_STALE_AFTER:
        return False
    if claim.host == (host or socket.gethostname()):
        return alive(claim.pid)
    return True


def open_elsewhere(store: SessionStore, record: SessionRecord, now: datetime | None = None) -> bool:
    """True when another running interviewer has the session open (a live claim by another process)."""
    claim = store.session_claim(record.id)
    return claim is not None and claim.pid != os.getpid() and claim_is_live(claim, now or utc_now())


def session_to_resume(store: SessionStore) -> SessionRecord | None:
    """The newest unfinished session worth offering: not empty, not open in another process, not complete.

    A session whose every question is answered or skipped and graded is marked finished here (older
    versions left such sessions unfinished when the candidate quit on the last feedback screen)."""
    for record in store.unfinished_sessions():
        if open_elsewhere(store, record):
            continue
        progress = session_progress(store, record)
        if progress.complete and progress.done:
            store.finish_session(record.id)
            continue
        if not progress.empty:
            return record
    return None


def weak_question_ids(report: SessionReport) -> list[str]:
    """Main questions scored below WEAK_SCORE or skipped: what "practise weak questions again" asks."""
    weak = [
        answer.question_id
        for answer in report.questions
        if answer.skipped or (answer.score is not None and answer.score < WEAK_SCORE)
    ]
    return list(dict.fromkeys(weak))


def plan_questions(bank: Bank, options: PracticeOptions, store: SessionStore) -> list[Question]:
    """The questions of a new session: the due review questions, or a selection by topic and difficulty."""
    if options.review:
        due = review_question_ids(store, bank)
        if not due:
            raise PracticeError("nothing is due for review yet: practise first, missed key points come back later")
        return [bank.get(question_id) for question_id in due[: options.questions]]
    order = weak_topics(store, bank) if options.adaptive else ()
    return select_questions(bank, options.topics, options.questions, options.difficulty, options.seed, order)


STRONG_ANSWER = 7.5
"""Adaptive order: after a main answer scoring at least this, the next question is a step harder."""
WEAK_ANSWER = 5.0
"""Adaptive order: after a main answer scoring below this (or a skip), the next question is a step easier."""
DIFFICULTY_STEPS: tuple[Difficulty, ...] = ("easy", "medium", "hard")
UNSEEN_TOPIC_SCORE = 5.0
"""A topic never answered ranks like a middling one: after the weak topics, before the strong ones."""


def weak_topics(store: SessionStore, bank: Bank) -> list[str]:
    """The bank's topics, weakest first by the mean stored score of their main answers (skips count 0)."""
    scores: dict[str, list[float]] = {}
    for answer in store.all_answers():
        if answer.parent_answer_id is not None:
            continue
        if answer.skipped:
            scores.setdefault(answer.topic, []).append(0.0)
        elif answer.grade is not None:
            scores.setdefault(answer.topic, []).append(answer.grade.score)
    topics = bank.topics()
    mean = {
        topic: sum(scores[topic]) / len(scores[topic]) if scores.get(topic) else UNSEEN_TOPIC_SCORE for topic in topics
    }
    return sorted(topics, key=lambda topic: mean[topic])


def next_difficulty(previous: Difficulty, score: float | None) -> Difficulty:
    """A step harder after a strong answer, a step easier after a weak one (None: skipped), else the same."""
    step = DIFFICULTY_STEPS.index(previous)
    if score is None or score < WEAK_ANSWER:
        step -= 1
    elif score >= STRONG_ANSWER:
        step += 1
    return DIFFICULTY_STEPS[min(max(step, 0), len(DIFFICULTY_STEPS) - 1)]


def adaptive_pick(
    remaining: Sequence[Question], target: Difficulty, topic_order: Sequence[str] = ()
) -> Question | None:
    """The remaining question nearest the target difficulty; ties go to the weaker topic, then plan order."""
    if not remaining:
        return None
    rank = {topic: position for position, topic in enumerate(topic_order)}
    wanted = DIFFICULTY_STEPS.index(target)
    return min(
        enumerate(remaining),
        key=lambda item: (
            abs(DIFFICULTY_STEPS.index(item[1].difficulty) - wanted),
            rank.get(item[1].topic, len(rank)),
            item[0],
        ),
    )[1]


def hint_key_point(question: Question, hints_shown: int) -> KeyPoint | None:
    """The next key point to reveal as a hint: the most important ones first; None when all are shown."""
    ranked = sorted(question.key_points, key=lambda key_point: -key_point.weight)
    return ranked[hints_shown] if hints_shown < len(ranked) else None


def grade_answer(
    grader: Grader, question: Question, answer: str, *, asked: Collection[str] = (), hinted: bool = False
) -> GradeResult:
    """Grade one answer (pure: touches no store, safe in a worker thread).

    Follow-ups already `asked` are not suggested again; a hinted answer gets a HINTED flag so the grade
    says a key point was shown before answering.
    """
    result = grader.grade(question, answer, asked=asked)
    if hinted and not result.has_flag(FlagCode.HINTED):
        hint_flag = Flag(code=FlagCode.HINTED, message="a hint was shown before this answer was written")
        result = result.model_copy(update={"flags": [*result.flags, hint_flag]})
    return result


GraderFactory = Callable[[Settings, GraderName, Bank, "Embedder"], "Grader"]


def build_default_grader(settings: Settings, name: GraderName, bank: Bank, embedder: Embedder) -> Grader:
    """The engine's grader by name (imported here: torch and the LLM client load only when used)."""
    from interviewer.grading.factory import build_grader

    return build_grader(settings, name, bank=bank, embedder=embedder)


class GraderPool:
    """Graders built once per (grader name, bank) and used by one thread at a time: they share one model."""

    def __init__(self, settings: Settings, factory: GraderFactory | None = None) -> None:
        self.settings = settings
        self.factory = factory or build_default_grader
        self._graders: dict[tuple[str, str], Grader] = {}
        self._lock = threading.Lock()

    def _grader(self, name: GraderName, bank: Bank, embedder: Embedder) -> Grader:
        key = (name, bank.name)
        if key not in self._graders:
            self._graders[key] = self.factory(self.settings, name, bank, embedder)
        return self._graders[key]

    def grade(
        self,
        name: GraderName,
        bank: Bank,
        embedder: Embedder,
        question: Question,
        answer: str,
        *,
        asked: Collection[str] = (),
        hinted: bool = False,
    ) -> GradeResult:
        """Grade with the named grader (see `grade_answer`); safe from any thread."""
        with self._lock:
            return grade_answer(self._grader(name, bank, embedder), question, answer, asked=asked, hinted=hinted)

    def warm_up(self, bank: Bank, embedder: Embedder, questions: Sequence[Question]) -> None:
        """Embed these questions' key points (and the bank's topic vectors) ahead of the first grade (`prepare`).

        Only the session's questions: preparing all eight shipped banks (210 questions, the judge's states
        included) held the grading lock for minutes on 2 cores, and the first grade waited for it."""
        with self._lock:
            self._grader("embedding", bank, embedder).prepare(list(questions))


class PracticeSession:
    """One interview: the session record, the store it lives in, and the bank its questions come from.

    It owns each answer's lifecycle: `submit` stores it (and schedules a skip for review), the caller
    grades it with `grade_answer` (pure and slow, so a UI runs it in a worker), and `record_grade`
    stores the grade and rates the answer's review cards. Store calls happen on the caller's thread.
    `clock` says when review cards are rated (tests move it).
    """

    def __init__(self, store: SessionStore, bank: Bank, record: SessionRecord, *, clock: Clock = utc_now):
        self.store = store
        self.bank = bank
        self.record = record
        self.clock = clock
        self.adaptive = False
        """Ask the next question by the last score (see `next_question`); not stored: a resumed session
        goes on in plan order."""
        self.topic_order: list[str] = []
        """Adaptive ties: weakest topics first (see `weak_topics`)."""

    def make_adaptive(self) -> None:
        """From now on, choose each next question by the last main answer's score and the weak topics."""
        self.adaptive = True
        self.topic_order = weak_topics(self.store, self.bank)

    @classmethod
    def start(
        cls,
        store: SessionStore,
        bank: Bank,
        questions: Sequence[Question],
        *,
        grader: GraderName,
        topics: Sequence[str] = (),
        mode: SessionMode = "practice",
        time_limit_seconds: int | None = None,
        clock: Clock = utc_now,
    ) -> PracticeSession:
        """Create and store a new session over these questions."""
        if not questions:
            raise PracticeError("a session needs at least one question")
        record = store.start_session(
            bank=bank.name,
            grader=grader,
            question_ids=[question.id for question in questions],
            topics=list(topics),
            mode=mode,
            time_limit_seconds=time_limit_seconds,
        )
        session = cls(store, bank, record, clock=clock)
        session.claim()
        return session

    @classmethod
    def resume(
        cls, store: SessionStore, bank: Bank, record: SessionRecord, *, clock: Clock = utc_now
    ) -> PracticeSession:
        """Continue a stored session (its answers and grades stay as they are) and claim it for this process."""
        session = cls(store, bank, record, clock=clock)
        session.claim()
        return session

    def claim(self) -> None:
        """Say that this process has the session open (renew every CLAIM_HEARTBEAT_SECONDS; see `claim_is_live`)."""
        self.store.claim_session(self.record.id, pid=os.getpid(), host=socket.gethostname())

    def release(self) -> None:
        """This process no longer has the session open."""
        self.store.release_session(self.record.id, pid=os.getpid())

    def progress(self) -> SessionProgress:
        return session_progress(self.store, self.record)

    def finish_if_complete(self) -> bool:
        """Mark the session finished once every main question is answered or skipped and every answer graded,
        so a session quit on its last feedback screen is not offered for resuming. True when finished."""
        if self.record.finished_at is None and not self.remaining_questions() and not self.ungraded_answers():
            self.finish()
            return True
        return self.record.finished_at is not None

    # Drafts: the answer box as the candidate types, so a crash or kill -9 loses at most the last second

    def save_draft(
        self,
        question: Question,
        text: str,
        *,
        hints_shown: int = 0,
        parent_answer_id: int | None = None,
        follow_up: FollowUp | None = None,
    ) -> None:
        """Keep the unsubmitted answer (replacing the session's previous draft); an empty box forgets it."""
        if not text.strip() and not hints_shown:
            self.store.clear_draft(self.record.id)
            return
        self.store.save_draft(
            self.record.id,
            question_id=question.id,
            answer=text,
            hints_shown=hints_shown,
            parent_answer_id=parent_answer_id,
            follow_up=follow_up if parent_answer_id is not None else None,
        )

    def draft(self) -> DraftRecord | None:
        return self.store.draft(self.record.id)

    def draft_for(self, question: Question, parent_answer_id: int | None = None) -> DraftRecord | None:
        """The saved draft if it belongs to this question (asked as a main question or after that answer)."""
        draft = self.draft()
        if draft is None or draft.question_id != question.id or draft.parent_answer_id != parent_answer_id:
            return None
        return draft

    def draft_follow_up(self) -> tuple[AnswerRecord, Question, FollowUp, Question] | None:
        """For a draft of a follow-up not answered yet: (the answer it follows up, that answer's question, the
        follow-up, the follow-up's own question), so a resume can ask it again; None otherwise."""
        draft = self.draft()
        if draft is None or draft.parent_answer_id is None or draft.follow_up is None:
            return None
        answers = self.answers()
        if any(
            answer.parent_answer_id == draft.parent_answer_id and answer.follow_up == draft.follow_up
            for answer in answers
        ):
            return None
        parent = next((answer for answer in answers if answer.id == draft.parent_answer_id), None)
        parent_question = self.question_for(parent) if parent is not None else None
        if parent is None or parent_question is None:
            return None
        try:
            question = self.follow_up_question(parent_question, draft.follow_up)
        except KeyError:
            return None
        return parent, parent_question, draft.follow_up, question

    @property
    def id(self) -> int:
        return self.record.id

    def answers(self) -> list[AnswerRecord]:
        """Every stored answer of this session, in submission order."""
        return self.store.answers(self.record.id)

    def questions(self) -> list[Question]:
        """The session's main questions that the bank still holds, in order."""
        return [self.bank.get(question_id) for question_id in self.record.question_ids if question_id in self.bank]

    def missing_question_ids(self) -> list[str]:
        """Question ids of the session that are no longer in the bank (skipped on resume)."""
        return [question_id for question_id in self.record.question_ids if question_id not in self.bank]

    def remaining_questions(self) -> list[Question]:
        """Main questions not answered or skipped yet."""
        done = answered_question_ids(self.answers())
        return [question for question in self.questions() if question.id not in done]

    def next_question(self) -> Question | None:
        """The next main question: in plan order, or when adaptive, the remaining one nearest in difficulty
        to a step up from the last main answer if it was strong, a step down if weak or skipped.

        The first adaptive question is an easy one if the plan has one, else the nearest to medium."""
        remaining = self.remaining_questions()
        if not self.adaptive or not remaining:
            return remaining[0] if remaining else None
        main_answers = [answer for answer in self.answers() if answer.parent_answer_id is None]
        if not main_answers:
            return adaptive_pick(remaining, "easy", self.topic_order)
        last = main_answers[-1]
        previous = self.bank.get(last.question_id).difficulty if last.question_id in self.bank else "medium"
        score = None if last.skipped else (last.grade.score if last.grade is not None else None)
        if score is None and not last.skipped:
            return adaptive_pick(remaining, previous, self.topic_order)  # not graded yet: stay level
        return adaptive_pick(remaining, next_difficulty(previous, score), self.topic_order)

    def position(self, question: Question) -> tuple[int, int]:
        """(1-based position of a main question, number of main questions), e.g. (3, 10)."""
        ids = self.record.question_ids
        index = ids.index(question.id) + 1 if question.id in ids else len(ids)
        return index, len(ids)

    def asked(self) -> set[str]:
        """Ids and texts of every question asked so far, so follow-ups are not repeated."""
        asked: set[str] = set(self.record.question_ids)
        for answer in self.answers():
            asked.update((answer.question_id, answer.question_text))
        return asked

    def submit(self, submission: Submission) -> AnswerRecord:
        """Store an answer now, before any grading, and return its record.

        The record names the question whose review cards the answer rates (`review.review_target`); a
        skipped question is not graded, so its key points are rated as missed here and come back as due.
        """
        parent_target = None
        if submission.parent_answer_id is not None:
            parent_target = self.store.get_answer(submission.parent_answer_id).review_question_id
        follow_up = submission.follow_up if submission.parent_answer_id is not None else None
        target = review.review_target(submission.question, follow_up, parent_target, self.bank)
        record = self.store.record_answer(self.record.id, submission, review_question_id=target)
        if self.draft_for(submission.question, submission.parent_answer_id) is not None:
            self.store.clear_draft(self.record.id)
        if submission.skipped:
            self._schedule_review(record, review.skipped_result(submission.question))
            self.finish_if_complete()
        return record

    def record_grade(self, answer: AnswerRecord, result: GradeResult) -> None:
        """Store the grade of a stored answer; its first grade also rates its review cards. The grade that
        completes the session (see `finish_if_complete`) marks it finished."""
        if self.store.record_grade(answer.id, result):
            self._schedule_review(answer, result)
        self.finish_if_complete()

    def _schedule_review(self, answer: AnswerRecord, result: GradeResult) -> None:
        """Rate the review cards of the answer's target question from `result` (nothing without a target)."""
        target = answer.review_question_id
        if target is None:
            return
        # Cards are keyed under the question's own bank, so a question practised under a selection
        # (`all`, 'a+b') is due when reviewing its bank alone too; the selection's name is read as well
        # (earlier versions rated a session's cards under it).
        bank = self.bank.get(target).bank if target in self.bank else self.record.bank
        stored = [card for name in dict.fromkeys([bank, self.record.bank]) for card in self.store.review_cards(name)]
        try:
            cards = review.rated_cards(stored, bank, target, result, self.clock())
        except (ValueError, KeyError, TypeError) as exc:  # a damaged card: the answer and its grade are kept
            raise StoreError(
                f"{self.store.path}: answer {answer.id} saved, but its review schedule could not be updated ({exc})"
            ) from exc
        self.store.save_review_cards(cards)

    def answer(self, submission: Submission, grader: Grader) -> tuple[AnswerRecord, GradeResult]:
        """Submit, grade and store the grade in one call (for scripts and tests; the TUI splits the steps)."""
        record = self.submit(submission)
        result = grade_answer(grader, submission.question, submission.answer, asked=self.asked(), hinted=record.hinted)
        self.record_grade(record, result)
        return record, result

    def follow_up_question(self, parent: Question, follow_up: FollowUp) -> Question:
        """The question a follow-up answer is graded against."""
        from interviewer.grading.follow_ups import follow_up_question

        return follow_up_question(parent, follow_up, self.bank)

    def question_for(self, answer: AnswerRecord) -> Question | None:
        """The question a stored answer is graded against, or None when the bank no longer has it."""
        if answer.follow_up is not None and answer.parent_answer_id is not None:
            parent = self.question_for(self.store.get_answer(answer.parent_answer_id))
            if parent is None:
                return None
            try:
                return self.follow_up_question(parent, answer.follow_up)
            except KeyError:  # the key point it asked about is no longer in the question
                return None
        return self.bank.get(answer.question_id) if answer.question_id in self.bank else None

    def ungraded_answers(self) -> list[AnswerRecord]:
        """Submitted answers still waiting for a grade (e.g. after a crash); skipped ones need none."""
        return [answer for answer in self.answers() if answer.grade is None and not answer.skipped]

    def finish(self) -> None:
        self.store.finish_session(self.record.id)
        self.record = self.store.get_session(self.record.id)

    def export_report(self, fmt: str) -> Path:
        """Write the session's report (md, html or json) to `reports/session-N.<fmt>` under the data dir."""
        from interviewer import locations
        from interviewer.reports import export_report  # Jinja2 and friends load only when exporting

        path = locations.data_dir() / "reports" / f"session-{self.record.id}.{fmt}"
        locations.ensure_data_dir(path.parent)
        return export_report(self.store, self.record.id, fmt, path, managed=True)

    def report(self) -> SessionReport:
        """Scores per session and topic, weakest key points, time used (the reports module's model)."""
        from interviewer.reports import build_report

        return build_report(self.store, self.record.id)
