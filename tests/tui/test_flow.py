"""Pilot tests of whole interviews on the real bank and store, graded with the fake model (one with the real one)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets import OptionList, Static, TextArea

from interviewer.bank.loader import load_bank
from interviewer.grading.base import Embedder
from interviewer.practice import PracticeSession, select_questions
from interviewer.store import SessionStore, Submission
from interviewer.tui.app import InterviewApp
from interviewer.tui.screens.feedback import FeedbackScreen
from interviewer.tui.screens.question import QuestionScreen
from interviewer.tui.screens.resume import ResumeScreen
from interviewer.tui.screens.start import StartScreen
from interviewer.tui.screens.summary import SummaryScreen
from interviewer.tui.widgets.grade_view import KeyPointRow, ScoreBar
from tests.tui.conftest import SIZE

GOOD_ANSWER = (
    "Backpropagation applies the chain rule from the loss back through every layer. "
    "A forward pass computes activations, the backward pass computes gradients of the loss "
    "with respect to each weight, and gradient descent then updates the weights."
)


def text_of(app: InterviewApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


async def type_answer(app: InterviewApp, pilot, text: str) -> None:
    answer_box = app.screen.query_one("#answer", TextArea)
    answer_box.insert(text[:-1])
    await pilot.press(text[-1])


async def settle(app: InterviewApp, pilot) -> None:
    """Let workers finish and their messages be handled, including workers those messages start."""
    for _ in range(10):
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        if all(worker.is_finished for worker in app.workers):
            return


@pytest.mark.parametrize("model", ["fake", pytest.param("real", marks=pytest.mark.model)])
async def test_whole_interview_with_a_follow_up(
    make_app: Callable[..., InterviewApp], store: SessionStore, model: str, request: pytest.FixtureRequest
) -> None:
    embedder = request.getfixturevalue("embedder" if model == "real" else "fake_embedder")
    app = make_app(questions=2, skip_start=True, offline=True, seed=7, embedder=embedder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        first = app.screen.asked.question
        assert text_of(app, "#progress").startswith("Question 1/2 · ")
        assert text_of(app, "#question-text") == first.question

        await type_answer(app, pilot, GOOD_ANSWER)
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, FeedbackScreen)
        stored = store.answers(app.session.id)
        assert [answer.answer for answer in stored] == [GOOD_ANSWER]  # stored at submit time

        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, FeedbackScreen) and screen.result is not None
        rows = screen.query(KeyPointRow)
        assert len(rows) == len(first.key_points)
        assert str(screen.query_one(ScoreBar).query_one(".score-value", Static).content).endswith("/10")
        follow_ups = screen.query_one("#follow-ups", OptionList)
        assert follow_ups.option_count >= 1 and follow_ups.has_focus
        assert store.answers(app.session.id)[0].grade == screen.result

        await pilot.press("r")
        await pilot.pause()
        assert screen.query_one("#reference").display

        chosen = screen.follow_ups[0]
        await pilot.press("enter")
        assert isinstance(app.screen, QuestionScreen) and app.screen.asked.is_follow_up
        assert text_of(app, "#progress").startswith("Follow-up to question 1/2")
        assert app.screen.asked.follow_up == chosen
        await type_answer(app, pilot, "It matters because the gradient tells each weight how to change.")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, FeedbackScreen) and app.screen.result is not None

        await pilot.press("n")
        assert isinstance(app.screen, QuestionScreen)
        assert text_of(app, "#progress").startswith("Question 2/2 · ")
        await pilot.press("ctrl+g")
        assert "Hint: " in text_of(app, "#hints")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert "1 answered · 1 skipped · 1 follow-up" in text_of(app, "#counts")

    answers = store.answers(app.session.id)
    assert [(a.parent_answer_id is not None, a.skipped, a.grade is not None) for a in answers] == [
        (False, False, True),
        (True, False, True),
        (False, True, False),
    ]
    assert answers[1].parent_answer_id == answers[0].id and answers[1].follow_up == chosen
    assert answers[2].hinted
    assert store.get_session(app.session.id).finished_at is not None


async def test_resume_after_a_crash_grades_the_pending_answer(
    make_app: Callable[..., InterviewApp], store: SessionStore
) -> None:
    bank = load_bank()
    questions = select_questions(bank, count=2, seed=1)
    crashed = PracticeSession.start(store, bank, questions, grader="embedding")
    pending = crashed.submit(
        Submission(questions[0], GOOD_ANSWER, seconds_taken=30)
    )  # the terminal died before grading

    app = make_app(offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ResumeScreen)
        assert "1 answered · 0 skipped of 2 questions; 1 answer not graded yet" in text_of(app, "#resume-description")
        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.screen, QuestionScreen)
        assert app.screen.asked.question == questions[1]
        assert text_of(app, "#progress").startswith("Question 2/2")
    regraded = store.get_answer(pending.id)
    assert regraded.grade is not None and regraded.answer == GOOD_ANSWER
    assert app.session.id == crashed.id


async def test_start_fresh_instead_of_resuming(make_app: Callable[..., InterviewApp], store: SessionStore) -> None:
    bank = load_bank()
    questions = select_questions(bank, count=2)
    old = PracticeSession.start(store, bank, questions, grader="embedding")
    old.submit(Submission(questions[0], GOOD_ANSWER))
    app = make_app(offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ResumeScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
    assert store.get_session(old.id).finished_at is not None
    assert app.session.id != old.id


async def test_summary_exports_reports_and_practises_weak_questions_again(
    make_app: Callable[..., InterviewApp], store: SessionStore
) -> None:
    from interviewer import locations

    app = make_app(questions=2, skip_start=True, offline=True, seed=3)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_answer(app, pilot, "I am not sure, something about numbers.")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("n", "ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        finished = app.session.id
        for key in ("m", "h", "j"):
            await pilot.press(key)
        reports = sorted(path.name for path in (locations.data_dir() / "reports").iterdir())
        assert reports == [f"session-{finished}.{ext}" for ext in ("html", "json", "md")]
        assert any("Report written to" in n.message for n in app._notifications)

        weak = app.screen.weak_question_ids
        assert weak  # a vague answer and a skip
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        assert app.session.id != finished
        assert app.session.record.question_ids == weak


async def test_review_mode_asks_the_questions_with_missed_key_points(
    make_app: Callable[..., InterviewApp], store: SessionStore, fake_embedder: Embedder
) -> None:
    from datetime import UTC, datetime, timedelta

    from interviewer.config import Settings
    from interviewer.grading.factory import build_grader

    bank = load_bank()
    question = bank.questions[0]
    grader = build_grader(Settings(), "embedding", bank=bank, embedder=fake_embedder)
    a_month_ago = datetime.now(UTC) - timedelta(days=30)
    past = PracticeSession.start(store, bank, [question], grader="embedding", clock=lambda: a_month_ago)
    _, result = past.answer(Submission(question, "A neural network has layers."), grader)
    past.finish()
    assert result.verdicts("missed")  # missed a month ago: due now

    app = make_app(review=True, skip_start=True, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        assert app.screen.asked.question == question
    assert app.session.record.mode == "review"


async def test_resuming_a_session_of_another_bank_says_how(
    make_app: Callable[..., InterviewApp], store: SessionStore
) -> None:
    from tests.tui.conftest import FIXTURE_BANK

    other = load_bank(FIXTURE_BANK)
    elsewhere = PracticeSession.start(store, other, other.questions[:2], grader="embedding")
    elsewhere.submit(Submission(other.questions[0], "an answer"))
    app = make_app(offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert any("--bank" in n.message and "tui-fixture" in n.message for n in app._notifications)
    assert store.unfinished_session() is not None  # still there to resume with the right bank
