"""Structured replies from any OpenAI-compatible chat-completions server.

Structured output is asked for in the best mode the server accepts: `json_schema`, else
`json_object` with the schema in the prompt, else plain text with the JSON extracted. A caller may
give a portable form of its schema, sent when the server refuses a keyword of the first one
(`prefixItems`, string lengths). The mode that worked is remembered per server (URL + model).

Every request carries a token limit (`max_tokens`); a reply cut off there is a fault at once (asking
again would cost the same again). Transport faults (connection, timeout, 429, 5xx) are retried by the
openai client within `max_retries`, honouring Retry-After; an unusable reply is asked for once more
with the problem stated. Whatever still fails raises `LLMFault` with a short reason that never
contains the API key.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from interviewer.config import LLMSettings
from interviewer.grading.llm.modes import ResponseModeMemory, server_key
from interviewer.grading.llm.redaction import Redactor, display_url
from interviewer.grading.llm.replies import BadReply, CutOff, parse_reply

if TYPE_CHECKING:
    import ssl

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
_PORTABLE_SCHEMA_WORDS = ("prefixitems", "maxlength", "minlength")
"""A refusal naming one of these gets the caller's portable schema, still as json_schema."""

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
class Completion:
    """One chat completion: its text, why it stopped, how long it took and its token counts (if reported)."""

    content: str | None
    finish_reason: str | None
    seconds: float
    completion_tokens: int | None = None
    prompt_tokens: int | None = None


@dataclass(frozen=True)
class StructuredReply(Generic[T]):
    """A validated reply, the mode that produced it, and the request that gave it."""

    value: T
    mode: ResponseMode
    rejected: tuple[str, ...] = ()  # "<mode>: <server message>" for each mode the server refused first
    completion: Completion | None = None
    max_tokens: int | None = None


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


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context per process, as the client would build it: each build reads the CA bundle (~40 ms here),
    and every client (the TUI's grader, `llm check`, drafting) would otherwise build its own."""
    import httpx2

    return httpx2.create_ssl_context()


def build_openai_client(settings: LLMSettings) -> OpenAI:
    """The official client configured from settings, with the client's own retry budget and timeout."""
    from openai import DefaultHttpxClient, OpenAI

    api_key = settings.resolved_api_key()
    return OpenAI(
        base_url=settings.resolved_base_url(),
        api_key=api_key.get_secret_value() if api_key else NO_KEY_PLACEHOLDER,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        http_client=DefaultHttpxClient(
            verify=_tls_context(), event_hooks={"response": [_refuse_retry_of_format_rejection]}
        ),
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
        self.redactor = Redactor([api_key.get_secret_value()] if api_key else [])
        self._portable_schema_only = False  # the server refused a keyword of a pinned schema
        self._token_limit_parameter = "max_tokens"  # some OpenAI models only take max_completion_tokens

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
        return mode if mode in RESPONSE_MODES else None

    def complete_json(
        self,
        messages: Sequence[Message],
        *,
        schema_name: str,
        schema: dict[str, Any],
        validate: Callable[[Any], T],
        probe_all_modes: bool = False,
        max_tokens: int | None = None,
        portable_schema: dict[str, Any] | None = None,
    ) -> StructuredReply[T]:
        """Ask for a JSON reply matching `schema`, trying modes from the remembered (or best) one down.

        max_tokens: the reply's token limit (settings.max_tokens wins when set). portable_schema: sent
        as json_schema instead when the server refuses a keyword of `schema` that it leaves out.
        """
        limit = self.settings.max_tokens or max_tokens
        start = RESPONSE_MODES[0] if probe_all_modes else (self.remembered_mode() or RESPONSE_MODES[0])
        rejections: list[str] = []
        attempts: list[tuple[ResponseMode, dict[str, Any]]] = [
            (mode, schema) for mode in RESPONSE_MODES[RESPONSE_MODES.index(start) :]
        ]
        if portable_schema is not None and attempts[0][0] == "json_schema" and self._portable_schema_only:
            attempts[0] = ("json_schema", portable_schema)
        while attempts:
            mode, sent_schema = attempts.pop(0)
            try:
                value, completion = self._complete_in_mode(mode, messages, schema_name, sent_schema, validate, limit)
            except _FormatRejected as rejected:
                log.info("server %s rejected response_format %s: %s", self.display_url, mode, rejected)
                names_detail = any(word in str(rejected).lower() for word in _PORTABLE_SCHEMA_WORDS)
                if mode == "json_schema" and portable_schema is not None and sent_schema is schema and names_detail:
                    self._portable_schema_only = True
                    rejections.append(f"{mode} (pinned schema; the portable one is sent instead): {rejected}")
                    attempts.insert(0, ("json_schema", portable_schema))
                else:
                    rejections.append(f"{mode}: {rejected}")
                continue
            if self.remembered_mode() != mode:
                self.mode_memory.remember(self.server, mode)
            return StructuredReply(value, mode, tuple(rejections), completion, limit)
        raise LLMFault("the server rejected every response format (" + "; ".join(rejections) + ")")

    def _complete_in_mode(
        self,
        mode: ResponseMode,
        messages: Sequence[Message],
        schema_name: str,
        schema: dict[str, Any],
        validate: Callable[[Any], T],
        max_tokens: int | None,
    ) -> tuple[T, Completion]:
        conversation = _with_format_instructions(messages, mode, schema)
        completion = self._chat(conversation, mode, schema_name, schema, max_tokens)
        try:
            return self._parse(completion, validate, max_tokens), completion
        except BadReply as problem:
            log.info("unusable reply from %s (%s); asking once more", self.display_url, problem)
            conversation = [
                *conversation,
                {"role": "assistant", "content": (completion.content or "")[:MAX_ECHOED_REPLY_CHARS]},
                {
                    "role": "user",
                    "content": f"Your reply was not usable: {problem}. "
                    "Reply again with only the corrected JSON object.",
                },
            ]
        completion = self._chat(conversation, mode, schema_name, schema, max_tokens)
        try:
            return self._parse(completion, validate, max_tokens), completion
        except BadReply as problem:
            reason = f"unusable reply after one retry: {self.redactor.scrub(str(problem))}"
            raise LLMFault(reason, bad_reply=True) from None

    def _parse(self, completion: Completion, validate: Callable[[Any], T], max_tokens: int | None) -> T:
        """The validated reply; a reply cut off at the token limit is a fault at once, not asked again."""
        try:
            return parse_reply(completion.content, completion.finish_reason, validate)
        except CutOff:
            limit = f"max_tokens {max_tokens}" if max_tokens else "the server's own limit"
            raise LLMFault(
                f"the reply was cut off at the token limit ({limit}) before its JSON object was complete: "
                "the model kept writing past what the rubric asks for; a model that follows the schema, "
                "or a larger max_tokens, fixes it",
                bad_reply=True,
            ) from None

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
        self,
        messages: list[Message],
        mode: ResponseMode,
        schema_name: str,
        schema: dict[str, Any],
        max_tokens: int | None,
    ) -> Completion:
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
        started = time.monotonic()
        for _ in range(2):  # a second time only to rename the token-limit parameter
            if max_tokens is not None:
                extra.pop("max_tokens", None)
                extra.pop("max_completion_tokens", None)
                extra[self._token_limit_parameter] = max_tokens
            try:
                completion = self._client.chat.completions.create(
                    model=self.model,
                    messages=messages,  # type: ignore[arg-type]
                    temperature=self.settings.temperature,
                    **extra,
                )
                break
            except openai.APIStatusError as exc:
                server_message = self._server_message(exc)
                if self._wants_max_completion_tokens(exc.status_code, server_message, max_tokens):
                    self._token_limit_parameter = "max_completion_tokens"
                    continue
                if (
                    mode != "text"
                    and exc.status_code in (400, 422, 500, 501)
                    and _mentions_response_format(server_message)
                ):
                    raise _FormatRejected(f"HTTP {exc.status_code}: {server_message}") from None
                raise LLMFault(self._describe_status_error(exc, server_message), status_code=exc.status_code) from None
            except openai.OpenAIError as exc:
                raise self._transport_fault(exc) from None
            except Exception as exc:  # noqa: BLE001 - whatever the client raises on a malformed reply is a server fault
                raise LLMFault(f"the server's reply is not a chat completion ({type(exc).__name__})") from None
        seconds = time.monotonic() - started
        choices = getattr(completion, "choices", None)
        usage = getattr(completion, "usage", None)
        completion_tokens = getattr(usage, "completion_tokens", None)
        prompt_tokens = getattr(usage, "prompt_tokens", None)
        tokens = (
            completion_tokens if isinstance(completion_tokens, int) else None,
            prompt_tokens if isinstance(prompt_tokens, int) else None,
        )
        if not isinstance(choices, list) or not choices:
            return Completion(None, None, seconds, *tokens)
        message = getattr(choices[0], "message", None)
        content = getattr(message, "content", None)
        refusal = getattr(message, "refusal", None)
        if not content and isinstance(refusal, str) and refusal.strip():
            reason = self.redactor.scrub(" ".join(refusal.split()))[:MAX_SERVER_MESSAGE_CHARS]
            raise LLMFault(f"the model refused: {reason}", bad_reply=True)
        finish_reason = getattr(choices[0], "finish_reason", None)
        return Completion(content if isinstance(content, str) else None, finish_reason, seconds, *tokens)

    def _wants_max_completion_tokens(self, status: int, server_message: str, max_tokens: int | None) -> bool:
        """OpenAI's reasoning models refuse `max_tokens` (HTTP 400) and ask for `max_completion_tokens`."""
        return (
            max_tokens is not None
            and status == 400
            and self._token_limit_parameter == "max_tokens"
            and "max_completion_tokens" in server_message
        )

    def _transport_fault(self, exc: Exception) -> LLMFault:
        import openai

        if isinstance(exc, openai.APITimeoutError):
            return LLMFault(f"no reply from {self.display_url} within {self.settings.timeout:g} s")
        if isinstance(exc, openai.APIConnectionError):
            cause = f" ({self.redactor.scrub(str(exc.__cause__))})" if exc.__cause__ else ""
            return LLMFault(f"cannot reach {self.display_url}{cause}")
        return LLMFault(self.redactor.scrub(str(exc))[:MAX_SERVER_MESSAGE_CHARS])

    def _server_message(self, exc: Any) -> str:
        body = exc.body
        message: Any = None
        if isinstance(body, dict):
            error = body.get("error", body)
            message = error.get("message") if isinstance(error, dict) else error
        if not message:
            message = exc.message
        return self.redactor.scrub(" ".join(str(message).split()))[:MAX_SERVER_MESSAGE_CHARS]

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


def _with_format_instructions(messages: Sequence[Message], mode: ResponseMode, schema: dict[str, Any]) -> list[Message]:
    """Add the schema to the prompt when the server cannot enforce it."""
    conversation = [dict(message) for message in messages]
    if mode == "json_schema":
        return conversation
    instruction = "Reply with one JSON object, and nothing else, that matches this JSON Schema:\n" + json.dumps(
        schema, separators=(",", ":")
    )
    if mode == "text":
        instruction += "\nDo not wrap it in code fences and do not add any text before or after it."
    conversation[0] = {**conversation[0], "content": conversation[0]["content"] + "\n\n" + instruction}
    return conversation
