"""`interviewer grade --grader llm|hybrid` end to end: real CLI, real embedding model, scripted server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import run_cli
from tests.llm.conftest import BANK_DIR, TEST_API_KEY, ChatServer, Reply, configure_llm, rubric_content

ROWS = [
    {
        "id": "a",
        "question_id": "3.2",
        "answer": "A dead ReLU outputs zero for every input, so its gradient is zero "
        "and it never updates. Leaky ReLU fixes it with a small negative slope.",
    },
    {
        "id": "b",
        "question_id": "3.3",
        "answer": "ReLU has a kink at zero: the left derivative is 0 and the right "
        "one is 1. In practice frameworks just pick 0 there and it does not matter.",
    },
    {
        "id": "c",
        "question_id": "1.1",
        "answer": "A neural network stacks layers of neurons; each computes a weighted "
        "sum plus bias and an activation. Backpropagation gives gradients and gradient descent updates the weights.",
    },
]


@pytest.fixture(autouse=True)
def use_session_model(monkeypatch: pytest.MonkeyPatch, embedder: Any) -> None:
    """The CLI gets the session's embedding model instead of loading its own (our loader, not the client)."""
    monkeypatch.setattr("interviewer.grading.embedding.load_embedder", lambda settings=None: embedder)


@pytest.fixture
def answers_file(tmp_path: Path) -> Path:
    path = tmp_path / "answers.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in ROWS), encoding="utf-8")
    return path


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def flag_codes(row: dict) -> set[str]:
    return {flag["code"] for flag in row["flags"]}


def test_grade_with_llm_writes_every_row_and_flags_the_failed_ones(
    chat_server: ChatServer, answers_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure_llm(monkeypatch, chat_server.base_url)

    def fail_on_question_1_1(request):  # the server breaks on one row only
        if "What is a neural network" in request.prompt:
            return Reply(status=500, error="CUDA error: out of memory", headers={"retry-after-ms": "10"})
        return Reply(content=rubric_content(request, score=7.0))

    chat_server.responder = fail_on_question_1_1
    out = tmp_path / "graded.jsonl"
    result = run_cli("grade", str(answers_file), "-o", str(out), "--grader", "llm", "--bank", str(BANK_DIR))
    assert result.exit_code == 0, result.stderr
    rows = read_rows(out)
    assert [row["id"] for row in rows] == ["a", "b", "c"]
    assert [row["grader"] for row in rows[:2]] == ["llm", "llm"]
    assert all("llm_unavailable" not in flag_codes(row) for row in rows[:2])
    assert all(row["key_points"][0]["decided_by"] == "llm" for row in rows[:2])
    assert "llm_unavailable" in flag_codes(rows[2])
    message = next(flag["message"] for flag in rows[2]["flags"] if flag["code"] == "llm_unavailable")
    assert message.startswith("LLM unavailable: server error (HTTP 500")
    assert TEST_API_KEY not in out.read_text() + result.stdout + result.stderr


def test_grade_with_hybrid_and_no_server_still_grades_every_row(
    refused_url: str, answers_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure_llm(monkeypatch, refused_url)
    monkeypatch.setenv("INTERVIEWER_LLM__MAX_RETRIES", "0")
    out = tmp_path / "graded.jsonl"
    result = run_cli("grade", str(answers_file), "-o", str(out), "--grader", "hybrid", "--bank", str(BANK_DIR))
    assert result.exit_code == 0, result.stderr
    rows = read_rows(out)
    assert len(rows) == len(ROWS)
    for row in rows:
        assert "llm_unavailable" in flag_codes(row)
        assert 0 <= row["score"] <= 10
        assert row["key_points"]


def test_grade_with_hybrid_uses_the_llm_for_feedback(
    chat_server: ChatServer, answers_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure_llm(monkeypatch, chat_server.base_url)
    chat_server.responder = lambda request: Reply(content=rubric_content(request))
    out = tmp_path / "graded.jsonl"
    result = run_cli("grade", str(answers_file), "-o", str(out), "--grader", "hybrid", "--bank", str(BANK_DIR))
    assert result.exit_code == 0, result.stderr
    rows = read_rows(out)
    assert [row["grader"] for row in rows] == ["hybrid"] * 3
    assert len(chat_server.chat_requests()) == 3
    again = run_cli("grade", str(answers_file), "-o", str(out), "--grader", "hybrid", "--bank", str(BANK_DIR))
    assert again.exit_code == 0
    assert len(chat_server.chat_requests()) == 3  # regrading is served from the cache
