"""`grade -o`: refused outputs, the folder checked first, atomic replace, resume, and awkward input lines."""

from __future__ import annotations

import errno
import json
import math
import os
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from interviewer.errors import InterviewerError
from interviewer.grading.embedding_grader import EmbeddingGrader
from interviewer.grading.graded_output import GradedFile, partial_path
from tests.cli_helpers import run_cli
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.usefixtures("use_test_model")

ANSWER_SET = REPO_ROOT / "benchmarks" / "answer_sets" / "deep-learning.jsonl"
ADHOC = {
    "question": "What does a hash table store?",
    "reference_answer": "Key-value pairs, placed in buckets by the hash of the key.",
}


def answer_rows(count: int) -> list[dict[str, Any]]:
    """Bank answers from the dev answer set, each with an id that passes through."""
    lines = ANSWER_SET.read_text(encoding="utf-8").splitlines()[:count]
    return [
        {"id": index, "question_id": json.loads(line)["question_id"], "answer": json.loads(line)["answer"]}
        for index, line in enumerate(lines, start=1)
    ]


def write_rows(path: Path, rows: list[Any]) -> Path:
    path.write_text(
        "".join((row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows), encoding="utf-8"
    )
    return path


def strict_rows(path: Path) -> list[dict[str, Any]]:
    """Every line of an output file, parsed with a parser that refuses NaN and Infinity."""

    def refuse(name: str) -> None:
        raise AssertionError(f"non-finite number {name} in the output")

    return [json.loads(line, parse_constant=refuse) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def no_grading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything is graded (checks that come first must stop the command)."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("grading started")

    monkeypatch.setattr("interviewer.grading.grade_job.GraderRecipe.build", refuse)


# ----- outputs that would destroy data ---------------------------------------------------------------
@pytest.mark.usefixtures("no_grading")
@pytest.mark.parametrize("how", ["same path", "symlink", "hard link"])
def test_output_that_is_the_input_is_refused(tmp_path: Path, how: str) -> None:
    source = write_rows(tmp_path / "answers.jsonl", [*answer_rows(2), "{not json"])
    before = source.read_bytes()
    output = source
    if how == "symlink":
        output = tmp_path / "link.jsonl"
        output.symlink_to(source)
    elif how == "hard link":
        output = tmp_path / "hard.jsonl"
        os.link(source, output)
    result = run_cli("grade", str(source), "-o", str(output))
    assert result.exit_code == 2, result.stderr
    assert "the output is the input file" in result.stderr
    assert source.read_bytes() == before
    assert not partial_path(output).exists()


@pytest.mark.usefixtures("no_grading")
def test_output_in_the_data_folder_or_the_database_is_refused(tmp_path: Path, isolated_environment: Path) -> None:
    source = write_rows(tmp_path / "answers.jsonl", answer_rows(1))
    isolated_environment.mkdir(parents=True)
    database = isolated_environment / "sessions.sqlite3"
    database.write_bytes(b"SQLite format 3\x00")
    result = run_cli("grade", str(source), "-o", str(database))
    assert result.exit_code == 2 and "the output is the session database" in result.stderr
    assert database.read_bytes() == b"SQLite format 3\x00"
    (isolated_environment / "cache").mkdir()
    result = run_cli("grade", str(source), "-o", str(isolated_environment / "cache" / "graded.jsonl"))
    assert result.exit_code == 2 and "inside the data folder" in result.stderr
    assert not (isolated_environment / "cache" / "graded.jsonl").exists()


@pytest.mark.usefixtures("no_grading")
def test_a_missing_or_unusable_output_folder_fails_before_any_grading(tmp_path: Path) -> None:
    source = write_rows(tmp_path / "answers.jsonl", answer_rows(3))
    result = run_cli("grade", str(source), "-o", str(tmp_path / "missing" / "graded.jsonl"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("grade", str(source), "-o", str(source / "graded.jsonl"))
    assert result.exit_code == 2 and "is not a folder" in result.stderr
    result = run_cli("grade", str(source), "-o", str(tmp_path))
    assert result.exit_code == 2 and "is a folder" in result.stderr


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write to read-only folders")
@pytest.mark.usefixtures("no_grading")
def test_a_read_only_output_folder_fails_before_any_grading(tmp_path: Path) -> None:
    source = write_rows(tmp_path / "answers.jsonl", answer_rows(1))
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = run_cli("grade", str(source), "-o", str(folder / "graded.jsonl"))
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 2 and "cannot write in" in result.stderr


# ----- atomic replace, failed writes, interrupts, resume ------------------------------------------------
def test_the_output_is_replaced_whole_and_no_progress_file_is_left(tmp_path: Path) -> None:
    source = write_rows(tmp_path / "answers.jsonl", answer_rows(5))
    out = tmp_path / "graded.jsonl"
    out.write_text("previous\n", encoding="utf-8")
    out.chmod(0o640)
    result = run_cli("grade", str(source), "-o", str(out), "--batch-size", "2")
    assert result.exit_code == 0, result.stderr
    rows = strict_rows(out)
    assert [row["id"] for row in rows] == [1, 2, 3, 4, 5]
    assert [row["source"]["line"] for row in rows] == [1, 2, 3, 4, 5]
    assert all(len(row["source"]["hash"]) == 16 for row in rows)
    assert oct(out.stat().st_mode & 0o777) == oct(0o640)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["answers.jsonl", "graded.jsonl"]
    assert "rows/s" in result.stderr


def disk_full_after(monkeypatch: pytest.MonkeyPatch, writes: int) -> None:
    """OUT.partial's writes fail with ENOSPC after `writes` good ones; the failing write leaves half a line."""
    from interviewer.grading import graded_output

    real = graded_output.write_all
    calls = {"n": 0}

    def write_all(descriptor: int, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] > writes:
            real(descriptor, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        real(descriptor, data)

    monkeypatch.setattr(graded_output, "write_all", write_all)


def test_a_full_disk_keeps_the_previous_output_and_resume_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_rows(tmp_path / "answers.jsonl", answer_rows(8))
    clean = tmp_path / "clean.jsonl"
    assert run_cli("grade", str(source), "-o", str(clean)).exit_code == 0
    out = tmp_path / "graded.jsonl"
    out.write_text("previous\n", encoding="utf-8")
    with monkeypatch.context() as patch:
        disk_full_after(patch, writes=2)
        result = run_cli("grade", str(source), "-o", str(out), "--batch-size", "2")
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr and "--resume" in result.stderr
    assert out.read_text(encoding="utf-8") == "previous\n"
    partial = partial_path(out).read_bytes()
    assert not partial.endswith(b"\n")  # the torn line of the failed write
    result = run_cli("grade", str(source), "-o", str(out), "--batch-size", "2", "--resume")
    assert result.exit_code == 0, result.stderr
    assert "kept 4 row(s) graded earlier" in result.stderr
    assert out.read_bytes() == clean.read_bytes()
    assert not partial_path(out).exists()


def test_a_failed_final_replace_keeps_the_previous_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write_rows(tmp_path / "answers.jsonl", answer_rows(3))
    out = tmp_path / "graded.jsonl"
    out.write_text("previous\n", encoding="utf-8")

    def no_space(*args: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr("interviewer.grading.graded_output.commit_file", no_space)
        result = run_cli("grade", str(source), "-o", str(out))
    assert result.exit_code == 2 and "the previous file is unchanged" in result.stderr
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert [path.name for path in tmp_path.iterdir() if path.name.endswith(".tmp")] == []
    result = run_cli("grade", str(source), "-o", str(out), "--resume")
    assert result.exit_code == 0 and "graded 0 row(s)" in result.stderr and "kept 3 row(s)" in result.stderr
    assert [row["id"] for row in strict_rows(out)] == [1, 2, 3]


def interrupt_after_batches(monkeypatch: pytest.MonkeyPatch, batches: int) -> None:
    """Ctrl+C arrives while the grader works on batch number batches + 1."""
    real = EmbeddingGrader.grade_batch
    calls = {"n": 0}

    def grade_batch(self: EmbeddingGrader, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > batches:
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(EmbeddingGrader, "grade_batch", grade_batch)


def test_an_interrupted_run_resumes_with_every_row_exactly_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [*answer_rows(9), "{not json", "", {"id": "adhoc", **ADHOC, "answer": "Keys and values, in hashed buckets."}]
    source = write_rows(tmp_path / "answers.jsonl", rows)
    clean = tmp_path / "clean.jsonl"
    assert run_cli("grade", str(source), "-o", str(clean), "--batch-size", "3").exit_code == 1
    out = tmp_path / "graded.jsonl"
    with monkeypatch.context() as patch:
        interrupt_after_batches(patch, 2)
        result = run_cli("grade", str(source), "-o", str(out), "--batch-size", "3")
    assert result.exit_code == 130
    assert "interrupted" in result.stderr and "--resume" in result.stderr
    assert not out.exists()
    held = strict_rows(partial_path(out))  # only whole, valid lines
    assert [row["source"]["line"] for row in held] == [1, 2, 3, 4, 5, 6]
    result = run_cli("grade", str(source), "-o", str(out), "--batch-size", "3", "--resume")
    assert result.exit_code == 1  # the bad line is still bad
    assert "resuming: 6 row(s) already graded" in result.stderr
    assert "graded 4 row(s), skipped 1 bad line(s), ignored 1 blank line(s), kept 6 row(s)" in result.stderr
    assert out.read_bytes() == clean.read_bytes()


def test_resume_regrades_lines_that_changed(tmp_path: Path) -> None:
    rows = answer_rows(4)
    source = write_rows(tmp_path / "answers.jsonl", rows)
    out = tmp_path / "graded.jsonl"
    assert run_cli("grade", str(source), "-o", str(out)).exit_code == 0
    rows[2] = {**rows[2], "answer": "I do not know."}
    write_rows(source, rows)
    result = run_cli("grade", str(source), "-o", str(out), "--resume")
    assert result.exit_code == 0, result.stderr
    assert "graded 1 row(s)" in result.stderr and "kept 3 row(s)" in result.stderr
    graded = strict_rows(out)
    assert [row["id"] for row in graded] == [1, 2, 3, 4]
    assert graded[2]["answer"] == "I do not know." and graded[2]["score"] < 3


def test_a_leftover_progress_file_is_replaced_without_resume(tmp_path: Path) -> None:
    source = write_rows(tmp_path / "answers.jsonl", answer_rows(2))
    out = tmp_path / "graded.jsonl"
    partial_path(out).write_text('{"half a line', encoding="utf-8")
    result = run_cli("grade", str(source), "-o", str(out))
    assert result.exit_code == 0
    assert "starting afresh" in result.stderr
    assert [row["id"] for row in strict_rows(out)] == [1, 2]


def test_two_runs_cannot_write_the_same_output(tmp_path: Path) -> None:
    first = GradedFile(tmp_path / "graded.jsonl", resume=False)
    first.open()
    try:
        with pytest.raises(InterviewerError, match="another `interviewer grade` is writing"):
            GradedFile(tmp_path / "graded.jsonl", resume=True).open()
    finally:
        first.close()
    assert not partial_path(tmp_path / "graded.jsonl").exists()


# ----- awkward input lines ------------------------------------------------------------------------------
def test_a_byte_order_mark_costs_no_row(tmp_path: Path) -> None:
    source = tmp_path / "answers.jsonl"
    source.write_bytes(b"\xef\xbb\xbf" + "".join(json.dumps(row) + "\n" for row in answer_rows(2)).encode())
    out = tmp_path / "graded.jsonl"
    result = run_cli("grade", str(source), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert [row["id"] for row in strict_rows(out)] == [1, 2]


def test_standard_input_and_pipes_are_graded(tmp_path: Path) -> None:
    """`grade -` reads standard input and `grade /dev/stdin` (or any pipe) works too: the scan and the read
    tasks seek, so a stream is copied to a temporary file first (a pipe was a traceback: not seekable)."""
    text = "".join(json.dumps(row) + "\n" for row in answer_rows(2)) + '{"answer": "x", "question_id": \n'
    out = tmp_path / "graded.jsonl"
    result = run_cli("grade", "-", "-o", str(out), input_text=text)
    assert result.exit_code == 1, result.stderr
    assert "-:3: not valid JSON (Unterminated string" not in result.stderr  # no doubled words either
    assert "-:3: not valid JSON (Expecting value at column" in result.stderr
    assert [row["id"] for row in strict_rows(out)] == [1, 2]
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text(text, encoding="utf-8"))
    writer.start()
    piped = run_cli("grade", str(fifo), "-o", str(tmp_path / "piped.jsonl"))
    writer.join()
    assert piped.exit_code == 1 and f"{fifo}:3: not valid JSON" in piped.stderr, piped.stderr
    assert (tmp_path / "piped.jsonl").read_bytes() == out.read_bytes()


def test_an_undecodable_line_is_one_bad_line_with_its_number(tmp_path: Path) -> None:
    good = [json.dumps(row).encode() for row in answer_rows(2)]
    source = tmp_path / "answers.jsonl"
    source.write_bytes(good[0] + b"\n" + b'{"question_id": "4.2", "answer": "caf\xe9"}\n' + good[1] + b"\n")
    out = tmp_path / "graded.jsonl"
    result = run_cli("grade", str(source), "-o", str(out))
    assert result.exit_code == 1
    assert f"{source}:2: not UTF-8 text" in result.stderr
    assert "graded 2 row(s), skipped 1 bad line(s)" in result.stderr
    assert [row["id"] for row in strict_rows(out)] == [1, 2]


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers_are_bad_lines(tmp_path: Path, number: str) -> None:
    row = answer_rows(1)[0]
    source = write_rows(tmp_path / "answers.jsonl", [row, f'{{"id": {number}, "question_id": "4.2", "answer": "x"}}'])
    out = tmp_path / "graded.jsonl"
    result = run_cli("grade", str(source), "-o", str(out))
    assert result.exit_code == 1
    assert f"{source}:2: not valid JSON (the number {number} is not finite)" in result.stderr
    assert [graded["id"] for graded in strict_rows(out)] == [1]


def test_a_grade_with_a_non_finite_number_is_a_bad_line_not_an_invalid_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = EmbeddingGrader.grade_batch

    def grade_batch(self: EmbeddingGrader, items: Any, **kwargs: Any) -> Any:
        results = real(self, items, **kwargs)
        for (_, answer), result in zip(items, results, strict=True):
            if "NAN-PLEASE" in answer:
                result.key_points[0].similarity = math.nan
        return results

    monkeypatch.setattr(EmbeddingGrader, "grade_batch", grade_batch)
    rows = answer_rows(2)
    rows[1]["answer"] += " NAN-PLEASE"
    source = write_rows(tmp_path / "answers.jsonl", rows)
    result = run_cli("grade", str(source))
    assert result.exit_code == 1
    assert f"{source}:2: the grade holds a number that is not finite" in result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [1]


def test_a_row_that_fails_twice_is_reported_and_the_others_are_graded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = EmbeddingGrader.grade_batch

    def grade_batch(self: EmbeddingGrader, items: Any, **kwargs: Any) -> Any:
        if any("POISON" in answer for _, answer in items):
            raise RuntimeError("poisoned answer")
        return real(self, items, **kwargs)

    monkeypatch.setattr(EmbeddingGrader, "grade_batch", grade_batch)
    rows = answer_rows(5)
    rows[2]["answer"] = "POISON"
    source = write_rows(tmp_path / "answers.jsonl", rows)
    out = tmp_path / "graded.jsonl"
    result = run_cli("grade", str(source), "-o", str(out), "--batch-size", "4")
    assert result.exit_code == 1
    assert f"{source}:3: grading failed 2 times (RuntimeError: poisoned answer)" in result.stderr
    assert "graded 4 row(s), skipped 1 bad line(s)" in result.stderr
    assert [row["id"] for row in strict_rows(out)] == [1, 2, 4, 5]


# ----- engine options -------------------------------------------------------------------------------------
@pytest.mark.usefixtures("no_grading")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--engine", "spark"], "'spark' is not one of 'local', 'ray'"),
        (["--workers", "2"], "--workers needs --engine ray"),
        (["--resume"], "--resume needs -o OUT"),
    ],
)
def test_unusable_engine_options_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    source = write_rows(tmp_path / "answers.jsonl", answer_rows(1))
    result = run_cli("grade", str(source), *args)
    assert result.exit_code == 2 and message in result.stderr


@pytest.mark.usefixtures("no_grading")
def test_the_ray_engine_without_ray_installed_is_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    source = write_rows(tmp_path / "answers.jsonl", answer_rows(1))
    out = tmp_path / "graded.jsonl"
    result = run_cli("grade", str(source), "-o", str(out), "--engine", "ray")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == ["error: --engine ray needs Ray: pip install 'interviewer[ray]'"]
    assert not out.exists() and not partial_path(out).exists()


# ----- progress -------------------------------------------------------------------------------------------
def test_plain_progress_lines_give_rows_per_second_and_time_left() -> None:
    from interviewer.cli.progress import PlainProgress

    now = {"t": 0.0}
    lines: list[str] = []
    progress = PlainProgress(1000, "grading", lines.append, interval=30, clock=lambda: now["t"])
    now["t"] = 8.0  # model loading: not counted in the rate
    progress.advance(100)
    now["t"] = 38.0
    progress.advance(300)
    assert lines == ["grading: 400/1,000 rows (40%), 10.0 rows/s, ETA 1:00"]
