"""Choosing banks: one resolver for every --bank option (names, several, 'all', paths), and `bank list`."""

from __future__ import annotations

import json

import pytest

from interviewer.bank.catalog import ALL_BANKS, UnknownBankError, resolve_bank, shipped_bank_names, split_bank_values
from interviewer.errors import BankError
from tests.cli_helpers import run_cli
from tests.conftest import FIXTURES, REPO_ROOT

MINI = FIXTURES / "banks"


def test_values_split_on_commas_and_repeats() -> None:
    assert split_bank_values(["nlp-llms, mlops", "mlops", ""]) == ("nlp-llms", "mlops")
    assert split_bank_values(None) == () and split_bank_values("all") == ("all",)


def test_default_and_all_are_every_shipped_bank() -> None:
    default = resolve_bank(None)
    assert default.name == ALL_BANKS
    assert resolve_bank(["all"]).name == ALL_BANKS
    assert resolve_bank(shipped_bank_names()).name == ALL_BANKS
    assert {question.bank for question in default.questions} == set(shipped_bank_names())


def test_names_choose_those_banks_only() -> None:
    chosen = resolve_bank(["nlp-llms,mlops"])
    assert {question.bank for question in chosen.questions} == {"nlp-llms", "mlops"}
    assert chosen.name == "mlops+nlp-llms" or chosen.name == "nlp-llms+mlops"
    assert {question.bank for question in resolve_bank("deep-learning").questions} == {"deep-learning"}


def test_a_path_is_a_bank_and_mixes_with_names() -> None:
    folder = REPO_ROOT / "rubrics" / "mlops"
    assert {question.bank for question in resolve_bank([str(folder)]).questions} == {"mlops"}
    mixed = resolve_bank([str(folder), "nlp-llms"])
    assert {question.bank for question in mixed.questions} == {"mlops", "nlp-llms"}


def test_unknown_name_lists_the_shipped_banks() -> None:
    with pytest.raises(UnknownBankError) as error:
        resolve_bank(["nlp"])
    assert error.value.exit_code == 2
    for name in shipped_bank_names():
        assert name in str(error.value)
    with pytest.raises(BankError, match="no such file"):
        resolve_bank(["./no/such/folder"])


def test_cli_unknown_bank_is_one_line_and_exit_2() -> None:
    for command in (["bank", "list"], ["progress"], ["report"], ["grade", "/dev/null"]):
        run = run_cli(*command, "--bank", "nlp")
        assert run.exit_code == 2, (command, run.stderr)
        assert "unknown bank 'nlp'" in run.stderr and "nlp-llms" in run.stderr and run.exception is None


def test_bank_list_counts_every_bank_and_json_lists_questions() -> None:
    run = run_cli("bank", "list")
    assert run.exit_code == 0, run.stderr
    for name in shipped_bank_names():
        assert name in run.stdout
    assert "easy / medium / hard" in run.stdout and "total" in run.stdout
    data = json.loads(run_cli("bank", "list", "--json").stdout)
    rows = data["questions"]
    assert len(rows) == len(resolve_bank(None).questions) >= 200
    assert {"bank", "id", "topic", "difficulty", "question", "tags"} <= set(rows[0])
    only = json.loads(run_cli("bank", "list", "--json", "--bank", "mlops", "-b", "nlp-llms").stdout)["questions"]
    assert {row["bank"] for row in only} == {"mlops", "nlp-llms"}


def test_bank_list_of_a_path_bank() -> None:
    run = run_cli("bank", "list", "--bank", str(MINI))
    assert run.exit_code == 0, run.stderr
