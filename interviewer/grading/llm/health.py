"""`interviewer llm check`: is the server reachable, does the model exist, which structured output works,
can it grade one sample answer, and how fast (tokens per second, seconds per answer, against the timeout).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from interviewer.bank.models import KeyPoint, Question
from interviewer.config import LLMSettings
from interviewer.grading.llm.assessment import LLMAssessment, assessment_schema, reply_token_budget
from interviewer.grading.llm.client import Completion, LLMClient, LLMFault, ResponseMode
from interviewer.grading.llm.factory import build_llm_client
from interviewer.grading.llm.prompt import rubric_messages

MODE_DESCRIPTIONS: dict[ResponseMode, str] = {
    "json_schema": "json_schema: the server enforces the rubric schema (best)",
    "json_object": "json_object: JSON mode, with the schema in the prompt",
    "text": "plain text: JSON extracted from the reply (least reliable; consider a server with JSON mode)",
}
PING_MESSAGES = [
    {"role": "system", "content": 'You are a health check. Reply with the JSON object {"ok": true}.'},
    {"role": "user", "content": "ping"},
]
PING_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"ok": {"type": "boolean"}},
    "required": ["ok"],
    "additionalProperties": False,
}
MAX_LISTED_MODELS = 5
PING_MAX_TOKENS = 64
CHARS_PER_TOKEN_ESTIMATE = 4.0  # when a server reports no token counts
LARGEST_RUBRIC = 8  # key points of the largest question a rubric file may hold

SAMPLE_QUESTION = Question(
    id="llm-check",
    topic="llm check",
    bank="llm-check",
    question="What is a dying ReLU, and how do you prevent it?",
    reference_answer=(
        "A ReLU unit dies when its pre-activation is negative for every input: it outputs zero, its gradient "
        "is zero, and its weights stop updating. Large learning rates or large negative biases cause it. "
        "Leaky ReLU, PReLU or ELU keep a gradient for negative inputs; a smaller learning rate and careful "
        "initialisation help too."
    ),
    key_points=[
        KeyPoint(id="outputs-zero", text="A dead ReLU outputs zero for every input."),
        KeyPoint(id="no-gradient", text="Its gradient is zero, so its weights stop updating."),
        KeyPoint(id="causes", text="Large learning rates or large negative biases cause it."),
        KeyPoint(id="leaky-variants", text="Leaky ReLU, PReLU or ELU keep a gradient for negative inputs."),
    ],
)
SAMPLE_ANSWER = (
    "A ReLU neuron is dead when its input is negative for all examples, so it always outputs zero. Then the "
    "gradient through it is zero and gradient descent never changes its weights again. It usually happens "
    "after a too large learning rate step. I would switch to Leaky ReLU, which has a small slope for "
    "negative inputs."
)
"""One realistic grading request (a question with four key points, a 60-word answer), timed."""


class Ping(BaseModel):
    """The health-check reply."""

    model_config = ConfigDict(extra="ignore")

    ok: bool


@dataclass
class CheckLine:
    """One line of the report: ok True (passed), False (failed) or None (warning / not checked)."""

    label: str
    ok: bool | None
    detail: str


@dataclass(frozen=True)
class Speed:
    """How long the sample grading took."""

    seconds: float
    completion_tokens: int
    prompt_tokens: int | None
    measured: bool  # False: tokens estimated from the reply's length (the server reported no usage)

    @property
    def tokens_per_second(self) -> float:
        """Reply tokens per second, the prompt's reading time included."""
        return self.completion_tokens / max(self.seconds, 1e-3)


@dataclass
class CheckReport:
    """What `llm check` found."""

    server: str
    model: str
    lines: list[CheckLine] = field(default_factory=list)
    mode: ResponseMode | None = None
    speed: Speed | None = None

    @property
    def ok(self) -> bool:
        """True when a structured reply came back and nothing failed."""
        return self.mode is not None and all(line.ok is not False for line in self.lines)


def check_llm(settings: LLMSettings) -> CheckReport:
    """Run the checks with one tiny request (plus the model list); ConfigError when no LLM is configured."""
    client = build_llm_client(settings)
    try:
        return _run_checks(client)
    finally:
        client.close()


def _run_checks(client: LLMClient) -> CheckReport:
    report = CheckReport(server=client.display_url, model=client.model)
    try:
        models = client.list_models()
    except LLMFault as fault:
        reachable = fault.status_code is not None  # it answered, just not with a model list
        report.lines.append(CheckLine("server", reachable, "answers" if reachable else fault.reason))
        if not reachable:
            return report
        if fault.status_code == 401:
            report.lines.append(CheckLine("API key", False, fault.reason))
            return report
        models = None
    else:
        report.lines.append(CheckLine("server", True, f"reachable at {client.display_url}"))
    if models is None:
        report.lines.append(CheckLine("model", None, f"{client.model!r}: the server has no model list; asking it"))
    elif client.model in models:
        report.lines.append(CheckLine("model", True, f"{client.model!r} is listed by the server"))
    else:
        shown = ", ".join(models[:MAX_LISTED_MODELS]) + (", ..." if len(models) > MAX_LISTED_MODELS else "")
        report.lines.append(
            CheckLine("model", None, f"{client.model!r} is not in the server's list ({shown or 'empty'}); asking it")
        )
    try:
        reply = client.complete_json(
            PING_MESSAGES,
            schema_name="health_check",
            schema=PING_SCHEMA,
            validate=Ping.model_validate,
            probe_all_modes=True,
            max_tokens=PING_MAX_TOKENS,
        )
    except LLMFault as fault:
        if fault.status_code == 404:
            report.lines.append(CheckLine("model", False, fault.reason))
        else:
            report.lines.append(CheckLine("structured output", False, fault.reason))
        return report
    report.mode = reply.mode
    for rejection in reply.rejected:
        report.lines.append(CheckLine("rejected", None, rejection))
    report.lines.append(CheckLine("structured output", True, MODE_DESCRIPTIONS[reply.mode]))
    _check_sample_grade(client, report)
    return report


def _check_sample_grade(client: LLMClient, report: CheckReport) -> None:
    """Grade SAMPLE_ANSWER as the graders do; report the reply, the speed, and the timeout against it."""
    key_point_ids = [key_point.id for key_point in SAMPLE_QUESTION.key_points]
    try:
        reply = client.complete_json(
            rubric_messages(SAMPLE_QUESTION, SAMPLE_ANSWER, SAMPLE_QUESTION.key_points),
            schema_name="rubric_assessment",
            schema=assessment_schema(key_point_ids),
            portable_schema=assessment_schema(key_point_ids, pinned=False),
            max_tokens=reply_token_budget(key_point_ids),
            validate=lambda data: LLMAssessment.validate_reply(data, key_point_ids),
        )
    except LLMFault as fault:
        report.lines.append(CheckLine("sample grade", False, fault.reason))
        report.lines.append(_timeout_line(client, None))
        return
    for rejection in reply.rejected:
        report.lines.append(CheckLine("rejected", None, rejection))
    verdicts = ", ".join(f"{item.key_point_id} {item.verdict}" for item in reply.value.key_points)
    report.lines.append(
        CheckLine("sample grade", True, f"a valid rubric reply, one verdict per key point ({verdicts})")
    )
    if reply.completion is not None:
        report.speed = _speed(reply.completion)
        report.lines.append(_speed_line(report.speed))
    report.lines.append(_timeout_line(client, report.speed))


def _speed(completion: Completion) -> Speed:
    if completion.completion_tokens:
        return Speed(completion.seconds, completion.completion_tokens, completion.prompt_tokens, measured=True)
    estimate = max(1, math.ceil(len(completion.content or "") / CHARS_PER_TOKEN_ESTIMATE))
    return Speed(completion.seconds, estimate, completion.prompt_tokens, measured=False)


def _speed_line(speed: Speed) -> CheckLine:
    about = "" if speed.measured else "about "
    prompt = f", a {speed.prompt_tokens}-token prompt read first" if speed.prompt_tokens else ""
    return CheckLine(
        "speed",
        True,
        f"{about}{speed.completion_tokens} reply tokens in {speed.seconds:.1f} s{prompt}: "
        f"{speed.tokens_per_second:.1f} tokens/s",
    )


def _timeout_line(client: LLMClient, speed: Speed | None) -> CheckLine:
    """The timeout, and whether an answer fits in it: the sample's time, scaled to the largest rubric."""
    settings = client.settings
    tries = settings.max_retries + 1
    limit = f"timeout {settings.timeout:g} s per request, {tries} tr{'y' if tries == 1 else 'ies'} per answer"
    if speed is None:
        return CheckLine("timeout", None, f"{limit} (raise INTERVIEWER_LLM__TIMEOUT for a slow server)")
    sample_key_points = len(SAMPLE_QUESTION.key_points)
    largest = speed.seconds * LARGEST_RUBRIC / sample_key_points
    longest = settings.max_tokens or reply_token_budget([f"key-point-{index}" for index in range(LARGEST_RUBRIC)])
    estimate = (
        f"{limit}; one answer takes about {speed.seconds:.0f} s ({sample_key_points} key points), about "
        f"{largest:.0f} s with {LARGEST_RUBRIC}; a reply that runs to max_tokens ({longest}) would take about "
        f"{longest / max(speed.tokens_per_second, 1e-3):.0f} s"
    )
    if speed.seconds > settings.timeout:
        return CheckLine("timeout", False, f"{estimate}: raise the timeout above {math.ceil(speed.seconds * 2)} s")
    if largest > settings.timeout:
        return CheckLine(
            "timeout",
            None,
            f"{estimate}: larger questions would time out; consider timeout = {math.ceil(largest * 1.5)}",
        )
    return CheckLine("timeout", True, estimate)
