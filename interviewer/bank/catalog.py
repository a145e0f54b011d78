"""Which banks to load: the one resolver behind every `--bank` option and the start screen's bank picker.

A bank choice is a list of values, each a shipped bank's name (a folder under the shipped `rubrics/`),
`all` (every shipped bank), or a path to a rubric file or folder; values may also be comma-separated.
No value at all means every shipped bank. Question ids are unique across the shipped banks, so a
question id alone finds its question in the default bank.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from interviewer.bank.loader import ALL_BANKS, load_bank_paths, rubric_files
from interviewer.bank.models import Bank
from interviewer.errors import BankError, InterviewerError
from interviewer.locations import default_bank_dir

__all__ = ["ALL_BANKS", "UnknownBankError", "resolve_bank", "shipped_bank_names", "split_bank_values"]

PATH_HINTS = ("/", "\\", ".yaml", ".yml", ".toml", "~")


class UnknownBankError(InterviewerError):
    """A --bank value that is neither a shipped bank, `all`, nor an existing path."""


def shipped_bank_names() -> list[str]:
    """The shipped banks: the folders of the shipped rubrics that hold rubric files, sorted."""
    root = default_bank_dir()
    if not root.is_dir():
        return []
    return sorted(
        folder.name
        for folder in root.iterdir()
        if folder.is_dir() and not folder.name.startswith((".", "_")) and _has_rubrics(folder)
    )


def _has_rubrics(folder: Path) -> bool:
    try:
        rubric_files(folder)
    except BankError:
        return False
    return True


def split_bank_values(values: Iterable[str] | str | None) -> tuple[str, ...]:
    """The values of repeated or comma-separated --bank options, stripped, empty ones dropped, in order."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    parts = (part.strip() for value in values for part in str(value).split(","))
    return tuple(dict.fromkeys(part for part in parts if part))


def bank_source(value: str, shipped: Sequence[str]) -> list[Path]:
    """The rubric folders or files one value names; UnknownBankError (exit 2) listing the shipped banks if none."""
    root = default_bank_dir()
    if value.casefold() == ALL_BANKS:
        return [root / name for name in shipped]
    if value in shipped:
        return [root / value]
    path = Path(value).expanduser()
    if path.exists() or any(hint in value for hint in PATH_HINTS):
        return [path]  # the loader names a missing or broken path
    names = ", ".join(shipped) or "none found"
    raise UnknownBankError(
        f"unknown bank {value!r}: the shipped banks are {names}; "
        f"or use '{ALL_BANKS}', or give the path of a rubric file or folder"
    )


def is_all_shipped(values: Iterable[str] | str | None) -> bool:
    """True when the values choose exactly every shipped bank (or nothing, the default)."""
    chosen = split_bank_values(values)
    shipped = shipped_bank_names()
    if not chosen or [value.casefold() for value in chosen] == [ALL_BANKS]:
        return True
    return bool(shipped) and set(chosen) == set(shipped)


def resolve_bank(values: Iterable[str] | str | None = None) -> Bank:
    """Load the bank the values choose (see the module docstring); errors name the value or file, exit 2."""
    chosen = split_bank_values(values)
    shipped = shipped_bank_names()
    if is_all_shipped(chosen):
        if not shipped:
            raise BankError(default_bank_dir(), "no shipped banks found")
        return load_bank_paths([default_bank_dir() / name for name in shipped], name=ALL_BANKS)
    sources: list[Path] = []
    for value in chosen:
        sources.extend(source for source in bank_source(value, shipped) if source not in sources)
    return load_bank_paths(sources)


def bank_values_of(bank_name: str) -> tuple[str, ...]:
    """The --bank values that load a bank of this name again (a stored session's bank): its parts."""
    return split_bank_values(bank_name.split("+"))
