"""Bounded inputs: a huge answer is graded up to the limit and flagged, a row with thousands of key points and
oversized rubric or Markdown files are refused with the file, line and field, and the Markdown importer
stays linear in the size of its input. Limits come from the settings (`[limits]`, `INTERVIEWER_LIMITS__*`)."""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

import pytest

from interviewer.bank import load_bank
from interviewer.bank.markdown_import import _question_sections
from interviewer.config import LimitSettings
from interviewer.grading.embedding_grader import EmbeddingGrader
from interviewer.grading.result import FlagCode
from tests.cli_helpers import run_cli
from tests.conftest import FIXTURES
from tests.fakes import HashingEmbedder
from tests.llm.conftest import BANK_DIR

SENTENCE = "A dead ReLU outputs zero for every input, so its gradient is zero and it never learns again. "
ADHOC = {"question": "What does a hash table store?", "reference_answer": "Key-value pairs in buckets by hash."}


def test_a_5_mb_answer_is_graded_up_to_the_limit_and_flagged(fake_embedder: HashingEmbedder) -> None:
    bank = load_bank(BANK_DIR)
    question = bank.get("3.2")
    grader = EmbeddingGrader(fake_embedder, bank)
    limit = LimitSettings().answer_chars
    grader.grade(question, SENTENCE)  # the question's own vectors are prepared outside the measurement
    answer = SENTENCE * (5_000_000 // len(SENTENCE))
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = grader.grade(question, answer)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 30
    assert peak < 200_000_000, f"{peak / 1e6:.0f} MB traced while grading one answer"
    truncated = [flag for flag in result.flags if flag.code == FlagCode.TRUNCATED]
    assert len(truncated) == 1 and f"{len(answer):,} characters" in truncated[0].message
    first_part = grader.grade(question, answer[: limit + 1])  # graded the same as its first part
    assert (result.score, result.key_points) == (first_part.score, first_part.key_points)
    assert not grader.grade(question, answer[:limit]).has_flag(FlagCode.TRUNCATED)


@pytest.mark.usefixtures("fake_model")
def test_the_answer_limit_is_configurable_and_shows_in_grade_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERVIEWER_LIMITS__ANSWER_CHARS", "500")
    source = tmp_path / "answers.jsonl"
    source.write_text(json.dumps({**ADHOC, "answer": "Key-value pairs. " * 100}) + "\n", encoding="utf-8")
    out = tmp_path / "graded.jsonl"
    run = run_cli("grade", str(source), "-o", str(out))
    assert run.exit_code == 0, run.stderr
    row = json.loads(out.read_text(encoding="utf-8"))
    assert "truncated" in {flag["code"] for flag in row["flags"]}
    assert row["answer"] == "Key-value pairs. " * 100  # the row passes through whole


@pytest.mark.usefixtures("fake_model")
def test_a_row_with_3000_key_points_is_a_bad_line_naming_the_field(tmp_path: Path) -> None:
    source = tmp_path / "answers.jsonl"
    rows = [
        {**ADHOC, "answer": "pairs", "key_points": [f"point {index}" for index in range(3000)]},
        {**ADHOC, "answer": "Key-value pairs in buckets.", "key_points": ["Stores key-value pairs."]},
    ]
    source.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    out = tmp_path / "graded.jsonl"
    started = time.perf_counter()
    run = run_cli("grade", str(source), "-o", str(out))
    assert time.perf_counter() - started < 30
    assert run.exit_code == 1 and run.exception is None
    assert f"{source}:1: 'key_points' lists 3000 key points; at most 40" in run.stderr
    assert "limits.key_points_per_row" in run.stderr
    assert [json.loads(line)["source"]["line"] for line in out.read_text(encoding="utf-8").splitlines()] == [2]


def test_an_oversized_rubric_file_is_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rubric = tmp_path / "big.yaml"
    rubric.write_bytes(b"# " + b"x" * (LimitSettings().rubric_file_bytes) + b"\n")
    run = run_cli("bank", "validate", str(rubric))
    assert run.exit_code == 2 and run.exception is None
    assert f"{rubric}: the file is" in run.stderr and "limits.rubric_file_bytes" in run.stderr
    small = next((FIXTURES / "banks").rglob("*.yaml"))
    monkeypatch.setenv("INTERVIEWER_LIMITS__RUBRIC_FILE_BYTES", "1000")
    run = run_cli("bank", "validate", str(small))
    assert run.exit_code == 2 and "over the limit of 1,000" in run.stderr


def test_an_oversized_markdown_import_is_refused_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "huge.md"
    source.write_bytes(b"## Topic\n\n### What is x?\n\n" + b"- a statement about x\n" * 200_000)
    output = tmp_path / "bank"
    run = run_cli("bank", "import", str(source), "-o", str(output))
    assert run.exit_code == 2 and run.exception is None
    assert f"{source}: the file is" in run.stderr and "limits.markdown_file_bytes" in run.stderr
    assert not output.exists()
    monkeypatch.setenv("INTERVIEWER_LIMITS__MARKDOWN_FILE_BYTES", "100000000")
    assert run_cli("bank", "import", str(FIXTURES / "markdown" / "no-q-numbers.md"), "-o", str(output)).exit_code == 0


def _seconds(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        sections = _question_sections(Path("bank.md"), text)
        best = min(best, time.perf_counter() - started)
    assert len(sections) == 1
    return best


def test_the_markdown_importer_is_linear_in_the_lines_of_an_answer() -> None:
    """An answer padded with blank lines used to be trimmed one `pop(0)` at a time (48x the time for 8x the
    lines); section ends and topics are now found in one pass over the headings too (not timed here:
    parsing the Markdown dominates at any size that runs quickly)."""
    blank = "## Topic\n### What is x?\n**Answer:**\n{}- a point\n- b point\n- c point\n"
    small, large = _seconds(blank.format("\n" * 20_000)), _seconds(blank.format("\n" * 160_000))
    assert large < 20 * small + 0.5, f"8x the blank lines took {large / small:.0f}x the time"
