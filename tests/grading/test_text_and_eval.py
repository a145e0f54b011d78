"""Spans, derived key points, and the agreement statistics."""

from __future__ import annotations

import numpy as np
import pytest

from interviewer.grading.evaluation import evaluate
from interviewer.grading.guards import restates
from interviewer.grading.questions import adhoc_question
from interviewer.grading.text import answer_spans, derive_key_point_texts, sentences


def test_key_points_come_from_sentences_and_list_items() -> None:
    reference = (
        "A neural network is a model made of layers:\n"
        "- **Layers**: input, hidden and output layers\n"
        "- Neurons compute a weighted sum of inputs plus a bias, then apply an activation\n"
        "1. Forward pass computes predictions. 2. The loss measures the error."
    )
    points = derive_key_point_texts(reference)
    assert "Neurons compute a weighted sum of inputs plus a bias" in points  # long sentences split at clauses
    assert "Forward pass computes predictions." in points and "The loss measures the error." in points
    assert any(point.startswith("Layers") for point in points)
    assert not any("**" in point for point in points)
    question = adhoc_question("What is a neural network?", reference)
    assert [key_point.id for key_point in question.key_points] == [f"kp-{i}" for i in range(1, len(points) + 1)]


def test_spans_include_sentences_clauses_and_pairs() -> None:
    answer = (
        "ReLU is cheap. It does not saturate for positive inputs, "
        "so gradients keep flowing through deep stacks of layers."
    )
    spans = answer_spans(answer)
    assert "ReLU is cheap." in spans
    assert any(span.startswith("ReLU is cheap. It does not") for span in spans)
    assert "so gradients keep flowing through deep stacks of layers." in spans


def test_evaluation_statistics() -> None:
    rng = np.random.default_rng(0)
    human = rng.integers(0, 6, size=200).astype(float)
    predicted = human * 2 + rng.normal(0, 1, size=200)
    question_ids = [f"{i % 4}.{i % 8}" for i in range(200)]
    report = evaluate(predicted, human, [5.0] * 200, question_ids, grader="test")
    assert report.n == 200 and report.groups == 4
    assert report.pearson == pytest.approx(np.corrcoef(predicted, human)[0, 1])
    assert 0.8 < report.spearman <= 1
    assert report.rmse == pytest.approx(0.5, abs=0.15)
    assert report.within_one > 0.9


def test_abbreviations_do_not_end_sentences() -> None:
    text = "At test time dropout is off, e.g. model.eval() in PyTorch. I.e. nothing is dropped. L1 vs. L2 differ."
    assert sentences(text) == [
        "At test time dropout is off, e.g. model.eval() in PyTorch.",
        "I.e. nothing is dropped.",
        "L1 vs. L2 differ.",
    ]


def test_enumerations_are_not_keyword_stuffing_when_asked_for_or_explained() -> None:
    from interviewer.grading.guards import is_keyword_stuffing

    numbered = "1. error correction\n2. hebbian\n3. competitive\n4. boltzmann\n5. memory based\n6. stochastic"
    assert not is_keyword_stuffing(numbered, "Enumerate the basic learning rules.")
    explained = "- Leaky ReLU: small slope for negatives\n- PReLU: learned slope\n- ELU: smooth negative part"
    assert not is_keyword_stuffing(explained, "How do you fix dying ReLU?")
    bag = "relu sigmoid tanh gradient vanishing dead neurons leaky softmax gelu swish"
    assert is_keyword_stuffing(bag, "Compare ReLU and sigmoid.")


def test_a_restatement_keeps_every_word_in_order_and_the_same_negations() -> None:
    key_point = "Concept drift cannot be seen from inputs alone; it shows as falling accuracy on new labels."
    assert restates(
        "Concept drift cannot be seen from the inputs alone: it shows as falling accuracy on new labels.", key_point
    )
    assert restates("Basically, dropout is not applied at inference time.", "Dropout is not applied at inference time.")
    assert not restates(
        "Dropout is applied at inference time.", "Dropout is not applied at inference time."
    )  # a negation dropped
    assert not restates(
        "A smaller learning rate makes training diverge.", "A larger learning rate makes training diverge."
    )
    assert not restates(  # a swap breaks the order
        "L1 matches a Gaussian prior and L2 a Laplace prior.", "L1 matches a Laplace prior and L2 a Gaussian prior."
    )
    assert not restates(
        "It is a myth that dropout is applied at inference time.", "Dropout is applied at inference time."
    )
    assert not restates("Use dropout.", "Use dropout.")  # too short to say


def test_a_swap_of_two_terms_is_seen_and_a_restatement_or_a_reordered_truth_is_not() -> None:
    from interviewer.grading.guards import swaps_terms

    priors = "In Bayesian terms, L1 corresponds to a Laplace prior on the weights and L2 to a Gaussian prior."
    assert swaps_terms(
        "In Bayesian terms, L1 corresponds to a Gaussian prior on the weights and L2 to a Laplace prior.", priors
    )
    assert not swaps_terms(priors, priors)
    # the same truth said the other way round trades two pairs of terms, not one
    assert not swaps_terms(
        "In Bayesian terms, L2 corresponds to a Gaussian prior on the weights and L1 to a Laplace prior.", priors
    )
    assert not swaps_terms("L1 corresponds to a Gaussian prior.", priors)  # words of the key point missing
    derivatives = "The left derivative at zero is 0 and the right derivative is 1."
    assert swaps_terms("The right derivative at zero is 0 and the left derivative is 1.", derivatives)


def test_a_negated_clause_about_the_claims_subject_negates_it() -> None:
    from interviewer.grading.guards import negates_claim

    detected = "It is detected by comparing feature and prediction distributions between training and serving logs."
    # a pronoun subject, few of a long claim's words but most of the clause's own
    assert negates_claim("It cannot be detected by comparing feature distributions, so users notice.", detected)
    assert not negates_claim("It is detected by comparing feature distributions.", detected)
    assert negates_claim("The noise does not act as a regularizer.", "The noise acts as a regularizer.")
    # a contrast with another term, and a negated claim, are not seen as negating
    assert not negates_claim("More data reduces variance, not bias.", "More data reduces variance.")
    assert not negates_claim("Dropout is applied at training time.", "Dropout is not applied at inference time.")
    # "without" qualifies more often than it denies
    assert not negates_claim(
        "L2 shrinks the weights toward zero without making them exactly zero.",
        "L2 shrinks the weights toward zero but rarely makes them exactly zero.",
    )
    # a negation about something else in the same clause
    assert not negates_claim("It does not matter which optimiser you use.", detected)
