"""Questions an LLM drafted (`bank generate`): their ids and marks, and the folder they may be written to.

A drafted question is marked `draft: true`, its id starts with `draft-` (no shipped id does, so a draft
never shadows a shipped question) and every source the LLM named says it is unverified. Drafts are
written to a folder of their own, never inside the shipped `rubrics/` folder (nor one holding it), so
they are never mixed into the shipped banks; `interviewer practice --bank DIR` asks them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from interviewer.bank.key_point_drafts import slugify
from interviewer.bank.loader import load_bank, rubric_files
from interviewer.bank.models import RubricFile
from interviewer.bank.rubric_writer import write_rubric_files
from interviewer.errors import InterviewerError
from interviewer.locations import default_bank_dir
from interviewer.output_files import check_output_dir, resolve_output

DRAFT_ID_PREFIX = "draft-"
UNVERIFIED_SOURCE = "unverified, named by the LLM: "
"""Put before each source of a draft: a model names plausible books and sections that may not say it."""


def draft_question_id(question: str, taken: set[str]) -> str:
    """A new id for a drafted question, from its first words ('draft-feature-store-skew'), not in
    `taken` (a number is added when it is); the id is added to `taken`."""
    base = f"{DRAFT_ID_PREFIX}{slugify(question, max_words=5, max_length=40)}"
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    taken.add(candidate)
    return candidate


def unverified_source(source: str) -> str:
    """A source the LLM named, marked unverified (once)."""
    return source if source.startswith(UNVERIFIED_SOURCE) else f"{UNVERIFIED_SOURCE}{source}"


def check_drafts_dir(output: Path) -> Path:
    """InterviewerError unless drafts may be written into `output`: not in or around the shipped rubrics
    folder (drafts never mix into the shipped banks), and writable as `check_output_dir` requires."""
    target = resolve_output(output)
    shipped = default_bank_dir().resolve()
    if target.is_relative_to(shipped) or shipped.is_relative_to(target):
        raise InterviewerError(
            f"{output}: drafts are never written into the shipped banks ({shipped}); choose a folder of their own"
        )
    return check_output_dir(output)


def drafted_ids(output: Path) -> set[str]:
    """The question ids of the rubric files already in `output` (earlier drafts), so new ids differ;
    none when the folder is missing or holds no rubric files. A broken rubric file there is a BankError."""
    if not _rubric_file_count(output):
        return set()
    return {question.id for question in load_bank(output).questions}


def _rubric_file_count(folder: Path) -> int:
    if not folder.is_dir():
        return 0
    try:
        return len(rubric_files(folder))
    except InterviewerError:
        return 0


def write_drafts(rubric: RubricFile, output: Path, *, inputs: Sequence[Path] = ()) -> Path:
    """Write the drafted rubric as the next numbered file in `output` (earlier drafts stay): checked
    as `check_drafts_dir`, replaced whole through `output_files`. Returns the file written."""
    check_drafts_dir(output)
    next_index = _rubric_file_count(output) + 1
    return write_rubric_files([rubric], output, inputs=inputs, first_index=next_index)[0]
