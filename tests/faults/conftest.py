"""Fault-injection tests: each reproduces, on a small scale, a way interviewer used to lose or corrupt data.

Grading here uses the deterministic fake embedder of `tests/fakes.py` (fast tier, no torch): these tests
check what happens around grading (files, the store, limits), not how good the grades are.
"""

from __future__ import annotations

import pytest

from tests.fakes import HashingEmbedder


@pytest.fixture
def fake_model(monkeypatch: pytest.MonkeyPatch, fake_embedder: HashingEmbedder) -> HashingEmbedder:
    """CLI commands grade with the fake embedder instead of loading the real model."""
    monkeypatch.setattr("interviewer.grading.embedding.load_embedder", lambda settings=None: fake_embedder)
    return fake_embedder
