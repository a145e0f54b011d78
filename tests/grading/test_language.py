"""A non-English answer is flagged as such (grading reads English), not as keyword stuffing or empty."""

from __future__ import annotations

import pytest

from interviewer.bank.loader import load_bank
from interviewer.grading.embedding_grader import EmbeddingGrader
from interviewer.grading.guards import non_english_reason
from interviewer.grading.result import FlagCode
from tests.fakes import HashingEmbedder

GERMAN = "Überanpassung bedeutet, dass das Modell die Trainingsdaten auswendig lernt und nicht gut generalisiert."
FRENCH = "Le surapprentissage se produit quand le modèle apprend le bruit des données d'entraînement."
CHINESE = "过拟合是指模型在训练数据上表现很好，但在新数据上表现很差。"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (GERMAN, "it reads like German"),
        (FRENCH, "it reads like French"),
        ("El sobreajuste ocurre cuando el modelo aprende el ruido de los datos y no generaliza.", "Spanish"),
        (CHINESE, "not Latin"),
        ("Переобучение происходит, когда модель запоминает шум в обучающих данных.", "not Latin"),
    ],
)
def test_other_languages_are_recognised(answer: str, reason: str) -> None:
    found = non_english_reason(answer)
    assert found is not None and reason in found


@pytest.mark.parametrize(
    "answer",
    [
        "Overfitting happens when the model memorises the noise in the training data and does not generalise.",
        "gradient descent backpropagation learning rate momentum adam optimizer weight decay dropout",
        "Dropout zeroes activations per layer in training; ReLU neurons can die, and y is the label.",
        "L2 adds λ‖w‖² to the loss, shrinking the weights toward zero.",
        "Kingma et al. proposed Adam, as in the paper by Kingma and Ba.",
        "Le Cun et al. introduced LeNet.",
    ],
)
def test_english_and_term_lists_are_not_flagged(answer: str) -> None:
    assert non_english_reason(answer) is None


def test_a_german_answer_gets_the_language_flag_not_stuffing_or_empty() -> None:
    bank = load_bank()
    question = bank.questions[0]
    grader = EmbeddingGrader(HashingEmbedder(), bank=bank, judge=None)
    for answer in (GERMAN, FRENCH, CHINESE):
        codes = {flag.code for flag in grader.grade(question, answer).flags}
        assert FlagCode.NON_ENGLISH in codes, answer
        assert FlagCode.KEYWORD_STUFFING not in codes and FlagCode.EMPTY not in codes, (answer, codes)
    message = next(f.message for f in grader.grade(question, GERMAN).flags if f.code == FlagCode.NON_ENGLISH)
    assert "grading reads English only" in message


def test_an_english_keyword_list_is_still_stuffing() -> None:
    bank = load_bank()
    question = bank.get("3.2")  # not a question that asks for a list
    grader = EmbeddingGrader(HashingEmbedder(), bank=bank, judge=None)
    terms = "gradient descent backpropagation learning rate momentum adam optimizer weight decay dropout batchnorm"
    codes = {flag.code for flag in grader.grade(question, terms).flags}
    assert FlagCode.NON_ENGLISH not in codes and FlagCode.KEYWORD_STUFFING in codes
