"""The offline grader: key-point coverage with sentence embeddings, guards, follow-ups.

One call embeds all of an answer's spans at once (a batch embeds all spans of all its answers);
key points, references and bank questions are embedded once and cached (memory and disk).
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from interviewer.bank.models import Bank, Misconception, Question
from interviewer.grading import experience, guards, scoring, verdicts
from interviewer.grading.answer_vectors import (
    AnswerText,
    AnswerVectors,
    answer_text,
    demoted_text_vector,
    embed_answers,
)
from interviewer.grading.base import Embedder
from interviewer.grading.follow_ups import closest_related_question, normalise_question_text, rank_follow_ups
from interviewer.grading.judge import KeyPointJudge, span_states
from interviewer.grading.known_statements import load_known_statements
from interviewer.grading.result import Flag, FlagCode, GradeResult, KeyPointVerdict, Provenance
from interviewer.grading.text import SpanPiece, content_stems, sentences
from interviewer.grading.verdicts import DEFAULT_RULES, VerdictRules

GRADER_NAME = "embedding"
CANDIDATE_SPANS = 3
"""Spans per key point the judge reads: the ones most similar to the key point or its alternatives (plus, for a
clause, its sentence, and the sentences like one of the key point's known wrong statements: `closer_to_wrong`)."""
MISCONCEPTION_SPANS = 1
"""Sentences per misconception the judge reads (the one most like its claim): two gave the same grades, verdicts
and flags on every answer of the development sets, at a few more readings per answer."""
PREPARE_CHUNK = 32
"""Questions embedded together when preparing: the token vectors of a chunk's texts are held at once (preparing
all 210 shipped questions at once peaked at 1.34 GB RSS, 32 at a time at 1.07 GB); the vectors do not depend
on the chunk."""
GRADE_CHUNK = 64
"""Answers graded together: their token vectors and the judge's readings are held at once (the 425 answers of
the answer sets in one pass peaked at 1.71 GB RSS with every shipped question prepared, 64 at a time at
1.33 GB, at the same speed); grades do not depend on the batch."""
OFF_TOPIC_CAP = 2.0
STUFFING_CAP = 3.0
PARROT_CAP = 2.0


@dataclass
class EmbeddingEvidence:
    """What the embeddings say about one answer: per key point its coverage, best span and similarity."""

    coverage: np.ndarray
    span: np.ndarray
    similarity: np.ndarray
    phrasing_span: np.ndarray
    key_point_span: np.ndarray
    """(key points, spans): each span's cosine with the key point's closest phrasing (`key_point_span_similarity`)."""
    known: list[KnownCosines | None]
    """Per key point: every span's cosines with its known statements (`known_cosines`; None without them)."""


@dataclass
class AnswerJudgement:
    """The judge's (span, entailed, contradicted) readings per key-point phrasing and per misconception."""

    key_points: dict[int, list[tuple[int, float, float]]] = field(default_factory=dict)
    misconceptions: dict[int, list[tuple[int, float, float]]] = field(default_factory=dict)
    corrected: dict[int, list[tuple[int, float, float]]] = field(default_factory=dict)
    """Per misconception: the key point it corrects, read on the same sentences as its claim."""
    closer_to_wrong: dict[int, list[KnownMatch]] = field(default_factory=dict)
    """Per key point: the sentences like one of its known wrong statements (`closer_to_wrong`)."""
    known: list[KnownCosines | None] = field(default_factory=list)
    """Per key point: every span's cosines with its known statements (`known_cosines`)."""


def key_point_span_similarity(ready: PreparedQuestion, phrasing_span: np.ndarray) -> np.ndarray:
    """(key points, spans): each span's cosine with the key point's closest phrasing (its text or an alternative)."""
    best = np.full((len(ready.question.key_points), phrasing_span.shape[1]), -1.0)
    for phrasing_index, owner in enumerate(ready.phrasing_owner):
        best[owner] = np.maximum(best[owner], phrasing_span[phrasing_index])
    return best


def candidate_spans(similarity: np.ndarray, count: int) -> list[list[int]]:
    """Per key point, the `count` spans most similar to it (`key_point_span_similarity`; ties: earlier first)."""
    return [[int(span) for span in np.argsort(-row, kind="stable")[:count]] for row in similarity]


def _denying_span(
    part: AnswerText, spans: list[int], restating: set[int], own_words: list[list[str]], key_point_index: int
) -> int | None:
    """The shortest sentence or clause that negates the key point (`guards.negates_claim`) or says it with two
    terms exchanged (`guards.swaps_terms`), if one does. A span that says a key point in its own words denies
    none, nor one closer in words to a negated sibling key point ("it is not the probability that the null is
    true" is about "not-prob-null", not against "the p-value is the probability ... assuming the null is true")."""
    negated_siblings = [
        text
        for index, texts in enumerate(own_words)
        if index != key_point_index
        for text in texts
        if guards.has_negation(text)
    ]
    denying = [
        span
        for span in spans
        if span not in restating
        and any(
            guards.negates_claim(part.spans[span], text) or guards.swaps_terms(part.spans[span], text)
            for text in own_words[key_point_index]
        )
        and not any(
            guards.shared_words(part.spans[span], sibling)
            >= guards.shared_words(part.spans[span], own_words[key_point_index][0])
            for sibling in negated_siblings
        )
    ]
    return min(denying, key=lambda span: len(part.spans[span]), default=None)


def clause_sentences(part: AnswerText) -> dict[int, int]:
    """The span of the whole sentence each clause span was cut from (a clause out of context can read as
    a contradiction its sentence does not make, so the judge reads the sentence too)."""
    whole = {pieces[0][0]: index for index, pieces in enumerate(part.span_pieces) if _is_sentence(part, pieces)}
    return {
        index: whole[pieces[0][0]]
        for index, pieces in enumerate(part.span_pieces)
        if len(pieces) == 1 and not _is_sentence(part, pieces) and pieces[0][0] in whole
    }


@dataclass(frozen=True)
class KnownMatch:
    """A whole sentence of an answer and how much it is like one of a key point's known wrong statements."""

    span: int
    similarity: float
    """Cosine with the closest known wrong statement."""
    over_answer: float | None
    """`similarity` less the answer's best cosine with a right statement (any sentence); only for the sentence
    most like a wrong statement (None for the others)."""
    over_sentence: float
    """`similarity` less this sentence's own best cosine with a right statement or a sentence of the reference
    answer (the wrong statements are small edits of the key point's words, the right ones paraphrases, so a
    sentence in the reference's own words would otherwise lean wrong by chance)."""
    word_contrast: float = 0.0
    """Of the known wrong statements the sentence is like (`known_wrong_similar_at`), the best `WordContrast.read`:
    the sentence uses the words that make the statement wrong rather than those that make its right twin right."""


@dataclass(frozen=True)
class WordContrast:
    """A known wrong statement against its closest right statement: the content words (stems) only one of them
    uses. Wrong statements are mostly small edits of right ones ("change in probability" for "change in
    log-odds"), so these few words are where they differ, and a cosine over the whole sentence barely sees them."""

    wrong_only: frozenset[str]
    right_only: frozenset[str]

    @classmethod
    def of(cls, wrong: str, right: str, question_stems: frozenset[str] = frozenset()) -> WordContrast:
        """The question's own words are left out: repeating the question earns nothing, and costs nothing."""
        wrong_stems = set(content_stems(wrong)) - question_stems
        right_stems = set(content_stems(right)) - question_stems
        return cls(frozenset(wrong_stems - right_stems), frozenset(right_stems - wrong_stems))

    def read(self, sentence: str) -> float:
        """The share of the wrong-only words the sentence uses less the share of the right-only ones (-1 to 1)."""
        used = set(content_stems(sentence))
        return len(used & self.wrong_only) / max(1, len(self.wrong_only)) - len(used & self.right_only) / max(
            1, len(self.right_only)
        )


@dataclass(frozen=True)
class KnownCosines:
    """Every span of an answer against one key point's known statements (`known_statements.py`), by cosine."""

    wrong: np.ndarray
    """With the closest known wrong statement."""
    right: np.ndarray
    """With the closest known right statement (the key point, its alternatives, its written paraphrases)."""
    right_or_reference: np.ndarray
    """With the closest of those and the reference's sentences (a sentence in the reference's words is no wrong
    statement)."""
    wrong_each: np.ndarray
    """With each known wrong statement: (wrong statements, spans)."""
    contrasts: Sequence[WordContrast]
    """Per known wrong statement, the words it and its closest right statement do not share."""


def known_cosines(ready: PreparedQuestion, span_vectors: np.ndarray) -> list[KnownCosines | None]:
    """Per key point, every span's cosines with its known statements; None for a key point without known wrong
    statements. Computed once per answer."""
    reference = ready.reference_sentences @ span_vectors.T if ready.reference_sentences is not None else None
    cosines: list[KnownCosines | None] = []
    for index in range(len(ready.question.key_points)):
        if index >= len(ready.known_wrong) or not len(ready.known_wrong[index]):
            cosines.append(None)
            continue
        right = (ready.known_right[index] @ span_vectors.T).max(axis=0)
        wrong_each = ready.known_wrong[index] @ span_vectors.T
        cosines.append(
            KnownCosines(
                wrong=wrong_each.max(axis=0),
                right=right,
                right_or_reference=right if reference is None else np.maximum(right, reference.max(axis=0)),
                wrong_each=wrong_each,
                contrasts=ready.known_contrasts[index],
            )
        )
    return cosines


def closer_to_wrong(
    part: AnswerText, cosines: Sequence[KnownCosines | None], rules: verdicts.VerdictRules
) -> dict[int, list[KnownMatch]]:
    """Per key point with known wrong statements, the whole sentences like one of them: first the sentence most
    like one (always: the judge reads it as a candidate span), then any other sentence like one
    (`known_wrong_similar_at`) and closer to it than to every right statement by `known_wrong_sentence_margin`:
    in an answer that is right but for one sentence, the right sentences match the right statements, so only
    the wrong sentence's own comparison shows it (a sentence found by its word contrast alone was tried too, and
    not kept: docs/grading.md). Whole sentences only: a clause lifted out of its sentence can match a wrong
    statement its sentence does not make."""
    whole = whole_sentence_spans(part)
    if not whole:
        return {}
    found = {}
    for index, known in enumerate(cosines):
        if known is None:
            continue
        to_wrong, to_right = known.wrong[whole], known.right_or_reference[whole]
        closest_right = float(known.right[whole].max())
        best = int(np.argmax(to_wrong))
        leaning = [
            row
            for row in range(len(whole))
            if row != best
            and to_wrong[row] >= rules.known_wrong_similar_at
            and to_wrong[row] - to_right[row] >= rules.known_wrong_sentence_margin
        ]
        found[index] = [
            KnownMatch(
                span=whole[row],
                similarity=float(to_wrong[row]),
                over_answer=float(to_wrong[row]) - closest_right if row == best else None,
                over_sentence=float(to_wrong[row] - to_right[row]),
                word_contrast=_word_contrast(part.spans[whole[row]], known, whole[row], rules),
            )
            for row in [best, *leaning]
        ]
    return found


def word_contrasts(
    wrong: Sequence[str],
    wrong_vectors: np.ndarray,
    right: Sequence[str],
    right_vectors: np.ndarray,
    question_stems: frozenset[str] = frozenset(),
) -> list[WordContrast]:
    """Each wrong statement's word contrast with its closest right statement by cosine (rows of the vectors are the
    texts, in order)."""
    closest = np.argmax(wrong_vectors @ right_vectors.T, axis=1)
    return [WordContrast.of(text, right[int(twin)], question_stems) for text, twin in zip(wrong, closest, strict=True)]


def _word_contrast(sentence: str, known: KnownCosines, span: int, rules: verdicts.VerdictRules) -> float:
    """The sentence's best word contrast over the known wrong statements it is like (0 when it is like none)."""
    return max(
        (
            contrast.read(sentence)
            for contrast, cosine in zip(known.contrasts, known.wrong_each[:, span], strict=True)
            if cosine >= rules.known_wrong_similar_at
        ),
        default=0.0,
    )


def whole_sentence_spans(part: AnswerText) -> list[int]:
    """The spans of a text that are whole sentences, in order."""
    return [index for index, pieces in enumerate(part.span_pieces) if _is_sentence(part, pieces)]


def _is_sentence(part: AnswerText, pieces: tuple[SpanPiece, ...]) -> bool:
    return len(pieces) == 1 and pieces[0][1] == 0 and pieces[0][2] >= len(part.sentences[pieces[0][0]])


def _without_partial_credit(verdict_list: list[KeyPointVerdict]) -> list[KeyPointVerdict]:
    """An answer to another question: its partial verdicts become missed. Their evidence is that other
    answer's words ("~ partial: the learning rate is the step size" quoting a sentence about activations),
    which would teach the candidate they half-said something they did not."""
    return [
        verdict.model_copy(update={"verdict": "missed", "evidence": None}) if verdict.verdict == "partial" else verdict
        for verdict in verdict_list
    ]


def _contradiction_flags(
    verdict_list: list[KeyPointVerdict], stated: list[tuple[Misconception, int, float]], part: AnswerText
) -> list[Flag]:
    """A `contradiction` flag naming each contradicted key point, a `misconception` flag per stated one."""
    flags = []
    contradicted = [verdict for verdict in verdict_list if verdict.verdict == "contradicted"]
    if contradicted:
        said = "; ".join(f"“{verdict.evidence}” — {verdict.text}" for verdict in contradicted)
        flags.append(guards.flag(FlagCode.CONTRADICTION, f"the answer contradicts a key point: {said}"))
    for misconception, span, _ in stated:
        flags.append(
            guards.flag(
                FlagCode.MISCONCEPTION,
                f"“{part.spans[span]}” is a common misconception ({misconception.claim}). "
                f"In fact: {misconception.correction}",
            )
        )
    return flags


@dataclass
class PreparedQuestion:
    """A question's cached embeddings: key-point phrasings (question words demoted), reference, topic."""

    question: Question
    question_stems: frozenset[str]
    phrasing_owner: list[int]
    phrasing_vectors: np.ndarray
    phrasing_tokens: list[np.ndarray] | None
    reference_vector: np.ndarray
    topic_vector: np.ndarray
    key_point_vectors: np.ndarray
    phrasing_floors: list[tuple[float, float]]
    phrasing_texts: list[str] = field(default_factory=list)
    misconception_vectors: np.ndarray | None = None
    known_right: list[np.ndarray] = field(default_factory=list)
    """Per key point: vectors of its key point, alternatives and written right statements (known_statements.py);
    an empty list when the question has no statements (or is graded without the judge)."""
    known_wrong: list[np.ndarray] = field(default_factory=list)
    """Per key point: vectors of its written wrong statements (none for a key point without them); an empty
    list as `known_right`."""
    known_contrasts: list[list[WordContrast]] = field(default_factory=list)
    """Per key point, per written wrong statement (as `known_wrong`): the words it does not share with its closest
    right statement."""
    reference_sentences: np.ndarray | None = None
    """Vectors of the reference answer's whole sentences, taken from its span vectors (pooled as an answer's
    are): right statements of every key point when one sentence is compared with the statements (None when
    the question has no known statements)."""


def _sibling_floors(
    owner: list[int], phrasing_vectors: np.ndarray, phrasing_tokens: list[np.ndarray] | None, use: bool
) -> list[tuple[float, float]]:
    """Per phrasing, the (span, token) chance level: its best match with each other key point, averaged;
    the global floor for every phrasing when the question's key points get no sibling floors."""
    if not use:
        return [(scoring.SIMILARITY_FLOOR, scoring.SIMILARITY_FLOOR)] * len(owner)
    floors = []
    span_similarities = phrasing_vectors @ phrasing_vectors.T
    for index, key_point in enumerate(owner):
        span_best: dict[int, float] = {}
        token_best: dict[int, float] = {}
        for other, other_key_point in enumerate(owner):
            if other_key_point == key_point:
                continue
            span_best[other_key_point] = max(
                span_best.get(other_key_point, -1.0), float(span_similarities[index, other])
            )
            if phrasing_tokens is not None:
                recall = scoring.token_recall(phrasing_tokens[index], phrasing_tokens[other])
                token_best[other_key_point] = max(token_best.get(other_key_point, -1.0), recall)
        floors.append(
            (scoring.sibling_floor(list(span_best.values())), scoring.sibling_floor(list(token_best.values())))
        )
    return floors


def _question_key(question: Question) -> str:
    return hashlib.sha256(question.model_dump_json(exclude={"source"}).encode()).hexdigest()


def _demoted_stems(question: Question) -> frozenset[str]:
    """Words of the question that earn nothing when repeated; a question that states one of its key points
    (a missed-key-point follow-up) does not demote that key point's own words."""
    stems = set(content_stems(question.question))
    question_text = normalise_question_text(question.question)
    for key_point in question.key_points:
        if normalise_question_text(key_point.text) in question_text:
            stems -= set(content_stems(key_point.text))
    return frozenset(stems)


class EmbeddingGrader:
    """Grades answers against key points with an Embedder; deterministic, offline."""

    name = GRADER_NAME

    def __init__(
        self,
        embedder: Embedder,
        bank: Bank | None = None,
        *,
        options: scoring.ScoringOptions = scoring.DEFAULT_OPTIONS,
        judge: KeyPointJudge | None = None,
        rules: VerdictRules = DEFAULT_RULES,
        max_answer_chars: int = guards.MAX_ANSWER_CHARS,
    ):
        self.embedder = embedder
        self.max_answer_chars = max_answer_chars
        self.bank = bank
        self.options = options
        self.judge = judge if options.judge else None
        self.rules = rules
        self._prepared: dict[str, PreparedQuestion] = {}
        self._bank_vectors: dict[str, np.ndarray] | None = None

    # ----- public API -------------------------------------------------------------------------
    def grade(self, question: Question, answer: str, *, asked: Collection[str] = ()) -> GradeResult:
        """Grade one answer; never raises for bad answers (flags them instead)."""
        return self.grade_batch([(question, answer)], asked=asked)[0]

    def grade_batch(self, items: Sequence[tuple[Question, str]], *, asked: Collection[str] = ()) -> list[GradeResult]:
        """Grade many answers, embedding the spans of `GRADE_CHUNK` answers in one pass; each answer up to
        `max_answer_chars` (a longer one is graded up to that limit and flagged `truncated`)."""
        bounded = [guards.bounded_answer(answer, self.max_answer_chars) for _, answer in items]
        texts = [(question, text) for (question, _), (text, _) in zip(items, bounded, strict=True)]
        results = [
            result
            for start in range(0, len(texts), GRADE_CHUNK)
            for result in self._grade_bounded(texts[start : start + GRADE_CHUNK], asked=asked)
        ]
        return [
            result if cut is None else result.model_copy(update={"flags": [*result.flags, cut]})
            for result, (_, cut) in zip(results, bounded, strict=True)
        ]

    def _grade_bounded(
        self, items: Sequence[tuple[Question, str]], *, asked: Collection[str] = ()
    ) -> list[GradeResult]:
        experience = {
            index: self._experience_result(question, answer)
            for index, (question, answer) in enumerate(items)
            if question.grading == "experience"
        }
        if experience:
            rest = [item for index, item in enumerate(items) if index not in experience]
            graded = iter(self._grade_bounded(rest, asked=asked) if rest else [])
            return [experience[index] if index in experience else next(graded) for index in range(len(items))]
        prepared = self.prepare([question for question, _ in items])
        parts: list[AnswerText | None] = []
        early_flags: list[list[Flag]] = []
        for _, answer in items:
            part, flags = self._answer_text(answer)
            parts.append(part)
            early_flags.append(flags)
        gradeable = [(part, ready) for part, ready in zip(parts, prepared, strict=True) if part is not None]
        answer_vectors = embed_answers(
            self.embedder,
            [part for part, _ in gradeable],
            [ready.question_stems for _, ready in gradeable],
            hidden_layer=self.judge.split if self.judge is not None else None,
        )
        evidence = [
            self._embedding_evidence(ready, part, vectors)
            for (part, ready), vectors in zip(gradeable, answer_vectors, strict=True)
        ]
        judged = iter(
            self._judge_all(gradeable, answer_vectors, evidence) if self.judge is not None else [None] * len(gradeable)
        )
        scored = iter(zip(answer_vectors, evidence, strict=True))
        results = []
        for ready, part, flags in zip(prepared, parts, early_flags, strict=True):
            if part is None:
                results.append(self._zero_result(ready, flags, asked))
                continue
            vectors, coverage = next(scored)
            judgement = next(judged)
            results.append(self._score(ready, part, vectors, coverage, judgement, flags, asked))
        return results

    def prepare(self, questions: Sequence[Question]) -> list[PreparedQuestion]:
        """Embed (or fetch from cache) what grading these questions needs: their key points and, once, the
        bank's topic vectors the off-topic and related-question checks compare a bank answer with (on a
        first run, before they are cached, these took 3.7 s of the first grade when left to it)."""
        keys = [_question_key(question) for question in questions]
        todo = list({key: q for key, q in zip(keys, questions, strict=True) if key not in self._prepared}.items())
        for start in range(0, len(todo), PREPARE_CHUNK):
            self._prepare_many(todo[start : start + PREPARE_CHUNK])
        if any(self._in_bank(question) for question in questions):
            self._bank_question_vectors()
        return [self._prepared[key] for key in keys]

    # ----- preparation ------------------------------------------------------------------------
    def _prepare_many(self, pending: list[tuple[str, Question]]) -> None:
        texts: list[str] = []
        layout = []
        for _, question in pending:
            stems = _demoted_stems(question) if self.options.demote_question else frozenset()
            owner: list[int] = []
            phrasings: list[str] = []
            for index, key_point in enumerate(question.key_points):
                for phrasing in (key_point.text, *key_point.alternatives):
                    owner.append(index)
                    phrasings.append(phrasing)
            demoted = [scoring.demote_question_words(phrasing, stems) for phrasing in phrasings]
            extra = [
                scoring.demote_question_words(question.reference_answer, stems),
                f"{question.question}\n{question.reference_answer}",
                *(key_point.text for key_point in question.key_points),
                *(scoring.demote_question_words(item.claim, stems) for item in question.misconceptions),
            ]
            layout.append((stems, owner, phrasings, len(texts)))
            texts.extend(demoted + extra)
        vectors = self.embedder.embed_persistent(texts)
        all_phrasings = [phrasing for _, _, phrasings, _ in layout for phrasing in phrasings]
        token_map = {}
        if self.embedder.provides_token_vectors and all_phrasings:
            # not cached: a prepared question keeps the content tokens it needs (the whole token vectors of every
            # shipped phrasing, kept by the cache, took 134 MB for nothing once the questions were prepared)
            _, token_vectors = self.embedder.embed_with_tokens(all_phrasings)
            token_map = dict(zip(all_phrasings, token_vectors, strict=True))
        pooled = bool(token_map) and all(tokens.offsets is not None for tokens in token_map.values())
        if pooled:  # demote both sides the same way: pool token embeddings without the question's words
            references = [
                answer_text(q.reference_answer, sentences(q.reference_answer) or [q.reference_answer])
                for _, q in pending
            ]
            reference_vectors = embed_answers(self.embedder, references, [stems for stems, *_ in layout])
        for position, ((key, question), (stems, owner, phrasings, start)) in enumerate(
            zip(pending, layout, strict=True)
        ):
            count = len(phrasings)
            kp_count = len(question.key_points)
            phrasing_tokens = None
            if token_map:
                phrasing_tokens = []
                for phrasing in phrasings:
                    tokens = token_map[phrasing]
                    mask = scoring.content_token_mask(tokens.words, stems)
                    if not mask.any():  # the key point only repeats the question: keep its content words
                        mask = scoring.content_token_mask(tokens.words, frozenset())
                    phrasing_tokens.append(tokens.vectors[mask])
            phrasing_vectors = vectors[start : start + count]
            reference_vector = vectors[start + count]
            reference_sentences = None
            if pooled:
                phrasing_vectors = np.stack([demoted_text_vector(token_map[phrasing], stems) for phrasing in phrasings])
                reference_vector = reference_vectors[position].whole_demoted
                reference_sentences = reference_vectors[position].span_vectors[
                    whole_sentence_spans(references[position])
                ]
            use_floors = scoring.uses_sibling_floors(self.options.sibling_floors, question.grading)
            floors = _sibling_floors(owner, phrasing_vectors, phrasing_tokens, use_floors)
            known_right, known_wrong, known_contrasts = self._known_vectors(
                question, stems, owner, phrasings, phrasing_vectors
            )
            claims_at = start + count + 2 + kp_count
            if self.judge is not None:  # encode the judge's side of every pair once, ahead of grading
                self.judge.key_point_states([*phrasings, *(item.claim for item in question.misconceptions)])
            self._prepared[key] = PreparedQuestion(
                question=question,
                question_stems=stems,
                phrasing_owner=owner,
                phrasing_vectors=phrasing_vectors,
                phrasing_tokens=phrasing_tokens,
                reference_vector=reference_vector,
                topic_vector=vectors[start + count + 1],
                key_point_vectors=vectors[start + count + 2 : claims_at],
                phrasing_floors=floors,
                phrasing_texts=phrasings,
                misconception_vectors=vectors[claims_at : claims_at + len(question.misconceptions)],
                known_right=known_right,
                known_wrong=known_wrong,
                known_contrasts=known_contrasts,
                reference_sentences=reference_sentences if known_right else None,
            )

    def _known_vectors(
        self,
        question: Question,
        stems: frozenset[str],
        owner: list[int],
        phrasings: list[str],
        phrasing_vectors: np.ndarray,
    ) -> tuple[list[np.ndarray], list[np.ndarray], list[list[WordContrast]]]:
        """Per key point, (right, wrong) statement vectors made the way answer spans are (question words
        demoted), right ones starting with the key point's own phrasings, and each wrong statement's word contrast
        with its closest right one. Only with the judge (it confirms); empty lists for a question without
        statements."""
        if self.judge is None:
            return [], [], []
        written = load_known_statements().for_question(question)
        if not any(written):
            return [], [], []
        count = len(question.key_points)
        mine = [[index for index, own in enumerate(owner) if own == kp] for kp in range(count)]
        right = [phrasing_vectors[rows] for rows in mine]
        empty = np.zeros((0, phrasing_vectors.shape[1]), dtype=np.float32)
        texts = list(dict.fromkeys(text for item in written if item for text in (*item.right, *item.wrong)))
        vectors = self._pooled_vectors(texts, stems)
        row = {text: index for index, text in enumerate(texts)}
        wrong: list[np.ndarray] = []
        contrasts: list[list[WordContrast]] = []
        for index, item in enumerate(written):
            if item is None:
                wrong.append(empty)
                contrasts.append([])
                continue
            right[index] = np.concatenate([right[index], vectors[[row[text] for text in item.right]]])
            wrong.append(vectors[[row[text] for text in item.wrong]])
            right_texts = [*(phrasings[phrasing] for phrasing in mine[index]), *item.right]
            contrasts.append(word_contrasts(item.wrong, wrong[index], right_texts, right[index], stems))
        return right, wrong, contrasts

    def _pooled_vectors(self, texts: list[str], stems: frozenset[str]) -> np.ndarray:
        """Vectors made as answer spans are: token embeddings pooled without the question's words (the known
        statements' thresholds were chosen on these; sentence vectors of the demoted texts caught 67 % of
        contradictions instead of 79 %). The token vectors are not kept: for the ~13,000 statements of all
        shipped questions they took 0.9 GB."""
        if self.embedder.provides_token_vectors:
            _, tokens = self.embedder.embed_with_tokens(texts)
            if all(token.offsets is not None and token.raw is not None for token in tokens):
                return np.stack([demoted_text_vector(token, stems) for token in tokens])
        return self.embedder.embed_persistent([scoring.demote_question_words(text, stems) for text in texts])

    def _in_bank(self, question: Question) -> bool:
        """The question is one of the bank's (not an ad-hoc question that happens to share an id)."""
        return (
            self.bank is not None
            and question.id in self.bank
            and self.bank.get(question.id).question == question.question
        )

    def _bank_question_vectors(self) -> dict[str, np.ndarray]:
        """Topic vectors (question + reference) of every bank question, for off-topic and related checks."""
        if self.bank is None:
            return {}
        if self._bank_vectors is None:
            # Only the topic vectors: preparing all 210 shipped questions (key points, alternatives, judge
            # states) just to compare an answer with them made the first grade take tens of seconds.
            questions = self.bank.questions
            vectors = self.embedder.embed_persistent(
                [f"{question.question}\n{question.reference_answer}" for question in questions]
            )
            self._bank_vectors = {question.id: vector for question, vector in zip(questions, vectors, strict=True)}
        return self._bank_vectors

    # ----- answers ----------------------------------------------------------------------------
    def _answer_text(self, answer: str) -> tuple[AnswerText | None, list[Flag]]:
        """Strip text aimed at the grader, stop early on empty or gibberish answers."""
        flags: list[Flag] = []
        text, removed = guards.split_grader_directed(answer or "")
        if removed:
            quoted = "; ".join(f"“{sentence[:80]}”" for sentence in removed[:2])
            flags.append(guards.flag(FlagCode.GRADER_DIRECTED, f"text addressed to the grader was ignored: {quoted}"))
        language = guards.non_english_reason(text)
        if language:
            flags.append(
                guards.flag(
                    FlagCode.NON_ENGLISH,
                    f"this answer does not look like English ({language}): grading reads English only, so its key "
                    "points are hardly recognised; answer in English for a fair grade",
                )
            )
        if guards.is_empty(answer or ""):
            if not language:  # a script without A–Z letters has no words the grader reads, but it is an answer
                flags.append(guards.flag(FlagCode.EMPTY, "the answer is empty or says it has no answer"))
            return None, flags
        if guards.is_empty(text):
            flags.append(
                guards.flag(FlagCode.EMPTY, "nothing is left to grade once text aimed at the grader is removed")
            )
            return None, flags
        share = guards.gibberish_share(text)
        if share > 0.5:
            flags.append(guards.flag(FlagCode.GIBBERISH, f"{share:.0%} of the words do not look like words"))
            return None, flags
        return answer_text(text, sentences(text) or [text.strip()]), flags

    # ----- scoring ----------------------------------------------------------------------------
    def _embedding_evidence(
        self, ready: PreparedQuestion, part: AnswerText, vectors: AnswerVectors
    ) -> EmbeddingEvidence:
        """Per key point: the embedding coverage (best over its phrasings), the best span and its similarity."""
        question = ready.question
        phrasing_span = ready.phrasing_vectors @ vectors.span_vectors.T  # (phrasings, spans)
        known = known_cosines(ready, vectors.span_vectors)
        answer_tokens = vectors.content_tokens
        kp_count = len(question.key_points)
        best_coverage = np.full(kp_count, -1.0)
        best_span = np.zeros(kp_count, dtype=int)
        best_similarity = np.zeros(kp_count)
        for phrasing_index, owner in enumerate(ready.phrasing_owner):
            # The span view reads the key point's closest right statement (its text, alternatives and written
            # paraphrases, terse forms and list items: known.right); the token view reads this phrasing's words.
            statements = known[owner]
            row = phrasing_span[phrasing_index] if statements is None else statements.right
            span_index = int(row.argmax())
            span_similarity = float(row[span_index])
            token_similarity = None
            if answer_tokens is not None and ready.phrasing_tokens is not None:
                token_similarity = scoring.token_recall(ready.phrasing_tokens[phrasing_index], answer_tokens)
            coverage = scoring.key_point_coverage(
                span_similarity, token_similarity, self.options, ready.phrasing_floors[phrasing_index]
            )
            if coverage > best_coverage[owner]:  # the best of a key point's phrasings counts
                best_coverage[owner], best_span[owner], best_similarity[owner] = coverage, span_index, span_similarity
        return EmbeddingEvidence(
            np.maximum(best_coverage, 0.0),
            best_span,
            best_similarity,
            phrasing_span,
            key_point_span_similarity(ready, phrasing_span),
            known,
        )

    def _judge_all(
        self,
        gradeable: Sequence[tuple[AnswerText, PreparedQuestion]],
        answer_vectors: Sequence[AnswerVectors],
        evidence: Sequence[EmbeddingEvidence],
    ) -> list[AnswerJudgement | None]:
        """The judge on every answer's candidate spans, in one call (fixed-shape batches: order-independent).

        Only written key points are judged: key points cut from a reference answer (`grading: reference`)
        are fragments the judge was not trained on, and on Mohler 2011 judging them took Pearson r from
        0.607 to 0.320 (docs/grading.md)."""
        assert self.judge is not None
        requests: list[tuple[int, str, int, str, int]] = []  # (answer, kind, index, premise text, span)
        span_cache: dict[tuple[int, int], np.ndarray] = {}
        closers: dict[int, dict[int, list[KnownMatch]]] = {}
        knowns: dict[int, list[KnownCosines | None]] = {}
        for answer_index, ((part, ready), vectors, seen) in enumerate(
            zip(gradeable, answer_vectors, evidence, strict=True)
        ):
            if ready.question.grading != "key_points":
                continue
            known = knowns[answer_index] = seen.known
            closer = closers[answer_index] = closer_to_wrong(part, known, self.rules)
            sentence_of = clause_sentences(part)
            for key_point_index, spans in enumerate(candidate_spans(seen.key_point_span, CANDIDATE_SPANS)):
                spans = list(dict.fromkeys([*spans, *(sentence_of[span] for span in spans if span in sentence_of)]))
                # The sentences like a known wrong statement are candidate spans too, read like the others (the
                # most like one is read even when the known-wrong rule's embedding part fails: reading it only
                # then, correct paraphrases lost entailment evidence: 7.50 -> 7.49, contradictions 2.23 -> 2.30).
                spans = list(dict.fromkeys([*spans, *(match.span for match in closer.get(key_point_index, []))]))
                for phrasing_index, owner in enumerate(ready.phrasing_owner):
                    if owner == key_point_index:
                        for span in spans:
                            requests.append(
                                (answer_index, "key_point", phrasing_index, ready.phrasing_texts[phrasing_index], span)
                            )
            if ready.misconception_vectors is not None and len(ready.misconception_vectors):
                claim_span = ready.misconception_vectors @ vectors.span_vectors.T
                key_point_text = {key_point.id: key_point.text for key_point in ready.question.key_points}
                for claim_index, misconception in enumerate(ready.question.misconceptions):
                    for span in np.argsort(-claim_span[claim_index], kind="stable")[:MISCONCEPTION_SPANS]:
                        requests.append((answer_index, "misconception", claim_index, misconception.claim, int(span)))
                        if misconception.key_point in key_point_text:
                            corrected = key_point_text[misconception.key_point]
                            requests.append((answer_index, "corrected", claim_index, corrected, int(span)))
        for answer_index, _, _, _, span in requests:
            if (answer_index, span) not in span_cache:
                part = gradeable[answer_index][0]
                tokens = answer_vectors[answer_index].sentence_tokens or []
                span_cache[(answer_index, span)] = span_states(tokens, part.span_pieces[span])
        # one reading per distinct (answer, premise, span): a key point that a misconception corrects is
        # often read on the same sentence as a key point already
        distinct = list(dict.fromkeys((answer, premise, span) for answer, _, _, premise, span in requests))
        premises = self.judge.key_point_states([premise for _, premise, _ in distinct])
        read = self.judge.judge(premises, [span_cache[(answer, span)] for answer, _, span in distinct])
        row_of = {pair: row for row, pair in enumerate(distinct)}
        probabilities = read[[row_of[(answer, premise, span)] for answer, _, _, premise, span in requests]]
        results: list[AnswerJudgement | None] = [
            AnswerJudgement(closer_to_wrong=closers[answer_index], known=knowns[answer_index])
            if ready.question.grading == "key_points"
            else None
            for answer_index, (_, ready) in enumerate(gradeable)
        ]
        for (answer_index, kind, index, _, span), (entailed, contradicted, _) in zip(
            requests, probabilities, strict=True
        ):
            readings = results[answer_index]
            assert readings is not None
            target = {"key_point": readings.key_points, "misconception": readings.misconceptions}.get(
                kind, readings.corrected
            )
            target.setdefault(index, []).append((span, float(entailed), float(contradicted)))
        return results

    def _decide(
        self,
        ready: PreparedQuestion,
        part: AnswerText,
        seen: EmbeddingEvidence,
        judgement: AnswerJudgement,
    ) -> tuple[list[verdicts.KeyPointDecision], list[tuple[Misconception, int, float]]]:
        """The judge's verdict per key point, and the misconceptions the answer states."""
        question = ready.question
        stated = []
        contradicting: dict[str, tuple[int, float]] = {}
        for claim_index, misconception in enumerate(question.misconceptions):
            corrected = {
                span: (entailed, contradicted)
                for span, entailed, contradicted in judgement.corrected.get(claim_index, [])
            }
            claims = [
                verdicts.ClaimJudgement(
                    span,
                    entailed,
                    corrected[span][0] if span in corrected else None,
                    corrected[span][1] if span in corrected else 0.0,
                    joined=len(part.span_pieces[span]) > 1,
                )
                for span, entailed, _ in judgement.misconceptions.get(claim_index, [])
            ]
            found = verdicts.stated_misconception(claims, self.rules)
            if found is None:
                continue
            stated.append((misconception, found.span, found.claim_entailed))
            if misconception.key_point is not None:
                previous = contradicting.get(misconception.key_point)
                if previous is None or found.claim_entailed > previous[1]:
                    contradicting[misconception.key_point] = (found.span, found.claim_entailed)
        sentence_of = clause_sentences(part)
        # the sentences and clauses that say some key point of the question, or an alternative, in its own words:
        # by the rubric they are right, so they contradict none of its key points (the judge also reads a
        # sibling's restatement as a contradiction: "skew is a gap between training and serving performance"
        # against "skew also comes from data that differs at serving time")
        own_words = [[key_point.text, *key_point.alternatives] for key_point in question.key_points]
        sentence_spans = [span for span, pieces in enumerate(part.span_pieces) if len(pieces) == 1]
        restating_each = [
            {span for span in sentence_spans if any(guards.restates(part.spans[span], text) for text in texts)}
            for texts in own_words
        ]
        restating = set().union(*restating_each)
        has_known = [
            index < len(judgement.known) and judgement.known[index] is not None
            for index in range(len(question.key_points))
        ]
        decisions = []
        readings: list[list[verdicts.SpanJudgement]] = []
        for key_point_index, key_point in enumerate(question.key_points):
            by_span: dict[int, list[float]] = {}
            for phrasing_index, owner in enumerate(ready.phrasing_owner):
                if owner != key_point_index:
                    continue
                main_text = ready.phrasing_texts[phrasing_index] == key_point.text
                for span, entailed, contradicted in judgement.key_points.get(phrasing_index, []):
                    best = by_span.setdefault(span, [0.0, 0.0])
                    best[0] = max(best[0], entailed)
                    if main_text:
                        best[1] = max(best[1], contradicted)
            for span in restating_each[key_point_index]:
                # a sentence in the key point's own words entails it, whatever the judge reads (it reads a key point
                # against itself as entailed 0.09 on average)
                by_span.setdefault(span, [0.0, 0.0])[0] = 1.0
            judgements = [
                verdicts.SpanJudgement(
                    span,
                    entailed,
                    contradicted,
                    len(part.spans[span]),
                    joined=len(part.span_pieces[span]) > 1,
                    sentence_contradicted=by_span[sentence_of[span]][1] if sentence_of.get(span) in by_span else None,
                    restates=span in restating,
                    similarity=float(seen.key_point_span[key_point_index, span]),
                )
                for span, (entailed, contradicted) in sorted(by_span.items())
            ]
            readings.append(judgements)
            known_wrong = [
                verdicts.KnownWrongReading(
                    span=match.span,
                    margin=match.over_answer,
                    sentence_margin=match.over_sentence,
                    word_contrast=match.word_contrast,
                    contradicted=by_span[match.span][1],
                    similarity=match.similarity,
                    restates=match.span in restating,
                )
                for match in judgement.closer_to_wrong.get(key_point_index, [])
                if match.span in by_span
            ]
            decisions.append(
                verdicts.decide(
                    judgements,
                    float(seen.coverage[key_point_index]),
                    int(seen.span[key_point_index]),
                    self.rules,
                    contradicting.get(key_point.id),
                    known_wrong,
                    denied_in=_denying_span(part, sentence_spans, restating, own_words, key_point_index),
                    known_statements=has_known[key_point_index],
                    sentence_of=sentence_of,
                )
            )
        decisions = self._without_spread_contradictions(ready, seen, readings, decisions, contradicting)
        decisions = verdicts.distinct_evidence(decisions, readings, self.rules)
        contradicted_ids = {
            key_point.id
            for key_point, decision in zip(question.key_points, decisions, strict=True)
            if decision.verdict == "contradicted"
        }
        return decisions, [item for item in stated if item[0].key_point in contradicted_ids]

    def _score(
        self,
        ready: PreparedQuestion,
        part: AnswerText,
        vectors: AnswerVectors,
        seen: EmbeddingEvidence,
        judgement: AnswerJudgement | None,
        flags: list[Flag],
        asked: Collection[str],
    ) -> GradeResult:
        question = ready.question
        best_coverage = seen.coverage.copy()
        weights = [key_point.weight for key_point in question.key_points]
        reference_similarity = float(vectors.whole_demoted @ ready.reference_vector)
        if judgement is not None:
            decisions, stated = self._decide(ready, part, seen, judgement)
            verdict_list = [
                KeyPointVerdict(
                    key_point_id=key_point.id,
                    text=key_point.text,
                    weight=key_point.weight,
                    verdict=decision.verdict,
                    similarity=round(float(seen.similarity[index]), 4),
                    evidence=part.spans[decision.span]
                    if decision.span is not None and decision.verdict != "missed"
                    else None,
                    decided_by="judge",
                    confidence=round(decision.confidence, 4),
                )
                for index, (key_point, decision) in enumerate(zip(question.key_points, decisions, strict=True))
            ]
            best_coverage = np.array([decision.coverage for decision in decisions])
            flags.extend(_contradiction_flags(verdict_list, stated, part))
            score = scoring.combined_score(
                best_coverage,
                weights,
                reference_similarity,
                self.options.reference_weight,
                self.options.reference_cap,
                credit=verdicts.credits(decisions, self.rules),
            )
        else:
            negated = []
            for index, key_point in enumerate(question.key_points):
                evidence = part.spans[seen.span[index]]
                if (
                    self.options.guards
                    and best_coverage[index] >= scoring.PARTIAL_AT
                    and guards.negates_claim(evidence, key_point.text)
                ):
                    best_coverage[index] *= scoring.NEGATION_PENALTY
                    negated.append(key_point.id)
            if negated:
                flags.append(
                    guards.flag(
                        FlagCode.NEGATION,
                        "the evidence for key point(s) "
                        + ", ".join(negated)
                        + " is negated in the answer (not/never/no before its terms); counted at half weight",
                    )
                )
            verdict_list = [
                KeyPointVerdict(
                    key_point_id=key_point.id,
                    text=key_point.text,
                    weight=key_point.weight,
                    verdict=scoring.verdict_for(best_coverage[index]),
                    similarity=round(float(seen.similarity[index]), 4),
                    evidence=part.spans[seen.span[index]] if best_coverage[index] >= scoring.PARTIAL_AT else None,
                )
                for index, key_point in enumerate(question.key_points)
            ]
            score = scoring.combined_score(
                best_coverage,
                weights,
                reference_similarity,
                self.options.reference_weight,
                self.options.reference_cap,
                self.options.verdict_credit,
            )
        if self.options.guards:
            # The off-topic guard reads the embedding's coverage, not the judge's: the judge reads one span at
            # a time and finds "entailment" in a fluent answer to another question of the same field (on the
            # answer sets, 34 % of such answers scored above 3 when the guard read the judge's coverage).
            guard_coverage = float(np.mean(seen.coverage if judgement is not None else best_coverage))
            score = self._apply_guards(ready, part.text, vectors.whole, guard_coverage, score, flags)
            if any(flag.code == FlagCode.OFF_TOPIC for flag in flags):
                verdict_list = _without_partial_credit(verdict_list)
        return self._result(ready, verdict_list, list(best_coverage), score, flags, reference_similarity, asked)

    def _without_spread_contradictions(
        self,
        ready: PreparedQuestion,
        seen: EmbeddingEvidence,
        readings: list[list[verdicts.SpanJudgement]],
        decisions: list[verdicts.KeyPointDecision],
        contradicting: dict[str, tuple[int, float]],
    ) -> list[verdicts.KeyPointDecision]:
        """Decide again, without the judge's contradiction, the key points whose contradiction sits in a span
        that contradicts more of them than `max_contradicted_per_span` (a stated misconception still counts;
        a known wrong statement's does not: one sentence is one claim whichever route flagged it)."""
        key_points = ready.question.key_points
        judged_only = [
            index
            for index, decision in enumerate(decisions)
            if decision.verdict == "contradicted" and key_points[index].id not in contradicting
        ]
        per_span = Counter(decisions[index].span for index in judged_only)
        spread = {span for span, count in per_span.items() if count > self.rules.max_contradicted_per_span}
        if not spread:
            return decisions
        lenient = replace(self.rules, contradicted_at=math.inf)
        redone = list(decisions)
        for index in judged_only:
            if decisions[index].span in spread:
                redone[index] = verdicts.decide(
                    readings[index], float(seen.coverage[index]), int(seen.span[index]), lenient
                )
        return redone

    def _apply_guards(
        self,
        ready: PreparedQuestion,
        text: str,
        answer_vector: np.ndarray,
        coverage: float,
        score: float,
        flags: list[Flag],
    ) -> float:
        """Caps for stuffed, parroted and off-topic answers; each adds its flag."""
        question = ready.question
        non_english = any(flag.code == FlagCode.NON_ENGLISH for flag in flags)
        if not non_english and guards.is_keyword_stuffing(text, question.question):  # a German sentence is no list
            flags.append(
                guards.flag(
                    FlagCode.KEYWORD_STUFFING,
                    f"terms without sentences or explanation; score capped at {STUFFING_CAP:g}",
                )
            )
            score = min(score, STUFFING_CAP)
        if guards.is_parroted(text, question.question):
            flags.append(
                guards.flag(
                    FlagCode.PARROTED_QUESTION,
                    f"the answer mostly repeats the question; score capped at {PARROT_CAP:g}",
                )
            )
            score = min(score, PARROT_CAP)
        own = float(answer_vector @ ready.topic_vector)
        others = {}
        if self._in_bank(question):
            others = {
                question_id: float(answer_vector @ vector)
                for question_id, vector in self._bank_question_vectors().items()
                if question_id != question.id
            }
        best_other_id = max(others, key=others.__getitem__) if others else None
        reason = guards.off_topic_reason(
            guards.OffTopicCheck(
                own_similarity=own,
                best_other_similarity=others[best_other_id] if best_other_id else None,
                best_other_id=best_other_id,
                coverage=coverage,
                best_other_question=self.bank.get(best_other_id).question if best_other_id and self.bank else None,
            )
        )
        if reason:
            flags.append(guards.flag(FlagCode.OFF_TOPIC, f"{reason}; score capped at {OFF_TOPIC_CAP:g}"))
            score = min(score, OFF_TOPIC_CAP)
        return score

    def _experience_result(self, question: Question, answer: str) -> GradeResult:
        """An answer about the candidate's own work: structure and specifics, no reference facts."""
        text, _ = guards.split_grader_directed(answer or "")
        verdicts = experience.experience_verdicts(question, text)
        return GradeResult(
            question_id=question.id,
            score=experience.experience_score(verdicts),
            key_points=verdicts,
            flags=[experience.experience_flag()],
            provenance=Provenance(grader=GRADER_NAME, embedding_model=self.embedder.name),
        )

    def _zero_result(self, ready: PreparedQuestion, flags: list[Flag], asked: Collection[str]) -> GradeResult:
        verdicts = [
            KeyPointVerdict(key_point_id=key_point.id, text=key_point.text, weight=key_point.weight, verdict="missed")
            for key_point in ready.question.key_points
        ]
        return self._result(ready, verdicts, [0.0] * len(verdicts), 0.0, flags, None, asked)

    def _result(
        self,
        ready: PreparedQuestion,
        verdicts: list[KeyPointVerdict],
        coverages: list[float],
        score: float,
        flags: list[Flag],
        reference_similarity: float | None,
        asked: Collection[str],
    ) -> GradeResult:
        weak = [index for index, verdict in enumerate(verdicts) if verdict.verdict != "covered"]
        weak_vector = ready.key_point_vectors[weak].mean(axis=0) if weak else ready.key_point_vectors.mean(axis=0)
        related = None
        if self._in_bank(ready.question):
            related = closest_related_question(
                ready.question, weak_vector, self.bank, self._bank_question_vectors(), asked
            )
        follow_ups = rank_follow_ups(ready.question, verdicts, coverages, related=related, asked=asked)
        return GradeResult(
            question_id=ready.question.id,
            score=round(min(10.0, max(0.0, score)), 2),
            key_points=verdicts,
            flags=flags,
            follow_ups=follow_ups,
            reference_similarity=None if reference_similarity is None else round(reference_similarity, 4),
            provenance=Provenance(grader=GRADER_NAME, embedding_model=self.embedder.name),
        )
