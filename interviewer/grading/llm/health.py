"""`interviewer llm check`: is the server reachable, does the model exist, which structured output works."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from interviewer.config import LLMSettings
from interviewer.grading.llm.client import LLMClient, LLMFault, ResponseMode
from interviewer.grading.llm.factory import build_llm_client

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


@dataclass
class CheckReport:
    """What `llm check` found."""

    server: str
    model: str
    lines: list[CheckLine] = field(default_factory=list)
    mode: ResponseMode | None = None

    @property
    def ok(self) -> bool:
        """True when a structured reply came back."""
        return self.mode is not None


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
    return report
