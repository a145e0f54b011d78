"""Write rubric files as readable YAML: keys in model order, multi-line text as literal blocks, UTF-8."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from interviewer.bank.key_point_drafts import slugify
from interviewer.bank.models import RubricFile
from interviewer.errors import BankError
from interviewer.output_files import check_output_dir, refuse_unsafe_output, write_output


class _RubricDumper(yaml.SafeDumper):
    """YAML with multi-line strings as `|` blocks and list items indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


class _FlowList(list[object]):
    """A short list written on one line: `related: ['1.2', '2.2']`."""


def _represent_flow_list(dumper: yaml.SafeDumper, value: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_RubricDumper.add_representer(str, _represent_text)
_RubricDumper.add_representer(_FlowList, _represent_flow_list)


QUESTION_KEY_ORDER = (
    "id",
    "draft",
    "difficulty",
    "tags",
    "question",
    "reference_answer",
    "key_points",
    "misconceptions",
    "follow_ups",
    "related",
    "sources",
)
_OPTIONAL_LISTS = ("tags", "misconceptions", "sources")


def _without_empty_alternatives(key_points: list[Any]) -> None:
    for key_point in key_points:
        if not key_point["alternatives"]:
            del key_point["alternatives"]


def _compact_follow_up(follow_up: str | dict[str, object]) -> str | dict[str, object]:
    """A follow-up without defaults: a plain text when it has nothing but its question."""
    if isinstance(follow_up, str):
        return follow_up
    if follow_up.get("kind") == "knowledge":
        del follow_up["kind"]
    key_points = follow_up.get("key_points")
    if isinstance(key_points, list) and key_points:
        _without_empty_alternatives(key_points)
    else:
        follow_up.pop("key_points", None)
    return follow_up["question"] if list(follow_up) == ["question"] else follow_up  # type: ignore[return-value]


def rubric_yaml(rubric: RubricFile) -> str:
    """A rubric file as YAML text: keys in reading order, empty optional lists left out, ids and tags on one line."""
    document = rubric.model_dump(mode="json", exclude_none=True)
    questions = []
    for question in document["questions"]:
        for name in (*_OPTIONAL_LISTS, "draft"):
            if not question[name]:
                del question[name]
        question["related"] = _FlowList(question["related"])
        if "tags" in question:
            question["tags"] = _FlowList(question["tags"])
        _without_empty_alternatives(question["key_points"])
        question["follow_ups"] = [_compact_follow_up(follow_up) for follow_up in question["follow_ups"]]
        questions.append({name: question[name] for name in QUESTION_KEY_ORDER if name in question})
    document["questions"] = questions
    return yaml.dump(document, Dumper=_RubricDumper, sort_keys=False, allow_unicode=True, width=1000)


def rubric_file_name(index: int, topic: str) -> str:
    """'01-neural-network-basics.yaml' for the first topic."""
    return f"{index:02d}-{slugify(topic, max_words=8, max_length=60)}.yaml"


def write_rubric_files(
    rubrics: list[RubricFile],
    output: Path,
    *,
    overwrite: bool = False,
    inputs: Sequence[Path] = (),
    first_index: int = 1,
) -> list[Path]:
    """One YAML file per rubric in `output` (created if missing), each replaced whole (`output_files`),
    numbered from `first_index` ('01-<topic>.yaml', ...).

    An existing file with other content (it may hold a human's edits) stops the write before anything
    is written, unless `overwrite`; a file identical to the new one is fine, so re-running an import works.
    A folder in the data folder, or a target that is one of `inputs`, is refused before anything is written.
    """
    output = Path(output)
    check_output_dir(output)
    targets = [
        output / rubric_file_name(index, rubric.topic) for index, rubric in enumerate(rubrics, start=first_index)
    ]
    texts = [rubric_yaml(rubric) for rubric in rubrics]
    for target, text in zip(targets, texts, strict=True):
        refuse_unsafe_output(target, inputs=inputs)
        if not overwrite and target.exists() and _read_or_none(target) != text:
            raise BankError(target, "already exists with other content; import into an empty folder")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BankError(output, f"cannot create the folder: {exc.strerror or exc}") from None
    return [write_output(target, text, inputs=inputs) for target, text in zip(targets, texts, strict=True)]


def _read_or_none(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
