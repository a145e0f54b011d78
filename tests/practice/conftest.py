"""Fixtures of the practice tests: the real bank (loaded once per module) and a store in the test's data dir."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from interviewer.bank.loader import load_bank
from interviewer.bank.models import Bank
from interviewer.store import SessionStore


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank()


@pytest.fixture
def store() -> Iterator[SessionStore]:
    with SessionStore.open() as opened:
        yield opened
