"""Errors a user can act on: the CLI prints the message and exits 2, the TUI shows a notice."""

from __future__ import annotations

from pathlib import Path


class InterviewerError(Exception):
    """A failure caused by input or environment, with a message meant for the user."""

    exit_code = 2


class BankError(InterviewerError):
    """A question bank file or folder that cannot be loaded."""

    def __init__(self, path: Path | str, message: str, *, line: int | None = None):
        self.path = Path(path)
        self.line = line
        self.detail = message
        where = f"{self.path}:{line}" if line is not None else str(self.path)
        super().__init__(f"{where}: {message}")


class ConfigError(InterviewerError):
    """The config file or an environment variable holds an invalid value."""


class ModelUnavailableError(InterviewerError):
    """The embedding model cannot be found or loaded."""


class StoreError(InterviewerError):
    """The session database cannot be opened, migrated or written."""


class DataFolderError(InterviewerError):
    """The data folder (INTERVIEWER_HOME) cannot hold interviewer's files: read-only, or a file in its place."""
