"""`interviewer grade` and `interviewer eval` through the real CLI (the session's model is reused)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewer import __version__
from interviewer.grading.batch import InputRow, output_row
from interviewer.grading.questions import adhoc_question
from interviewer.grading.result import GradeResult, Provenance
from tests.cli_helpers import run_cli
from tests.grading.conftest import MOHLER

pytestmark = pytest.mark.usefixtures("use_test_model")

GOOD_BANK_ROW = {
    "id": 1,
    "question_id": "4.2",
    "answer": "Dropout zeroes random units while training to reduce overfitting.",
}
GOOD_ADHOC_ROW = {
    "id": 2,
    "question": "What does a hash table store?",
    "reference_answer": "Key-value pairs, placed in buckets by the hash of the key.",
    "answer": "It stores keys with their values in buckets chosen by hashing the key.",
    "score": 5,
}


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bad_lines_are_reported_skipped_and_counted(tmp_path: Path) -> None:
    source = write_lines(
        tmp_path / "answers.jsonl",
        [
            json.dumps(GOOD_BANK_ROW),
            "{not json",
            json.dumps({"question_id": "4.2"}),
            json.dumps({"question_id": "99.9", "answer": "something"}),
            "",
            json.dumps(GOOD_ADHOC_ROW),
            json.dumps(["a", "list"]),
        ],
    )
    out = tmp_path / "graded.jsonl"
    result = run_cli("grade", str(source), "-o", str(out))
    assert result.exit_code == 1, result.stderr
    assert f"{source}:2: not valid JSON" in result.stderr
    assert f"{source}:3: missing 'answer'" in result.stderr
    assert f"{source}:4: unknown question_id '99.9'" in result.stderr
    assert f"{source}:7: expected a JSON object" in result.stderr
    assert "graded 2 row(s), skipped 4 bad line(s), ignored 1 blank line(s)" in result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    non_blank_lines = 6
    assert len(rows) + 4 == non_blank_lines
    assert [row["id"] for row in rows] == [1, 2]
    for row in rows:
        assert 0 <= row["score"] <= 10
        assert row["grader"] == "embedding"
        assert {"key_points", "flags", "follow_ups"} <= row.keys()
    assert rows[1]["input_score"] == 5  # a field the grade would overwrite is kept
    assert rows[1]["question"] == GOOD_ADHOC_ROW["question"]


def test_clean_file_goes_to_stdout_with_exit_0(tmp_path: Path) -> None:
    source = write_lines(tmp_path / "answers.jsonl", [json.dumps(GOOD_BANK_ROW)])
    result = run_cli("grade", str(source))
    assert result.exit_code == 0, result.stderr
    (row,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["id"] == 1 and row["question_id"] == "4.2"
    assert row["grader"] == "embedding" and row["feedback"] is None
    assert row["provenance"]["grader"] == "embedding"
    assert row["provenance"]["embedding_model"] == "all-MiniLM-L6-v2"
    assert row["provenance"]["engine_version"] == __version__


def test_output_row_carries_llm_feedback_and_provenance() -> None:
    question = adhoc_question("What does a hash table store?", "Key-value pairs.", None, question_id="q")
    data = {"answer": "pairs", "feedback": "mine", "provenance": "kept"}
    row = InputRow(line=1, data=data, question=question, answer="pairs")
    provenance = Provenance(
        grader="hybrid", embedding_model="all-MiniLM-L6-v2", llm_model="qwen2.5:7b", prompt_version="7"
    )
    result = GradeResult(question_id="q", score=6.0, key_points=[], feedback="Name the buckets.", provenance=provenance)
    output = output_row(row, result)
    assert output["feedback"] == "Name the buckets."
    assert output["provenance"] == provenance.model_dump(mode="json")
    assert output["provenance"]["llm_model"] == "qwen2.5:7b" and output["provenance"]["prompt_version"] == "7"
    assert output["input_feedback"] == "mine" and output["input_provenance"] == "kept"


def test_adhoc_key_points_are_used(tmp_path: Path) -> None:
    row = dict(GOOD_ADHOC_ROW, key_points=["Stores key-value pairs", "Buckets chosen by hashing the key"])
    source = write_lines(tmp_path / "answers.jsonl", [json.dumps(row)])
    result = run_cli("grade", str(source))
    assert result.exit_code == 0, result.stderr
    graded = json.loads(result.stdout)
    assert [verdict["text"] for verdict in graded["key_points"]] == row["key_points"]


@pytest.mark.parametrize(
    ("grader", "message"),
    [
        ("magic", "'magic' is not one of 'embedding', 'llm', 'hybrid'"),
        ("llm", "no LLM configured"),
        ("hybrid", "no LLM configured"),
    ],
)
def test_unusable_grader_exits_2(tmp_path: Path, grader: str, message: str) -> None:
    source = write_lines(tmp_path / "answers.jsonl", [json.dumps(GOOD_BANK_ROW)])
    result = run_cli("grade", str(source), "--grader", grader)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_input_file_exits_2(tmp_path: Path) -> None:
    result = run_cli("grade", str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 2
    assert "nope.jsonl" in result.stderr


@pytest.mark.skipif(not MOHLER.is_file(), reason="Mohler data not next to the repo")
def test_eval_on_a_mohler_subset(tmp_path: Path) -> None:
    lines = MOHLER.read_text(encoding="utf-8").splitlines()
    subset = [line for line in lines if json.loads(line)["question_id"].split(".")[0] in {"1", "2"}][:120]
    source = write_lines(tmp_path / "subset.jsonl", subset)
    result = run_cli("eval", str(source), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["n"] == len(subset)
    assert {"pearson", "spearman", "mean_question_pearson", "rmse", "n"} <= report.keys()
    assert report["pearson"] > 0.3
    assert report["rmse"] < 1.5


def test_eval_needs_human_scores(tmp_path: Path) -> None:
    source = write_lines(tmp_path / "answers.jsonl", [json.dumps(GOOD_BANK_ROW)] * 3)
    result = run_cli("eval", str(source))
    assert result.exit_code == 2
    assert "missing human 'score'" in result.stderr
