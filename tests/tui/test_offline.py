"""`--offline`: the real model loads in the background and grading runs with no network connection."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from interviewer.config import Settings
from interviewer.practice import PracticeOptions
from interviewer.store import SessionStore
from interviewer.tui.app import create_app
from interviewer.tui.screens.feedback import FeedbackScreen
from tests.tui.conftest import FIXTURE_BANK, SIZE, FakeClock
from tests.tui.test_flow import GOOD_ANSWER, settle, type_answer


@pytest.mark.model
async def test_offline_interview_with_the_real_loader_opens_no_network_connection(
    monkeypatch: pytest.MonkeyPatch, store: SessionStore
) -> None:
    attempts: list[Any] = []
    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(address)
            raise OSError("network blocked by the test")
        real_connect(self, address)

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.append(host)
        raise socket.gaierror("name lookup blocked by the test")

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):  # what `interviewer practice --offline` sets
        monkeypatch.setenv(name, "1")

    app = create_app(
        Settings(),
        options=PracticeOptions(banks=(str(FIXTURE_BANK),), questions=1, skip_start=True, offline=True),
        store=store,
        clock=FakeClock(),
        cursor_blink=False,
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_answer(app, pilot, GOOD_ANSWER)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, FeedbackScreen) and app.screen.result is not None
    assert app.embedder is not None and app.model_error is None
    assert store.answers(app.session.id)[0].grade is not None
    assert attempts == []
