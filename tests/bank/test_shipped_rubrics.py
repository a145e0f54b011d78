"""The shipped deep-learning bank: complete, consistent, clean text, and faithful to the user's seed."""

from __future__ import annotations

import re

import numpy as np
import pytest

from interviewer.bank import Bank, load_bank
from interviewer.bank.markdown_import import import_markdown_bank
from tests.bank.seed_bank import RUBRIC_FILE_NAMES, SEED, SEED_IDS, SEED_TOPICS, mojibake_in
from tests.conftest import REPO_ROOT

RUBRIC_DIR = REPO_ROOT / "rubrics" / "deep-learning"
# Key points are matched against spoken answers by an embedding model: symbols are spelled out.
SYMBOLS = re.compile(r"[α-ωΑ-Ω∂∇√∞≈≠×·Σ₀-₉ᵀᵗ→]")


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank(None)


def test_default_bank_is_the_deep_learning_bank(bank: Bank) -> None:
    assert bank.name == "deep-learning"
    assert {question.source.name for question in bank.questions if question.source} == {
        path.name for path in RUBRIC_DIR.glob("*.yaml")
    }


def test_18_questions_in_6_topics(bank: Bank) -> None:
    assert [question.id for question in bank.questions] == SEED_IDS
    assert bank.topics() == SEED_TOPICS
    assert sorted(path.name for path in RUBRIC_DIR.glob("*.yaml")) == RUBRIC_FILE_NAMES
    for question in bank.questions:
        assert question.topic == bank.topics()[int(question.id.split(".")[0]) - 1]


def test_every_question_is_a_complete_rubric(bank: Bank) -> None:
    for question in bank.questions:
        assert 3 <= len(question.key_points) <= 8, question.id
        assert len(question.follow_ups) >= 2, question.id
        assert all(text.endswith(("?", ".")) for text in question.follow_up_texts())
        assert any(key_point.weight > 1 for key_point in question.key_points), f"{question.id}: no central point"
        assert question.related, question.id
        assert question.id not in question.related
        assert len(set(question.related)) == len(question.related)
        assert all(related_id in bank for related_id in question.related)
    assert {question.difficulty for question in bank.questions} == {"easy", "medium", "hard"}


def test_key_points_are_plain_distinct_statements(bank: Bank) -> None:
    for question in bank.questions:
        texts = [key_point.text for key_point in question.key_points]
        assert len(set(texts)) == len(texts), question.id
        for key_point in question.key_points:
            for text in (key_point.text, *key_point.alternatives):
                assert not SYMBOLS.search(text), f"{question.id}/{key_point.id}: spell out symbols: {text!r}"
                assert "|" not in text and "**" not in text, f"{question.id}/{key_point.id}: Markdown in {text!r}"
                assert 3 <= len(text.split()) <= 40, f"{question.id}/{key_point.id}: {text!r}"
            assert key_point.text not in question.reference_answer, f"{question.id}/{key_point.id} is copied"


def test_no_mojibake_in_the_files() -> None:
    for path in sorted(RUBRIC_DIR.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert mojibake_in(text) == [], (path.name, mojibake_in(text))


def test_questions_and_reference_answers_are_the_seed_cleaned(bank: Bank) -> None:
    if not SEED.is_file():
        pytest.skip(f"seed bank not found at {SEED}")
    imported = {
        question.id: question
        for rubric in import_markdown_bank(SEED, bank_name="deep-learning")
        for question in rubric.questions
    }
    assert list(imported) == SEED_IDS
    for question in bank.questions:
        assert question.question == imported[question.id].question
        assert question.reference_answer == imported[question.id].reference_answer
    assert "β₁" in bank.get("5.1").reference_answer
    assert "hₜ₋₁" in bank.get("6.2").reference_answer


def test_each_alternative_is_nearest_its_own_key_point(bank: Bank, embedder) -> None:
    """With the real model, an alternative phrasing must not read as a different key point of the question."""
    texts = sorted({text for q in bank.questions for kp in q.key_points for text in (kp.text, *kp.alternatives)})
    vectors = dict(zip(texts, embedder.embed_batch(texts), strict=True))
    for question in bank.questions:
        key_point_vectors = np.stack([vectors[key_point.text] for key_point in question.key_points])
        for key_point in question.key_points:
            for alternative in key_point.alternatives:
                nearest = question.key_points[int((key_point_vectors @ vectors[alternative]).argmax())].id
                assert nearest == key_point.id, f"{question.id}: {alternative!r} reads as {nearest}, not {key_point.id}"
