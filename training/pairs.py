"""Training pairs for the key-point judge: (key point, answer span, label), all written by the project.

Sources, in order of trust:
1. Written sets (`training/data/*.yaml`): for each key point of a question, statements that entail it
   (paraphrases, terse forms, list items, student-style sentences), state part of it, contradict it
   (reversed direction, swapped terms, wrong cause or number, negation), or say something else.
2. The shipped banks (`rubrics/`): a key point's alternatives entail it; a misconception that names a
   key point contradicts it; the question's other key points are neutral to it (hard negatives:
   same topic, same words, another claim); follow-up key points likewise.
3. Rewrites of the above (`augment.py`): negations, antonym and role swaps that turn an entailed
   statement into a contradiction, and longer spans that add a neutral sentence to a labelled one.
4. Own words (`augment.own_words_pairs`): every key point entails itself, also behind a filler opening
   ("Basically, ..."), and is contradicted by its own negation or term swap: without the entailed copies the
   rewrites teach that a key point's own words contradict it.
5. Short forms (`short_form_pairs`): the terse forms, list items and student-style sentences of the
   question's other key points and of other questions' key points are neutral, and a key point's own entail
   it. Without the neutral ones every short, telegraphic span in the data entailed its key point, and the
   judge learned that shortness means entailment ("Fixes: ReLU, skip connections." read as entailing "The
   cost of self-attention grows quadratically with the sequence length" at 0.93).
6. Voiced statements (`training/data/voiced/*.yaml`, `voiced_pairs`): for every key point of the shipped banks,
   one correct and three wrong statements in the voices answers are written in (chatty speech, clipped
   shorthand, formal prose, worked examples, student phrasing), and sibling key points' as neutral. The written
   sets' wrong statements are nearly all plain formal sentences while their correct ones come in every voice, so
   a voice was a cue for "not contradicted".

Labels are soft: `partial` statements are half entailed, half neutral. Every pair carries its group
(set + question id), so the train/test split never puts one question on both sides.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from interviewer.bank import load_bank
from interviewer.bank.loader import YAML_LOADER
from interviewer.bank.models import Bank, KeyPoint
from training import augment

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "training" / "data"
VOICED = "voiced"
"""The folder under the data folder with the voiced statements, and their pairs' source prefix."""
RUBRICS_DIR = ROOT / "rubrics"

ENTAILED = (1.0, 0.0, 0.0)
CONTRADICTED = (0.0, 1.0, 0.0)
NEUTRAL = (0.0, 0.0, 1.0)
PARTIAL = (0.5, 0.0, 0.5)
PARAPHRASES = 2
"""The first two entailed statements of a written key point are full paraphrases (the guide's order)."""
LABEL_BY_NAME = {"entailed": ENTAILED, "contradicted": CONTRADICTED, "neutral": NEUTRAL, "partial": PARTIAL}


@dataclass(frozen=True)
class Pair:
    """One training example: does `span` entail, contradict or not address `key_point`?"""

    group: str
    key_point: str
    span: str
    target: tuple[float, float, float]
    weight: float
    source: str

    @property
    def label(self) -> str:
        """The hard label: the largest target component (partial counts as entailed)."""
        return ("entailed", "contradicted", "neutral")[max(range(3), key=lambda index: self.target[index])]


@dataclass
class KeyPointStatements:
    """What the written data says about one key point."""

    group: str
    question: str
    key_point: str
    entailed: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)
    contradicted: list[str] = field(default_factory=list)
    neutral: list[str] = field(default_factory=list)


def group_of(set_name: str, question_id: str, bank_ids: frozenset[str]) -> str:
    """A question's split group: shipped bank questions share one group whichever set mentions them."""
    return f"bank:{question_id}" if question_id in bank_ids else f"{set_name}:{question_id}"


def read_written_set(path: Path, bank_ids: frozenset[str] = frozenset()) -> list[KeyPointStatements]:
    """Key points and their statements from one written set."""
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    set_name = document.get("set", path.stem)
    found = []
    for question in document.get("questions") or []:
        group = group_of(set_name, str(question["question_id"]), bank_ids)
        for key_point in question.get("key_points") or []:
            statements = KeyPointStatements(group, question.get("question", ""), key_point["text"])
            for label in ("entailed", "partial", "contradicted", "neutral"):
                texts = [text.strip() for text in key_point.get(label) or [] if isinstance(text, str) and text.strip()]
                getattr(statements, label).extend(texts)
            found.append(statements)
    return found


def with_siblings(
    statements: Sequence[KeyPointStatements],
) -> Iterator[tuple[KeyPointStatements, list[KeyPointStatements]]]:
    """Each key point's statements, in order, with those of the other key points of its question (its group)."""
    by_group: dict[str, list[KeyPointStatements]] = {}
    for item in statements:
        by_group.setdefault(item.group, []).append(item)
    for item in statements:
        yield item, [other for other in by_group[item.group] if other is not item]


def written_pairs(statements: list[KeyPointStatements]) -> Iterator[Pair]:
    """Pairs straight from the written statements, plus the question's other key points' statements
    as hard neutral spans (they are about the same subject but make another claim)."""
    for item, siblings in with_siblings(statements):
        for label in ("entailed", "partial", "contradicted", "neutral"):
            for text in getattr(item, label):
                yield Pair(item.group, item.key_point, text, LABEL_BY_NAME[label], 1.0, f"written:{label}")
        # contradiction and unrelatedness are symmetric, and a paraphrase entails its source: the
        # reversed pairs teach the same relation from the other side
        for text in item.contradicted:
            yield Pair(item.group, text, item.key_point, CONTRADICTED, 0.5, "reversed:contradicted")
        for text in item.neutral:
            yield Pair(item.group, text, item.key_point, NEUTRAL, 0.5, "reversed:neutral")
        for text in item.entailed[:PARAPHRASES]:
            yield Pair(item.group, text, item.key_point, ENTAILED, 0.5, "reversed:paraphrase")
        for other in siblings:
            yield Pair(item.group, item.key_point, other.key_point, NEUTRAL, 0.8, "sibling-key-point")
            for text in other.entailed[:2]:
                yield Pair(item.group, item.key_point, text, NEUTRAL, 0.8, "sibling-statement")


SHORT_FORMS_PER_KEY_POINT = 2
"""Short forms of sibling key points, and as many of other questions' key points, per key point."""


def short_form_pairs(statements: list[KeyPointStatements], rng: random.Random) -> Iterator[Pair]:
    """Each key point against short forms (the entailed statements after the full paraphrases): its own
    (entailed; the same pairs as the written ones, under this source so a second stage can contrast them) and
    other key points': `SHORT_FORMS_PER_KEY_POINT` from its own question (same topic, another claim) and as
    many from other questions (neutral). Sampled with `rng`, so deterministic for a seed."""
    everywhere = [(item.group, text) for item in statements for text in item.entailed[PARAPHRASES:]]
    for item, siblings in with_siblings(statements):
        for text in item.entailed[PARAPHRASES:]:
            yield Pair(item.group, item.key_point, text, ENTAILED, 1.0, "short-form:own")
        short_forms = [text for other in siblings for text in other.entailed[PARAPHRASES:]]
        for text in rng.sample(short_forms, min(SHORT_FORMS_PER_KEY_POINT, len(short_forms))):
            yield Pair(item.group, item.key_point, text, NEUTRAL, 0.8, "short-form:sibling")
        chosen = 0
        while everywhere and chosen < SHORT_FORMS_PER_KEY_POINT:
            group, text = everywhere[rng.randrange(len(everywhere))]
            if group != item.group:
                chosen += 1
                yield Pair(item.group, item.key_point, text, NEUTRAL, 1.0, "short-form:other-question")


def voiced_pairs(statements: list[KeyPointStatements], rng: random.Random) -> Iterator[Pair]:
    """Each key point against its own voiced statements (entailed, contradicted) and against one correct and one
    wrong voiced statement of a sibling key point (neutral, weight 0.8: same topic and voice, another claim), so
    that neither the voice nor the topic's words tell the labels apart. Sampled with `rng`."""
    for item, siblings in with_siblings(statements):
        for label in ("entailed", "contradicted"):
            for text in getattr(item, label):
                yield Pair(item.group, item.key_point, text, LABEL_BY_NAME[label], 1.0, f"{VOICED}:{label}")
        for label in ("entailed", "contradicted"):
            texts = [text for other in siblings for text in getattr(other, label)]
            if texts:
                yield Pair(item.group, item.key_point, rng.choice(texts), NEUTRAL, 0.8, f"{VOICED}:sibling")


def bank_pairs(bank: Bank) -> Iterator[Pair]:
    """Pairs from the rubrics: alternatives, misconceptions, sibling key points, follow-up key points."""
    for question in bank.questions:
        group = f"bank:{question.id}"
        key_point_sets: list[list[KeyPoint]] = [question.key_points]
        key_point_sets += [follow_up.key_points for follow_up in question.follow_ups if follow_up.key_points]
        for key_points in key_point_sets:
            for key_point in key_points:
                for alternative in key_point.alternatives:
                    yield Pair(group, key_point.text, alternative, ENTAILED, 1.0, "bank:alternative")
                for other in key_points:
                    if other.id != key_point.id:
                        yield Pair(group, key_point.text, other.text, NEUTRAL, 0.7, "bank:sibling")
        for misconception in question.misconceptions:
            for key_point in question.key_points:
                if misconception.key_point == key_point.id:
                    yield Pair(group, key_point.text, misconception.claim, CONTRADICTED, 1.0, "bank:misconception")
                    yield Pair(
                        group, misconception.claim, key_point.text, CONTRADICTED, 0.5, "bank:misconception-reversed"
                    )
            yield Pair(group, misconception.claim, misconception.claim, ENTAILED, 0.3, "bank:misconception-self")


def shipped_banks(root: Path | None = None) -> list[Bank]:
    """Every bank folder under rubrics/ (or `root`, e.g. drafts under review)."""
    root = root or Path(os.environ.get("INTERVIEWER_TRAINING_RUBRICS", RUBRICS_DIR))
    return [load_bank(folder) for folder in sorted(root.iterdir()) if folder.is_dir()]


def written_sets(data_dir: Path = DATA_DIR, bank_ids: frozenset[str] = frozenset()) -> list[KeyPointStatements]:
    return [item for path in sorted(data_dir.glob("*.yaml")) for item in read_written_set(path, bank_ids)]


def all_pairs(seed: int = 13, data_dir: Path = DATA_DIR, banks: Iterable[Bank] | None = None) -> list[Pair]:
    """Every training pair, deterministic for a seed; duplicates (same group, key point, span) removed."""
    rng = random.Random(seed)
    banks = list(banks) if banks is not None else shipped_banks()
    bank_ids = frozenset(question.id for bank in banks for question in bank.questions)
    statements = written_sets(data_dir, bank_ids)
    pairs = list(written_pairs(statements))
    for bank in banks:
        pairs.extend(bank_pairs(bank))
    pairs.extend(augment.augmented_pairs(statements, rng))
    pairs.extend(augment.own_words_pairs(own_words(statements, banks), rng))
    # first, so that a key point's own short forms keep their source when the written pairs repeat them
    pairs = list(short_form_pairs(statements, rng)) + pairs
    pairs.extend(voiced_pairs(written_sets(data_dir / VOICED, bank_ids), rng))
    unique: dict[tuple[str, str, str], Pair] = {}
    for pair in pairs:
        key = (pair.group, pair.key_point.casefold(), pair.span.casefold())
        if key not in unique or pair.weight > unique[key].weight:
            unique[key] = pair
    return list(unique.values())


def own_words(statements: list[KeyPointStatements], banks: Iterable[Bank]) -> list[tuple[str, str]]:
    """(group, text) of every written and shipped key point (follow-ups' too), once each, in a fixed order."""
    found = [(item.group, item.key_point) for item in statements]
    for bank in banks:
        for question in bank.questions:
            key_points = [
                *question.key_points,
                *(kp for follow_up in question.follow_ups for kp in follow_up.key_points),
            ]
            found.extend((f"bank:{question.id}", key_point.text) for key_point in key_points)
    return list(dict.fromkeys(found))


def balanced_by_label(pairs: list[Pair]) -> list[Pair]:
    """The pairs reweighted so that each hard label carries the same total weight. The voiced pairs hold three wrong
    statements per key point for one right one: unbalanced, a second stage on them learned that a voiced statement
    on the key point's topic contradicts it, whatever it says (docs/grading.md, "Voiced statements")."""
    totals: dict[str, float] = {}
    for pair in pairs:
        totals[pair.label] = totals.get(pair.label, 0.0) + pair.weight
    share = sum(totals.values()) / len(totals)
    return [replace(pair, weight=pair.weight * share / totals[pair.label]) for pair in pairs]


def held_out(group: str, share: float = 0.2) -> bool:
    """Whether a question (group) is in the test split: a stable hash, so the split never changes."""
    digest = hashlib.sha256(group.encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < share


def three_way_split(pairs: list[Pair]) -> tuple[list[Pair], list[Pair], list[Pair]]:
    """(train, validation, test) by question: 20 % of questions test, 12.5 % of the rest validate."""
    rest, test = split(pairs)
    validation = [pair for pair in rest if held_out("validation:" + pair.group, 0.125)]
    training = [pair for pair in rest if not held_out("validation:" + pair.group, 0.125)]
    return training, validation, test


def split(pairs: list[Pair], share: float = 0.2) -> tuple[list[Pair], list[Pair]]:
    """(train, test) with every question on one side only."""
    train = [pair for pair in pairs if not held_out(pair.group, share)]
    test = [pair for pair in pairs if held_out(pair.group, share)]
    return train, test
