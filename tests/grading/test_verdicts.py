"""Verdicts from the key-point judge's probabilities (pure: no model)."""

from __future__ import annotations

import numpy as np

from interviewer.grading import verdicts
from interviewer.grading.verdicts import (
    ClaimJudgement,
    KnownWrongReading,
    SpanJudgement,
    decide,
    distinct_evidence,
    stated_misconception,
)


def test_a_span_that_contradicts_and_nothing_that_entails_is_a_contradiction() -> None:
    decision = decide([SpanJudgement(0, 0.05, 0.9, 40), SpanJudgement(1, 0.1, 0.2, 30)], 0.8, 0)
    assert decision.verdict == "contradicted" and decision.span == 0
    assert decision.confidence == 0.9


def test_an_entailing_span_elsewhere_blocks_a_contradiction() -> None:
    decision = decide([SpanJudgement(0, 0.05, 0.9, 40), SpanJudgement(1, 0.95, 0.01, 30)], 0.8, 0)
    assert decision.verdict == "covered" and decision.span == 1


def test_evidence_is_the_smallest_span_that_entails_about_as_well() -> None:
    spans = [
        SpanJudgement(0, 0.97, 0.0, 120, similarity=0.6),
        SpanJudgement(1, 0.92, 0.0, 35, similarity=0.6),
        SpanJudgement(2, 0.5, 0.0, 20, similarity=0.6),
    ]
    assert decide(spans, 0.7, 0).span == 1


def test_evidence_reads_like_the_key_point_not_only_to_the_judge() -> None:
    """A few words cut from a sentence ("The twist over plain bagging") can read as entailing to the judge; the
    sentence that says the key point in other words is the better quote."""
    fragment = SpanJudgement(0, 0.96, 0.0, 28, similarity=0.25)
    sentence = SpanJudgement(1, 0.45, 0.0, 70, similarity=0.62)
    assert decide([fragment, sentence], 0.7, 0).span == 1


def test_the_judge_moves_verdicts_against_the_embedding_similarity() -> None:
    neutral = [SpanJudgement(0, 0.02, 0.03, 30)]
    assert decide(neutral, 0.7, 0).verdict != "covered"  # similar words, no such claim
    assert decide(neutral, 0.4, 0).verdict == "missed"
    terse = [SpanJudgement(0, 0.96, 0.0, 10)]
    assert decide(terse, 0.1, 0).verdict != "missed"  # few shared words, the same claim
    assert decide(terse, 0.45, 0).verdict == "covered"


def test_a_misconception_naming_the_key_point_contradicts_it() -> None:
    decision = decide([SpanJudgement(0, 0.1, 0.2, 30)], 0.5, 0, contradicted_by_misconception=(0, 0.8))
    assert decision.verdict == "contradicted"


def test_a_contradiction_costs_more_than_silence() -> None:
    silent = decide([SpanJudgement(0, 0.0, 0.0, 10)], 0.0, 0)
    wrong = decide([SpanJudgement(0, 0.0, 0.95, 10)], 0.0, 0)
    credit = verdicts.credits([silent, wrong])
    assert credit[0] == 0.0 and credit[1] < 0.0
    assert np.isclose(credit[1], -verdicts.DEFAULT_RULES.contradiction_penalty)


def test_a_contradiction_must_sit_in_one_sentence() -> None:
    joined = [SpanJudgement(0, 0.1, 0.9, 80, joined=True), SpanJudgement(1, 0.1, 0.2, 40)]
    assert decide(joined, 0.5, 0).verdict != "contradicted"


def test_a_misconception_is_stated_only_where_the_claim_beats_the_key_point_it_corrects() -> None:
    """A correct sentence shares the claim's words: the claim must be entailed clearly more than the key point."""
    correct_sentence = ClaimJudgement(0, claim_entailed=0.75, key_point_entailed=0.7, key_point_contradicted=0.1)
    wrong_sentence = ClaimJudgement(1, claim_entailed=0.7, key_point_entailed=0.1, key_point_contradicted=0.6)
    assert stated_misconception([ClaimJudgement(1, 0.9, 0.1, key_point_contradicted=0.1)]) is None
    assert stated_misconception([correct_sentence]) is None
    assert stated_misconception([correct_sentence, wrong_sentence]) == wrong_sentence


def test_a_misconception_must_sit_in_one_sentence_and_name_a_key_point() -> None:
    assert stated_misconception([ClaimJudgement(0, 0.9, 0.0, 0.9, joined=True)]) is None
    assert stated_misconception([ClaimJudgement(0, 0.99, None)]) is None


def test_a_clause_contradicts_only_where_its_whole_sentence_does() -> None:
    """'so the early layers get vanishing gradients' alone can read as a contradiction its sentence does not make."""
    lifted = SpanJudgement(0, 0.2, 0.8, 40, sentence_contradicted=0.1)
    assert decide([lifted], 0.5, 0).verdict != "contradicted"
    meant = SpanJudgement(0, 0.05, 0.8, 40, sentence_contradicted=0.7)
    decision = decide([meant], 0.5, 0)
    assert decision.verdict == "contradicted" and decision.confidence == 0.7


def test_a_sentence_closer_to_a_known_wrong_statement_contradicts_when_the_judge_agrees() -> None:
    """Known wrong statements (known_statements.py): margin, likeness, the sentence's own lean and the judge's
    reading must all agree."""
    rules = verdicts.DEFAULT_RULES
    neutral = [SpanJudgement(0, 0.2, 0.2, 30), SpanJudgement(1, 0.1, 0.05, 30)]

    def reading(
        margin: float = 0.2, contradicted: float = 0.2, similarity: float = 0.8, sentence_margin: float = 0.0
    ) -> KnownWrongReading:
        return KnownWrongReading(1, margin, sentence_margin, contradicted=contradicted, similarity=similarity)

    decision = decide(neutral, 0.7, 0, known_wrong=[reading()])
    assert decision.verdict == "contradicted" and decision.span == 1
    for weaker in (
        reading(margin=rules.known_wrong_margin / 2),
        reading(contradicted=rules.known_wrong_contradicted_at / 2),
        reading(similarity=rules.known_wrong_similar_at - 0.1),
        reading(sentence_margin=rules.known_wrong_sentence_lean - 0.01),  # the sentence leans to a right statement
    ):
        assert decide(neutral, 0.7, 0, known_wrong=[weaker]).verdict != "contradicted"


def test_one_wrong_sentence_in_a_right_answer_contradicts_on_a_stronger_reading() -> None:
    """The rest of the answer matches the right statements (no answer-wide margin): the sentence's own margin
    counts, and the judge must read it as a contradiction at the higher threshold."""
    rules = verdicts.DEFAULT_RULES
    entailed_elsewhere = [
        SpanJudgement(0, 0.8, 0.0, 30),
        SpanJudgement(1, 0.1, 0.2, 30),
        SpanJudgement(2, 0.1, 0.2, 30),
    ]

    def reading(
        sentence_margin: float, contradicted: float, similarity: float = 0.8, span: int = 1
    ) -> KnownWrongReading:
        return KnownWrongReading(span, None, sentence_margin, contradicted, similarity)

    strong = reading(rules.known_wrong_sentence_margin, rules.known_wrong_sentence_contradicted_at)
    decision = decide(entailed_elsewhere, 0.9, 0, known_wrong=[strong])
    assert decision.verdict == "contradicted" and decision.span == 1
    assert decision.confidence == rules.known_wrong_sentence_contradicted_at
    stronger = reading(0.2, 0.9, span=2)
    assert decide(entailed_elsewhere, 0.9, 0, known_wrong=[strong, stronger]).span == 2  # the strongest reading
    for weaker in (
        reading(0.3, rules.known_wrong_sentence_contradicted_at - 0.05),
        reading(rules.known_wrong_sentence_margin - 0.05, 0.9),
        reading(0.3, 0.9, similarity=rules.known_wrong_similar_at - 0.05),
    ):
        assert decide(entailed_elsewhere, 0.9, 0, known_wrong=[weaker]).verdict == "covered"


def test_only_the_closest_sentence_is_compared_with_the_whole_answer() -> None:
    """A sentence other than the closest has no answer-wide margin: the weak agreement of that route is not
    enough for it, only the per-sentence route's."""
    rules = verdicts.DEFAULT_RULES
    neutral = [SpanJudgement(0, 0.2, 0.2, 30), SpanJudgement(1, 0.1, 0.05, 30)]
    weak = rules.known_wrong_contradicted_at + 0.05
    closest = KnownWrongReading(1, 0.3, 0.0, weak, 0.8)
    other = KnownWrongReading(1, None, 0.0, weak, 0.8)
    assert decide(neutral, 0.7, 0, known_wrong=[closest]).verdict == "contradicted"
    assert decide(neutral, 0.7, 0, known_wrong=[other]).verdict != "contradicted"


def test_a_span_in_the_key_points_own_words_never_contradicts_it() -> None:
    """The judge reads near-copies of a key point as contradicting it (negated key points one time in two):
    a restating span's contradiction reading, and its likeness to a known wrong statement, do not count."""
    restating = SpanJudgement(0, 0.2, 0.6, 40, restates=True)
    assert decide([restating], 0.7, 0).verdict != "contradicted"
    assert decide([SpanJudgement(0, 0.2, 0.6, 40)], 0.7, 0).verdict == "contradicted"
    wrong_like = KnownWrongReading(0, 0.2, sentence_margin=0.1, contradicted=0.5, similarity=0.9, restates=True)
    assert decide([restating], 0.7, 0, known_wrong=[wrong_like]).verdict != "contradicted"


def test_with_known_statements_the_judges_reading_alone_does_not_contradict() -> None:
    """On answers written by others than the project the judge's reading alone flagged correct answers about as
    often as wrong ones; a key point with known statements is contradicted by them, a stated misconception or
    a denial, and one without (a bank of your own) still by the judge's reading."""
    reading = SpanJudgement(0, 0.2, 0.6, 40)
    assert decide([reading], 0.7, 0).verdict == "contradicted"
    assert decide([reading], 0.7, 0, known_statements=True).verdict != "contradicted"
    assert decide([reading], 0.7, 0, denied_in=0, known_statements=True).verdict == "contradicted"
    stated = decide([reading], 0.7, 0, contradicted_by_misconception=(0, 0.8), known_statements=True)
    assert (stated.verdict, stated.span) == ("contradicted", 0)
    wrong = KnownWrongReading(0, 0.2, sentence_margin=0.1, contradicted=0.5, similarity=0.9)
    assert decide([reading], 0.7, 0, known_wrong=[wrong], known_statements=True).verdict == "contradicted"


def test_a_sentence_that_leans_to_a_known_wrong_statement_earns_no_credit() -> None:
    """The sentence that would be quoted as covering a key point is more like one of its known wrong statements
    than like any right one, and the judge reads it as contradicting a little: the key point is missed, not
    covered with a wrong claim as its evidence. A clause counts by its sentence; a restatement never leans."""
    rules = verdicts.DEFAULT_RULES
    covering = [SpanJudgement(0, 0.9, 0.0, 40, similarity=0.7), SpanJudgement(1, 0.2, 0.0, 40, similarity=0.3)]
    assert decide(covering, 0.8, 0).verdict == "covered"

    def reading(
        span: int = 0, lean: float = rules.known_wrong_credit_lean, contradicted: float = 0.2, restates: bool = False
    ) -> KnownWrongReading:
        return KnownWrongReading(span, None, lean, contradicted, similarity=0.75, restates=restates)

    missed = decide(covering, 0.8, 0, known_wrong=[reading()])
    assert (missed.verdict, missed.coverage, missed.span) == ("missed", 0.0, None)
    assert decide(covering, 0.8, 0, known_wrong=[reading()], known_statements=True).verdict == "missed"
    for not_leaning in (
        reading(lean=rules.known_wrong_credit_lean - 0.01),  # as close to a right statement
        reading(contradicted=rules.known_wrong_contradicted_at - 0.05),  # the judge does not agree at all
        reading(restates=True),  # the key point (or a sibling) in its own words
        reading(span=1),  # another sentence than the evidence
    ):
        assert decide(covering, 0.8, 0, known_wrong=[not_leaning]).verdict == "covered"
    clause = [SpanJudgement(2, 0.9, 0.0, 20, similarity=0.7)]
    assert decide(clause, 0.8, 2, known_wrong=[reading(span=0)]).verdict == "covered"
    assert decide(clause, 0.8, 2, known_wrong=[reading(span=0)], sentence_of={2: 0}).verdict == "missed"


def test_a_sentence_with_the_words_that_make_a_statement_wrong_earns_no_credit() -> None:
    """As close to a right statement as to the wrong one by cosine, but using the words only the wrong statement
    has (its word contrast): no credit either, with the judge's same small agreement, and no flag."""
    rules = verdicts.DEFAULT_RULES
    covering = [SpanJudgement(0, 0.9, 0.0, 40, similarity=0.7)]

    def reading(contrast: float, contradicted: float = 0.2) -> KnownWrongReading:
        return KnownWrongReading(0, None, 0.0, contradicted, similarity=0.75, word_contrast=contrast)

    assert decide(covering, 0.8, 0, known_wrong=[reading(rules.known_wrong_word_contrast)]).verdict == "missed"
    assert decide(covering, 0.8, 0, known_wrong=[reading(rules.known_wrong_word_contrast - 0.01)]).verdict == "covered"
    judge_disagrees = reading(1.0, contradicted=rules.known_wrong_contradicted_at - 0.05)
    assert decide(covering, 0.8, 0, known_wrong=[judge_disagrees]).verdict == "covered"
    strong = reading(1.0, contradicted=0.9)  # the word contrast alone never makes a contradiction
    assert decide(covering, 0.8, 0, known_wrong=[strong], known_statements=True).verdict == "missed"


def test_a_span_negating_the_key_point_contradicts_it_unless_another_entails_it() -> None:
    """The judge cannot tell a claim from its negation; a clause that negates the key point about its own subject
    (`guards.negates_claim`) contradicts it, whatever the judge reads, when no span entails it."""
    neutral = SpanJudgement(0, 0.1, 0.1, 40)
    decision = decide([neutral], 0.6, 0, denied_in=3)
    assert (decision.verdict, decision.span) == ("contradicted", 3)
    assert decide([SpanJudgement(0, 0.8, 0.1, 40)], 0.6, 0, denied_in=3).verdict != "contradicted"
    assert decide([neutral], 0.6, 0).verdict != "contradicted"


def test_key_points_that_would_quote_one_span_take_turns() -> None:
    """The key point read as most entailed keeps the shared sentence; the other quotes its next close span; one
    with no other close span keeps the shared one; a contradiction keeps its span and is quoted by no other."""
    shared = SpanJudgement(0, 0.9, 0.0, 60, similarity=0.6)
    first = [shared, SpanJudgement(1, 0.2, 0.0, 30, similarity=0.3)]
    second = [
        SpanJudgement(0, 0.7, 0.0, 60, similarity=0.6),
        SpanJudgement(2, 0.65, 0.0, 40, similarity=0.6),
    ]
    alone = [SpanJudgement(0, 0.5, 0.0, 60, similarity=0.5)]
    against = [SpanJudgement(3, 0.05, 0.9, 30, similarity=0.5)]
    readings = [first, second, alone, against]
    decisions = [decide(spans, 0.7, 0) for spans in readings]
    assert [decision.span for decision in decisions] == [0, 2, 0, 3]  # smallest close span: 2 for the second
    second[1] = SpanJudgement(2, 0.65, 0.0, 80, similarity=0.6)  # now the shared sentence is its first choice
    decisions = [decide(spans, 0.7, 0) for spans in readings]
    assert [decision.span for decision in decisions] == [0, 0, 0, 3]
    assert [decision.span for decision in distinct_evidence(decisions, readings)] == [0, 2, 0, 3]
    assert decisions[3].verdict == "contradicted"
