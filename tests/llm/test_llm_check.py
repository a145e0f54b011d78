"""`interviewer llm check` against the scripted server."""

from __future__ import annotations

import pytest

from tests.cli_helpers import run_cli
from tests.llm.conftest import TEST_API_KEY, TEST_MODEL, ChatServer, Reply

PONG = Reply(content='{"ok": true}')


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
    chat_server.script(PONG)
    result = run_cli("llm", "check")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert f"reachable at {chat_server.base_url}" in result.stdout
    assert f"'{TEST_MODEL}' is listed by the server" in result.stdout
    assert "structured output: json_schema" in result.stdout
    assert len(chat_server.chat_requests()) == 1
    assert TEST_API_KEY not in result.stdout + result.stderr


def test_llama_cpp_like_server_reports_json_object(chat_server: ChatServer, point_at) -> None:
    point_at(chat_server.base_url)
    chat_server.accepted_formats = {"json_object"}
    chat_server.script(PONG)
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
    chat_server.script(PONG)
    result = run_cli("llm", "check")
    assert result.exit_code == 0, result.stdout
    assert chat_server.chat_requests()[0].headers["authorization"] == f"Bearer {TEST_API_KEY}"
    assert TEST_API_KEY not in result.stdout
