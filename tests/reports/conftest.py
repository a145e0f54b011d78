"""A store holding the sample sessions, shared by the report tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.store import SessionStore
from tests.reports.sample import SampleSessions, build_sample_sessions


@pytest.fixture
def store(tmp_path: Path):
    with SessionStore.open(tmp_path / "sessions.sqlite3") as opened:
        yield opened


@pytest.fixture
def sample(store: SessionStore) -> SampleSessions:
    return build_sample_sessions(store)
