"""LLMClient against the scripted server: structured-output modes, their memory, and every fault."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from interviewer.grading.llm.client import LLMClient, LLMFault
from interviewer.grading.llm.modes import ResponseModeMemory
from tests.llm.conftest import TEST_API_KEY, ChatServer, Reply, llm_settings_for

SCHEMA = {
    "type": "object",
    "properties": {"ok": {"type": "boolean"}},
    "required": ["ok"],
    "additionalProperties": False,
}
MESSAGES = [{"role": "system", "content": "Say ok in JSON."}, {"role": "user", "content": "ping"}]


class Pong(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ok: bool


def ask(client: LLMClient) -> Any:
    return client.complete_json(MESSAGES, schema_name="pong", schema=SCHEMA, validate=Pong.model_validate)


def client_ask(client: LLMClient, schema: dict[str, Any] = SCHEMA, **options: Any) -> Any:
    return client.complete_json(MESSAGES, schema_name="pong", schema=schema, validate=Pong.model_validate, **options)


def make_client(base_url: str, memory: ResponseModeMemory | None = None, **llm: Any) -> LLMClient:
    return LLMClient(llm_settings_for(base_url, **llm).llm, mode_memory=memory)


OK = Reply(content='{"ok": true}')
QUICK_RETRY = {"retry-after-ms": "20"}  # keeps the client's backoff short in tests


def test_json_schema_reply_is_validated(chat_server: ChatServer) -> None:
    chat_server.script(OK)
    reply = ask(make_client(chat_server.base_url))
    assert reply.value == Pong(ok=True)
    assert reply.mode == "json_schema"
    (request,) = chat_server.chat_requests()
    assert request.body["response_format"]["json_schema"]["schema"] == SCHEMA
    assert request.body["temperature"] == 0
    assert request.body["seed"] == 0
    assert request.headers["authorization"] == f"Bearer {TEST_API_KEY}"


@pytest.mark.parametrize("status", [500, 400])
def test_rejected_json_schema_falls_back_to_json_object_without_retrying(chat_server: ChatServer, status: int) -> None:
    chat_server.accepted_formats = {"json_object"}
    chat_server.rejection_status["json_schema"] = status
    chat_server.script(OK)
    reply = ask(make_client(chat_server.base_url))
    assert reply.mode == "json_object"
    formats = [request.response_format for request in chat_server.chat_requests()]
    assert formats == ["json_schema", "json_object"]  # the llama.cpp 500 is not retried
    schema_in_prompt = chat_server.chat_requests()[1].body["messages"][0]["content"]
    assert json.dumps(SCHEMA, separators=(",", ":")) in schema_in_prompt


def test_fallback_reaches_plain_text_and_extracts_json_from_prose(chat_server: ChatServer) -> None:
    chat_server.accepted_formats = set()
    chat_server.script(Reply(content='Sure! Here it is:\n```json\n{"ok": false}\n```\nHope that helps.'))
    reply = ask(make_client(chat_server.base_url))
    assert (reply.mode, reply.value) == ("text", Pong(ok=False))
    assert [request.response_format for request in chat_server.chat_requests()] == ["json_schema", "json_object", None]


def test_working_mode_is_remembered_in_memory_and_on_disk(chat_server: ChatServer, tmp_path: Path) -> None:
    chat_server.accepted_formats = {"json_object"}
    chat_server.responder = lambda request: OK
    memory_file = tmp_path / "modes.json"
    client = make_client(chat_server.base_url, ResponseModeMemory(memory_file))
    ask(client)
    ask(client)
    fresh_process = make_client(chat_server.base_url, ResponseModeMemory(memory_file))
    ask(fresh_process)
    formats = [request.response_format for request in chat_server.chat_requests()]
    assert formats == ["json_schema", "json_object", "json_object", "json_object"]
    assert TEST_API_KEY not in memory_file.read_text()
    other_model = make_client(chat_server.base_url, ResponseModeMemory(memory_file), model="other-model")
    assert other_model.remembered_mode() is None


def test_remembered_mode_is_probed_again_on_request(chat_server: ChatServer) -> None:
    chat_server.accepted_formats = {"json_object"}
    chat_server.responder = lambda request: OK
    client = make_client(chat_server.base_url, ResponseModeMemory(None))
    ask(client)
    chat_server.accepted_formats = {"json_schema", "json_object"}  # server upgraded
    reply = client.complete_json(
        MESSAGES, schema_name="pong", schema=SCHEMA, validate=Pong.model_validate, probe_all_modes=True
    )
    assert reply.mode == "json_schema"
    assert client.remembered_mode() == "json_schema"


def test_schema_violation_is_asked_again_with_the_error(chat_server: ChatServer) -> None:
    chat_server.script(Reply(content='{"ok": "perhaps", "extra": 1}'), OK)
    reply = ask(make_client(chat_server.base_url))
    assert reply.value == Pong(ok=True)
    retry = chat_server.chat_requests()[1].body["messages"]
    assert retry[-2] == {"role": "assistant", "content": '{"ok": "perhaps", "extra": 1}'}
    assert "does not match the schema" in retry[-1]["content"]
    assert "ok: Input should be a valid boolean" in retry[-1]["content"]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (Reply(content="I think the answer is fine."), "not valid JSON"),
        (Reply(content='{"ok": tr'), "not valid JSON"),
        (Reply(content=""), "empty"),
        (Reply(content=None), "empty"),
        (Reply(content='{"ok": 3}'), "does not match the schema"),
    ],
    ids=["garbage", "invalid-json", "empty", "null-content", "schema-violation"],
)
def test_unusable_reply_twice_is_a_fault(chat_server: ChatServer, bad: Reply, reason: str) -> None:
    chat_server.script(bad, bad)
    with pytest.raises(LLMFault, match=reason) as fault:
        ask(make_client(chat_server.base_url))
    assert fault.value.reason.startswith("unusable reply after one retry")
    assert len(chat_server.chat_requests()) == 2


def test_every_request_carries_the_token_limit(chat_server: ChatServer) -> None:
    chat_server.script(OK)
    reply = client_ask(make_client(chat_server.base_url), max_tokens=50)
    assert chat_server.chat_requests()[0].body["max_tokens"] == 50
    assert reply.max_tokens == 50
    assert reply.completion is not None and reply.completion.completion_tokens == 10  # the server's usage
    assert reply.completion.seconds > 0


def test_configured_max_tokens_wins_over_the_callers(chat_server: ChatServer) -> None:
    chat_server.script(OK)
    client_ask(make_client(chat_server.base_url, max_tokens=4000), max_tokens=50)
    assert chat_server.chat_requests()[0].body["max_tokens"] == 4000


def test_a_reply_cut_off_at_the_token_limit_is_a_fault_at_once(chat_server: ChatServer) -> None:
    chat_server.script(Reply(content='{"ok": tr', finish_reason="length"))
    with pytest.raises(LLMFault) as fault:
        client_ask(make_client(chat_server.base_url), max_tokens=50)
    assert fault.value.reason.startswith("the reply was cut off at the token limit (max_tokens 50)")
    assert fault.value.bad_reply
    assert len(chat_server.chat_requests()) == 1  # asking again would cost the whole budget again


def test_a_server_that_wants_max_completion_tokens_gets_it(chat_server: ChatServer) -> None:
    refusal = (
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."
    )
    chat_server.script(Reply(status=400, error=refusal), OK, OK)
    client = make_client(chat_server.base_url)
    assert client_ask(client, max_tokens=50).value == Pong(ok=True)
    client_ask(client, max_tokens=50)
    bodies = [request.body for request in chat_server.chat_requests()]
    assert bodies[0]["max_tokens"] == 50 and "max_completion_tokens" not in bodies[0]
    assert bodies[1]["max_completion_tokens"] == 50 and "max_tokens" not in bodies[1]
    assert bodies[2]["max_completion_tokens"] == 50  # remembered


PINNED = {**SCHEMA, "properties": {"ok": {"type": "boolean"}, "why": {"type": "string", "maxLength": 9}}}


def test_a_server_refusing_a_keyword_of_the_pinned_schema_gets_the_portable_one(chat_server: ChatServer) -> None:
    refusal = (
        "Invalid schema for response_format 'pong': In context=('properties', 'why'), 'maxLength' is not permitted."
    )
    chat_server.script(Reply(status=400, error=refusal), OK, OK)
    client = make_client(chat_server.base_url)
    reply = client_ask(client, schema=PINNED, portable_schema=SCHEMA)
    assert reply.mode == "json_schema"
    assert "maxLength" in reply.rejected[0] and "portable" in reply.rejected[0]
    client_ask(client, schema=PINNED, portable_schema=SCHEMA)
    sent = [request.body["response_format"]["json_schema"]["schema"] for request in chat_server.chat_requests()]
    assert sent == [PINNED, SCHEMA, SCHEMA]  # the portable schema from then on, without asking again


def test_a_server_refusing_json_schema_outright_goes_to_json_object(chat_server: ChatServer) -> None:
    chat_server.accepted_formats = {"json_object"}
    chat_server.script(OK)
    reply = client_ask(make_client(chat_server.base_url), schema=PINNED, portable_schema=SCHEMA)
    assert reply.mode == "json_object"
    assert [request.response_format for request in chat_server.chat_requests()] == ["json_schema", "json_object"]
    schema_in_prompt = chat_server.chat_requests()[1].body["messages"][0]["content"]
    assert json.dumps(PINNED, separators=(",", ":")) in schema_in_prompt  # the same (pinned) schema as in json_schema


def test_unknown_model_is_a_clear_fault(chat_server: ChatServer) -> None:
    with pytest.raises(LLMFault) as fault:
        ask(make_client(chat_server.base_url, model="no-such-model"))
    assert "model 'no-such-model' not found" in fault.value.reason
    assert fault.value.status_code == 404
    assert len(chat_server.chat_requests()) == 1  # a 404 is not retried


def test_connection_refused_is_a_fault(refused_url: str) -> None:
    with pytest.raises(LLMFault, match=r"cannot reach http://127\.0\.0\.1:\d+/v1"):
        ask(make_client(refused_url, max_retries=0))


def test_slow_reply_times_out_after_the_retry_budget(chat_server: ChatServer) -> None:
    chat_server.responder = lambda request: Reply(content='{"ok": true}', hang=True)
    with pytest.raises(LLMFault, match=r"no reply from .* within 0\.25 s"):
        ask(make_client(chat_server.base_url, timeout=0.25))
    assert len(chat_server.chat_requests()) == 2  # first try + max_retries=1


def test_rate_limit_waits_for_retry_after_then_succeeds(chat_server: ChatServer) -> None:
    chat_server.script(Reply(status=429, error="slow down", headers={"Retry-After": "1"}), OK)
    reply = ask(make_client(chat_server.base_url))
    assert reply.value == Pong(ok=True)
    first, second = chat_server.chat_requests()
    assert second.received_at - first.received_at >= 0.95


def test_server_errors_beyond_the_budget_are_a_fault(chat_server: ChatServer) -> None:
    chat_server.responder = lambda request: Reply(status=503, error="overloaded", headers=QUICK_RETRY)
    with pytest.raises(LLMFault, match=r"server error \(HTTP 503: overloaded\)"):
        ask(make_client(chat_server.base_url))
    assert len(chat_server.chat_requests()) == 2


def test_server_error_then_success_is_retried(chat_server: ChatServer) -> None:
    chat_server.script(Reply(status=500, error="model is loading", headers=QUICK_RETRY), OK)
    assert ask(make_client(chat_server.base_url)).value == Pong(ok=True)


def test_api_key_never_appears_in_a_fault(chat_server: ChatServer) -> None:
    chat_server.script(Reply(status=401, error=f"invalid key {TEST_API_KEY}"))
    with pytest.raises(LLMFault) as fault:
        ask(make_client(chat_server.base_url))
    assert "refused the API key" in fault.value.reason
    assert TEST_API_KEY not in fault.value.reason
    assert TEST_API_KEY not in str(fault.value)


@pytest.mark.parametrize("body", [b"<html>502 Bad Gateway</html>", b"", b'{"object": "list"}', b"[1, 2]"])
def test_a_reply_that_is_not_a_chat_completion_is_a_fault(chat_server: ChatServer, body: bytes) -> None:
    chat_server.responder = lambda request: Reply(raw_body=body)
    with pytest.raises(LLMFault):
        ask(make_client(chat_server.base_url))


def test_reasoning_blocks_are_skipped_when_extracting_json(chat_server: ChatServer) -> None:
    chat_server.accepted_formats = set()
    chat_server.script(Reply(content='<think>Maybe {"ok": false}? No.</think>\n{"ok": true}'))
    assert ask(make_client(chat_server.base_url)).value == Pong(ok=True)


def test_a_refusal_is_a_fault_without_retrying(chat_server: ChatServer) -> None:
    refusal = {
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": None, "refusal": "I can't help with that."},
            }
        ]
    }
    chat_server.responder = lambda request: Reply(raw_body=json.dumps(refusal).encode())
    with pytest.raises(LLMFault, match=re.escape("the model refused: I can't help with that.")):
        ask(make_client(chat_server.base_url))
    assert len(chat_server.chat_requests()) == 1
