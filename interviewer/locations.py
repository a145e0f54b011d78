"""Where interviewer keeps its files: every path the app uses is derived here.

`INTERVIEWER_HOME` moves all data (database, caches, extracted model) under one folder;
`INTERVIEWER_CONFIG` points at a different config file.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_path, user_data_path

from interviewer.errors import DataFolderError

APP_NAME = "interviewer"


def data_dir() -> Path:
    """Folder for the session database, caches and the extracted model."""
    home = os.environ.get("INTERVIEWER_HOME")
    return Path(home).expanduser() if home else user_data_path(APP_NAME, appauthor=False)


def config_file() -> Path:
    """The TOML config file (it need not exist)."""
    explicit = os.environ.get("INTERVIEWER_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


def cache_dir() -> Path:
    """Embedding and LLM caches, safe to delete."""
    return data_dir() / "cache"


def models_dir() -> Path:
    """Models extracted from packaged wheels."""
    return data_dir() / "models"


def database_file() -> Path:
    """The SQLite session store."""
    return data_dir() / "sessions.sqlite3"


def default_bank_dir() -> Path:
    """The shipped question banks: inside the package when installed, the repo's rubrics/ otherwise."""
    package_dir = Path(__file__).resolve().parent
    installed = package_dir / "rubrics"
    if installed.is_dir():
        return installed
    return package_dir.parent / "rubrics"


def ensure_dir(path: Path) -> Path:
    """Create a folder (and parents) if missing and return it."""
    path.mkdir(parents=True, exist_ok=True)
    return path


def ensure_data_dir(path: Path) -> Path:
    """`ensure_dir` for a folder of interviewer's data: DataFolderError (one line naming the folder and the
    fix) instead of an OSError when the data folder is read-only or a file stands where a folder should be."""
    try:
        return ensure_dir(path)
    except OSError as exc:
        raise DataFolderError(
            f"{path}: cannot create this folder ({exc.strerror or exc}); interviewer keeps its data in "
            f"{data_dir()}, which must be a writable folder: fix it, or set INTERVIEWER_HOME to one"
        ) from None
