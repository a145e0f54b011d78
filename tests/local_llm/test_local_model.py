"""The LLM graders against a real model served on 127.0.0.1: `llm check`, `grade --grader llm|hybrid`,
quote verification on real output, and a timeout. Marked local_llm; skips unless the tier is set up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from interviewer.bank.loader import load_bank
from interviewer.bank.models import Bank
from interviewer.grading.embedding_grader import EmbeddingGrader
from interviewer.grading.judge import load_judge
from interviewer.grading.llm import build_llm_client, build_llm_grader
from interviewer.grading.llm.evidence import locate_quote
from interviewer.grading.llm.graders import is_uncertain
from interviewer.grading.llm.health import PING_MESSAGES, PING_SCHEMA, Ping
from interviewer.grading.result import FlagCode
from interviewer.locations import default_bank_dir
from tests.cli_helpers import run_cli
from tests.local_llm.conftest import LOCAL_MODEL, LocalServer, Stopwatch, local_settings, point_cli_at

pytestmark = [pytest.mark.local_llm, pytest.mark.model]  # a real model: not in the fast tier

ANSWERS = [
    {
        "id": "dying-relu",
        "question_id": "3.2",
        "answer": (
            "A ReLU unit dies when its input is negative for every example, so it always outputs zero and its "
            "gradient is zero: its weights never update again. A too large learning rate or a big negative bias "
            "usually causes it. Leaky ReLU keeps a small slope for negative inputs, so the unit can recover."
        ),
    },
    {
        "id": "relu-at-zero",
        "question_id": "3.3",
        "answer": (
            "At zero the left derivative of ReLU is 0 and the right derivative is 1, so there is no derivative "
            "there. In practice it does not matter: frameworks just use 0 or 1 at that point, and an input of "
            "exactly zero almost never happens with floating point numbers."
        ),
    },
    {
        "id": "dropout",
        "question_id": "4.2",
        "answer": (
            "Dropout zeroes each unit at random with probability p during training, so the network cannot rely "
            "on any single unit. It works like training an ensemble of thinned networks. At test time all units "
            "are kept and the activations are scaled so their expected value matches training."
        ),
    },
    {
        "id": "learning-rate",
        "question_id": "5.2",
        "answer": (
            "The learning rate is the step size of each gradient update. Too high and the loss diverges or "
            "oscillates, too low and training crawls. I run a learning-rate range test, then use warmup and a "
            "cosine decay schedule; 1e-3 is a common start for Adam."
        ),
    },
]
VERDICTS = {"covered", "partial", "missed", "contradicted"}


@pytest.fixture(autouse=True)
def use_session_model(monkeypatch: pytest.MonkeyPatch, embedder: Any) -> None:
    """CLI commands get the session's embedding model instead of loading their own."""
    monkeypatch.setattr("interviewer.grading.embedding.load_embedder", lambda settings=None: embedder)


@pytest.fixture(scope="module")
def shipped_bank() -> Bank:
    return load_bank(default_bank_dir())


def write_answers(path: Path) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in ANSWERS), encoding="utf-8")
    return path


def graded_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def flag_codes(row: dict[str, Any]) -> set[str]:
    return {flag["code"] for flag in row["flags"]}


def set_aside(row: dict[str, Any]) -> bool:
    """The model flagged the answer as speaking to the grader and scored it above the evidence: the grade
    is the offline one, whole (verdicts, no feedback)."""
    return any(flag["code"] == "llm_score_capped" and "set aside" in flag["message"] for flag in row["flags"])


def assert_feedback_unless_the_answer_was_flagged(row: dict[str, Any]) -> None:
    """The model's feedback is shown, unless the answer is flagged as speaking to the grader (by the offline
    guard or by the model itself: then what the model wrote is not shown)."""
    guarded = "grader_directed" in flag_codes(row)
    assert (row["feedback"] is None) if guarded or set_aside(row) else row["feedback"]


def assert_evidence_is_the_answers_own_words(row: dict[str, Any]) -> None:
    for key_point in row["key_points"]:
        if key_point["verdict"] != "missed" and key_point["decided_by"] == "llm":
            assert key_point["evidence"] and key_point["evidence"] in row["answer"], key_point


def test_llm_check_passes_and_measures_the_speed(local_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    point_cli_at(monkeypatch, local_server)
    with Stopwatch("llm check"):
        result = run_cli("llm", "check")
    print(result.stdout)
    assert result.exit_code == 0, result.stdout + result.stderr + local_server.log()
    assert f"'{LOCAL_MODEL}' is listed by the server" in result.stdout
    assert "structured output: json_schema: the server enforces the rubric schema" in result.stdout
    assert "sample grade: a valid rubric reply, one verdict per key point" in result.stdout
    assert "tokens/s" in result.stdout and "one answer takes about" in result.stdout
    assert "FAIL" not in result.stdout


def test_grade_with_llm_decides_every_key_point_of_four_bank_answers(
    local_server: LocalServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, shipped_bank: Bank
) -> None:
    point_cli_at(monkeypatch, local_server)
    out = tmp_path / "graded.jsonl"
    with Stopwatch("grade --grader llm, 4 bank answers") as stopwatch:
        result = run_cli("grade", str(write_answers(tmp_path / "answers.jsonl")), "-o", str(out), "--grader", "llm")
    assert result.exit_code == 0, result.stderr
    rows = graded_rows(out)
    assert [row["id"] for row in rows] == [row["id"] for row in ANSWERS]
    for row in rows:
        assert "llm_unavailable" not in flag_codes(row), row["flags"]
        assert row["grader"] == "llm"
        question = shipped_bank.get(row["question_id"])
        assert [kp["key_point_id"] for kp in row["key_points"]] == [kp.id for kp in question.key_points]
        assert all(kp["decided_by"] == "llm" and kp["verdict"] in VERDICTS for kp in row["key_points"]), row
        assert 0 <= row["score"] <= 10
        assert_feedback_unless_the_answer_was_flagged(row)
        assert row["provenance"]["llm_model"] == LOCAL_MODEL
        assert_evidence_is_the_answers_own_words(row)
    print(f"local-model tier: {stopwatch.seconds / len(rows):.1f} s per answer")
    again = run_cli("grade", str(tmp_path / "answers.jsonl"), "-o", str(tmp_path / "again.jsonl"), "--grader", "llm")
    assert again.exit_code == 0
    assert graded_rows(tmp_path / "again.jsonl") == rows  # served from the cache: the same grades


def test_hybrid_asks_only_about_uncertain_key_points(
    local_server: LocalServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, embedder: Any, shipped_bank: Bank
) -> None:
    point_cli_at(monkeypatch, local_server)
    out = tmp_path / "graded.jsonl"
    with Stopwatch("grade --grader hybrid, 4 bank answers"):
        result = run_cli("grade", str(write_answers(tmp_path / "answers.jsonl")), "-o", str(out), "--grader", "hybrid")
    assert result.exit_code == 0, result.stderr
    offline = EmbeddingGrader(embedder, shipped_bank, judge=load_judge(embedder))  # what `grade` runs
    asked = fallbacks = 0
    rows = graded_rows(out)
    for row in rows:
        evidence = offline.grade(shipped_bank.get(row["question_id"]), row["answer"])
        if "llm_unavailable" in flag_codes(row):  # a 135M model's reply can miss the schema twice:
            fallbacks += 1  # then the row is the offline grade, with the flag saying so
            assert row["score"] == pytest.approx(evidence.score), row["flags"]
            continue
        assert row["grader"] == "hybrid"
        for before, after in zip(evidence.key_points, row["key_points"], strict=True):
            by_llm = is_uncertain(before) and not set_aside(row)  # a grade set aside is the offline one, whole
            assert after["decided_by"] == ("llm" if by_llm else before.decided_by), (before, after)
            asked += by_llm
        assert_feedback_unless_the_answer_was_flagged(row)
        assert_evidence_is_the_answers_own_words(row)
    assert fallbacks < len(rows)  # the real model's replies graded at least one answer
    total = sum(len(shipped_bank.get(row["question_id"]).key_points) for row in ANSWERS)
    print(f"local-model tier: hybrid asked the model about {asked} of {total} key points, {fallbacks} fallback(s)")


def test_quotes_of_real_replies_are_checked_against_the_answer(
    local_server: LocalServer, embedder: Any, shipped_bank: Bank
) -> None:
    grader = build_llm_grader(
        local_settings(local_server), "llm", embedding_grader=EmbeddingGrader(embedder, shipped_bank)
    )
    row = ANSWERS[1]
    question, answer = shipped_bank.get(row["question_id"]), row["answer"]
    try:
        evidence = grader.embedding_grader.grade(question, answer)
        assessment = grader.assess(question, answer, question.key_points, [])  # the model's own reply
        result = grader.grade_with_evidence(question, answer, evidence)  # the same reply, from the cache
    finally:
        grader.close()
    final = {verdict.key_point_id: verdict for verdict in result.key_points}
    assert sorted(final) == sorted(item.key_point_id for item in assessment.key_points)
    for item in assessment.key_points:
        located = locate_quote(item.quote, answer)
        if item.verdict != "missed" and located is None:
            assert final[item.key_point_id].verdict == "missed"  # a quote not in the answer counts for nothing
            assert result.has_flag(FlagCode.LLM_QUOTE_MISMATCH)
        else:
            assert final[item.key_point_id].verdict == item.verdict
            if item.verdict != "missed":
                assert final[item.key_point_id].evidence == located and located in answer


def test_a_reply_slower_than_the_timeout_falls_back_and_the_server_goes_on(
    local_server: LocalServer, embedder: Any, shipped_bank: Bank
) -> None:
    offline = EmbeddingGrader(embedder, shipped_bank, judge=load_judge(embedder))  # what `grade` runs
    question, answer = shipped_bank.get("6.3"), ANSWERS[0]["answer"] + " Transformers use attention instead."
    impatient = build_llm_grader(local_settings(local_server, timeout=0.05), "llm", embedding_grader=offline)
    with Stopwatch("a 0.05 s timeout"):
        result = impatient.grade(question, answer)
    impatient.close()
    flags = [flag for flag in result.flags if flag.code == FlagCode.LLM_UNAVAILABLE]
    assert flags and "within 0.05 s" in flags[0].message
    assert result.provenance.grader == "embedding"
    client = build_llm_client(local_settings(local_server).llm)
    try:
        with Stopwatch("a ping after the timeout") as stopwatch:
            reply = client.complete_json(
                PING_MESSAGES, schema_name="ping", schema=PING_SCHEMA, validate=Ping.model_validate, max_tokens=64
            )
    finally:
        client.close()
    assert reply.value.ok in (True, False)
    assert stopwatch.seconds < 60  # the abandoned generation was stopped, not left running ahead of it
