"""Which structured-output mode each server accepted, remembered in memory and in a small JSON file."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from interviewer.grading.llm.redaction import display_url

log = logging.getLogger(__name__)

MODES_FILE_NAME = "llm-response-modes.json"


def server_key(base_url: str, model: str) -> str:
    """Identifies one model on one server (credentials in the URL are dropped)."""
    return f"{display_url(base_url)} {model}"


class ResponseModeMemory:
    """Maps a server key to the mode that worked; `path=None` keeps it in memory only."""

    def __init__(self, path: Path | None):
        self.path = path
        self._modes: dict[str, str] = {}

    def recall(self, server: str) -> str | None:
        """The remembered mode, from memory or else from the file."""
        if server not in self._modes and self.path is not None:
            self._modes.update(self._read_file())
        return self._modes.get(server)

    def remember(self, server: str, mode: str) -> None:
        """Store the mode; a file that cannot be written only costs a re-probe next time."""
        self._modes[server] = mode
        if self.path is None:
            return
        modes = self._read_file()
        modes[server] = mode
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            temporary.write_text(json.dumps(modes, indent=1, sort_keys=True), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError as exc:
            log.warning("cannot save LLM response modes to %s: %s", self.path, exc.strerror)

    def _read_file(self) -> dict[str, str]:
        assert self.path is not None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(key): str(value) for key, value in data.items()}
