"""Structured replies from any OpenAI-compatible chat-completions server.

Structured output is asked for in the best mode the server accepts: `json_schema`, else
`json_object` with the schema in the prompt, else plain text with the JSON extracted. The mode that
worked is remembered per server (URL + model). Transport faults (connection, timeout, 429, 5xx) are
retried by the openai client within `max_retries`, honouring Retry-After; an unusable reply is asked
for once more with the problem stated. Whatever still fails raises `LLMFault` with a short reason
that never contains the API key.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from interviewer.config import LLMSettings
from interviewer.grading.llm.modes import ResponseModeMemory, server_key
from interviewer.grading.llm.replies import BadReply, parse_reply
from interviewer.grading.llm.redaction import Redactor, display_url

if TYPE_CHECKING:
    import httpx2
    from openai import OpenAI

log = logging.getLogger(__name__)

T = TypeVar("T")
ResponseMode = Literal["json_schema", "json_object", "text"]
RESPONSE_MODES: tuple[ResponseMode, ...] = ("json_schema", "json_object", "text")
NO_KEY_PLACEHOLDER = "no-key"  # local servers need no key, but the client insists on one
MAX_ECHOED_REPLY_CHARS = 4000
MAX_SERVER_MESSAGE_CHARS = 200
_FORMAT_WORDS = ("response_format", "json_schema", "json_object", "schema", "structured output", "grammar")

Message = dict[str, str]


class LLMFault(Exception):
    """The LLM could not give a usable answer; `reason` is safe to show (no key, no credentials)."""

    def __init__(self, reason: str, *, status_code: int | None = None, bad_reply: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code
        self.bad_reply = bad_reply  # the server answered, but not usably (answer-specific, not an outage)


class _FormatRejected(Exception):
    """The server refused the requested response_format."""


@dataclass(frozen=True)
class StructuredReply(Generic[T]):
    """A validated reply and the mode that produced it."""

    value: T
    mode: ResponseMode
    rejected: tuple[str, ...] = ()  # "<mode>: <server message>" for each mode the server refused first


def _mentions_response_format(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in _FORMAT_WORDS)


def _refuse_retry_of_format_rejection(response: httpx2.Response) -> None:
    """httpx response hook: a 5xx that rejects response_format (llama.cpp does this) is not worth retrying."""
    if response.status_code < 500 or b'"response_format"' not in (response.request.content or b""):
        return
    response.read()
    if _mentions_response_format(response.text):
        response.headers["x-should-retry"] = "false"


def build_openai_client(settings: LLMSettings) -> OpenAI:
    """The official client configured from settings, with the client's own retry budget and timeout."""
    from openai import DefaultHttpxClient, OpenAI

    api_key = settings.resolved_api_key()
    return OpenAI(
        base_url=settings.resolved_base_url(),
        api_key=api_key.get_secret_value() if api_key else NO_KEY_PLACEHOLDER,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        http_client=DefaultHttpxClient(event_hooks={"response": [_refuse_retry_of_format_rejection]}),
    )


class LLMClient:
    """Asks one model on one server for JSON replies validated by the caller."""

    def __init__(self, settings: LLMSettings, *, mode_memory: ResponseModeMemory | None = None):
        if not settings.model:
            raise ValueError("LLMClient needs settings.model")
        self.settings = settings
        self.model: str = settings.model
        self._client = build_openai_client(settings)
        self.base_url = str(self._client.base_url)
        self.server = server_key(self.base_url, self.model)
        self.mode_memory = mode_memory or ResponseModeMemory(None)
        api_key = settings.resolved_api_key()
        self._redact = Redactor([api_key.get_secret_value()] if api_key else [])

    @property
    def display_url(self) -> str:
        """The server URL without credentials, for messages."""
        return display_url(self.base_url)

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self._client.close()

    def remembered_mode(self) -> ResponseMode | None:
        """The structured-output mode that last worked with this server, if known."""
        mode = self.mode_memory.recall(self.server)
        return mode if mode in RESPONSE_MODES else None  # type: ignore[return-value]

    def complete_json(
        self,
        messages: Sequence[Message],
        *,
        schema_name: str,
        schema: dict[str, Any],
        validate: Callable[[Any], T],
        probe_all_modes: bool = False,
    ) -> StructuredReply[T]:
        """Ask for a JSON reply matching `schema`, trying modes from the remembered (or best) one down."""
        start = RESPONSE_MODES[0] if probe_all_modes else (self.remembered_mode() or RESPONSE_MODES[0])
        rejections: list[str] = []
        for mode in RESPONSE_MODES[RESPONSE_MODES.index(start) :]:
            try:
                value = self._complete_in_mode(mode, messages, schema_name, schema, validate)
            except _FormatRejected as rejected:
                log.info("server %s rejected response_format %s: %s", self.display_url, mode, rejected)
                rejections.append(f"{mode}: {rejected}")
                continue
            if self.remembered_mode() != mode:
                self.mode_memory.remember(self.server, mode)
            return StructuredReply(value, mode, tuple(rejections))
        raise LLMFault("the server rejected every response format (" + "; ".join(rejections) + ")")

    def _complete_in_mode(
        self,
        mode: ResponseMode,
        messages: Sequence[Message],
        schema_name: str,
        schema: dict[str, Any],
        validate: Callable[[Any], T],
    ) -> T:
        conversation = _with_format_instructions(messages, mode, schema)
        content, finish_reason = self._chat(conversation, mode, schema_name, schema)
        try:
            return parse_reply(content, finish_reason, validate)
        except BadReply as problem:
            log.info("unusable reply from %s (%s); asking once more", self.display_url, problem)
            conversation = [
                *conversation,
                {"role": "assistant", "content": (content or "")[:MAX_ECHOED_REPLY_CHARS]},
                {
                    "role": "user",
                    "content": f"Your reply was not usable: {problem}. "
                    "Reply again with only the corrected JSON object.",
                },
            ]
        content, finish_reason = self._chat(conversation, mode, schema_name, schema)
        try:
            return parse_reply(content, finish_reason, validate)
        except BadReply as problem:
            raise LLMFault(f"unusable reply after one retry: {self._redact(str(problem))}", bad_reply=True) from None

    def list_models(self) -> list[str] | None:
        """Model ids the server lists, or None when it has no model list; LLMFault when unreachable."""
        import openai

        try:
            return [model.id for model in self._client.models.list()]
        except openai.APIStatusError as exc:
            if exc.status_code in (404, 405, 501):
                return None
            raise LLMFault(
                self._describe_status_error(exc, self._server_message(exc)), status_code=exc.status_code
            ) from None
        except openai.OpenAIError as exc:
            raise self._transport_fault(exc) from None

    def _chat(
        self, messages: list[Message], mode: ResponseMode, schema_name: str, schema: dict[str, Any]
    ) -> tuple[str | None, str | None]:
        import openai

        extra: dict[str, Any] = {}
        if mode == "json_schema":
            extra["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": schema_name, "schema": schema, "strict": True},
            }
        elif mode == "json_object":
            extra["response_format"] = {"type": "json_object"}
        if self.settings.seed is not None:
            extra["seed"] = self.settings.seed
        try:
            completion = self._client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                temperature=self.settings.temperature,
                **extra,
            )
        except openai.APIStatusError as exc:
            server_message = self._server_message(exc)
            if mode != "text" and exc.status_code in (400, 422, 500, 501) and _mentions_response_format(server_message):
                raise _FormatRejected(f"HTTP {exc.status_code}: {server_message}") from None
            raise LLMFault(self._describe_status_error(exc, server_message), status_code=exc.status_code) from None
        except openai.OpenAIError as exc:
            raise self._transport_fault(exc) from None
        except Exception as exc:  # noqa: BLE001 - whatever the client raises on a malformed reply is a server fault
            raise LLMFault(f"the server's reply is not a chat completion ({type(exc).__name__})") from None
        choices = getattr(completion, "choices", None)
        if not isinstance(choices, list) or not choices:
            return None, None
        message = getattr(choices[0], "message", None)
        content = getattr(message, "content", None)
        refusal = getattr(message, "refusal", None)
        if not content and isinstance(refusal, str) and refusal.strip():
            reason = self._redact(" ".join(refusal.split()))[:MAX_SERVER_MESSAGE_CHARS]
            raise LLMFault(f"the model refused: {reason}", bad_reply=True)
        return content if isinstance(content, str) else None, getattr(choices[0], "finish_reason", None)

    def _transport_fault(self, exc: Exception) -> LLMFault:
        import openai

        if isinstance(exc, openai.APITimeoutError):
            return LLMFault(f"no reply from {self.display_url} within {self.settings.timeout:g} s")
        if isinstance(exc, openai.APIConnectionError):
            cause = f" ({self._redact(str(exc.__cause__))})" if exc.__cause__ else ""
            return LLMFault(f"cannot reach {self.display_url}{cause}")
        return LLMFault(self._redact(str(exc))[:MAX_SERVER_MESSAGE_CHARS])

    def _server_message(self, exc: Any) -> str:
        body = exc.body
        message: Any = None
        if isinstance(body, dict):
            error = body.get("error", body)
            message = error.get("message") if isinstance(error, dict) else error
        if not message:
            message = exc.message
        return self._redact(" ".join(str(message).split()))[:MAX_SERVER_MESSAGE_CHARS]

    def _describe_status_error(self, exc: Any, server_message: str) -> str:
        status = exc.status_code
        if status == 404:
            return (
                f"model {self.model!r} not found at {self.display_url} "
                f"(HTTP 404: {server_message}); check the model name and the URL (it usually ends in /v1)"
            )
        if status == 401:
            return f"the server refused the API key (HTTP 401: {server_message})"
        if status == 429:
            return f"rate limited by the server (HTTP 429: {server_message})"
        if status >= 500:
            return f"server error (HTTP {status}: {server_message})"
        return f"request refused (HTTP {status}: {server_message})"


def _with_format_instructions(
    messages: Sequence[Message], mode: ResponseMode, schema: dict[str, Any]
) -> list[Message]:
    """Add the schema to the prompt when the server cannot enforce it."""
    conversation = [dict(message) for message in messages]
    if mode == "json_schema":
        return conversation
    instruction = (
        "Reply with one JSON object, and nothing else, that matches this JSON Schema:\n"
        + json.dumps(schema, separators=(",", ":"))
    )
    if mode == "text":
        instruction += "\nDo not wrap it in code fences and do not add any text before or after it."
    conversation[0] = {**conversation[0], "content": conversation[0]["content"] + "\n\n" + instruction}
    return conversation
