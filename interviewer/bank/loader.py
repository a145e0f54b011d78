"""Load rubric files (YAML or TOML) into a Bank; every error names the file and, where known, line or field."""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from interviewer.bank.models import Bank, Question, RubricFile
from interviewer.config import input_limits
from interviewer.errors import BankError
from interviewer.locations import default_bank_dir

RUBRIC_SUFFIXES = (".yaml", ".yml", ".toml")
ALL_BANKS = "all"
"""The name of the bank of every shipped bank (and the --bank value that chooses it, see bank.catalog)."""
# libyaml's parser is ~25x faster than the pure-Python one (4 ms vs 110 ms for the shipped bank at start-up).
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def rubric_files(path: Path) -> list[Path]:
    """The rubric files at a path: the file itself, or every rubric file below a folder, sorted."""
    if not path.exists():
        raise BankError(path, "no such file or folder")
    if path.is_file():
        return [path]
    files = sorted(
        candidate
        for candidate in path.rglob("*")
        if candidate.suffix.lower() in RUBRIC_SUFFIXES and candidate.is_file() and not candidate.name.startswith(".")
    )
    if not files:
        raise BankError(path, "empty bank: no rubric files (*.yaml, *.yml, *.toml) in this folder")
    return files


def read_text_file(path: Path, *, max_bytes: int | None = None, limit_name: str = "") -> str:
    """Read a UTF-8 text file, with a clear error for unreadable, binary or (over `max_bytes`) too large files."""
    try:
        if max_bytes is not None and (size := path.stat().st_size) > max_bytes:
            raise BankError(
                path,
                f"the file is {size:,} bytes, over the limit of {max_bytes:,} ({limit_name} in the config file)",
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise BankError(path, f"cannot read file: {exc.strerror or exc}") from None
    if b"\x00" in raw:
        raise BankError(path, "binary file, expected UTF-8 text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BankError(path, "not UTF-8 text (binary file?)", line=line) from None


def parse_rubric_document(path: Path, text: str) -> Any:
    """Parse YAML or TOML by suffix; syntax errors carry the line number."""
    if path.suffix.lower() == ".toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            return _raise(BankError(path, f"invalid TOML: {exc}"))
    try:
        return _parsed_yaml(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        return _raise(BankError(path, f"invalid YAML: {problem}", line=line))
    except yaml.YAMLError as exc:
        return _raise(BankError(path, f"invalid YAML: {exc}"))


@functools.lru_cache(maxsize=128)
def _parsed_yaml(text: str) -> Any:
    """A YAML text parsed once per process: the start screen, the plan and grading load the same banks again
    (parsing is 95 % of loading one). Callers only read the document; validation builds fresh models."""
    return yaml.load(text, Loader=YAML_LOADER)


def _raise(error: BankError) -> Any:
    raise error from None


def describe_validation_error(document: Any, exc: ValidationError) -> str:
    """One line per problem, with the field path and the question id where the path passes through one."""
    problems = []
    for error in exc.errors():
        location = error["loc"]
        parts: list[str] = []
        for index, part in enumerate(location):
            if isinstance(part, int):
                parts[-1] = f"{parts[-1]}[{part}]"
                if location[index - 1] == "questions":
                    question_id = _question_id_at(document, part)
                    if question_id:
                        parts[-1] += f" (id {question_id})"
            else:
                parts.append(str(part))
        field = ".".join(parts) or "file"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        elif error["type"] == "missing":
            message = "missing required field"
        problems.append(f"{field}: {message}")
    return "; ".join(problems)


def _question_id_at(document: Any, index: int) -> str | None:
    try:
        question_id = document["questions"][index].get("id")
    except (KeyError, IndexError, TypeError, AttributeError):
        return None
    return str(question_id) if question_id is not None else None


def load_rubric_file(path: Path, *, max_bytes: int | None = None) -> RubricFile:
    """Validate one rubric file (refused unread when larger than `max_bytes`, default `limits.rubric_file_bytes`)."""
    if max_bytes is None:
        max_bytes = input_limits().rubric_file_bytes
    text = read_text_file(path, max_bytes=max_bytes, limit_name="limits.rubric_file_bytes")
    if not text.strip():
        raise BankError(path, "empty file: expected a rubric with 'topic' and 'questions'")
    document = parse_rubric_document(path, text)
    if not isinstance(document, dict):
        raise BankError(path, "expected a mapping with 'topic' and 'questions' at the top level")
    try:
        return RubricFile.model_validate(document)
    except ValidationError as exc:
        raise BankError(path, describe_validation_error(document, exc)) from None


def load_bank(path: Path | str | None = None) -> Bank:
    """Load a bank from a rubric file or folder (default: every shipped bank)."""
    if path is None:
        return load_bank_paths([default_bank_dir()], name=ALL_BANKS)
    return load_bank_paths([Path(path)])


def load_bank_paths(roots: Sequence[Path], *, name: str | None = None) -> Bank:
    """Load one bank from several rubric files or folders; ids must be unique across all of them.

    The bank is named `name`, else its bank names (from the files, or their folders) joined with '+'.
    """
    questions: list[Question] = []
    seen: dict[str, Path] = {}
    bank_names: list[str] = []
    files = list(dict.fromkeys(file_path for root in roots for file_path in rubric_files(root)))
    max_bytes = input_limits().rubric_file_bytes
    for file_path in files:
        rubric = load_rubric_file(file_path, max_bytes=max_bytes)
        bank_name = rubric.bank or file_path.parent.name
        if bank_name not in bank_names:
            bank_names.append(bank_name)
        for rubric_question in rubric.questions:
            if rubric_question.id in seen:
                where = (
                    "earlier in this file"
                    if seen[rubric_question.id] == file_path
                    else f"also in {seen[rubric_question.id]}"
                )
                raise BankError(file_path, f"duplicate question id {rubric_question.id!r} ({where})")
            seen[rubric_question.id] = file_path
            questions.append(
                Question(
                    **rubric_question.model_dump(exclude={"follow_ups"}),
                    follow_ups=rubric_question.follow_up_questions(),
                    topic=rubric.topic,
                    bank=bank_name,
                    source=file_path,
                )
            )
    banks_read = roots[0] if len(roots) == 1 else Path(", ".join(str(root) for root in roots))
    try:
        return Bank(name=name or "+".join(bank_names), questions=questions)
    except ValidationError as exc:
        raise BankError(
            banks_read, "; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors())
        ) from None
