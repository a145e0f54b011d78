"""Cheap checks that keep a bad answer from scoring well; each becomes a Flag with its reason.

The text checks here need no model; the off-topic check compares similarities the grader computed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from interviewer.grading.result import Flag, FlagCode
from interviewer.grading.text import NEGATIONS, STOPWORDS, content_stems, sentences, stem, words

MIN_ANSWER_WORDS = 3
STUFFING_MIN_WORDS = 6
STUFFING_MAX_FUNCTION_SHARE = 0.12
STUFFING_MIN_REPEAT_SHARE = 0.5
PARROT_MIN_NEW_CONTENT_WORDS = 3
PARROT_MAX_OWN_SHARE = 0.4
NEGATION_SCOPE = 4

_GRADER_DIRECTED = re.compile(
    r"""
    \b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,40}\b(?:instructions?|prompts?|rules?|rubric|guidelines)\b
    | \b(?:give|grade|score|rate|mark|award|assign)\b[^.!?\n]{0,30}\b(?:10|ten|100|full|maximum|max|perfect|top|highest)\b
      [^.!?\n]{0,15}\b(?:/\s*10|out\s+of|points?|marks?|scores?|grade|credit)?
    | \b\d{1,3}\s*/\s*10\b
    | \bfull\s+(?:marks|credit|points|score)\b
    | \b(?:you\s+are|act\s+as|as)\s+(?:an?\s+)?(?:ai|language\s+model|grader|assistant|evaluator|examiner)\b
    | \b(?:system\s+prompt|new\s+instructions?|grading\s+instructions?)\b
    | \b(?:dear|note\s+to\s+(?:the\s+)?)\s*(?:grader|examiner|evaluator|reviewer)\b
    | \bthis\s+answer\s+(?:is|deserves)\s+(?:perfect|correct|excellent|a\s+10)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
_VOWEL = re.compile(r"[aeiouy]")
_CONSONANT_RUN = re.compile(r"[bcdfghjklmnpqrstvwxz]{5,}")
_REPEATED_CHAR = re.compile(r"(.)\1{3,}")


def flag(code: FlagCode, message: str) -> Flag:
    return Flag(code=code, message=message)


def split_grader_directed(answer: str) -> tuple[str, list[str]]:
    """(the answer without sentences addressed to the grader, those sentences)."""
    kept: list[str] = []
    removed: list[str] = []
    for sentence in sentences(answer):
        (removed if _GRADER_DIRECTED.search(sentence) else kept).append(sentence)
    if not removed:
        return answer, []
    return "\n".join(kept), removed


def is_empty(answer: str) -> bool:
    return len(words(answer)) < MIN_ANSWER_WORDS


def _looks_like_word(word: str) -> bool:
    if word.isdigit() or len(word) <= 3:
        return True
    return bool(_VOWEL.search(word)) and not _CONSONANT_RUN.search(word) and not _REPEATED_CHAR.search(word)


def gibberish_share(answer: str) -> float:
    """Share of the answer's words that do not look like words (no vowels, long consonant runs, aaaa)."""
    answer_words = [word for word in words(answer) if word.isalpha()]
    if not answer_words:
        return 1.0 if answer.strip() else 0.0
    return sum(not _looks_like_word(word) for word in answer_words) / len(answer_words)


def is_keyword_stuffing(answer: str) -> bool:
    """Terms without sentences: almost no function words, or the same terms repeated over and over."""
    answer_words = words(answer)
    if len(answer_words) < STUFFING_MIN_WORDS:
        return False
    function_share = sum(word in STOPWORDS for word in answer_words) / len(answer_words)
    stems = content_stems(answer)
    repeat_share = 1 - len(set(stems)) / len(stems) if stems else 0.0
    return function_share < STUFFING_MAX_FUNCTION_SHARE or repeat_share >= STUFFING_MIN_REPEAT_SHARE


def new_content_stems(answer: str, question: str) -> list[str]:
    """Content words of the answer that the question does not already contain."""
    question_stems = set(content_stems(question))
    return [stem for stem in content_stems(answer) if stem not in question_stems]


def is_parroted(answer: str, question: str) -> bool:
    """The answer mostly repeats the question: most content words from it, fewer than three of its own."""
    stems = set(content_stems(answer))
    own = set(new_content_stems(answer, question))
    if not stems:
        return True
    return len(own) < PARROT_MIN_NEW_CONTENT_WORDS and len(own) / len(stems) <= PARROT_MAX_OWN_SHARE


def has_negation(text: str) -> bool:
    return any(word in NEGATIONS for word in words(text))


def negates_claim(evidence: str, claim: str) -> bool:
    """The evidence negates a content word of a claim that is itself not negated ("ReLU does *not* ...").

    Cheap and one-directional: a negation word up to NEGATION_SCOPE words before a content word the
    claim contains. Paraphrases that change polarity ("does not saturate" / "stays linear") are not seen.
    """
    if has_negation(claim):
        return False
    claim_stems = set(content_stems(claim))
    evidence_words = words(evidence)
    for index, word in enumerate(evidence_words):
        if word in NEGATIONS:
            scope = evidence_words[index + 1 : index + 1 + NEGATION_SCOPE]
            if any(stem(candidate) in claim_stems for candidate in scope if candidate not in STOPWORDS):
                return True
    return False


@dataclass(frozen=True)
class OffTopicCheck:
    """Similarities the off-topic guard compares."""

    own_similarity: float
    best_other_similarity: float | None
    best_other_id: str | None
    coverage: float


OFF_TOPIC_MAX_OWN = 0.2
OFF_TOPIC_MARGIN = 0.1
OFF_TOPIC_MAX_COVERAGE = 0.25


def off_topic_reason(check: OffTopicCheck) -> str | None:
    """Why the answer looks off-topic, or None: it covers little and matches another question, or nothing."""
    if check.coverage >= OFF_TOPIC_MAX_COVERAGE:
        return None
    if check.best_other_similarity is not None and check.best_other_similarity > check.own_similarity + OFF_TOPIC_MARGIN:
        return (
            f"the answer is closer to question {check.best_other_id} ({check.best_other_similarity:.2f}) "
            f"than to this one ({check.own_similarity:.2f})"
        )
    if check.own_similarity < OFF_TOPIC_MAX_OWN:
        return f"the answer is unrelated to the question (similarity {check.own_similarity:.2f})"
    return None
