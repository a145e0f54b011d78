"""`eval` with an undefined statistic: one error line and exit 2, never NaN in the output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewer.grading.evaluation import evaluate
from tests.cli_helpers import run_cli

pytestmark = pytest.mark.usefixtures("fake_model")

ROW = {"question": "What does a hash table store?", "reference_answer": "Key-value pairs in buckets chosen by a hash."}


def dataset(path: Path, answers_and_scores: list[tuple[str, float]]) -> Path:
    rows = [{**ROW, "answer": answer, "score": score, "max_score": 5} for answer, score in answers_and_scores]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("as_json", [False, True])
def test_constant_human_scores_are_one_error_line_and_exit_2(tmp_path: Path, as_json: bool) -> None:
    data = dataset(tmp_path / "flat.jsonl", [("key value pairs", 3), ("buckets by hash", 3), ("no idea", 3)])
    result = run_cli("eval", str(data), *(["--json"] if as_json else []))
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.exception is None
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    assert f"{data}: Pearson and Spearman are undefined" in result.stderr
    assert "every human score is the same (3)" in result.stderr
    assert "NaN" not in result.stdout and "nan" not in result.stdout.lower()


def test_constant_grader_scores_name_the_grader() -> None:
    report = evaluate([4.0, 4.0, 4.0], [1.0, 2.0, 3.0], [5.0] * 3, ["1.1", "1.2", "2.1"], grader="test")
    assert report.pearson is None and report.spearman is None
    assert report.undefined_because == "the grader gave every row the same score (4)"
    assert "NaN" not in report.model_dump_json()


def test_defined_statistics_still_print_json_without_nan(tmp_path: Path) -> None:
    data = dataset(
        tmp_path / "ok.jsonl",
        [("key value pairs in buckets chosen by a hash", 5), ("buckets", 2), ("no idea at all", 0), ("pairs", 1)],
    )
    result = run_cli("eval", str(data), "--json")
    assert result.exit_code == 0, result.stderr

    def refuse(name: str) -> None:
        raise AssertionError(f"non-finite {name} in the output")

    payload = json.loads(result.stdout, parse_constant=refuse)
    assert isinstance(payload["pearson"], float) and "undefined_because" not in payload
