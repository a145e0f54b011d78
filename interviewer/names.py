"""The closed sets of names that go from the CLI options through the session to the store.

Kept free of heavy imports: the CLI needs them to declare its options.
"""

from __future__ import annotations

from typing import Literal, get_args

GraderName = Literal["embedding", "llm", "hybrid"]
GRADER_NAMES: tuple[GraderName, ...] = get_args(GraderName)

Difficulty = Literal["easy", "medium", "hard"]
DIFFICULTIES: tuple[Difficulty, ...] = get_args(Difficulty)

EngineName = Literal["local", "ray"]
ENGINE_NAMES: tuple[EngineName, ...] = get_args(EngineName)

ReportFormat = Literal["md", "html", "json"]
REPORT_FORMATS: tuple[ReportFormat, ...] = get_args(ReportFormat)
