"""The practice domain layer on the real bank and store: question choice, submit-before-grade, resume, summary."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Collection, Sequence

import pytest

from interviewer.bank.loader import load_bank
from interviewer.bank.models import Bank, Question
from interviewer.config import Settings
from interviewer.grading.result import FlagCode, FollowUp, GradeResult, KeyPointVerdict, Provenance
from interviewer.practice import (
    PracticeError,
    PracticeOptions,
    PracticeSession,
    grader_choices,
    hint_key_point,
    plan_questions,
    resolve_grader,
    select_questions,
    weak_question_ids,
)
from interviewer.store import SessionStore, Submission


class StoreCheckingGrader:
    """A grader double that checks the answer is already stored when it is asked to grade it."""

    name = "embedding"

    def __init__(self, store: SessionStore, score: float = 4.0) -> None:
        self.store = store
        self.score = score
        self.asked_seen: list[Collection[str]] = []

    def grade(self, question: Question, answer: str, *, asked: Collection[str] = ()) -> GradeResult:
        stored = [record.answer for session in self.store.sessions() for record in self.store.answers(session.id)]
        assert answer in stored, "graded before it was stored"
        self.asked_seen.append(set(asked))
        verdicts = ["covered", "missed", "partial"]
        return GradeResult(
            question_id=question.id,
            score=self.score,
            key_points=[
                KeyPointVerdict(key_point_id=kp.id, text=kp.text, weight=kp.weight, verdict=verdicts[i % 3])  # type: ignore[arg-type]
                for i, kp in enumerate(question.key_points)
            ],
            follow_ups=[FollowUp(text="What else?", kind="rubric")],
            provenance=Provenance(grader="embedding"),
        )

    def grade_batch(self, items: Sequence[tuple[Question, str]]) -> list[GradeResult]:
        return [self.grade(question, answer) for question, answer in items]

    def prepare(self, questions: Sequence[Question]) -> None:
        pass


def test_select_questions_spreads_topics_and_is_repeatable(bank: Bank) -> None:
    chosen = select_questions(bank, count=6, seed=3)
    assert len({question.topic for question in chosen}) == 6
    assert [q.id for q in chosen] == [q.id for q in select_questions(bank, count=6, seed=3)]


def test_select_questions_filters_topic_case_insensitively_and_difficulty(bank: Bank) -> None:
    topic = bank.topics()[0]
    chosen = select_questions(bank, [topic.upper()], count=10)
    assert chosen and {q.topic for q in chosen} == {topic}
    assert len(chosen) == len(bank.by_topic(topic))
    hard = select_questions(bank, count=50, difficulty="hard")
    assert hard and all(q.difficulty == "hard" for q in hard)


def test_unknown_topic_is_a_clear_error(bank: Bank) -> None:
    with pytest.raises(PracticeError, match=r"no topic 'Quantum'.*topics: "):
        select_questions(bank, ["Quantum"])


def test_grader_choices_explain_why_llm_is_unavailable() -> None:
    offline = {choice.name: choice for choice in grader_choices(Settings(), offline=True)}
    assert offline["embedding"].unavailable_reason is None
    assert "offline" in (offline["llm"].unavailable_reason or "")
    unconfigured = {choice.name: choice for choice in grader_choices(Settings(), offline=False)}
    assert "INTERVIEWER_LLM__MODEL" in (unconfigured["hybrid"].unavailable_reason or "")
    configured = Settings(llm={"model": "m", "base_url": "http://127.0.0.1:9/v1"})
    assert all(choice.unavailable_reason is None for choice in grader_choices(configured, offline=False))
    assert resolve_grader(configured, None, offline=False) == "hybrid"
    assert resolve_grader(configured, None, offline=True) == "embedding"
    with pytest.raises(PracticeError, match="not available"):
        resolve_grader(Settings(), "llm", offline=False)


def test_hints_reveal_the_heaviest_key_points_first(bank: Bank) -> None:
    question = max(bank.questions, key=lambda q: len({kp.weight for kp in q.key_points}))
    shown = [hint_key_point(question, index) for index in range(len(question.key_points))]
    assert [kp.weight for kp in shown if kp] == sorted((kp.weight for kp in question.key_points), reverse=True)
    assert hint_key_point(question, len(question.key_points)) is None


def test_answer_is_stored_before_grading_and_grade_after(bank: Bank, store: SessionStore) -> None:
    questions = select_questions(bank, count=2, seed=1)
    session = PracticeSession.start(store, bank, questions, grader="embedding")
    grader = StoreCheckingGrader(store)
    record, result = session.answer(
        Submission(questions[0], "My answer about it.", seconds_taken=12.5, hinted=True), grader
    )
    stored = store.answers(session.id)
    assert [a.id for a in stored] == [record.id]
    assert stored[0].grade == result
    assert result.has_flag(FlagCode.HINTED)
    assert stored[0].seconds_taken == 12.5
    assert questions[0].id in grader.asked_seen[0] and questions[1].id in grader.asked_seen[0]
    assert session.next_question() == questions[1]
    assert session.position(questions[1]) == (2, 2)


def test_resume_continues_with_remaining_questions_and_lists_ungraded(bank: Bank, store: SessionStore) -> None:
    questions = select_questions(bank, count=3, seed=2)
    first = PracticeSession.start(store, bank, questions, grader="embedding", topics=[])
    first.answer(Submission(questions[0], "graded answer"), StoreCheckingGrader(store))
    crashed = first.submit(Submission(questions[1], "submitted, then the terminal died"))

    unfinished = store.unfinished_session()
    assert unfinished is not None and unfinished.id == first.id
    resumed = PracticeSession.resume(store, bank, unfinished)
    assert resumed.remaining_questions() == [questions[2]]
    assert [a.id for a in resumed.ungraded_answers()] == [crashed.id]
    assert resumed.question_for(crashed) == questions[1]


def test_report_counts_skips_as_zero_and_weak_questions_come_back(bank: Bank, store: SessionStore) -> None:
    questions = select_questions(bank, count=3, seed=4)
    session = PracticeSession.start(store, bank, questions, grader="embedding")
    session.answer(Submission(questions[0], "first", seconds_taken=30), StoreCheckingGrader(store, score=8.0))
    session.answer(Submission(questions[1], "second", seconds_taken=60), StoreCheckingGrader(store, score=4.0))
    session.submit(Submission(questions[2], "", skipped=True, seconds_taken=5))
    session.finish()
    report = session.report()
    assert report.overall_score == pytest.approx(4.0)
    assert (report.session.answered, report.session.skipped, report.session.ungraded) == (2, 1, 0)
    assert report.session.seconds_used == 95
    assert weak_question_ids(report) == [questions[1].id, questions[2].id]
    assert report.weakest_key_points[0].verdict == "missed"
    assert store.unfinished_session() is None


def test_review_plan_needs_due_questions(bank: Bank, store: SessionStore) -> None:
    with pytest.raises(PracticeError, match="nothing is due"):
        plan_questions(bank, PracticeOptions(review=True), store)


def test_practice_module_does_not_import_textual() -> None:
    code = "import sys, interviewer.practice; print('textual' in sys.modules, 'torch' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.split() == ["False", "False"]


def test_adaptive_difficulty_steps_with_the_last_score() -> None:
    from interviewer.practice import next_difficulty

    assert next_difficulty("medium", 9.0) == "hard" and next_difficulty("hard", 9.0) == "hard"
    assert next_difficulty("medium", 3.0) == "easy" and next_difficulty("easy", None) == "easy"
    assert next_difficulty("medium", 6.0) == "medium"


def test_adaptive_pick_prefers_the_target_then_weak_topics() -> None:
    from interviewer.practice import adaptive_pick

    bank = load_bank()
    first_easy = next(q for q in bank.questions if q.difficulty == "easy")
    easy = [first_easy, next(q for q in bank.questions if q.difficulty == "easy" and q.topic != first_easy.topic)]
    hard = [q for q in bank.questions if q.difficulty == "hard"][:1]
    assert adaptive_pick([*easy, *hard], "hard") == hard[0]
    assert adaptive_pick([*easy, *hard], "easy") == easy[0]
    assert adaptive_pick([*easy, *hard], "easy", [easy[1].topic]) == easy[1]
    assert adaptive_pick([], "easy") is None
