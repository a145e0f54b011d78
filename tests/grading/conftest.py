"""Grading tests share one bank and one grader (its prepared key-point embeddings are reused)."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.bank import load_bank
from interviewer.bank.models import Bank
from interviewer.grading.embedding_grader import EmbeddingGrader

REPO_ROOT = Path(__file__).resolve().parents[2]
MOHLER = REPO_ROOT.parent / "shared" / "data" / "mohler2011.jsonl"


@pytest.fixture(scope="session")
def bank() -> Bank:
    return load_bank()


@pytest.fixture(scope="session")
def grader(embedder, bank: Bank) -> EmbeddingGrader:
    return EmbeddingGrader(embedder, bank=bank)


@pytest.fixture
def use_test_model(monkeypatch: pytest.MonkeyPatch, embedder) -> None:
    """CLI commands get the session's model instead of loading their own (the loader is ours)."""
    monkeypatch.setattr("interviewer.grading.embedding.load_embedder", lambda settings=None: embedder)
