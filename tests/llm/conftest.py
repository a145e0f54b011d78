"""A real OpenAI-compatible chat-completions server on 127.0.0.1, serving scripted replies and faults.

The tests talk to it with the real `openai` client over HTTP. It behaves like the servers users run:
it knows a set of models (others get a 404 like Ollama/OpenAI), accepts a configurable set of
`response_format` types (llama.cpp rejects `json_schema` with HTTP 500, LM Studio rejects
`json_object` with a 400), records every request, and answers from a per-test script, else from a
responder function. A "hang" reply blocks on an Event released at teardown: no sleeps.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from interviewer.bank.loader import load_bank
from interviewer.bank.models import Bank
from interviewer.config import Settings

TEST_MODEL = "test-model"
TEST_API_KEY = "sk-test-SECRET-0123456789abcdef"
ANSWER_BLOCK = re.compile(r"<<<(ANSWER-[0-9a-f]+)\n(.*)\n\1>>>", re.DOTALL)
TO_JUDGE_BLOCK = re.compile(r"KEY POINTS TO JUDGE\n(.*?)\n\n", re.DOTALL)
LLAMA_CPP_REJECTION = "Input should be 'text' or 'json_object'"
LM_STUDIO_REJECTION = "'response_format.type' must be 'json_schema' or 'text'"


@dataclass
class Reply:
    """One scripted HTTP reply."""

    content: str | None = ""
    status: int = 200
    error: str = "scripted error"
    headers: dict[str, str] = field(default_factory=dict)
    finish_reason: str = "stop"
    raw_body: bytes | None = None
    hang: bool = False


@dataclass
class Request:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    received_at: float

    @property
    def response_format(self) -> str | None:
        """The response_format type asked for, if any."""
        response_format = self.body.get("response_format")
        return response_format.get("type") if isinstance(response_format, dict) else None

    @property
    def prompt(self) -> str:
        """All message contents joined."""
        return "\n".join(str(message.get("content", "")) for message in self.body.get("messages", []))

    @property
    def answer(self) -> str:
        """The candidate answer between the grader's delimiters."""
        match = ANSWER_BLOCK.search(self.prompt)
        assert match, "no delimited answer in the prompt"
        return match.group(2)

    @property
    def key_point_ids(self) -> list[str]:
        """Ids of the key points the grader asked the model to judge."""
        match = TO_JUDGE_BLOCK.search(self.prompt)
        assert match, "no KEY POINTS TO JUDGE section in the prompt"
        return re.findall(r"^- ([a-z0-9-]+): ", match.group(1), re.MULTILINE)


Responder = Callable[[Request], Reply]


class ChatServer:
    """The scripted server; `base_url` ends in /v1 like real OpenAI-compatible servers."""

    def __init__(self) -> None:
        self.models: set[str] = {TEST_MODEL}
        self.accepted_formats: set[str] = {"json_schema", "json_object"}
        self.rejection_status: dict[str, int] = {"json_schema": 500, "json_object": 400}
        self.requests: list[Request] = []
        self.release = threading.Event()
        self.responder: Responder | None = None
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *replies: Reply) -> None:
        """Queue replies for the next chat requests, in order (the responder answers after them)."""
        self._script.extend(replies)

    def chat_requests(self) -> list[Request]:
        """Requests to /v1/chat/completions."""
        return [request for request in self.requests if request.path.endswith("/chat/completions")]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.release.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def _next_reply(self, request: Request) -> Reply:
        with self._lock:
            if self._script:
                return self._script.popleft()
        if self.responder is not None:
            return self.responder(request)
        return Reply(status=500, error="test server: no scripted reply left")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                server.requests.append(Request("GET", self.path, _lower(self.headers), {}, time.monotonic()))
                if self.path.rstrip("/").endswith("/models"):
                    data = [{"id": name, "object": "model", "owned_by": "test"} for name in sorted(server.models)]
                    self._send_json(200, {"object": "list", "data": data})
                else:
                    self._send_error(404, f"no route {self.path}")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"unparsable": raw.decode("utf-8", "replace")}
                request = Request("POST", self.path, _lower(self.headers), body, time.monotonic())
                with server._lock:
                    server.requests.append(request)
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send_error(404, f"no route {self.path}")
                    return
                model = body.get("model")
                if model not in server.models:
                    self._send_error(404, f"model '{model}' not found, try pulling it first", code="model_not_found")
                    return
                response_format = request.response_format
                if response_format and response_format != "text" and response_format not in server.accepted_formats:
                    status = server.rejection_status[response_format]
                    message = LLAMA_CPP_REJECTION if response_format == "json_schema" else LM_STUDIO_REJECTION
                    self._send_error(status, message)
                    return
                try:
                    reply = server._next_reply(request)
                except Exception as exc:  # noqa: BLE001 - a responder bug shows up as a readable HTTP error
                    failure = f"test server responder failed: {exc!r}"
                    reply = Reply(status=500, error=failure, headers={"x-should-retry": "false"})
                if reply.hang:
                    server.release.wait(timeout=30)
                if reply.raw_body is not None:
                    self._send(reply.status, reply.raw_body, "application/json", reply.headers)
                elif reply.status != 200:
                    self._send_error(reply.status, reply.error, headers=reply.headers)
                else:
                    self._send_json(200, _completion(model, reply), reply.headers)

            def _send_error(
                self, status: int, message: str, *, code: str | None = None, headers: dict[str, str] | None = None
            ) -> None:
                error = {"message": message, "type": "invalid_request_error" if status < 500 else "server_error"}
                if code:
                    error["code"] = code
                self._send_json(status, {"error": error}, headers)

            def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
                self._send(status, json.dumps(payload).encode(), "application/json", headers)

            def _send(self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        return Handler


def _completion(model: str, reply: Reply) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.content},
                "finish_reason": reply.finish_reason,
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    """A fresh scripted server per test."""
    server = ChatServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def refused_url() -> str:
    """A 127.0.0.1 URL where nothing listens (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def llm_settings_for(base_url: str, **llm: Any) -> Settings:
    """Settings pointing the LLM grader at base_url, with tiny timeouts so faults are quick."""
    values = {"base_url": base_url, "model": TEST_MODEL, "api_key": TEST_API_KEY, "timeout": 0.5, "max_retries": 1}
    values.update(llm)
    return Settings(llm=values)


def configure_llm(monkeypatch: pytest.MonkeyPatch, base_url: str) -> None:
    """Point the CLI's LLM settings (environment variables) at base_url, with tiny timeouts."""
    monkeypatch.setenv("INTERVIEWER_LLM__BASE_URL", base_url)
    monkeypatch.setenv("INTERVIEWER_LLM__MODEL", TEST_MODEL)
    monkeypatch.setenv("INTERVIEWER_LLM__API_KEY", TEST_API_KEY)
    monkeypatch.setenv("INTERVIEWER_LLM__TIMEOUT", "0.5")
    monkeypatch.setenv("INTERVIEWER_LLM__MAX_RETRIES", "1")


@pytest.fixture
def llm_settings(chat_server: ChatServer) -> Settings:
    """Settings for the scripted server."""
    return llm_settings_for(chat_server.base_url)


def _lower(headers: Any) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def rubric_content(
    request: Request,
    *,
    verdict: str = "covered",
    verdicts: dict[str, str] | None = None,
    quote: str | None = None,
    score: float = 8.0,
    grader_directed: bool = False,
    feedback: str = "Clear on the mechanism; the fixes were thin.",
    follow_up: str = "How would you detect dead units during training?",
) -> str:
    """A valid assessment of the key points the request asks about; quotes are the answer's first words."""
    default_quote = " ".join(request.answer.split()[:6])
    items = []
    for key_point_id in request.key_point_ids:
        chosen = (verdicts or {}).get(key_point_id, verdict)
        evidence = "" if chosen == "missed" else (quote if quote is not None else default_quote)
        items.append({"key_point_id": key_point_id, "quote": evidence, "verdict": chosen})
    return json.dumps(
        {
            "key_points": items,
            "grader_directed": grader_directed,
            "score": score,
            "feedback": feedback,
            "follow_up": follow_up,
        }
    )


def rubric_responder(**assessment: Any) -> Responder:
    """A responder grading every request the same way (see rubric_content)."""
    return lambda request: Reply(content=rubric_content(request, **assessment))


# -- graders ---------------------------------------------------------------------------------

BANK_DIR = Path(__file__).resolve().parent / "fixtures" / "bank"


@pytest.fixture(scope="session")
def bank() -> Bank:
    """A frozen copy of three shipped questions (3.2, 3.3, 1.1), so edits to the shipped bank do not move tests."""
    return load_bank(BANK_DIR)


@pytest.fixture(scope="session")
def embedding_grader(embedder: Any, bank: Bank) -> Any:
    """The real EmbeddingGrader on the session's real model, shared (it only caches vectors)."""
    from interviewer.grading.embedding_grader import EmbeddingGrader

    return EmbeddingGrader(embedder, bank)
