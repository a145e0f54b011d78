"""Fault-injection tests: each reproduces, on a small scale, a way interviewer used to lose or corrupt data.

Grading here uses the deterministic fake embedder of `tests/fakes.py` (fast tier, no torch): these tests
check what happens around grading (files, the store, limits), not how good the grades are.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from interviewer.store import SessionStore
from tests.fakes import HashingEmbedder
from tests.llm.conftest import chat_server  # noqa: F401 - the LLM tests' real HTTP server, per test
from tests.reports.sample import SampleSessions, build_sample_sessions


@pytest.fixture
def fake_model(monkeypatch: pytest.MonkeyPatch, fake_embedder: HashingEmbedder) -> HashingEmbedder:
    """CLI commands grade with the fake embedder instead of loading the real model."""
    monkeypatch.setattr("interviewer.grading.embedding.load_embedder", lambda settings=None: fake_embedder)
    return fake_embedder


@pytest.fixture
def home_sample(isolated_environment: Path) -> SampleSessions:
    """The report tests' sample sessions in this test's own session database."""
    with SessionStore.open() as store:
        return build_sample_sessions(store)


def digest(path: Path) -> str:
    """A file's content hash, to show that a fault left it byte for byte as it was."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
