"""Quote check and score cap helpers: pure functions, no server."""

from __future__ import annotations

import pytest

from interviewer.grading.llm.evidence import downgrade, locate_quote, quote_in_answer

ANSWER = "Its gradient is  zero,\nso the weights\tnever update. Use “Leaky ReLU” — a small slope helps."


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("gradient is zero", "gradient is  zero"),
        ("  GRADIENT IS ZERO, so the weights never update  ", "gradient is  zero,\nso the weights\tnever update"),
        ('"Leaky ReLU"', "Leaky ReLU"),
        ('use "leaky relu" - a small slope', "Use “Leaky ReLU” — a small slope"),
        ("gradient is zero ... never update.", "gradient is  zero,\nso the weights\tnever update"),
        ("gradient is zero … never update", "gradient is  zero,\nso the weights\tnever update"),
    ],
)
def test_quote_found_returns_the_answers_own_text(quote: str, expected: str) -> None:
    assert locate_quote(quote, ANSWER) == expected
    assert quote_in_answer(quote, ANSWER)


@pytest.mark.parametrize(
    "quote",
    ["", "   ", "...", "the gradient vanishes", "never update ... gradient is zero", "Leaky ReLU is always best"],
)
def test_quote_not_in_the_answer(quote: str) -> None:
    assert locate_quote(quote, ANSWER) is None


def test_case_folding_that_changes_length_maps_back() -> None:
    assert locate_quote("STRASSE weights", "Die Straße Weights here") == "Straße Weights"


def test_downgrade_is_one_step() -> None:
    assert [downgrade(verdict) for verdict in ("covered", "partial", "missed")] == ["partial", "missed", "missed"]
