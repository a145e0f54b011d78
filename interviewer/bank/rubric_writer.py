"""Write rubric files as readable YAML: keys in model order, multi-line text as literal blocks, UTF-8."""

from __future__ import annotations

from pathlib import Path

import yaml

from interviewer.bank.key_point_drafts import slugify
from interviewer.bank.models import RubricFile
from interviewer.errors import BankError


class _RubricDumper(yaml.SafeDumper):
    """YAML with multi-line strings as `|` blocks and list items indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


class _FlowList(list):
    """A short list written on one line: `related: ['1.2', '2.2']`."""


def _represent_flow_list(dumper: yaml.SafeDumper, value: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_RubricDumper.add_representer(str, _represent_text)
_RubricDumper.add_representer(_FlowList, _represent_flow_list)


def rubric_yaml(rubric: RubricFile) -> str:
    """A rubric file as YAML text; empty `alternatives` lists are left out, `related` ids on one line."""
    document = rubric.model_dump(mode="json")
    for question in document["questions"]:
        question["related"] = _FlowList(question["related"])
        for key_point in question["key_points"]:
            if not key_point["alternatives"]:
                del key_point["alternatives"]
    return yaml.dump(document, Dumper=_RubricDumper, sort_keys=False, allow_unicode=True, width=1000)


def rubric_file_name(index: int, topic: str) -> str:
    """'01-neural-network-basics.yaml' for the first topic."""
    return f"{index:02d}-{slugify(topic, max_words=8, max_length=60)}.yaml"


def write_rubric_files(rubrics: list[RubricFile], output: Path, *, overwrite: bool = False) -> list[Path]:
    """One YAML file per rubric in `output`.

    An existing file with other content (it may hold a human's edits) stops the write before anything
    is written, unless `overwrite`; a file identical to the new one is fine, so re-running an import works.
    """
    output = Path(output)
    targets = [output / rubric_file_name(index, rubric.topic) for index, rubric in enumerate(rubrics, start=1)]
    texts = [rubric_yaml(rubric) for rubric in rubrics]
    if not overwrite:
        for target, text in zip(targets, texts, strict=True):
            if target.exists() and _read_or_none(target) != text:
                raise BankError(target, "already exists with other content; import into an empty folder")
    try:
        output.mkdir(parents=True, exist_ok=True)
        for target, text in zip(targets, texts, strict=True):
            target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BankError(output, f"cannot write rubric files: {exc.strerror or exc}") from None
    return targets


def _read_or_none(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
