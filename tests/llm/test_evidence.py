"""Quote check and score cap helpers: pure functions, no server."""

from __future__ import annotations

import pytest

from interviewer.grading.llm.evidence import locate_quote, quote_in_answer

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
    [
        "",
        "   ",
        "...",
        "the gradient vanishes",
        "never update ... gradient is zero",
        "Leaky ReLU is always best",
        "a",  # in the answer, as a letter of many words, but no evidence of anything
        "so the",  # whole words, but none that carries content
        "radient is zer",  # not whole words
        "eaky",
    ],
)
def test_quote_not_in_the_answer(quote: str) -> None:
    assert locate_quote(quote, ANSWER) is None


def test_case_folding_that_changes_length_maps_back() -> None:
    assert locate_quote("STRASSE weights", "Die Straße Weights here") == "Straße Weights"


def test_a_short_quote_of_one_technical_word_counts() -> None:
    assert locate_quote("ReLU", ANSWER) == "ReLU"
    assert locate_quote("“Leaky ReLU”", ANSWER) == "Leaky ReLU"
