"""The start screen: another bank, form checks, the chosen options reach the session."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Input, SelectionList

from interviewer.grading.base import Embedder
from interviewer.store import SessionStore
from interviewer.tui.app import InterviewApp
from interviewer.tui.screens.question import QuestionScreen
from interviewer.tui.screens.start import StartScreen
from interviewer.tui.screens.summary import SummaryScreen
from tests.tui.conftest import FIXTURE_BANK, SIZE
from tests.tui.test_snapshots import fixed_grader


def notices(app: InterviewApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_entering_another_bank_shows_its_topics_and_starts_with_them(
    make_app: Callable[..., InterviewApp], store: SessionStore
) -> None:
    app = make_app(offline=True, grader_factory=fixed_grader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StartScreen)
        bank_input = screen.query_one("#bank-path", Input)
        bank_input.focus()
        bank_input.value = str(FIXTURE_BANK)
        await pilot.press("enter")
        await pilot.pause()
        topics = screen.query_one("#topics", SelectionList)
        assert [topics.get_option_at_index(i).prompt.plain for i in range(topics.option_count)] == [
            "Activations",
            "Training",
        ]
        topics.select("Training")
        count = screen.query_one("#question-count", Input)
        count.value = "9"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        assert app.screen.asked.question.topic == "Training"
    record = store.get_session(app.session.id)
    assert record.bank == "tui-fixture" and record.topics == ["Training"]
    assert len(record.question_ids) == 2  # all the topic has, though 9 were asked for


async def test_bad_form_values_are_a_notice_and_nothing_starts(make_app: Callable[..., InterviewApp]) -> None:
    app = make_app(banks=(str(FIXTURE_BANK),), offline=True, grader_factory=fixed_grader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#time-limit", Input).value = "5"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen) and app.session is None
        assert any("at least 10 seconds" in notice for notice in notices(app))

        screen.query_one("#bank-path", Input).value = "/no/such/bank"
        screen.query_one("#time-limit", Input).value = ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen) and app.session is None
        assert any("/no/such/bank" in notice for notice in notices(app))


async def test_new_session_from_the_summary_goes_back_to_the_start_screen(
    make_app: Callable[..., InterviewApp],
) -> None:
    app = make_app(banks=(str(FIXTURE_BANK),), questions=1, skip_start=True, offline=True, grader_factory=fixed_grader)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)


async def test_a_job_description_interview_from_the_start_screen(
    make_app: Callable[..., InterviewApp], store: SessionStore, embedder: Embedder
) -> None:
    """Paste a posting, start: the session asks the shipped questions most relevant to it, easy to hard."""
    from textual.widgets import TextArea

    from tests.conftest import FIXTURES

    posting = (FIXTURES / "jobs" / "recommender-systems.txt").read_text(encoding="utf-8")
    app = make_app(offline=True, grader_factory=fixed_grader, embedder=embedder)  # ranks with the real model
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StartScreen)
        assert set(screen.query_one("#banks", SelectionList).selected) >= {"ml-system-design", "nlp-llms"}
        screen.query_one("#job", TextArea).load_text(posting)
        count = screen.query_one("#question-count", Input)
        count.value = "4"
        count.focus()
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen), notices(app)
        assert any("job description" in notice for notice in notices(app))
    record = store.get_session(app.session.id)
    asked = [app.bank.get(question_id) for question_id in record.question_ids]
    assert len(asked) == 4
    on_subject = {"recommendation", "ranking", "retrieval", "search", "cold-start", "feedback-loops"}
    assert sum(bool(on_subject & set(question.tags)) for question in asked) >= 3, [q.id for q in asked]
    order = {"easy": 0, "medium": 1, "hard": 2}
    assert [order[q.difficulty] for q in asked] == sorted(order[q.difficulty] for q in asked)
