"""`interviewer practice`: bad options are one line and exit 2, before any screen opens."""

from __future__ import annotations

import pytest

from tests.cli_helpers import run_cli


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--offline", "--topic", "Quantum"], "no topic 'Quantum'"),
        (["--offline", "--grader", "llm"], "--offline grades with embeddings only"),
        (["--grader", "hybrid", "--questions", "2"], "no LLM configured"),
        (["--difficulty", "brutal"], "'brutal' is not one of 'easy', 'medium', 'hard'"),
        (["--grader", "magic"], "'magic' is not one of 'embedding', 'llm', 'hybrid'"),
        (["--bank", "/no/such/bank"], "/no/such/bank: no such file or folder"),
        (["--review", "--offline"], "nothing is due for review"),
    ],
)
def test_bad_practice_options_are_one_clear_line(args: list[str], message: str) -> None:
    run = run_cli("practice", *args)
    assert run.exit_code == 2
    assert message in run.stderr
    assert "Traceback" not in run.stderr and run.exception is None
    assert len(run.stderr.strip().splitlines()) == 1


def test_a_corrupt_session_database_is_one_clear_line_and_left_alone() -> None:
    from interviewer import locations

    database = locations.ensure_dir(locations.data_dir()) / locations.database_file().name
    database.write_text("not a database")
    run = run_cli("practice", "--offline", "--questions", "2")
    assert run.exit_code == 2 and str(database) in run.stderr and run.exception is None
    assert database.read_text() == "not a database"
