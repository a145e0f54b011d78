"""`interviewer llm check` against the scripted server."""

from __future__ import annotations

import pytest

from tests.cli_helpers import run_cli
from tests.llm.conftest import TEST_API_KEY, TEST_MODEL, ChatServer, Reply, Request, rubric_content

PONG = Reply(content='{"ok": true}')


def healthy(request: Request) -> Reply:
    """Pong to the ping, a valid rubric reply to the sample grade."""
    return Reply(content=rubric_content(request)) if "KEY POINTS TO JUDGE" in request.prompt else PONG


@pytest.fixture
def point_at(monkeypatch: pytest.MonkeyPatch):
    def configure(base_url: str, model: str = TEST_MODEL) -> None:
        monkeypatch.setenv("INTERVIEWER_LLM__BASE_URL", base_url)
        monkeypatch.setenv("INTERVIEWER_LLM__MODEL", model)
        monkeypatch.setenv("INTERVIEWER_LLM__API_KEY", TEST_API_KEY)
        monkeypatch.setenv("INTERVIEWER_LLM__TIMEOUT", "0.5")
        monkeypatch.setenv("INTERVIEWER_LLM__MAX_RETRIES", "0")

    return configure


def test_no_llm_configured_exits_2_with_a_clear_message() -> None:
    result = run_cli("llm", "check")
    assert result.exit_code == 2
    assert "no LLM configured" in result.stderr
    assert "INTERVIEWER_LLM__MODEL" in result.stderr


def test_working_server_reports_json_schema(chat_server: ChatServer, point_at) -> None:
    point_at(chat_server.base_url)
    chat_server.responder = healthy
    result = run_cli("llm", "check")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert f"reachable at {chat_server.base_url}" in result.stdout
    assert f"'{TEST_MODEL}' is listed by the server" in result.stdout
    assert "structured output: json_schema" in result.stdout
    assert "ok   sample grade: a valid rubric reply, one verdict per key point (outputs-zero covered" in result.stdout
    assert "ok   speed: 10 reply tokens in" in result.stdout and "tokens/s" in result.stdout
    assert "timeout 0.5 s per request, 1 try per answer; one answer takes about" in result.stdout
    assert "a reply that runs to max_tokens (3843) would take about" in result.stdout
    ping, sample = chat_server.chat_requests()
    assert ping.body["max_tokens"] == 64
    assert sample.body["response_format"]["json_schema"]["name"] == "rubric_assessment"
    assert TEST_API_KEY not in result.stdout + result.stderr


def test_llama_cpp_like_server_reports_json_object(chat_server: ChatServer, point_at) -> None:
    point_at(chat_server.base_url)
    chat_server.accepted_formats = {"json_object"}
    chat_server.responder = healthy
    result = run_cli("llm", "check")
    assert result.exit_code == 0
    assert "structured output: json_object" in result.stdout
    assert "rejected: json_schema: HTTP 500: Input should be 'text' or 'json_object'" in result.stdout


def test_unknown_model_fails(chat_server: ChatServer, point_at) -> None:
    point_at(chat_server.base_url, model="llama9:400b")
    result = run_cli("llm", "check")
    assert result.exit_code == 1
    assert "'llama9:400b' is not in the server's list (test-model)" in result.stdout
    assert "FAIL model: model 'llama9:400b' not found" in result.stdout


def test_unreachable_server_fails(refused_url: str, point_at) -> None:
    point_at(refused_url)
    result = run_cli("llm", "check")
    assert result.exit_code == 1
    assert "FAIL server: cannot reach" in result.stdout
    assert "Connection refused" in result.stdout


def test_garbage_replies_fail_structured_output(chat_server: ChatServer, point_at) -> None:
    point_at(chat_server.base_url)
    chat_server.responder = lambda request: Reply(content="pong!")
    result = run_cli("llm", "check")
    assert result.exit_code == 1
    assert "FAIL structured output: unusable reply after one retry" in result.stdout


def test_standard_openai_variables_are_honoured(chat_server: ChatServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", chat_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("INTERVIEWER_LLM__MODEL", TEST_MODEL)
    chat_server.responder = healthy
    result = run_cli("llm", "check")
    assert result.exit_code == 0, result.stdout
    assert chat_server.chat_requests()[0].headers["authorization"] == f"Bearer {TEST_API_KEY}"
    assert TEST_API_KEY not in result.stdout


def test_a_model_that_cannot_grade_the_sample_fails_the_check(chat_server: ChatServer, point_at) -> None:
    point_at(chat_server.base_url)
    chat_server.responder = lambda request: PONG  # answers the ping, but the same to the rubric
    result = run_cli("llm", "check")
    assert result.exit_code == 1
    assert "ok   structured output: json_schema" in result.stdout
    assert "FAIL sample grade: unusable reply after one retry" in result.stdout
    assert "The LLM grader cannot use this server" in result.stdout


def test_a_slow_server_gets_a_note_to_raise_the_timeout(chat_server: ChatServer, point_at, monkeypatch) -> None:
    point_at(chat_server.base_url)
    monkeypatch.setenv("INTERVIEWER_LLM__TIMEOUT", "2")

    def slow(request: Request) -> Reply:
        if "KEY POINTS TO JUDGE" in request.prompt:
            __import__("time").sleep(1.1)  # four key points in 1.1 s: eight would take ~2.2 s
        return healthy(request)

    chat_server.responder = slow
    result = run_cli("llm", "check")
    assert result.exit_code == 0, result.stdout
    assert "note timeout: timeout 2 s per request, 1 try per answer; one answer takes about 1 s (4 key" in result.stdout
    assert "larger questions would time out; consider timeout = " in result.stdout
