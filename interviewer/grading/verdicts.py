"""From the key-point judge's probabilities and the embedding evidence to a verdict, its credit and its evidence.

Pure numpy, no model: the grader collects, for every key point, the judge's probabilities on a few
candidate spans (the spans most similar to the key point and its alternatives), and this module
decides:

- **contradicted** when some sentence contradicts the key point (probability >= `contradicted_at`; a
  clause counts only as far as its whole sentence agrees, a span across two sentences not at all) and
  no span clearly entails it; the evidence is that span. Only for a key point *without* known statements
  (a bank of your own, rows that bring their own key points): on answers written by others than the
  project, the judge's reading alone flagged correct answers about as often as wrong ones, so where known
  statements exist a contradiction needs them (or a stated misconception, or a denial; docs/grading.md);
- **contradicted** too when the sentence of the answer most like a *known wrong statement* of the key point
  (written for the shipped key points, `known_statements.py`) is like it (cosine >= `known_wrong_similar_at`),
  the answer's closest known wrong statement beats its closest right one (the key point, its alternatives
  and its written paraphrases) by `known_wrong_margin`, the sentence itself is no closer to one of its own
  right statements (`known_wrong_sentence_lean`), and the judge's contradiction reading of that
  sentence is at least `known_wrong_contradicted_at`: the judge alone reads a fluent wrong sentence as
  neutral too often, and the embeddings alone cannot tell "not" from its absence, but together they can;
- **contradicted** also when any one sentence is like a known wrong statement and closer to it than to its
  own closest right statement (the reference's sentences included) by `known_wrong_sentence_margin`, and
  the judge reads it as contradicting the key point at `known_wrong_sentence_contradicted_at`: in an answer
  right but for one sentence the other sentences match the right statements, so the answer-wide margin
  misses it, and one sentence is weaker evidence than a whole answer, so the judge must agree more;
- **contradicted** also when a sentence or clause *denies* the key point in its words (`denied_in`): it
  negates it about the same subject (`guards.negates_claim`: "it cannot be detected by comparing
  distributions") or says it with two terms exchanged (`guards.swaps_terms`: "L1 ... Gaussian, L2 ...
  Laplace"), and no span entails the key point; the judge cannot tell these from the key point itself, the
  words can;
- never **contradicted** by a span that restates a key point of the question (this one, a sibling, or an
  alternative) in its own words (`guards.restates`): by the rubric such a span is right, and the judge reads
  near-copies of rubric text as contradictions too often to be trusted there; a span restating the key point
  itself entails it (probability 1, set by the grader);
- otherwise covered / partial / missed from a mix of the judge's best entailment probability and
  the embedding coverage (`judge_share` of the judge), with the same thresholds as the embedding
  grader, so the credit keeps following the verdict; the evidence is the *smallest* candidate span whose
  support is within `EVIDENCE_MARGIN` of the best one, support mixing the judge's entailment and the span's
  similarity with the key point in the same shares (the judge alone reads a few words cut from a sentence,
  "The twist over plain bagging", as entailing a key point, and such a quote shows the candidate nothing);
- but **missed**, not covered or partial, when that evidence sits in a sentence that leans to a known wrong
  statement of the key point (`leans_wrong`: closer to it than to the fact by cosine, or, for the answer's sentence
  most like one, using the few words that make the mistake a mistake): the answer's attempt at the key point reads
  more like a known mistake than like the fact, so it earns no credit and is not quoted as support.

A misconception is stated when one sentence entails its claim (probability >= `misconception_at`),
*more* than it entails the key point the misconception corrects (by `misconception_margin`), and the
same sentence reads as contradicting that key point: a correct sentence shares the claim's words, and
on the development answer sets the claim reading alone fired on 10 of 108 correct answers and on 0 of
36 contradictions. A stated misconception contradicts the key point it names, and its flag gives the
correction; one that names no key point, or whose key point the answer also entails, is not reported
(on the same sets such readings were false alarms).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from interviewer.grading import scoring
from interviewer.grading.result import Verdict

EVIDENCE_MARGIN = 0.05
"""How much less support than the best span the quoted (smaller) span may have."""


@dataclass(frozen=True)
class VerdictRules:
    """The judge's thresholds; the defaults are the product, docs/grading.md says how they were chosen."""

    contradicted_at: float = 0.35
    entailed_blocks_contradiction: float = 0.3
    misconception_at: float = 0.6
    misconception_margin: float = 0.25
    """The claim must be entailed by this much more than the key point it corrects, on the same sentence."""
    judge_share: float = 0.35
    """The judge's entailment's share of the coverage credit follows (the rest is the embedding coverage). The
    judge under-states entailment (recall 0.5 on held-out pairs), so an even mix cost correct paraphrases
    credit; with contradictions caught by known wrong statements, 0.35 gave paraphrases 7.18 -> 7.66 and
    Pearson 0.658 -> 0.676 on the answer sets (0.25: 7.90 and 0.672, terse answers 5.14 -> 4.61)."""
    contradiction_penalty: float = scoring.CONTRADICTION_PENALTY
    """A contradicted key point's credit is minus this (a wrong claim costs more than silence)."""
    known_wrong_margin: float = 0.1
    """A key point is contradicted when the answer's closest known statement of it is a wrong one, closer than
    any right one by this much cosine (`known_statements.py`), the sentence is like that wrong statement
    (`known_wrong_similar_at`) and the judge reads it as contradicting the key point at
    `known_wrong_contradicted_at` or more (docs/grading.md: how the three were chosen)."""
    known_wrong_contradicted_at: float = 0.1
    known_wrong_similar_at: float = 0.6
    known_wrong_sentence_margin: float = 0.05
    """A key point is contradicted, too, when one sentence is like a known wrong statement
    (`known_wrong_similar_at`), closer to it than to each right statement by this much, and the judge reads it
    as contradicting the key point at `known_wrong_sentence_contradicted_at`: an answer right but for one
    sentence matches the right statements elsewhere, so the answer-wide margin misses it; the stronger
    reading asked of the judge keeps correct answers from paying for it (docs/grading.md)."""
    known_wrong_sentence_contradicted_at: float = 0.3
    known_wrong_sentence_lean: float = 0.0
    """The answer-wide route also asks its sentence to be closer, by this much, to the wrong statement than to its
    own closest right statement (the reference's sentences included): without it a sentence as close to a right
    statement as to a wrong one was flagged because *other* sentences of the answer were far from every right
    statement; on both answer sets those flags were on correct answers, references or the wrong key point
    (docs/grading.md, "An independent answer set")."""
    known_wrong_credit_lean: float = 0.05
    """A sentence like a known wrong statement of a key point (`known_wrong_similar_at`), closer to it than to its own
    closest right statement by this much, and read by the judge as contradicting the key point at
    `known_wrong_contradicted_at`, earns that key point no credit. When it is what would be quoted as the
    evidence, the key point is missed, not covered with a wrong claim as its evidence (such a sentence is the
    answer's attempt at the key point, and it reads more like a known mistake than like the fact). The margin is
    the one-sentence route's (`known_wrong_sentence_margin`); at 0 correct paraphrases lost too much credit
    (docs/grading.md, "no credit from a sentence that leans wrong")."""
    known_wrong_word_contrast: float = 0.34
    """... or, being the answer's sentence most like one (`known_wrong_similar_at`; sentences that lean by cosine are
    read too, but already lean), uses more than a third of the words that make it wrong beyond the share of its
    right twin's words it uses (`KnownWrongReading.word_contrast`): the same no-credit rule for a sentence whose
    cosines cannot tell the statement from its twin. At 0.5 wrong answers kept more credit, at 0.2
    correct paraphrases fell below 7.5 (docs/grading.md, "The words that make a statement wrong")."""
    max_contradicted_per_span: int = 3
    """One sentence states a claim or two: when the judge reads one span as contradicting more key points
    than this, it is reading the span's topic, not its claim, and those readings are dropped (seen: "A ReLU
    unit dies when its input is always negative" read as contradicting six of seven ReLU key points; on the
    answer sets, 3 keeps every caught contradiction, 2 lost 3 of 85)."""

    def mixed(self, entailed: float, embedding: float) -> float:
        """The judge's entailment and an embedding measure in the credit's shares (`judge_share`)."""
        return self.judge_share * entailed + (1 - self.judge_share) * embedding


DEFAULT_RULES = VerdictRules()


@dataclass(frozen=True)
class SpanJudgement:
    """The judge on one candidate span for one key point (best over the key point's phrasings)."""

    span: int
    entailed: float
    contradicted: float
    length: int
    joined: bool = False
    """The span joins two sentences: it may support a key point, but a contradiction must sit in one sentence."""
    sentence_contradicted: float | None = None
    """For a clause: the judge's contradiction reading of its whole sentence (a clause alone loses its context)."""
    restates: bool = False
    """The span says a key point of the question (or an alternative) in its own words (`guards.restates`): by the
    rubric it is right, so it contradicts none of the question's key points."""
    similarity: float = 0.0
    """The span's cosine with the key point (its closest phrasing): the evidence must read like the key point too."""

    @property
    def contradiction(self) -> float:
        """The contradiction this span can stand for: none across sentences or from a restatement; a clause's
        only where its sentence agrees."""
        if self.joined or self.restates:
            return 0.0
        if self.sentence_contradicted is None:
            return self.contradicted
        return min(self.contradicted, self.sentence_contradicted)


@dataclass(frozen=True)
class KnownWrongReading:
    """A sentence of an answer like a known wrong statement of a key point."""

    span: int
    margin: float | None
    """Its closest known wrong statement's similarity less the answer's closest right statement's (cosine); only
    for the sentence most like a wrong statement (None for the others)."""
    sentence_margin: float
    """The same, less this sentence's own closest right statement's (the reference's sentences count as right
    statements here)."""
    contradicted: float
    """The judge's contradiction reading of that sentence against the key point."""
    similarity: float
    """Its similarity with the closest known wrong statement (cosine)."""
    restates: bool = False
    """The sentence says a key point of the question (or an alternative) in its own words: it is right by the rubric."""
    word_contrast: float = 0.0
    """How much more the sentence uses the words that make a known wrong statement wrong than those that make its
    right twin right (-1 to 1; `embedding_grader.WordContrast`)."""


@dataclass(frozen=True)
class KeyPointDecision:
    """A key point's verdict, the coverage its credit follows, its evidence span and the confidence."""

    verdict: Verdict
    coverage: float
    span: int | None
    confidence: float
    entailed: float
    contradicted: float


@dataclass(frozen=True)
class ClaimJudgement:
    """The judge on one candidate sentence for one misconception: its claim, and the key point it corrects."""

    span: int
    claim_entailed: float
    key_point_entailed: float | None
    """None when the misconception names no key point."""
    key_point_contradicted: float = 0.0
    joined: bool = False


def stated_misconception(
    judgements: Sequence[ClaimJudgement], rules: VerdictRules = DEFAULT_RULES
) -> ClaimJudgement | None:
    """The sentence that states the misconception, if one does (see the module docstring), else None."""
    stated = [
        judgement
        for judgement in judgements
        if not judgement.joined
        and judgement.key_point_entailed is not None
        and judgement.claim_entailed >= rules.misconception_at
        and judgement.claim_entailed - judgement.key_point_entailed >= rules.misconception_margin
        and judgement.key_point_contradicted >= rules.contradicted_at
    ]
    return max(stated, key=lambda judgement: judgement.claim_entailed, default=None)


def decide(
    judgements: Sequence[SpanJudgement],
    embedding_coverage: float,
    embedding_span: int,
    rules: VerdictRules = DEFAULT_RULES,
    contradicted_by_misconception: tuple[int, float] | None = None,
    known_wrong: Sequence[KnownWrongReading] = (),
    denied_in: int | None = None,
    known_statements: bool = False,
    sentence_of: Mapping[int, int] | None = None,
) -> KeyPointDecision:
    """The verdict of one key point from the judge's view of its candidate spans. With `known_statements` (the
    key point has written right and wrong statements) the judge's contradiction reading alone does not decide.
    `sentence_of` maps a clause span to its whole sentence's span (`known_wrong` readings are whole sentences)."""
    best_entailed = max((judgement.entailed for judgement in judgements), default=0.0)
    contradiction = max(
        (judgement for judgement in judgements if not judgement.joined),
        key=lambda judgement: judgement.contradiction,
        default=None,
    )
    contradicted = contradiction.contradiction if contradiction is not None else 0.0
    contradiction_span = contradiction.span if contradiction is not None else None
    deciding = 0.0 if known_statements else contradicted
    if contradicted_by_misconception is not None and contradicted_by_misconception[1] > deciding:
        contradiction_span, contradicted = contradicted_by_misconception
        deciding = contradicted
    if deciding >= rules.contradicted_at and best_entailed < rules.entailed_blocks_contradiction:
        return KeyPointDecision("contradicted", 0.0, contradiction_span, contradicted, best_entailed, contradicted)
    stating_wrong = [
        reading
        for reading in known_wrong
        if _like_a_wrong_statement(reading, rules)
        and (
            (
                reading.margin is not None
                and reading.margin >= rules.known_wrong_margin
                and reading.sentence_margin >= rules.known_wrong_sentence_lean
                and reading.contradicted >= rules.known_wrong_contradicted_at
            )
            or (
                reading.sentence_margin >= rules.known_wrong_sentence_margin
                and reading.contradicted >= rules.known_wrong_sentence_contradicted_at
            )
        )
    ]
    if denied_in is not None and best_entailed < rules.entailed_blocks_contradiction:
        return KeyPointDecision("contradicted", 0.0, denied_in, 1.0 - best_entailed, best_entailed, contradicted)
    if stating_wrong:
        # that sentence's own reading, not another span's (which may have been blocked by an entailment)
        wrong = max(stating_wrong, key=lambda reading: reading.contradicted)
        return KeyPointDecision("contradicted", 0.0, wrong.span, wrong.contradicted, best_entailed, wrong.contradicted)
    mixed = rules.mixed(best_entailed, embedding_coverage)
    verdict: Verdict = scoring.verdict_for(mixed)
    span: int | None = evidence_spans(judgements, rules)[0] if judgements else embedding_span
    if verdict != "missed" and span is not None and leans_wrong(span, known_wrong, sentence_of or {}, rules):
        verdict, mixed, span = "missed", 0.0, None
    confidence = best_entailed if verdict != "missed" else 1.0 - best_entailed
    return KeyPointDecision(verdict, mixed, span, float(np.clip(confidence, 0.0, 1.0)), best_entailed, contradicted)


def leans_wrong(
    span: int, known_wrong: Sequence[KnownWrongReading], sentence_of: Mapping[int, int], rules: VerdictRules
) -> bool:
    """The span's sentence is like a known wrong statement of the key point, closer to it than to its own closest
    right statement (`known_wrong_credit_lean`) or using the words that make a wrong statement wrong rather than
    its right twin's (`known_wrong_word_contrast`; only sentences `known_wrong` holds are read: the one most like a
    wrong statement, and those that lean by cosine), and the judge reads it as contradicting the key point a little
    (`known_wrong_contradicted_at`): it earns the key point no credit. A restatement of a key point never does."""
    sentence = sentence_of.get(span, span)
    return any(
        reading.span == sentence
        and _like_a_wrong_statement(reading, rules)
        and (
            reading.sentence_margin >= rules.known_wrong_credit_lean
            or reading.word_contrast >= rules.known_wrong_word_contrast
        )
        and reading.contradicted >= rules.known_wrong_contradicted_at
        for reading in known_wrong
    )


def _like_a_wrong_statement(reading: KnownWrongReading, rules: VerdictRules) -> bool:
    """The sentence is like a known wrong statement (`known_wrong_similar_at`) and restates no key point: what every
    use of a known-wrong reading asks first."""
    return not reading.restates and reading.similarity >= rules.known_wrong_similar_at


def evidence_spans(judgements: Sequence[SpanJudgement], rules: VerdictRules = DEFAULT_RULES) -> list[int]:
    """The spans that may be quoted for a credited key point, the preferred first: those whose support (the
    judge's entailment and the span's similarity with the key point, mixed as the credit is) is within
    `EVIDENCE_MARGIN` of the best, the smallest first."""
    support = [rules.mixed(judgement.entailed, judgement.similarity) for judgement in judgements]
    best = max(support)
    close = [judgement for judgement, value in zip(judgements, support, strict=True) if value >= best - EVIDENCE_MARGIN]
    return [
        judgement.span for judgement in sorted(close, key=lambda judgement: (judgement.length, -judgement.entailed))
    ]


def distinct_evidence(
    decisions: Sequence[KeyPointDecision],
    readings: Sequence[Sequence[SpanJudgement]],
    rules: VerdictRules = DEFAULT_RULES,
) -> list[KeyPointDecision]:
    """Credited key points that would quote the same span take turns: the one the judge reads as most entailed
    chooses first, and each takes its first span within the margin (`evidence_spans`) that no contradiction and
    no earlier key point quotes, or its own choice when it has no other (one block quoted for several key points
    shows the candidate nothing about any of them). Contradictions and missed key points keep theirs."""
    used = {decision.span for decision in decisions if decision.verdict == "contradicted"}
    order = sorted(
        (
            index
            for index, decision in enumerate(decisions)
            if decision.verdict in ("covered", "partial") and readings[index]
        ),
        key=lambda index: -decisions[index].entailed,
    )
    distinct = list(decisions)
    for index in order:
        choices = evidence_spans(readings[index], rules)
        span = next((choice for choice in choices if choice not in used), decisions[index].span)
        used.add(span)
        distinct[index] = replace(decisions[index], span=span)
    return distinct


def credits(decisions: Sequence[KeyPointDecision], rules: VerdictRules = DEFAULT_RULES) -> np.ndarray:
    """Credit per key point: the verdict band's credit, and minus the penalty for a contradiction."""
    coverage = np.array([decision.coverage for decision in decisions], dtype=float)
    credit = scoring.key_point_credit(coverage)
    contradicted = np.array([decision.verdict == "contradicted" for decision in decisions])
    credit[contradicted] = -rules.contradiction_penalty
    return credit
