"""Choosing a grader by name: the one place the CLI, the TUI and the tests build graders."""

from __future__ import annotations

import importlib
from typing import get_args

from interviewer.bank.models import Bank
from interviewer.config import GraderName, Settings
from interviewer.errors import ConfigError, InterviewerError
from interviewer.grading.base import Embedder, Grader
from interviewer.grading.embedding_grader import EmbeddingGrader
from interviewer.grading.judge import load_judge

GRADER_NAMES: tuple[str, ...] = get_args(GraderName)


def build_grader(
    settings: Settings, name: GraderName | None, *, bank: Bank | None, embedder: Embedder
) -> Grader:
    """The named grader (default: settings.default_grader()); llm and hybrid wrap the embedding grader."""
    chosen = name or settings.default_grader()
    if chosen not in GRADER_NAMES:
        raise ConfigError(f"unknown grader {chosen!r}: choose one of {', '.join(GRADER_NAMES)}")
    embedding_grader = EmbeddingGrader(embedder, bank=bank, judge=load_judge(embedder))
    if chosen == "embedding":
        return embedding_grader
    try:
        llm_factory = importlib.import_module("interviewer.grading.llm.factory")
    except ImportError as exc:
        raise InterviewerError(f"the {chosen!r} grader is not available in this build ({exc})") from None
    return llm_factory.build_llm_grader(settings, chosen, bank=bank, embedding_grader=embedding_grader)
