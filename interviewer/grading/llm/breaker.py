"""Skip a failing server for a while, so a dead server costs one retry budget, not one per answer."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

FAULT_COOLDOWN_SECONDS = 30.0


class CircuitBreaker:
    """Open after a server fault; while open, callers fall back at once; after the cooldown one call tries again."""

    def __init__(self, cooldown: float = FAULT_COOLDOWN_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._opened_at: float | None = None
        self._reason = ""

    def open_reason(self) -> str | None:
        """Why calls are skipped right now, or None when the server may be asked."""
        with self._lock:
            if self._opened_at is None:
                return None
            waited = self._clock() - self._opened_at
            if waited >= self.cooldown:
                self._opened_at = self._clock()  # let this one call through; others keep waiting
                return None
            return f"{self._reason} (not asked again for {self.cooldown - waited:.0f} s)"

    def record_failure(self, reason: str) -> None:
        """A server fault: skip the server for the cooldown."""
        with self._lock:
            self._opened_at = self._clock()
            self._reason = reason

    def record_success(self) -> None:
        """The server answered: close the breaker."""
        with self._lock:
            self._opened_at = None
