"""Fixtures for the TUI tests: the real store, a fake clock, a gated model loader, an app factory.

The app grades with the deterministic `fake_embedder` (tests/fakes.py) unless a test passes the real
model (`embedder`, which marks it `model`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual import _wait as textual_wait

from interviewer.config import Settings
from interviewer.grading.base import Embedder
from interviewer.practice import PracticeOptions
from interviewer.store import SessionStore
from interviewer.tui.app import InterviewApp, create_app

SIZE = (80, 24)
FIXTURE_BANK = Path(__file__).resolve().parent / "fixtures" / "bank"
"""A small bank owned by these tests, so snapshots do not move when the shipped rubrics are edited."""


class FakeClock:
    """A monotonic clock that moves 42 s per reading: timings in the store and on screen are repeatable."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        self.now += 42.0
        return self.now


class GatedLoader:
    """An embedder loader that blocks until the test opens the gate (the 'model still loading' state)."""

    def __init__(self, embedder: Embedder | None = None, error: Exception | None = None) -> None:
        self.embedder = embedder
        self.error = error
        self.gate = threading.Event()
        self.calls = 0

    def __call__(self) -> Embedder:
        self.calls += 1
        assert self.gate.wait(timeout=60), "the test never opened the gate"
        if self.error is not None:
            raise self.error
        assert self.embedder is not None
        return self.embedder


@pytest.fixture
def store() -> Iterator[SessionStore]:
    with SessionStore.open() as opened:
        yield opened


@pytest.fixture
def make_app(store: SessionStore, fake_embedder: Embedder) -> Callable[..., InterviewApp]:
    """create_app with the fake model (or `embedder=`), the test's store, a fake clock and the cursor blink off."""

    def make(settings: Settings | None = None, **options: object) -> InterviewApp:
        loader = options.pop("embedder_loader", None)
        grader_factory = options.pop("grader_factory", None)
        embedder = options.pop("embedder", fake_embedder)
        practice_options = PracticeOptions(**options)  # type: ignore[arg-type]
        return create_app(
            settings or Settings(),
            options=practice_options,
            store=store,
            embedder=None if loader is not None else embedder,  # type: ignore[arg-type]
            embedder_loader=loader,  # type: ignore[arg-type]
            grader_factory=grader_factory,  # type: ignore[arg-type]
            clock=FakeClock(),
            cursor_blink=False,
        )

    return make


@pytest.fixture(autouse=True)
def fine_idle_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pilot waits for an idle app in 5 ms steps instead of Textual's 20 ms (same idle test: <5 % CPU in a step).

    `pilot.press` and `pilot.pause` each poll for idleness; at 20 ms a step that polling was most of the
    TUI tests' wall time. Textual is pinned in pyproject.toml, so the private names are stable.
    """
    monkeypatch.setattr(textual_wait, "SLEEP_GRANULARITY", 1 / 200)
    monkeypatch.setattr(textual_wait, "SLEEP_IDLE", 1 / 200 / 20)
