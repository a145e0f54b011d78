"""The shipped known right and wrong statements: valid, current with the written sets, and errors name the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewer.bank import load_bank
from interviewer.errors import BankError
from interviewer.grading.known_statements import KNOWN_STATEMENTS_FILE, load_known_statements
from training.export_statements import known_statements


def test_the_shipped_file_is_what_the_export_writes_today() -> None:
    """Drift: `python -m training.export_statements` regenerates it from training/data and the banks."""
    exported, _ = known_statements()
    assert load_known_statements() == exported, "run `python -m training.export_statements`"


def test_nearly_every_shipped_key_point_has_right_and_wrong_statements() -> None:
    known = load_known_statements()
    key_points = [
        (question, statements) for question in load_bank().questions for statements in known.for_question(question)
    ]
    with_statements = [statements for _, statements in key_points if statements is not None]
    assert len(with_statements) >= 0.95 * len(key_points)
    assert all(statements.right and statements.wrong for statements in with_statements)


def test_a_reworded_key_point_has_no_statements() -> None:
    question = load_bank().get("4.2")
    reworded = question.model_copy(
        update={"key_points": [question.key_points[0].model_copy(update={"text": "Something else entirely."})]}
    )
    assert load_known_statements().for_question(reworded) == [None]
    assert load_known_statements().for_question(question)[0] is not None


@pytest.mark.parametrize("content", ["{not json", json.dumps({"questions": {"4.2": {"x": {"right": []}}}})])
def test_a_broken_file_is_an_error_naming_it(tmp_path: Path, content: str) -> None:
    broken = tmp_path / "known_statements.json"
    broken.write_text(content, encoding="utf-8")
    with pytest.raises(BankError) as raised:
        load_known_statements(broken)
    assert str(broken) in str(raised.value)


def test_the_file_ships_in_the_package() -> None:
    assert KNOWN_STATEMENTS_FILE.is_file() and KNOWN_STATEMENTS_FILE.parent.name == "judge"
