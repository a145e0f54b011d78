"""`interviewer bank generate`: an LLM drafts questions for a job posting, as a valid rubric file of drafts.

The LLM is the LLM tests' real HTTP server on 127.0.0.1 (`tests/llm/conftest.py`), reached through the
real openai client; the posting is ranked with the fake embedder (`tests/fakes.py`), so no model loads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from interviewer.bank import load_bank
from interviewer.bank.catalog import resolve_bank
from interviewer.bank.drafts import UNVERIFIED_SOURCE
from interviewer.bank.models import RubricQuestion
from interviewer.config import NO_LLM_CONFIGURED
from tests.cli_helpers import CliRun, run_cli
from tests.conftest import FIXTURES, REPO_ROOT
from tests.llm.conftest import TEST_API_KEY, ChatServer, Reply, configure_llm

JOB = FIXTURES / "jobs" / "recommender-systems.txt"


pytestmark = pytest.mark.usefixtures("fake_model")  # the posting is ranked with the fake embedder


@pytest.fixture
def server(chat_server: ChatServer, monkeypatch: pytest.MonkeyPatch) -> ChatServer:
    """The scripted server, configured as the LLM."""
    configure_llm(monkeypatch, chat_server.base_url)
    return chat_server


def drafted_question(number: int, **changes: Any) -> dict[str, Any]:
    """One question as a model drafts it (no id: the command assigns it)."""
    question = {
        "difficulty": "medium",
        "tags": ["recommenders", "cold-start"],
        "question": f"How would you handle cold start for new items in a two-tower recommender? ({number})",
        "reference_answer": "Use content features in the item tower so a new item gets an embedding at once,\n"
        "and explore it with a small traffic budget until interactions arrive.",
        "key_points": [
            {"id": "content-features", "text": "The item tower uses content features, so new items get embeddings."},
            {"id": "exploration", "text": "A small exploration budget shows new items to gather interactions."},
            {"id": "blend", "text": "Content and collaborative signals are blended as interactions grow."},
        ],
        "misconceptions": [
            {
                "id": "needs-retrain",
                "claim": "A new item needs a full retrain before it can be recommended.",
                "correction": "Content features give it an embedding without retraining.",
                "key_point": "content-features",
            }
        ],
        "follow_ups": ["How would you measure whether exploration helps?", "What about new users?"],
        "sources": ["Aggarwal (2016), Recommender Systems: The Textbook, ch. 4"],
    }
    question.update(changes)
    return question


def drafted_reply(*questions: dict[str, Any], topic: str = "Recommender cold start") -> Reply:
    return Reply(content=json.dumps({"topic": topic, "questions": list(questions)}))


def generate(output: Path, *extra: str) -> CliRun:
    return run_cli("bank", "generate", "--job", str(JOB), "-o", str(output), *extra)


def test_a_good_reply_is_written_as_valid_drafts(server: ChatServer, tmp_path: Path) -> None:
    server.script(drafted_reply(drafted_question(1), drafted_question(2)))
    output = tmp_path / "drafts"
    result = generate(output, "--count", "2")
    assert result.exit_code == 0, result.stderr
    files = sorted(output.glob("*.yaml"))
    assert [path.name for path in files] == ["01-recommender-cold-start.yaml"]
    written = yaml.safe_load(files[0].read_text(encoding="utf-8"))
    assert written["bank"] == "drafts" and written["topic"] == "Recommender cold start"
    for question in written["questions"]:
        assert question["id"].startswith("draft-") and question["draft"] is True
        assert question["sources"] == [UNVERIFIED_SOURCE + "Aggarwal (2016), Recommender Systems: The Textbook, ch. 4"]
    ids = [question["id"] for question in written["questions"]]
    assert len(set(ids)) == 2
    shipped_ids = {question.id for question in resolve_bank(None).questions}
    assert not shipped_ids & set(ids)

    validated = run_cli("bank", "validate", str(output))
    assert validated.exit_code == 0, validated.stderr
    listed = run_cli("bank", "list", "--bank", str(output), "--json")  # the resolver `practice --bank` uses
    assert [row["id"] for row in json.loads(listed.stdout)["questions"]] == ids
    assert all(question.draft for question in load_bank(output).questions)

    (request,) = server.chat_requests()
    assert request.response_format == "json_schema"
    assert "two-tower embeddings" in request.prompt  # the posting, as data
    covered = request.prompt.split("ALREADY COVERED", 1)[1]
    assert any(question.question in covered for question in resolve_bank(None).questions)


def test_a_second_run_adds_a_file_with_new_ids(server: ChatServer, tmp_path: Path) -> None:
    server.script(drafted_reply(drafted_question(1)), drafted_reply(drafted_question(1)))
    output = tmp_path / "drafts"
    assert generate(output, "--count", "1").exit_code == 0
    assert generate(output, "--count", "1").exit_code == 0
    assert len(sorted(output.glob("*.yaml"))) == 2
    ids = [question.id for question in load_bank(output).questions]  # the loader refuses repeated ids
    assert ids[1] == f"{ids[0]}-2"


@pytest.mark.parametrize(
    "bad",
    [
        Reply(content=json.dumps({"topic": "Recsys", "questions": [drafted_question(1, key_points=[])]})),
        Reply(content='{"topic": "Recsys", "questions": [{"question": "unfinished'),
        Reply(content=json.dumps({"topic": "Recsys", "questions": [drafted_question(1, sources=[])]})),
    ],
    ids=["no-key-points", "bad-json", "no-source"],
)
def test_an_unusable_reply_is_asked_again_once_then_one_error_and_nothing_written(
    server: ChatServer, tmp_path: Path, bad: Reply
) -> None:
    server.script(bad, bad)
    output = tmp_path / "drafts"
    result = generate(output)
    assert result.exit_code == 2, result.stdout
    assert result.exception is None and "Traceback" not in result.stderr
    assert result.stderr.count("error:") == 1
    assert "cannot draft questions" in result.stderr and "unusable reply after one retry" in result.stderr
    assert not output.exists()
    _, second = server.chat_requests()
    assert "Your reply was not usable" in second.prompt


def test_a_reply_fixed_on_the_retry_is_written(server: ChatServer, tmp_path: Path) -> None:
    server.script(Reply(content="not json at all"), drafted_reply(drafted_question(1)))
    output = tmp_path / "drafts"
    result = generate(output, "--count", "1")
    assert result.exit_code == 0, result.stderr
    assert len(load_bank(output).questions) == 1


def test_a_key_in_the_reply_is_not_written(server: ChatServer, tmp_path: Path) -> None:
    leaky = drafted_question(1, reference_answer=f"Set api_key = {TEST_API_KEY} and call the service.")
    server.script(drafted_reply(leaky))
    output = tmp_path / "drafts"
    result = generate(output, "--count", "1")
    assert result.exit_code == 0, result.stderr
    text = next(output.glob("*.yaml")).read_text(encoding="utf-8")
    assert TEST_API_KEY not in text + result.stdout + result.stderr and "***" in text


def test_no_llm_configured_is_the_usual_message_and_exit_2(tmp_path: Path) -> None:
    result = generate(tmp_path / "drafts")
    assert result.exit_code == 2
    assert result.exception is None
    assert NO_LLM_CONFIGURED in " ".join(result.stderr.split())
    assert not (tmp_path / "drafts").exists()


def test_a_server_that_is_down_is_one_error_line(
    refused_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    configure_llm(monkeypatch, refused_url)
    result = generate(tmp_path / "drafts")
    assert result.exit_code == 2 and result.exception is None
    assert result.stderr.count("error:") == 1 and "cannot reach" in result.stderr
    assert not (tmp_path / "drafts").exists()


@pytest.mark.parametrize("inside", ["rubrics/drafts", "rubrics/mlops", "."])
def test_drafts_are_never_written_into_or_around_the_shipped_banks(server: ChatServer, inside: str) -> None:
    result = generate(REPO_ROOT / inside)
    assert result.exit_code == 2
    assert "never written into the shipped banks" in " ".join(result.stderr.split())
    assert server.chat_requests() == []
    assert not (REPO_ROOT / "rubrics" / "drafts").exists()


def test_a_draft_names_a_source_and_no_shipped_question_is_a_draft() -> None:
    fields = {**drafted_question(1), "id": "draft-x", "draft": True, "sources": []}
    with pytest.raises(ValueError, match="a draft names at least one source"):
        RubricQuestion.model_validate(fields)
    assert not [question.id for question in resolve_bank(None).questions if question.draft]
