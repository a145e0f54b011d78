"""The judge's training data: written sets load, the split keeps each question on one side, rewrites contradict."""

from __future__ import annotations

import random
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from training import augment
from training import pairs as pairs_module
from training.pairs import DATA_DIR, KeyPointStatements, Pair, all_pairs, read_written_set, shipped_banks, split


@pytest.fixture(scope="module")
def pairs() -> list[Pair]:
    """Every training pair, built once for this module (about 2 s)."""
    return all_pairs(seed=13)


def test_every_written_set_loads_with_all_four_labels() -> None:
    paths = sorted(DATA_DIR.glob("*.yaml"))
    assert len(paths) >= 3
    for path in paths:
        statements = read_written_set(path)
        assert statements, path.name
        for item in statements:
            assert item.entailed and item.contradicted and item.neutral, (path.name, item.key_point)


def test_the_split_never_puts_one_question_on_both_sides(pairs: list[Pair]) -> None:
    train, test = split(pairs)
    assert {pair.group for pair in train}.isdisjoint({pair.group for pair in test})
    assert 0.1 < len(test) / len(pairs) < 0.3
    labels = Counter(pair.label for pair in train)
    assert min(labels.values()) > 0.15 * len(train)  # no class is starved


def test_pairs_are_deterministic(tmp_path: Path) -> None:
    """Every source of pairs (written, bank, rewrites) on a slice of the data: same seed, same pairs."""
    shutil.copy(DATA_DIR / "deep-learning-seed.yaml", tmp_path)
    banks = [bank for bank in shipped_banks() if bank.name == "deep-learning"]
    built = all_pairs(seed=13, data_dir=tmp_path, banks=banks)
    assert {pair.source.split(":")[0] for pair in built} >= {
        "written",
        "bank",
        "reversed",
        "rewrite",
        "sibling-statement",
        "own-words",
    }
    assert all_pairs(seed=13, data_dir=tmp_path, banks=banks) == built


def test_rewrites_turn_a_claim_into_its_opposite() -> None:
    assert augment.flip_negation("Dropout is used only during training.") == "Dropout is not used only during training."
    assert augment.flip_negation("The weights cannot recover.") == "The weights can recover."
    swapped = augment.swap_terms("A larger learning rate makes training diverge.", random.Random(0))
    assert swapped is not None and "smaller" in swapped
    assert augment.swap_terms("There is a trade-off between bias and variance.", random.Random(0)) is None


def test_the_swap_pattern_finds_what_a_plain_alternation_finds() -> None:
    """The trie-shaped pattern (for speed) matches the longest term at word boundaries, as the flat one did."""
    flat = re.compile(
        r"\b(" + "|".join(sorted(map(re.escape, augment._SWAP), key=len, reverse=True)) + r")\b", re.IGNORECASE
    )
    texts = [
        "Higher bias and lower variance: the high-variance model is larger, not smaller.",
        "A non-linear, non-convex loss; L1 vs L2; the encoder feeds the decoder.",
        "highest highs, lowly lows, increasingly increased",
        *(statement for item in read_written_set(DATA_DIR / "deep-learning-seed.yaml") for statement in item.entailed),
    ]
    for text in texts:
        assert [m.span() for m in augment._SWAP_PATTERN.finditer(text)] == [m.span() for m in flat.finditer(text)]


def test_every_shipped_key_point_entails_itself_in_its_own_words(pairs: list[Pair]) -> None:
    """Hard positives: without them the rewrites teach that a key point's own words contradict it."""
    own = {(pair.key_point, pair.span) for pair in pairs if pair.label == "entailed"}
    for bank in shipped_banks():
        for question in bank.questions:
            for key_point in question.key_points:
                assert (key_point.text, key_point.text) in own, key_point.id


def test_a_filler_opening_keeps_the_claim_and_its_names() -> None:
    rng = random.Random(0)
    said = augment.with_filler("Dropout is used only during training.", rng)
    assert said.endswith("dropout is used only during training.") and said[0].isupper()
    assert augment.with_filler("ReLU has no upper bound.", rng).endswith("ReLU has no upper bound.")


def test_a_key_point_is_contradicted_by_its_own_negation() -> None:
    """Own-words contrasts: the near-copy that differs by one word is labelled contradicted, the copy entailed."""
    built = list(augment.own_words_pairs([("g", "Dropout is not used at inference.")], random.Random(0)))
    labels = {pair.span: pair.label for pair in built}
    assert labels["Dropout is not used at inference."] == "entailed"
    assert labels["Dropout is used at inference."] == "contradicted"


def test_short_forms_entail_their_own_key_point_and_no_other() -> None:
    """Short forms of other key points are neutral (without them every short span in the data entailed its key
    point, and the judge read any telegraphic span as entailing); a key point's own short forms entail it."""
    written = [
        KeyPointStatements(
            "q1", "", "Dropout is used only in training.", entailed=["p1", "p2", "train only", "- train"]
        ),
        KeyPointStatements("q1", "", "Inverted dropout rescales by 1/(1-p).", entailed=["p3", "p4", "scale 1/(1-p)"]),
        KeyPointStatements("q2", "", "Adam keeps two moment estimates.", entailed=["p5", "p6", "m and v"]),
    ]
    built = list(pairs_module.short_form_pairs(written, random.Random(0)))
    assert built == list(pairs_module.short_form_pairs(written, random.Random(0)))
    short_forms = {text: item for item in written for text in item.entailed[pairs_module.PARAPHRASES :]}
    assert not any(pair.span in ("p1", "p2", "p3", "p4", "p5", "p6") for pair in built)  # full paraphrases stay out
    for pair in built:
        source = short_forms[pair.span]
        if pair.source == "short-form:own":
            assert pair.label == "entailed" and source.key_point == pair.key_point
        else:
            assert pair.label == "neutral" and source.key_point != pair.key_point
            assert (source.group == pair.group) == (pair.source == "short-form:sibling")
    assert {pair.source for pair in built} == {"short-form:own", "short-form:sibling", "short-form:other-question"}


def test_voiced_statements_are_labelled_against_their_own_key_point_and_neutral_to_a_sibling() -> None:
    """A voiced statement entails or contradicts its own key point only; against a sibling key point of the same
    question it is neutral, whichever voice and label it has, so the voice is no cue."""
    written = [
        KeyPointStatements(
            "q1",
            "",
            "Dropout is used only in training.",
            entailed=["yeah so dropout's train-only"],
            contradicted=["dropout stays on at test time too, b/c ...", "Dropout applies at inference as well."],
        ),
        KeyPointStatements(
            "q1",
            "",
            "Inverted dropout rescales by 1/(1-p).",
            entailed=["scale kept units by 1/(1-p)"],
            contradicted=["you scale by p at train time"],
        ),
        KeyPointStatements("q2", "", "Adam keeps two moment estimates.", entailed=["m & v"], contradicted=["one only"]),
    ]
    built = list(pairs_module.voiced_pairs(written, random.Random(0)))
    assert built == list(pairs_module.voiced_pairs(written, random.Random(0)))
    owner = {text: item for item in written for text in (*item.entailed, *item.contradicted)}
    for pair in built:
        source = owner[pair.span]
        assert source.group == pair.group  # never another question's statement
        if pair.source == "voiced:sibling":
            assert pair.label == "neutral" and source.key_point != pair.key_point
        else:
            assert source.key_point == pair.key_point
            assert pair.label == pair.source.removeprefix("voiced:")
    counts = Counter(pair.source for pair in built)
    assert counts == {"voiced:entailed": 3, "voiced:contradicted": 4, "voiced:sibling": 4}  # q2 has no sibling


def test_voiced_sets_are_read_from_their_own_folder(tmp_path: Path) -> None:
    shutil.copy(DATA_DIR / "deep-learning-seed.yaml", tmp_path)
    banks = [bank for bank in shipped_banks() if bank.name == "deep-learning"]
    (tmp_path / "voiced").mkdir()
    (tmp_path / "voiced" / "deep-learning.yaml").write_text(
        "set: voiced-deep-learning\nquestions:\n- question_id: '1.1'\n  question: q\n  key_points:\n"
        "  - id: a\n    text: Key point A.\n    entailed: [so basically A]\n    contradicted: [not A lol, A? nope]\n"
        "  - id: b\n    text: Key point B.\n    entailed: [B ftw]\n    contradicted: [B never]\n",
        encoding="utf-8",
    )
    voiced = [pair for pair in all_pairs(seed=13, data_dir=tmp_path, banks=banks) if pair.source.startswith("voiced")]
    assert {pair.group for pair in voiced} == {"bank:1.1"}  # the shipped question's group: one side of the split
    assert {(pair.key_point, pair.span, pair.label) for pair in voiced if pair.source != "voiced:sibling"} == {
        ("Key point A.", "so basically A", "entailed"),
        ("Key point A.", "not A lol", "contradicted"),
        ("Key point A.", "A? nope", "contradicted"),
        ("Key point B.", "B ftw", "entailed"),
        ("Key point B.", "B never", "contradicted"),
    }


def test_every_shipped_key_point_has_voiced_statements_in_its_current_words() -> None:
    """One voiced set per shipped bank, naming each key point's text as the bank has it today: a key point whose
    text changed after its statements were written drops out of the voiced pairs, so this says which to update."""
    for bank in shipped_banks():
        path = DATA_DIR / "voiced" / f"{bank.name}.yaml"
        assert path.is_file(), path
        written = {
            (item.group, item.key_point): item
            for item in read_written_set(path, frozenset(question.id for question in bank.questions))
        }
        for question in bank.questions:
            for key_point in question.key_points:
                item = written.get((f"bank:{question.id}", key_point.text))
                assert item is not None, (path.name, question.id, key_point.id)
                assert len(item.entailed) >= 1 and len(item.contradicted) >= 3, (path.name, key_point.id)


def test_balancing_gives_each_label_the_same_total_weight() -> None:
    unbalanced = [
        Pair("q", "k", f"wrong {index}", pairs_module.CONTRADICTED, 1.0, "voiced:contradicted") for index in range(3)
    ]
    unbalanced += [Pair("q", "k", "right", pairs_module.ENTAILED, 1.0, "voiced:entailed")]
    unbalanced += [Pair("q", "k", f"other {index}", pairs_module.NEUTRAL, 0.8, "voiced:sibling") for index in range(2)]
    balanced = pairs_module.balanced_by_label(unbalanced)
    totals = Counter()
    for pair in balanced:
        totals[pair.label] += pair.weight
    assert totals["entailed"] == pytest.approx(totals["contradicted"]) == pytest.approx(totals["neutral"])
    assert sum(totals.values()) == pytest.approx(sum(pair.weight for pair in unbalanced))
    assert [(pair.span, pair.target) for pair in balanced] == [(pair.span, pair.target) for pair in unbalanced]
