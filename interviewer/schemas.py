"""Committed JSON Schemas generated from the data models; `python -m interviewer.schemas` rewrites them."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from interviewer.bank.models import RubricFile
from interviewer.grading.result import GradeResult
from interviewer.reports.models import SCHEMA_FILE as REPORT_SCHEMA_FILE
from interviewer.reports.models import SessionReport

PACKAGE_DIR = Path(__file__).resolve().parent

SCHEMAS: dict[Path, type[BaseModel]] = {
    PACKAGE_DIR / "bank" / "rubric.schema.json": RubricFile,
    PACKAGE_DIR / "grading" / "grade-result.schema.json": GradeResult,
    REPORT_SCHEMA_FILE: SessionReport,
}


def render_schema(model: type[BaseModel]) -> str:
    """The schema text exactly as committed."""
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_schemas() -> list[Path]:
    """Regenerate every committed schema file."""
    for path, model in SCHEMAS.items():
        path.write_text(render_schema(model), encoding="utf-8")
    return list(SCHEMAS)


if __name__ == "__main__":
    for written in write_schemas():
        print(f"wrote {written}")
