"""`python -m interviewer.reports.schema` rewrites the committed JSON Schema of `SessionReport`."""

from __future__ import annotations

from interviewer.reports.models import SCHEMA_FILE, SessionReport
from interviewer.schemas import render_schema


def write_schema() -> None:
    """Rewrite `report.schema.json` from the model."""
    SCHEMA_FILE.write_text(render_schema(SessionReport), encoding="utf-8")


if __name__ == "__main__":
    write_schema()
    print(f"wrote {SCHEMA_FILE}")
