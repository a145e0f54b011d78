"""Shared by the benchmark scripts: where the Mohler development set is, and reading it."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATASET = REPO_ROOT.parent / "shared" / "data" / "mohler2011.jsonl"


def dataset_path(argument: str | None = None) -> Path:
    """The dataset given on the command line, in INTERVIEWER_MOHLER, or next to the repo."""
    path = Path(argument or os.environ.get("INTERVIEWER_MOHLER") or DEFAULT_DATASET)
    if not path.is_file():
        raise SystemExit(f"dataset not found: {path} (pass its path or set INTERVIEWER_MOHLER)")
    return path
