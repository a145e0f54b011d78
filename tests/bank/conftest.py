"""Fixtures for `bank generate`: the LLM tests' real HTTP server and the fault tests' fake model."""

from __future__ import annotations

from tests.faults.conftest import fake_model  # noqa: F401 - CLI commands rank with the fake embedder
from tests.llm.conftest import chat_server, refused_url  # noqa: F401 - the real HTTP server, per test
