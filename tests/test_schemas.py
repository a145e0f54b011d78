"""Committed JSON Schemas match the models; regenerate with `python -m interviewer.schemas`."""

from __future__ import annotations

import json

import pytest
import yaml
from jsonschema import Draft202012Validator

from interviewer.bank.loader import YAML_LOADER
from interviewer.locations import default_bank_dir
from interviewer.schemas import SCHEMAS, render_schema


@pytest.mark.parametrize("path", list(SCHEMAS), ids=lambda path: path.name)
def test_committed_schema_matches_model(path) -> None:
    assert path.exists(), f"{path} missing: run python -m interviewer.schemas"
    assert path.read_text(encoding="utf-8") == render_schema(SCHEMAS[path]), (
        f"{path.name} drifted from its model: run python -m interviewer.schemas and commit"
    )


def test_shipped_rubrics_validate_against_the_committed_schema() -> None:
    schema_path = next(path for path in SCHEMAS if path.name == "rubric.schema.json")
    validator = Draft202012Validator(json.loads(schema_path.read_text(encoding="utf-8")))
    rubric_files = sorted(default_bank_dir().rglob("*.yaml"))
    if not rubric_files:
        pytest.skip("no shipped rubric files yet")
    for rubric_file in rubric_files:
        errors = list(validator.iter_errors(yaml.load(rubric_file.read_text(encoding="utf-8"), Loader=YAML_LOADER)))
        assert not errors, f"{rubric_file}: {errors[0].message}"
