"""Export the written right and wrong statements of the shipped key points for grading.

    python -m training.export_statements [--output interviewer/grading/judge/known_statements.json]

Reads `training/data/*.yaml` and the shipped banks; keeps a key point's statements only when the written
set names the key point with the exact text it has in the bank (a reworded key point has none until
its statements are written again). Right statements are the written entailed ones (partial ones are
left out); wrong ones the written contradictions. Deterministic: sorted keys, the sets' own order.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from interviewer.grading.known_statements import KNOWN_STATEMENTS_FILE, KeyPointStatements, KnownStatements
from training.pairs import shipped_banks, written_sets


def known_statements() -> tuple[KnownStatements, int]:
    """The statements of every shipped key point that has them, and the number of shipped key points."""
    questions = {question.id: question for bank in shipped_banks() for question in bank.questions}
    written = written_sets(bank_ids=frozenset(f"{question_id}" for question_id in questions))
    found: dict[str, dict[str, KeyPointStatements]] = {}
    for item in written:
        question_id = item.group.removeprefix("bank:")
        question = questions.get(question_id) if item.group.startswith("bank:") else None
        if question is None or item.key_point not in {key_point.text for key_point in question.key_points}:
            continue
        if not item.entailed or not item.contradicted:
            continue
        statements = KeyPointStatements(right=tuple(item.entailed), wrong=tuple(item.contradicted))
        found.setdefault(question_id, {})[item.key_point] = statements
    total = sum(len(question.key_points) for question in questions.values())
    return KnownStatements(questions=found), total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=KNOWN_STATEMENTS_FILE)
    args = parser.parse_args()
    known, total = known_statements()
    document = known.model_dump(mode="json")
    args.output.write_text(json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    covered = sum(len(by_text) for by_text in known.questions.values())
    print(f"wrote {args.output}: {covered} of {total} shipped key points in {len(known.questions)} questions")


if __name__ == "__main__":
    main()
