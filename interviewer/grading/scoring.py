"""The scoring math: from similarities to per-key-point coverage and a 0-10 score.

The constants are few and global; docs/grading.md says how each was chosen. In short:
- SIMILARITY_FLOOR is the chance level: the median similarity between answers and the key points
  of *other* questions (0.13-0.14 on Mohler, no labels used); SIMILARITY_FULL is paraphrase level
  for all-MiniLM-L6-v2. A similarity maps linearly from floor (nothing) to full (everything).
- A key point's coverage averages two views with equal weight: token alignment (each content token
  of the key point finds its best-matching answer token, BERTScore-style recall) and the best
  whole-span similarity. Words the question already contains are demoted (ignored) on both sides.
- A key point's own floor is raised to what an answer stating only the question's *other* key points
  already reaches (their mean similarity to it), at most halfway to SIMILARITY_FULL: talking around
  a topic does not cover each of its points.
- A key point's credit follows its verdict: coverage maps piecewise linearly so that a missed point
  earns 0-1/4, a partial one 1/4-3/4 and a covered one 3/4-1 (each verdict's credit 0, 1/2, 1, give or
  take half the step to the next), so the score can be read off the displayed verdicts.
- The score is 80 % weighted key-point credit and 20 % whole-answer similarity to the reference.
  The reference term is capped at the weighted share of key points judged covered or partial: it
  refines the grade of what the answer covers, it never lifts an answer that states few points.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from interviewer.bank.models import QuestionGrading
from interviewer.grading.result import Verdict
from interviewer.grading.text import STOPWORDS, stem, words

SIMILARITY_FLOOR = 0.15
SIMILARITY_FULL = 0.70
TOKEN_VIEW_WEIGHT = 0.5
COVERAGE_WEIGHT = 0.8
REFERENCE_WEIGHT = 1.0 - COVERAGE_WEIGHT
COVERED_AT = 0.6
PARTIAL_AT = 0.3
NEGATION_PENALTY = 0.5
CONTRADICTION_PENALTY = 1.5
"""A contradicted key point costs one and a half key points' credit: stating the opposite is worse than not
saying it (with 1.0, fluent contradictions caught on 79 % of the development answers still averaged 3.23/10
against a strict 0.36; 1.5 gives 2.76 with the same Pearson r, docs/grading.md)."""
VERDICT_CREDIT: dict[str, float] = {
    "covered": 1.0,
    "partial": 0.5,
    "missed": 0.0,
    "contradicted": -CONTRADICTION_PENALTY,
}  # also the LLM graders' credit
# coverage at the verdict thresholds maps to the midpoints between adjacent verdict credits
_CREDIT_COVERAGE = (0.0, PARTIAL_AT, COVERED_AT, 1.0)
_CREDIT_VALUE = (
    VERDICT_CREDIT["missed"],
    (VERDICT_CREDIT["missed"] + VERDICT_CREDIT["partial"]) / 2,
    (VERDICT_CREDIT["partial"] + VERDICT_CREDIT["covered"]) / 2,
    VERDICT_CREDIT["covered"],
)
SIBLING_FLOOR_CAP = (SIMILARITY_FLOOR + SIMILARITY_FULL) / 2  # a floor rises at most halfway to paraphrase level
SiblingFloors = Literal["written", "all", "none"]
"""Which key points get sibling floors (`uses_sibling_floors`)."""

_PLAIN_WORD = re.compile(r"[a-z0-9]+")
_CONTRACTION_STUBS = frozenset(
    "doesn isn aren don didn wasn weren won wouldn shouldn couldn hasn haven hadn ll ve re".split()
)


@dataclass(frozen=True)
class ScoringOptions:
    """Which signals the grader uses; the defaults are the product, the rest exist for the ablation."""

    token_view: bool = True
    span_view: bool = True
    demote_question: bool = True
    reference_weight: float = REFERENCE_WEIGHT
    guards: bool = True
    sibling_floors: SiblingFloors = "written"
    """Which key points get sibling floors: written ones (the product), also those cut from a reference answer
    (shipped until Mohler showed they cost 0.022 of Pearson r there), or none."""
    reference_cap: bool = True
    verdict_credit: bool = True
    judge: bool = True
    """Let the key-point judge decide verdicts (when its weights and model are available)."""


DEFAULT_OPTIONS = ScoringOptions()


def scaled(similarity: float | np.ndarray, floor: float | None = None) -> float | np.ndarray:
    """Map a cosine similarity to 0..1 between the chance level (`floor`, default the global one) and
    paraphrase level."""
    low = SIMILARITY_FLOOR if floor is None else floor
    return np.clip((np.asarray(similarity) - low) / (SIMILARITY_FULL - low), 0.0, 1.0)


def uses_sibling_floors(choice: SiblingFloors, grading: QuestionGrading) -> bool:
    """Whether a question's key points get sibling floors. Written key points are distinct statements; key
    points cut from a reference answer (`grading: reference`) are pieces of one explanation that share its
    words, so an answer giving the whole explanation matches each piece through the others, and raised
    floors took back credit it had earned (Mohler 2011: Pearson r 0.608 with them, 0.630 without)."""
    return choice == "all" or (choice == "written" and grading != "reference")


def sibling_floor(similarities_to_siblings: Sequence[float]) -> float:
    """A key point's own chance level: how much an answer that states only the question's *other*
    key points already matches it (their mean similarity), between the global floor and SIBLING_FLOOR_CAP."""
    if not similarities_to_siblings:
        return SIMILARITY_FLOOR
    return float(np.clip(np.mean(similarities_to_siblings), SIMILARITY_FLOOR, SIBLING_FLOOR_CAP))


def demote_question_words(text: str, question_stems: frozenset[str]) -> str:
    """The text without words the question already contains; the text itself if nothing would remain."""
    if not question_stems:
        return text
    kept = [word for word in words(text) if stem(word) not in question_stems]
    return " ".join(kept) if len(kept) >= 1 else text


def content_token_mask(token_words: Sequence[str], question_stems: frozenset[str]) -> np.ndarray:
    """Which tokens carry content: real words, not stopwords, not words the question contains."""
    return np.array(
        [
            bool(_PLAIN_WORD.fullmatch(word))
            and len(word) > 1
            and word not in STOPWORDS
            and word not in _CONTRACTION_STUBS
            and stem(word) not in question_stems
            for word in token_words
        ],
        dtype=bool,
    )


def token_recall(key_point_tokens: np.ndarray, answer_tokens: np.ndarray) -> float:
    """Mean over key-point tokens of the best cosine with any answer token (0 when either side is empty)."""
    if len(key_point_tokens) == 0 or len(answer_tokens) == 0:
        return 0.0
    return float((key_point_tokens @ answer_tokens.T).max(axis=1).mean())


def key_point_coverage(
    span_similarity: float,
    token_similarity: float | None,
    options: ScoringOptions = DEFAULT_OPTIONS,
    floors: tuple[float, float] | None = None,
) -> float:
    """Coverage 0..1 of one key point from its two views (span only when tokens are unavailable).

    `floors` are the key point's own (span, token) chance levels (see `uses_sibling_floors`).
    """
    span_floor, token_floor = floors if floors is not None else (None, None)
    if token_similarity is None or not options.token_view:
        return float(scaled(span_similarity, span_floor))
    if not options.span_view:
        return float(scaled(token_similarity, token_floor))
    return float(
        TOKEN_VIEW_WEIGHT * scaled(token_similarity, token_floor)
        + (1 - TOKEN_VIEW_WEIGHT) * scaled(span_similarity, span_floor)
    )


def verdict_for(coverage: float) -> Verdict:
    """covered / partial / missed from a key point's coverage."""
    if coverage >= COVERED_AT:
        return "covered"
    if coverage >= PARTIAL_AT:
        return "partial"
    return "missed"


def key_point_credit(coverages: Sequence[float] | np.ndarray) -> np.ndarray:
    """What each key point adds to the score: within a quarter of its verdict's credit, rising with coverage."""
    return np.asarray(np.interp(np.asarray(coverages, dtype=float), _CREDIT_COVERAGE, _CREDIT_VALUE))


def combined_score(
    coverages: Sequence[float] | np.ndarray,
    weights: Sequence[float],
    reference_similarity: float,
    reference_weight: float = REFERENCE_WEIGHT,
    reference_cap: bool = True,
    verdict_credit: bool = True,
    credit: np.ndarray | None = None,
) -> float:
    """0-10: weighted key-point credit plus whole-answer similarity to the reference.

    With `verdict_credit` each coverage counts as `key_point_credit` (else as it is); `credit`, when
    given, is each key point's credit already decided (the judge's, negative for a contradiction).
    With `reference_cap` the reference term is at most the weighted share of key points that are
    covered or partial, so similarity to the reference never credits points the verdicts call missed.
    """
    total_weight = float(sum(weights)) or 1.0
    if credit is not None:
        credits = np.asarray(credit, dtype=float)
    else:
        credits = key_point_credit(coverages) if verdict_credit else np.asarray(coverages, dtype=float)
    coverage = float(np.dot(credits, weights)) / total_weight
    reference = float(scaled(reference_similarity))
    if reference_cap:
        reached = np.asarray(coverages, dtype=float) >= PARTIAL_AT
        reference = min(reference, float(np.dot(reached, weights)) / total_weight)
    return 10.0 * ((1 - reference_weight) * coverage + reference_weight * reference)
