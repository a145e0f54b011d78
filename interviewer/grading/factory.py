"""Choosing a grader by name: the one place the CLI, the TUI and the tests build graders."""

from __future__ import annotations

from interviewer.bank.models import Bank
from interviewer.config import Settings
from interviewer.grading.base import Embedder, Grader
from interviewer.grading.embedding_grader import EmbeddingGrader
from interviewer.grading.judge import load_judge
from interviewer.names import GraderName


def build_grader(settings: Settings, name: GraderName | None, *, bank: Bank | None, embedder: Embedder) -> Grader:
    """The named grader (default: settings.default_grader()); llm and hybrid wrap the embedding grader."""
    chosen = name or settings.default_grader()
    embedding_grader = EmbeddingGrader(
        embedder, bank=bank, judge=load_judge(embedder), max_answer_chars=settings.limits.answer_chars
    )
    if chosen == "embedding":
        return embedding_grader
    from interviewer.grading.llm.factory import build_llm_grader  # the openai client loads only when used

    return build_llm_grader(settings, chosen, embedding_grader=embedding_grader)
