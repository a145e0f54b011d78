"""Loading rubric files: valid banks load, each kind of broken input is one clear error naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.bank import load_bank
from interviewer.errors import BankError
from tests.cli_helpers import run_cli
from tests.conftest import FIXTURES

MINI = FIXTURES / "banks" / "mini"
BROKEN = FIXTURES / "broken"


def test_mini_bank_loads_with_topic_and_bank_name() -> None:
    bank = load_bank(MINI)
    assert bank.name == "mini"
    assert [question.id for question in bank.questions] == ["a.1", "a.2"]
    relu = bank.get("a.1")
    assert relu.topic == "Activation Functions"
    assert relu.key_point("relu-gradient").weight == 2
    assert relu.source == MINI / "activations.yaml"
    assert bank.get("a.2").difficulty == "medium"  # the default


@pytest.mark.parametrize(
    ("fixture", "expected_fragments"),
    [
        ("malformed.yaml", ["malformed.yaml:", "invalid YAML"]),
        ("malformed.toml", ["malformed.toml", "invalid TOML"]),
        ("missing-field.yaml", ["missing-field.yaml", "questions[0] (id 1.1).reference_answer", "missing required"]),
        ("unknown-field.yaml", ["unknown-field.yaml", "answer_hint", "unknown field"]),
        ("duplicate-id.yaml", ["duplicate-id.yaml", "duplicate question id '1.1'"]),
        ("duplicate-across", ["b.yaml", "duplicate question id '1.1'", "a.yaml"]),
        ("empty-bank", ["empty-bank", "empty bank"]),
        ("empty.yaml", ["empty.yaml", "empty file"]),
        ("not-a-mapping.yaml", ["not-a-mapping.yaml", "mapping"]),
        ("binary.yaml", ["binary.yaml", "binary"]),
        ("too-few-key-points.yaml", ["too-few-key-points.yaml", "key_points", "at least 3"]),
        ("unknown-related.yaml", ["unknown-related.yaml", "'9.9'"]),
        ("does-not-exist.yaml", ["does-not-exist.yaml", "no such file"]),
    ],
)
def test_each_broken_input_is_one_clear_error(fixture: str, expected_fragments: list[str]) -> None:
    with pytest.raises(BankError) as caught:
        load_bank(BROKEN / fixture)
    message = str(caught.value)
    for fragment in expected_fragments:
        assert fragment in message, message

    for command in (("bank", "validate", str(BROKEN / fixture)), ("bank", "list", "--bank", str(BROKEN / fixture))):
        run = run_cli(*command)
        assert run.exit_code == 2, run
        assert run.exception is None
        assert "Traceback" not in run.stderr
        error_lines = [line for line in run.stderr.splitlines() if line.strip()]
        assert len(error_lines) == 1, run.stderr
        assert error_lines[0].startswith("error: ")
        assert fixture in error_lines[0]


def test_yaml_syntax_error_names_the_line() -> None:
    with pytest.raises(BankError) as caught:
        load_bank(BROKEN / "malformed.yaml")
    assert caught.value.line is not None and caught.value.line >= 4


def test_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked.yaml"
    locked.write_text("topic: x\n", encoding="utf-8")
    locked.chmod(0)
    try:
        if locked.open("rb"):  # root can read anything; then the case cannot be produced here
            pytest.skip("running as root: permissions do not stop reads")
    except PermissionError:
        pass
    with pytest.raises(BankError, match="cannot read file"):
        load_bank(locked)


def test_validate_and_list_succeed_on_a_valid_bank() -> None:
    validate = run_cli("bank", "validate", str(MINI))
    assert validate.exit_code == 0, validate
    assert "2 questions in 1 topics" in validate.stdout

    listing = run_cli("bank", "list", "--bank", str(MINI))
    assert listing.exit_code == 0, listing
    assert "a.1" in listing.stdout and "Why is ReLU the default activation" in listing.stdout
    assert "Activation Functions" in listing.stdout


def test_configured_bank_is_used_when_no_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEWER_INTERVIEW__BANK", str(MINI))
    listing = run_cli("bank", "list")
    assert listing.exit_code == 0, listing
    assert "a.2" in listing.stdout
