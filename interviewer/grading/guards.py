"""Cheap checks that keep a bad answer from scoring well; each becomes a Flag with its reason.

The text checks here need no model; the off-topic check compares similarities the grader computed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from interviewer.config import LimitSettings
from interviewer.grading.result import Flag, FlagCode
from interviewer.grading.text import NEGATIONS, STOPWORDS, content_stems, sentences, stem, words

MIN_ANSWER_WORDS = 1
MAX_ANSWER_CHARS = LimitSettings().answer_chars
"""Characters of an answer that are graded unless the settings (`limits.answer_chars`) say otherwise."""
NON_ANSWERS = frozenset(
    """idk|i don't know|i dont know|i do not know|don't know|dont know|no idea|i have no idea|not sure|i'm not sure|
    pass|skip|n/a|na|none|nothing|no answer|todo|tbd|test|asdf|blank|i forgot|forgot""".replace("\n", "").split("|")
)
QUANTITY_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten hundred thousand all none both every each once twice "
    "first last never always".split()
)
STUFFING_MIN_WORDS = 6
STUFFING_MIN_RUN = 9
STUFFING_MIN_ITEMS = 6
STUFFING_MAX_FUNCTION_SHARE = 0.15
STUFFING_BARE_FUNCTION_SHARE = 0.1
STUFFING_MIN_REPEAT_SHARE = 0.4
NEGATION_MIN_SHARED = 0.5
NEGATION_MIN_OWN_SHARED = 3
NEGATION_CLAUSE_SHARE = 0.75
PRONOUN_SUBJECTS = frozenset("it they this these those".split())
CLAIM_FLIPS = frozenset("otherwise unless else too off unable impossible fail fails lack lacks".split())
"""Words that give a claim a negative sense of its own: a negation in the evidence may agree with it ("too slow to
score every item" against "cannot score every item")."""
CONTRASTS = frozenset("than instead rather unlike".split())
CONDITIONS = frozenset("with when if for under once after before without".split())
NOT_NEGATING = frozenset({"without"})
"""Negation words that qualify a claim more often than deny it ("shrinks them without making them zero")."""

_GRADER_DIRECTED = re.compile(
    r"""
    \b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,40}\b(?:instructions?|prompts?|rules?|rubric|guidelines)\b
    | \b(?:give|award|assign|grant)\s+(?:this|it|me|my|the|that)\b[^.!?\n]{0,30}
      \b(?:10|ten|100|full|maximum|max|perfect|top|highest)\b
    | \b(?:grade|score|rate|mark)\s+(?:this|it|me|my\s+answer|the\s+answer)\b[^.!?\n]{0,30}
      \b(?:10|ten|100|full|maximum|max|perfect|top|highest|correct)\b
    | \b\d{1,3}\s*/\s*10\b
    | \bfull\s+(?:marks|credit|points|score)\b
    | \b(?:you\s+are|act\s+as|as)\s+(?:an?\s+)?(?:ai|language\s+model|grader|assistant|evaluator|examiner)\b
    | \b(?:system\s+prompt|new\s+instructions?|grading\s+instructions?)\b
    | \b(?:dear|note\s+to\s+(?:the\s+)?)\s*(?:grader|examiner|evaluator|reviewer)\b
    | \bthis\s+answer\s+(?:is|deserves)\s+(?:perfect|correct|excellent|a\s+10)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
_RUN_BREAK = re.compile(r"[.!?;:|(),\n]+")
_LIST_SEPARATOR = re.compile(r"[,;|\n]+")
_CLAUSE_SPLIT = re.compile(r"[.!?;:,\n]+|\b(?:and|but|while|whereas|so)\b")
_CODE = re.compile(r"[{};=<>]|->|::|\w\(")
_LETTERS = re.compile(r"[a-z]+")
_VOWEL = re.compile(r"[aeiouy]")
_CONSONANT_RUN = re.compile(r"[bcdfghjklmnpqrstvwxz]{5,}")
_REPEATED_CHAR = re.compile(r"(.)\1{3,}")


LANGUAGE_MIN_WORDS = 5
LANGUAGE_MIN_LETTERS = 10
"""Shorter answers are not judged for language: too few words (or letters, for scripts without spaces)."""
LANGUAGE_MIN_MARKER_SHARE = 0.12
"""A Latin-script answer is judged not English when at least this share of its words (and two or more) are
common function words of one other language, and more of them than English function words."""
LANGUAGE_MAX_OTHER_SCRIPT_SHARE = 0.5
"""An answer whose letters are mostly outside A–Z (Chinese, Arabic, Cyrillic, Greek...) is judged not English."""
_MARKERS = {
    "German": "der das und ist nicht ein eine einen dem den des zu mit von für auf sich wird werden sind auch wenn "
    "oder dass bei wie durch nur noch kann",
    "French": "le la les est une des du pour dans que qui pas sur avec sont par ce cette il elle nous vous au aux "
    "plus ou mais être",
    "Spanish": "el los las es una del por para que se lo su como más pero está son entre sin sobre",
    "Italian": "il gli della delle che è sono anche più degli nella alla questo",
    "Portuguese": "os um uma não para mais são também pelo pela está",
    "Dutch": "de het een en van niet dat zijn wordt ook maar bij",
}
OTHER_LANGUAGE_MARKERS = {
    language: frozenset(words_text.split()) - STOPWORDS for language, words_text in _MARKERS.items()
}
"""Very common function words of other languages, without any that English uses too (a, in, is, die, per...)."""
_LETTER_WORD = re.compile(r"[^\W\d_]+")


def flag(code: FlagCode, message: str) -> Flag:
    return Flag(code=code, message=message)


def bounded_answer(answer: str, limit: int) -> tuple[str, Flag | None]:
    """The part of an answer that is graded: all of it, or its first `limit` characters (cut at the last
    space within them, when there is one near the end) and the `truncated` flag saying so."""
    if len(answer) <= limit:
        return answer, None
    cut = answer.rfind(" ", max(0, limit - 200), limit)
    graded = answer[: cut if cut > 0 else limit]
    return graded, flag(
        FlagCode.TRUNCATED,
        f"the answer is {len(answer):,} characters long; only its first {len(graded):,} were graded "
        f"(limits.answer_chars is {limit:,})",
    )


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
    """Nothing to grade: no word at all, or only a non-answer such as "I don't know" or "pass".

    One-word answers are graded, not flagged: "one", "main" or "infinite" can be complete answers.
    """
    answer_words = words(answer)
    return len(answer_words) < MIN_ANSWER_WORDS or " ".join(answer_words) in NON_ANSWERS


def non_english_reason(answer: str) -> str | None:
    """Why the answer looks like it is not in English (the grader's model and rules read English), or None.

    A cheap, dependency-free signal, not a language identifier: an answer whose letters are mostly outside
    A–Z, or a Latin-script answer with many common function words of German, French, Spanish, Italian,
    Portuguese or Dutch and fewer English ones. A list of English terms has neither and is not flagged here.
    """
    letter_words = _LETTER_WORD.findall(answer.lower())
    letters = "".join(letter_words)
    if len(letters) < LANGUAGE_MIN_LETTERS:
        return None
    latin = sum(letter.isascii() or unicodedata.name(letter, "").startswith("LATIN") for letter in letters)
    if 1 - latin / len(letters) > LANGUAGE_MAX_OTHER_SCRIPT_SHARE:
        return "most of its letters are not Latin"
    if len(letter_words) < LANGUAGE_MIN_WORDS:
        return None
    english = sum(word in STOPWORDS for word in letter_words) / len(letter_words)
    language, count = max(
        ((name, sum(word in markers for word in letter_words)) for name, markers in OTHER_LANGUAGE_MARKERS.items()),
        key=lambda entry: entry[1],
    )
    share = count / len(letter_words)
    if count >= 2 and share >= LANGUAGE_MIN_MARKER_SHARE and share > english:
        return f"it reads like {language}"
    return None


def _looks_like_word(word: str) -> bool:
    if word.isdigit() or len(word) <= 3:
        return True
    return bool(_VOWEL.search(word)) and not _CONSONANT_RUN.search(word) and not _REPEATED_CHAR.search(word)


def gibberish_share(answer: str) -> float:
    """Share of the answer's words that do not look like words (no vowels, long consonant runs, aaaa)."""
    answer_words = _LETTERS.findall(answer.lower())
    if not answer_words:
        return 0.0
    return sum(not _looks_like_word(word) for word in answer_words) / len(answer_words)


def longest_term_run(answer: str) -> int:
    """Most content words in a row with no function word or sentence, line, cell or comma break between them."""
    longest = 0
    for piece in _RUN_BREAK.split(answer):
        current = 0
        for word in words(piece):
            current = 0 if word in STOPWORDS else current + 1
            longest = max(longest, current)
    return longest


_LIST_QUESTION = re.compile(
    r"\b(?:enumerate|list|name|state|mention|identify|outline)\b"
    r"|\bwhat\s+are\s+(?:the\s+)?(?:\w+\s+)?(?:types?|kinds?|steps?|stages?|phases?|components?|parts?|"
    r"properties|characteristics|advantages|disadvantages|benefits|drawbacks|differences|causes|examples|"
    r"conditions|rules|methods|techniques|ways|approaches|layers|operations|assumptions|categories|classes)\b"
    r"|\bgive\s+(?:an?\s+|some\s+|two\s+|three\s+|four\s+|five\s+|\d+\s+)?examples?\b"
    r"|\b(?:two|three|four|five|six|seven|\d+)\s+(?:\w+\s+)?(?:types|kinds|ways|steps|reasons|examples|"
    r"advantages|disadvantages|properties|conditions|rules|methods|components|differences)\b",
    re.IGNORECASE,
)
_ITEM_LINE = re.compile(r"^\s*(?:[-*+•]|\(?\d{1,2}[.)]|[a-z][.)])\s+\S", re.MULTILINE)
_EXPLAINED_ITEM = re.compile(r"\S\s*(?::|–|—|-{1,2}|=|\()\s*\S")
EXPLAINED_ITEM_WORDS = 4


def asks_for_list(question: str) -> bool:
    """The question asks for an enumeration ("Enumerate the learning rules", "What are the types of ...")."""
    return bool(_LIST_QUESTION.search(question))


def is_explained_list(answer: str) -> bool:
    """A list whose items carry a few words each (or a label and an explanation): not a bag of terms."""
    items = [line for line in answer.splitlines() if line.strip()]
    if len(_ITEM_LINE.findall(answer)) < 2 and len(items) < 3:
        return False
    explained = [
        item for item in items if len(words(item)) >= EXPLAINED_ITEM_WORDS or _EXPLAINED_ITEM.search(item.strip(" -*•"))
    ]
    return len(explained) >= max(2, len(items) // 2)


def is_keyword_stuffing(answer: str, question: str = "") -> bool:
    """Terms without sentences: a long run of bare terms, a long bare term list, or terms repeated over and over.

    Tables and lists whose items carry a few words are not stuffing; neither is any list when the
    question asks for one ("Enumerate ...", "What are the types of ..."), nor code.
    """
    answer_words = words(answer)
    if len(answer_words) < STUFFING_MIN_WORDS or len(_CODE.findall(answer)) >= 2:  # code is not stuffing
        return False
    stems = content_stems(answer)
    repeated = 1 - len(set(stems)) / len(stems) >= STUFFING_MIN_REPEAT_SHARE if stems else False
    if not repeated and (asks_for_list(question) or is_explained_list(answer)):
        return False
    if longest_term_run(answer) >= STUFFING_MIN_RUN:
        return True
    function_share = sum(word in STOPWORDS for word in answer_words) / len(answer_words)
    if function_share < STUFFING_BARE_FUNCTION_SHARE:  # a bag of terms: hardly a single function word
        return True
    if function_share >= STUFFING_MAX_FUNCTION_SHARE:
        return False
    items = [item for item in _LIST_SEPARATOR.split(answer) if item.strip()]
    return repeated or (len(items) >= STUFFING_MIN_ITEMS and max(len(words(item)) for item in items) <= 3)


def new_content_stems(answer: str, question: str) -> list[str]:
    """Content words of the answer that the question does not already contain."""
    question_stems = set(content_stems(question))
    return [stem for stem in content_stems(answer) if stem not in question_stems]


def is_parroted(answer: str, question: str) -> bool:
    """The answer repeats the question and adds nothing: every content word of it is in the question.

    Numbers and quantity words ("one", "3", "all", "once") count as content of their own.
    """
    stems = set(content_stems(answer))
    question_words = set(words(question))
    if not stems or any(
        (word.isdigit() or word in QUANTITY_WORDS) and word not in question_words for word in words(answer)
    ):
        return False
    return not set(new_content_stems(answer, question))


def has_negation(text: str) -> bool:
    return any(word in NEGATIONS for word in words(text))


def negates_claim(evidence: str, claim: str) -> bool:
    """The evidence negates what a claim (itself not negated) says about the same subject.

    Cheap and narrow: one clause of the evidence has a negation word whose first content word after it is a
    word of the claim, and before it another word of the claim, with the clause holding half of the claim's
    content words ("the noise does *not* act as a regularizer"); or only a pronoun subject before it, with
    the clause holding half of the claim or at least `NEGATION_MIN_OWN_SHARED` words of it making most of
    the clause's own ("it cannot be detected by comparing distributions"). A claim with a negative sense of
    its own ("otherwise", "unless", "too", "off") is not negated this way, nor a word the claim itself
    contrasts away ("confidence not rating" agrees with "confidence rather than a rating") or only names in
    the condition it opens with ("with small counts, ..."). Polarity changed by paraphrase ("stays linear")
    and contrasts between two subjects are not seen.
    """
    claim_words = words(claim)
    if has_negation(claim) or CLAIM_FLIPS & set(claim_words):
        return False
    claim_stems = set(content_stems(claim))
    # a condition the claim opens with ("with small expected counts, Fisher's test is used") is not what it claims:
    # "counts that are not too small" does not deny it
    condition = (
        {stem(word) for word in words(claim.split(",", 1)[0]) if word not in STOPWORDS}
        if "," in claim and CONDITIONS & set(claim_words[:1])
        else set()
    )
    contrasted = condition | next(
        (
            {stem(word) for word in claim_words[index + 1 :] if word not in STOPWORDS}
            for index, word in enumerate(claim_words)
            if word in CONTRASTS
        ),
        set(),
    )
    for clause in _CLAUSE_SPLIT.split(evidence):
        clause_words = words(clause)
        clause_stems = {stem(candidate) for candidate in clause_words if candidate not in STOPWORDS}
        shared = clause_stems & claim_stems
        holds_claim = len(shared) >= NEGATION_MIN_SHARED * len(claim_stems)
        mostly_claim = len(shared) >= NEGATION_MIN_OWN_SHARED and len(shared) >= NEGATION_CLAUSE_SHARE * len(
            clause_stems
        )
        if not holds_claim and not mostly_claim:
            continue
        for index, word in enumerate(clause_words):
            if word not in NEGATIONS or word in NOT_NEGATING:
                continue
            before_words = [candidate for candidate in clause_words[:index] if candidate not in STOPWORDS]
            subject = (holds_claim and bool({stem(candidate) for candidate in before_words} & claim_stems)) or (
                not before_words and bool(PRONOUN_SUBJECTS & set(clause_words[:index]))
            )
            negated = next(
                (stem(candidate) for candidate in clause_words[index + 1 :] if candidate not in STOPWORDS), None
            )
            if subject and negated in claim_stems and negated not in contrasted:
                return True
    return False


def shared_words(text: str, statement: str) -> int:
    """How many distinct content words (stems) the two share."""
    return len(set(content_stems(text)) & set(content_stems(statement)))


RESTATES_MIN_WORDS = 3
SWAP_MIN_APART = 2
WRONG_MARKERS = frozenset(
    "false wrong incorrect untrue myth misconception opposite reverse reversed contrary mistaken".split()
)


def _in_order(wanted: Sequence[str], have: Sequence[str]) -> bool:
    remaining = iter(have)
    return all(any(word == candidate for candidate in remaining) for word in wanted)


def _negation_count(text: str) -> int:
    return sum(word in NEGATIONS for word in words(text))


def restates(span: str, statement: str) -> bool:
    """The span says the statement in the statement's own words: every content word of it, in its order
    (more words around them are fine), the same number of negation words, and no word that calls a claim
    wrong. Such a span cannot contradict the statement, whatever the judge reads: the judge learned that
    near-copies of a key point contradict it (its negated key points read as contradicting themselves one
    time in two). A swap ("L1 ... Gaussian, L2 ... Laplace" for the reverse) breaks the order, an antonym
    ("decreases" for "increases") a word, an added "not" the count, so none of these restates."""
    wanted = content_stems(statement)
    if len(wanted) < RESTATES_MIN_WORDS:
        return False
    if not _in_order(wanted, content_stems(span)):
        return False
    return _negation_count(span) == _negation_count(statement) and not WRONG_MARKERS & set(words(span))


def swaps_terms(span: str, statement: str) -> bool:
    """The span says the statement with two of its terms exchanged: every content word of it, and in its order
    once two different words at least `SWAP_MIN_APART` + 1 content words apart trade places ("L1 ... a Gaussian
    prior and L2 ... a Laplace prior" for the reverse; "the left derivative is 1 and the right derivative is 0"),
    but not in the statement's own order, and the same number of negation words. The judge reads such a swap as
    the statement itself: it shares every word."""
    wanted = content_stems(statement)
    if len(set(wanted)) < RESTATES_MIN_WORDS:
        return False
    have = content_stems(span)
    if not set(wanted) <= set(have) or _in_order(wanted, have):
        return False
    if _negation_count(span) != _negation_count(statement):
        return False
    distinct = list(dict.fromkeys(wanted))
    places = {word: [index for index, candidate in enumerate(wanted) if candidate == word] for word in distinct}
    for first_index, first in enumerate(distinct):
        for second in distinct[first_index + 1 :]:
            if min(abs(one - other) for one in places[first] for other in places[second]) <= SWAP_MIN_APART:
                continue  # "minibatches are sampled" said as "samples minibatches": a change of voice, not of claim
            traded = [second if word == first else first if word == second else word for word in wanted]
            if _in_order(traded, have):
                return True
    return False


@dataclass(frozen=True)
class OffTopicCheck:
    """Similarities the off-topic guard compares."""

    own_similarity: float
    best_other_similarity: float | None
    best_other_id: str | None
    coverage: float
    best_other_question: str | None = None


OFF_TOPIC_MAX_OWN = 0.15
OFF_TOPIC_MARGIN = 0.1
OFF_TOPIC_CLEAR_MARGIN = 0.25
OFF_TOPIC_MAX_COVERAGE = 0.25
OFF_TOPIC_CLEAR_MAX_COVERAGE = 0.5


def off_topic_reason(check: OffTopicCheck) -> str | None:
    """Why the answer looks off-topic, or None.

    Off-topic: it covers little and is closer to another bank question (or to nothing), or it covers
    at most half and is far closer to another bank question.
    """
    if check.coverage >= OFF_TOPIC_CLEAR_MAX_COVERAGE:
        return None
    margin = OFF_TOPIC_MARGIN if check.coverage < OFF_TOPIC_MAX_COVERAGE else OFF_TOPIC_CLEAR_MARGIN
    if check.best_other_similarity is not None and check.best_other_similarity > check.own_similarity + margin:
        other = (
            f'question {check.best_other_id} ("{check.best_other_question}")'
            if check.best_other_question
            else (f"question {check.best_other_id}")
        )
        return (
            f"this reads as an answer to {other} rather than this one "
            f"(similarity {check.best_other_similarity:.2f} against {check.own_similarity:.2f})"
        )
    if check.coverage < OFF_TOPIC_MAX_COVERAGE and check.own_similarity < OFF_TOPIC_MAX_OWN:
        return f"the answer is unrelated to the question (similarity {check.own_similarity:.2f})"
    return None
