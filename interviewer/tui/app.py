"""The interview app and its factory `create_app`, used by the CLI and the tests.

Workers (model loading, grading) never touch widgets: they post messages (`ModelLoaded`,
`AnswerGraded`, `GradingFailed`, ...) and the `@on` handlers below update the session and the screens.
Every failure becomes one notice through `report_error`; the session goes on.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme

from interviewer.bank.catalog import bank_values_of, resolve_bank, split_bank_values
from interviewer.bank.models import Bank, Question
from interviewer.config import Settings, load_settings, remember_setting
from interviewer.errors import InterviewerError
from interviewer.grading.result import FlagCode
from interviewer.names import GraderName, ReportFormat
from interviewer.practice import (
    CLAIM_HEARTBEAT_SECONDS,
    GraderFactory,
    GraderPool,
    PracticeError,
    PracticeOptions,
    PracticeSession,
    describe_unfinished,
    grader_choices,
    plan_job_questions,
    plan_questions,
    resolve_grader,
    session_to_resume,
)
from interviewer.tui.messages import (
    AnswerGraded,
    AnswerSubmitted,
    AskedQuestion,
    BanksChosen,
    DraftChanged,
    FollowUpChosen,
    FollowUpsSuggested,
    GradingFailed,
    JobQuestionsRanked,
    JobRankingFailed,
    ModelLoaded,
    ModelLoadFailed,
    MoveOnRequested,
    StartRequested,
    WeakPracticeRequested,
)
from interviewer.tui.screens.question import DRAFT_SAVED, NOT_SAVED, QuestionScreen
from interviewer.tui.screens.start import StartScreen
from interviewer.wording import plural

if TYPE_CHECKING:
    from interviewer.grading.base import Embedder
    from interviewer.store import AnswerRecord, SessionRecord, SessionStore
    from interviewer.tui.screens.feedback import FeedbackScreen

LOADING_MODEL = "loading model…"
GRADING = "grading…"


def describe_error(error: BaseException) -> str:
    """One readable line for a notice."""
    if isinstance(error, InterviewerError):
        return str(error)
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


class InterviewApp(App[None]):
    """A mock interview: start → question → feedback (→ follow-up) → … → summary."""

    CSS_PATH = "interviewer.tcss"
    TITLE = "interviewer"
    DRAFT_DELAY_SECONDS = 1.0
    """Typing pause after which the answer box is saved as a draft."""
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+q", "quit", "Quit", show=True, priority=True)]

    def __init__(
        self,
        settings: Settings,
        *,
        store: SessionStore,
        bank: Bank,
        options: PracticeOptions,
        embedder: Embedder | None = None,
        embedder_loader: Callable[[], Embedder] | None = None,
        grader_factory: GraderFactory | None = None,
        clock: Callable[[], float] = time.monotonic,
        cursor_blink: bool = True,
        owns_store: bool = False,
        planned: Sequence[Question] | None = None,
    ) -> None:
        """`planned`: the questions of the first session when `options.skip_start` (planned by `create_app`)."""
        super().__init__()
        self.settings = settings
        self.store = store
        self.bank = bank
        self.options = options
        self.embedder = embedder
        self.embedder_loader = embedder_loader
        self.graders = GraderPool(settings, grader_factory)
        self.clock = clock
        self.cursor_blink = cursor_blink
        self.owns_store = owns_store
        self.planned = list(planned) if planned is not None else None
        self.session: PracticeSession | None = None
        self.grader_name: GraderName = "embedding"
        self.current: AskedQuestion | None = None
        self.model_error: str | None = None
        self._awaiting_model: list[tuple[AnswerRecord, Question]] = []
        self._job_waiting_for_model: PracticeOptions | None = None
        self._quit_confirmed = False

    # Start-up

    def on_mount(self) -> None:
        self._apply_remembered_theme()
        if self.embedder is None:
            # After the first paint: the torch import in the worker would otherwise slow it down.
            self.call_after_refresh(self.load_model)
        self.set_interval(CLAIM_HEARTBEAT_SECONDS, self._renew_claim)
        try:
            unfinished = session_to_resume(self.store)
        except InterviewerError as error:
            self.report_error(f"Unfinished sessions could not be read: {error}")
            unfinished = None
        if not self.options.skip_start:
            self.push_screen(self._start_screen())
        if unfinished is not None:
            from interviewer.tui.screens.resume import ResumeScreen

            self.push_screen(
                ResumeScreen(describe_unfinished(self.store, unfinished)),
                lambda resume: self._resume_chosen(unfinished, resume),
            )
        elif self.options.skip_start:
            self.begin(self.options, self.planned)

    async def action_quit(self) -> None:
        """Quit; everything submitted is saved, and a draft is saved now. An unsubmitted draft asks for a
        second Ctrl+Q first, saying whether the draft is kept for resuming or not saved at all."""
        screen = self.screen
        if isinstance(screen, QuestionScreen) and screen.has_draft() and not self._quit_confirmed:
            self._quit_confirmed = True
            saved = self._save_draft(screen.asked, screen.answer_text(), screen.hints_shown)
            if saved:
                message = (
                    "This answer is not submitted; its draft is saved and comes back when you resume. "
                    "Ctrl+S submits it, Ctrl+Q again quits."
                )
            else:
                message = (
                    "This answer is NOT saved (the session database refused it). Ctrl+S retries; "
                    "Ctrl+Q again quits and loses it."
                )
            self.notify(message, title="Quit?", severity="warning" if saved else "error", timeout=10)
            return
        self.exit()

    def on_unmount(self) -> None:
        self._release_session()
        if self.owns_store:
            self.store.close()

    def _apply_remembered_theme(self) -> None:
        """The theme picked last time (config `[tui] theme`), unless TEXTUAL_THEME asks for another; from then on,
        a theme picked with Ctrl+P → Theme is written back to the config file."""
        remembered = self.settings.tui.theme
        if remembered and not os.environ.get("TEXTUAL_THEME"):
            if remembered in self.available_themes:
                self.theme = remembered
            else:
                self.notify(f"The theme {remembered!r} in the config file is not available.", severity="warning")
        self.theme_changed_signal.subscribe(self, self._remember_theme)

    def _remember_theme(self, theme: Theme) -> None:
        if theme.name == self.settings.tui.theme:
            return
        self.settings.tui.theme = theme.name
        try:
            remember_setting("tui", "theme", theme.name)
        except InterviewerError as error:
            self.notify(f"The theme is not remembered: {error}", severity="warning")

    def _renew_claim(self) -> None:
        """The heartbeat of this process's claim on its session (so another terminal does not offer it)."""
        if self.session is not None and self.session.record.finished_at is None:
            # On failure the next beat tries again; a stale claim only means another terminal may offer it.
            with contextlib.suppress(InterviewerError):
                self.session.claim()

    def _release_session(self) -> None:
        if self.session is not None:
            with contextlib.suppress(InterviewerError):  # a claim left behind goes stale once this process has gone
                self.session.release()

    def _start_screen(self) -> StartScreen:
        choices = grader_choices(self.settings, offline=self.options.offline)
        default = resolve_grader(self.settings, None, offline=self.options.offline)
        return StartScreen(self.bank, self.options, choices, self.options.grader or default)

    def _resume_chosen(self, record: SessionRecord, resume: bool | None) -> None:
        if resume:
            self.resume(record)
            return
        self.store.finish_session(record.id)
        if self.options.skip_start:
            self.begin(self.options, self.planned)

    def model_status(self) -> str:
        """What the question screen shows about the model."""
        if self.model_error:
            return "model unavailable"
        return "" if self.embedder is not None else LOADING_MODEL

    # Background work: workers post, handlers own state. Each names its description: by default Textual
    # builds one from repr() of the arguments on the event loop, and repr() of a bank of every shipped
    # question takes ~60 ms.

    @work(thread=True, exclusive=True, group="model", exit_on_error=False, description="load the model")
    def load_model(self) -> None:
        """Load the embedding model (slow: imports torch) while the candidate reads the first question."""
        started = time.perf_counter()
        try:
            if self.embedder_loader is not None:
                embedder = self.embedder_loader()
            else:
                from interviewer.grading.embedding import load_embedder

                embedder = load_embedder(self.settings.embedding)
        except Exception as error:  # noqa: BLE001 - any load failure becomes one notice
            self.post_message(ModelLoadFailed(describe_error(error)))
            return
        self.post_message(ModelLoaded(embedder, time.perf_counter() - started))
        # While the candidate types, so the first grade is quick. A failure is not reported from here (the
        # worker just ends): the first grade meets it again and reports it with the answer it concerns.
        if self.session is not None:
            self.graders.warm_up(self.session.bank, embedder, self.session.questions())

    @work(thread=True, group="grading", exit_on_error=False, description="grade an answer")
    def grade_in_background(
        self, answer: AnswerRecord, question: Question, grader_name: GraderName, bank: Bank, asked: set[str]
    ) -> None:
        """Grade one stored answer; one grading at a time (the model is shared)."""
        try:
            assert self.embedder is not None
            result = self.graders.grade(
                grader_name, bank, self.embedder, question, answer.answer, asked=asked, hinted=answer.hinted
            )
        except Exception as error:  # noqa: BLE001 - the answer stays stored; the notice says why
            self.post_message(GradingFailed(answer, describe_error(error)))
            return
        self.post_message(AnswerGraded(answer, question, result))
        if result.follow_ups:
            self.post_message(FollowUpsSuggested(answer, question, result.follow_ups))

    def _grade(self, answer: AnswerRecord, question: Question) -> None:
        """Grade now if the model is ready, else when it is."""
        if self.session is None:
            return
        if self.model_error:
            self._show_on_feedback(
                answer, lambda screen: screen.show_failure(f"the model is unavailable ({self.model_error})")
            )
        elif self.embedder is None:
            self._awaiting_model.append((answer, question))
        else:
            self.grade_in_background(answer, question, self.grader_name, self.session.bank, self.session.asked())

    def _show_on_feedback(self, answer: AnswerRecord, update: Callable[[FeedbackScreen], None]) -> None:
        from interviewer.tui.screens.feedback import FeedbackScreen

        screen = self.screen
        if isinstance(screen, FeedbackScreen) and screen.answer.id == answer.id:
            update(screen)

    def report_error(self, message: str, *, title: str = "Problem") -> None:
        """The one place errors reach the candidate: a notice; the session goes on."""
        self.notify(message, title=title, severity="error", timeout=10)

    @on(ModelLoaded)
    def _model_loaded(self, event: ModelLoaded) -> None:
        self.embedder = event.embedder
        if isinstance(self.screen, QuestionScreen):
            self.screen.show_model_status("")
        waiting, self._awaiting_model = self._awaiting_model, []
        for answer, question in waiting:
            self._show_on_feedback(answer, lambda screen: screen.show_status(GRADING))
            self._grade(answer, question)
        if self._job_waiting_for_model is not None:
            options, self._job_waiting_for_model = self._job_waiting_for_model, None
            self.begin(options)

    @on(ModelLoadFailed)
    def _model_failed(self, event: ModelLoadFailed) -> None:
        self.model_error = event.error
        self.report_error(f"The embedding model could not be loaded: {event.error}. Answers are still saved.")
        if isinstance(self.screen, QuestionScreen):
            self.screen.show_model_status(self.model_status())
        if self._job_waiting_for_model is not None:
            self._job_waiting_for_model = None
            self.report_error("Questions for a job description need the embedding model.", title="Cannot start")
        waiting, self._awaiting_model = self._awaiting_model, []
        for answer, _question in waiting:
            self._show_on_feedback(answer, lambda screen: screen.show_failure("the model is unavailable"))

    @on(AnswerGraded)
    def _answer_graded(self, event: AnswerGraded) -> None:
        if self.session is not None:
            try:
                self.session.record_grade(event.answer, event.result)
            except InterviewerError as error:
                self.report_error(f"The grade could not be saved: {error}")
        llm_flag = next((flag for flag in event.result.flags if flag.code == FlagCode.LLM_UNAVAILABLE), None)
        if llm_flag is not None:
            self.notify(f"{llm_flag.message} Showing the offline grade.", title="LLM unavailable", severity="warning")
        self._show_on_feedback(event.answer, lambda screen: screen.show_grade(event.result))
        from interviewer.tui.screens.summary import SummaryScreen

        if isinstance(self.screen, SummaryScreen) and self.session is not None:
            self.show_summary()  # a resumed session's last answers were graded after the summary opened

    @on(FollowUpsSuggested)
    def _follow_ups_suggested(self, event: FollowUpsSuggested) -> None:
        self._show_on_feedback(event.answer, lambda screen: screen.show_follow_ups(event.follow_ups))

    @on(GradingFailed)
    def _grading_failed(self, event: GradingFailed) -> None:
        self.report_error(f"This answer could not be graded: {event.error}. It is saved.")
        self._show_on_feedback(event.answer, lambda screen: screen.show_failure(event.error))

    # Session flow

    @on(StartRequested)
    def _start_requested(self, event: StartRequested) -> None:
        self.begin(event.options)

    def begin(self, options: PracticeOptions, questions: Sequence[Question] | None = None) -> None:
        """Start a new session (from the start screen, the command line, or 'practise weak again') over
        `questions`, or over the questions planned from `options` when None.

        With a job description the bank is first ranked against it in a worker (after the model has
        loaded); `JobQuestionsRanked` then begins the session with the chosen questions."""
        try:
            if options.banks != self.options.banks:
                self.bank = resolve_bank(options.banks)
                self.options.banks = options.banks
            self.grader_name = resolve_grader(self.settings, options.grader, offline=options.offline)
            if questions is None and options.job_description and not options.review:
                if self.embedder is None and not self.model_error:
                    self._job_waiting_for_model = options
                    self.notify("Choosing the questions for the job description once the model has loaded…")
                    return
                if self.embedder is None:
                    raise PracticeError(f"questions for a job description need the model ({self.model_error})")
                self.notify("Choosing the questions most relevant to the job description…")
                self.rank_for_job(options, self.bank, self.embedder)
                return
            if questions is None:
                questions = plan_questions(self.bank, options, self.store)
            self._release_session()
            self.session = PracticeSession.start(
                self.store,
                self.bank,
                questions,
                grader=self.grader_name,
                topics=list(options.topics),
                mode="review" if options.review else "practice",
                time_limit_seconds=options.time_limit_seconds,
            )
        except InterviewerError as error:
            self.report_error(str(error), title="Cannot start")
            if not isinstance(self.screen, StartScreen):
                self._show(self._start_screen())
            return
        self.options = options
        if options.adaptive:
            self.session.make_adaptive()
        self.ask_next()

    @work(thread=True, exclusive=True, group="job", exit_on_error=False, description="rank for a job")
    def rank_for_job(self, options: PracticeOptions, bank: Bank, embedder: Embedder) -> None:
        """Rank the bank against the job description (embeds every question once; cached after)."""
        try:
            ranked = plan_job_questions(bank, options, embedder)
        except Exception as error:  # noqa: BLE001 - any failure becomes one notice
            self.post_message(JobRankingFailed(describe_error(error)))
            return
        self.post_message(JobQuestionsRanked(options, ranked))

    @on(JobQuestionsRanked)
    def _job_ranked(self, event: JobQuestionsRanked) -> None:
        matched = list(dict.fromkeys(word for entry in event.ranked for word in entry.because))
        because = f" Matched: {', '.join(matched[:8])}." if matched else ""
        self.notify(f"{len(event.ranked)} questions chosen for the job description.{because}", title="Job description")
        self.begin(event.options, [entry.question for entry in event.ranked])

    @on(JobRankingFailed)
    def _job_ranking_failed(self, event: JobRankingFailed) -> None:
        self.report_error(f"The job description could not be matched: {event.error}", title="Cannot start")
        if not isinstance(self.screen, StartScreen):
            self._show(self._start_screen())

    def resume(self, record: SessionRecord) -> None:
        """Continue an unfinished session: ungraded answers are graded in the background."""
        if record.bank != self.bank.name:
            try:
                self.bank = resolve_bank(bank_values_of(record.bank))
            except InterviewerError as error:
                self.report_error(
                    f"Session {record.id} used bank {record.bank!r}, which cannot be loaded ({error}): "
                    f"start interviewer with --bank pointing at it to resume the session.",
                    title="Cannot resume",
                )
                if not isinstance(self.screen, StartScreen):
                    self._show(self._start_screen())
                return
            self.options.banks = bank_values_of(record.bank)
        self._release_session()
        self.session = PracticeSession.resume(self.store, self.bank, record)
        try:
            self.grader_name = resolve_grader(self.settings, record.grader, offline=self.options.offline)
        except InterviewerError as error:
            self.notify(f"{error}; grading offline instead.", severity="warning")
            self.grader_name = "embedding"
        missing = self.session.missing_question_ids()
        if missing:
            self.notify(
                f"Questions {', '.join(missing)} are not in the bank any more and are skipped.", severity="warning"
            )
        for answer in self.session.ungraded_answers():
            question = self.session.question_for(answer)
            if question is not None:
                self._grade(answer, question)
        if not self._ask_draft_follow_up():
            self.ask_next()

    def _ask_draft_follow_up(self) -> bool:
        """On resume, a draft of a follow-up not answered yet asks that follow-up again (with the draft)."""
        assert self.session is not None
        try:
            target = self.session.draft_follow_up()
        except InterviewerError:
            return False
        if target is None:
            return False
        parent, parent_question, follow_up, question = target
        main_question = next(
            (main for main in self.session.questions() if main.id == parent.question_id), parent_question
        )
        self.ask(AskedQuestion(question, main_question, parent, parent_question, follow_up))
        return True

    def ask_next(self) -> None:
        """The next main question, or the summary when none is left."""
        assert self.session is not None
        question = self.session.next_question()
        if question is None:
            self.show_summary()
            return
        self.ask(AskedQuestion(question, main_question=question))

    def ask(self, asked: AskedQuestion) -> None:
        assert self.session is not None
        self.current = asked
        self._quit_confirmed = False
        parent_id = asked.parent_answer.id if asked.parent_answer is not None else None
        try:
            draft = self.session.draft_for(asked.question, parent_id)
        except InterviewerError as error:
            self.report_error(f"The saved draft could not be read: {error}")
            draft = None
        self._show(
            QuestionScreen(
                asked,
                position=self.session.position(asked.main_question),
                time_limit_seconds=self.session.record.time_limit_seconds,
                clock=self.clock,
                model_status=self.model_status(),
                cursor_blink=self.cursor_blink,
                draft=draft.answer if draft is not None else "",
                hints_shown=draft.hints_shown if draft is not None else 0,
                draft_delay=self.DRAFT_DELAY_SECONDS,
            )
        )

    def _save_draft(self, asked: AskedQuestion, text: str, hints_shown: int) -> bool:
        """Save the answer box as the session's draft; show on the question screen whether it worked."""
        if self.session is None:
            return False
        try:
            self.session.save_draft(
                asked.question,
                text,
                hints_shown=hints_shown,
                parent_answer_id=asked.parent_answer.id if asked.parent_answer is not None else None,
                follow_up=asked.follow_up,
            )
            saved = True
        except InterviewerError:
            saved = False
        screen = self.screen
        if isinstance(screen, QuestionScreen) and screen.asked is asked and not screen.submitted:
            if saved and not screen.save_failed:
                screen.show_save_state(DRAFT_SAVED if text.strip() else "")
            elif not saved:
                screen.show_save_state(NOT_SAVED, failed=True)
        return saved

    @on(DraftChanged)
    def _draft_changed(self, event: DraftChanged) -> None:
        screen = self.screen
        if isinstance(screen, QuestionScreen) and screen.asked is event.asked and not screen.submitted:
            self._save_draft(event.asked, event.text, event.hints_shown)

    def _show(self, screen: Screen[None]) -> None:
        if len(self.screen_stack) <= 1:
            self.push_screen(screen)
        else:
            self.switch_screen(screen)

    @on(AnswerSubmitted)
    def _answer_submitted(self, event: AnswerSubmitted) -> None:
        assert self.session is not None
        asked = event.asked
        try:
            answer = self.session.submit(event.submission)
        except InterviewerError as error:
            screen = self.screen
            if isinstance(screen, QuestionScreen) and screen.asked is asked:
                # Keep it as a draft too, unless the draft saved a moment ago holds this text already (the
                # same fault would only block the screen for the store's timeout a second time).
                draft_current = screen.draft_holds(event.submission.answer)
                screen.submit_failed(str(error))
                if not draft_current:
                    self._save_draft(asked, event.submission.answer, screen.hints_shown)
            else:
                self.report_error(f"The answer could not be saved: {error}")
            return
        if event.submission.skipped:
            self.ask_next()
            return
        from interviewer.tui.screens.feedback import FeedbackScreen

        status = LOADING_MODEL if self.embedder is None and not self.model_error else GRADING
        self._show(FeedbackScreen(asked, answer, position=self.session.position(asked.main_question), status=status))
        self._grade(answer, asked.question)

    @on(FollowUpChosen)
    def _follow_up_chosen(self, event: FollowUpChosen) -> None:
        assert self.session is not None and self.current is not None
        try:
            question = self.session.follow_up_question(event.question, event.follow_up)
        except Exception as error:  # noqa: BLE001 - a broken follow-up must not end the session
            self.report_error(f"This follow-up cannot be asked: {describe_error(error)}")
            return
        self.ask(
            AskedQuestion(
                question,
                main_question=self.current.main_question,
                parent_answer=event.answer,
                parent_question=event.question,
                follow_up=event.follow_up,
            )
        )

    @on(MoveOnRequested)
    def _move_on(self) -> None:
        self.ask_next()

    def show_summary(self) -> None:
        from interviewer.tui.screens.summary import SummaryScreen

        assert self.session is not None
        self.session.finish()
        record = self.session.record
        questions = plural(len(record.question_ids), "question")
        title = f"Session {record.id} summary · {record.bank} · {questions} · {record.grader}"
        self._show(SummaryScreen(self.session.report(), title=title))

    @on(WeakPracticeRequested)
    def _weak_practice(self, event: WeakPracticeRequested) -> None:
        weak = [self.bank.get(question_id) for question_id in event.question_ids if question_id in self.bank]
        self.begin(self.options, weak)

    def action_new_session(self) -> None:
        self.options = PracticeOptions(
            banks=self.options.banks,
            questions=self.options.questions,
            offline=self.options.offline,
            seed=self.options.seed,
        )
        self._show(self._start_screen())

    @on(BanksChosen)
    def load_bank_for_start(self, event: BanksChosen) -> None:
        """The start screen's bank choice changed: load those banks and show their topics."""
        banks = event.banks
        try:
            bank = resolve_bank(banks)
        except InterviewerError as error:
            self.report_error(str(error), title="Bank not loaded")
            return
        self.bank = bank
        self.options.banks = banks
        if isinstance(self.screen, StartScreen):
            self.screen.set_bank(bank)
        self.notify(f"Loaded bank {bank.name}: {len(bank.questions)} questions.")

    def action_export_report(self, fmt: ReportFormat) -> None:
        """Export the session's report under the data dir (reports/session-N.ext)."""
        if self.session is None:
            return
        try:
            written = self.session.export_report(fmt)
        except InterviewerError as error:
            self.report_error(str(error), title="Export")
            return
        self.notify(f"Report written to {written}", title="Export")

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in screen.BINDINGS:
            if isinstance(binding, Binding) and binding.description:
                action = binding.action
                target = self if action.startswith("app.") else screen
                name = action.removeprefix("app.")
                yield SystemCommand(
                    binding.description, f"{binding.description} ({binding.key})", _action_runner(target, name)
                )


def _action_runner(target: App[None] | Screen[object], action: str) -> Callable[[], object]:
    async def run() -> None:
        await target.run_action(action)

    return run


def create_app(
    settings: Settings | None = None,
    *,
    options: PracticeOptions | None = None,
    store: SessionStore | None = None,
    embedder: Embedder | None = None,
    embedder_loader: Callable[[], Embedder] | None = None,
    grader_factory: GraderFactory | None = None,
    clock: Callable[[], float] = time.monotonic,
    cursor_blink: bool = True,
) -> InterviewApp:
    """Build the interview app: loads the bank and opens the store (errors raise InterviewerError).

    With `options.skip_start`, the first session's questions are planned here, once, so a bad `--topic`
    fails before the screen opens. `embedder` skips model loading (tests share one model); `embedder_loader`
    replaces the default loader; `grader_factory` replaces `build_grader` (snapshot tests use a fixed grade).
    """
    settings = settings or load_settings()
    options = options or PracticeOptions()
    if not options.banks:
        options.banks = split_bank_values(settings.interview.bank)
    bank = resolve_bank(options.banks)
    owns_store = store is None
    if store is None:
        from interviewer.store import SessionStore

        store = SessionStore.open()
    planned = None
    if options.skip_start:  # plan here, so a bad --topic fails before the screen opens
        try:
            resolve_grader(settings, options.grader, offline=options.offline)
            if not options.job_description:  # ranking for a job needs the model: done once it has loaded
                planned = plan_questions(bank, options, store)
        except InterviewerError:
            if owns_store:
                store.close()
            raise
    return InterviewApp(
        settings,
        store=store,
        bank=bank,
        options=options,
        embedder=embedder,
        embedder_loader=embedder_loader,
        grader_factory=grader_factory,
        clock=clock,
        cursor_blink=cursor_blink,
        owns_store=owns_store,
        planned=planned,
    )
