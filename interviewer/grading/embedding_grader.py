"""The offline grader: key-point coverage with sentence embeddings, guards, follow-ups.

One call embeds all of an answer's spans at once (a batch embeds all spans of all its answers);
key points, references and bank questions are embedded once and cached (memory and disk).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from interviewer.bank.models import Bank, Question
from interviewer.grading import experience, guards, scoring
from interviewer.grading.embedding import embed_persistent
from interviewer.grading.follow_ups import closest_related_question, normalise_question_text, rank_follow_ups
from interviewer.grading.result import Flag, FlagCode, GradeResult, KeyPointVerdict, Provenance
from interviewer.grading.answer_vectors import (
    AnswerText,
    AnswerVectors,
    answer_text,
    demoted_text_vector,
    embed_answers,
)
from interviewer.grading.text import content_stems, sentences

GRADER_NAME = "embedding"
OFF_TOPIC_CAP = 2.0
STUFFING_CAP = 3.0
PARROT_CAP = 2.0


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


def _sibling_floors(
    owner: list[int], phrasing_vectors: np.ndarray, phrasing_tokens: list[np.ndarray] | None
) -> list[tuple[float, float]]:
    """Per phrasing, the (span, token) chance level: its best match with each other key point, averaged."""
    floors = []
    span_similarities = phrasing_vectors @ phrasing_vectors.T
    for index, key_point in enumerate(owner):
        span_best: dict[int, float] = {}
        token_best: dict[int, float] = {}
        for other, other_key_point in enumerate(owner):
            if other_key_point == key_point:
                continue
            span_best[other_key_point] = max(span_best.get(other_key_point, -1.0), float(span_similarities[index, other]))
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
        self, embedder: object, bank: Bank | None = None, *, options: scoring.ScoringOptions = scoring.DEFAULT_OPTIONS
    ):
        self.embedder = embedder
        self.bank = bank
        self.options = options
        self._prepared: dict[str, PreparedQuestion] = {}
        self._bank_vectors: dict[str, np.ndarray] | None = None
        self._has_tokens = hasattr(embedder, "embed_with_tokens")

    # ----- public API -------------------------------------------------------------------------
    def grade(self, question: Question, answer: str, *, asked: Collection[str] = ()) -> GradeResult:
        """Grade one answer; never raises for bad answers (flags them instead)."""
        return self.grade_batch([(question, answer)], asked=asked)[0]

    def grade_batch(
        self, items: Sequence[tuple[Question, str]], *, asked: Collection[str] = ()
    ) -> list[GradeResult]:
        """Grade many answers, embedding all their spans in one pass."""
        experience = {
            index: self._experience_result(question, answer)
            for index, (question, answer) in enumerate(items)
            if question.grading == "experience"
        }
        if experience:
            rest = [item for index, item in enumerate(items) if index not in experience]
            graded = iter(self.grade_batch(rest, asked=asked) if rest else [])
            return [experience[index] if index in experience else next(graded) for index in range(len(items))]
        prepared = self.prepare([question for question, _ in items])
        parts: list[AnswerText | None] = []
        early_flags: list[list[Flag]] = []
        for (_, answer), ready in zip(items, prepared, strict=True):
            part, flags = self._answer_text(answer)
            parts.append(part)
            early_flags.append(flags)
        gradeable = [(part, ready) for part, ready in zip(parts, prepared, strict=True) if part is not None]
        vectors = iter(
            embed_answers(self.embedder, [part for part, _ in gradeable], [ready.question_stems for _, ready in gradeable])
        )
        results = []
        for ready, part, flags in zip(prepared, parts, early_flags, strict=True):
            if part is None:
                results.append(self._zero_result(ready, flags, asked))
            else:
                results.append(self._score(ready, part, next(vectors), flags, asked))
        return results

    def prepare(self, questions: Sequence[Question]) -> list[PreparedQuestion]:
        """Embed (or fetch from cache) what grading these questions needs."""
        keys = [_question_key(question) for question in questions]
        todo = {key: question for key, question in zip(keys, questions, strict=True) if key not in self._prepared}
        if todo:
            self._prepare_many(list(todo.items()))
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
            ]
            layout.append((stems, owner, phrasings, len(texts)))
            texts.extend(demoted + extra)
        vectors = embed_persistent(self.embedder, texts)
        all_phrasings = [phrasing for _, _, phrasings, _ in layout for phrasing in phrasings]
        token_map = {}
        if self._has_tokens and all_phrasings:
            token_source = getattr(self.embedder, "token_vectors_persistent", None)
            if token_source is not None:
                token_vectors = token_source(all_phrasings)
            else:
                _, token_vectors = self.embedder.embed_with_tokens(all_phrasings)
            token_map = dict(zip(all_phrasings, token_vectors, strict=True))
        pooled = bool(token_map) and all(tokens.offsets is not None for tokens in token_map.values())
        if pooled:  # demote both sides the same way: pool token embeddings without the question's words
            references = [answer_text(q.reference_answer, sentences(q.reference_answer) or [q.reference_answer]) for _, q in pending]
            reference_vectors = embed_answers(self.embedder, references, [stems for stems, *_ in layout])
        for position, ((key, question), (stems, owner, phrasings, start)) in enumerate(zip(pending, layout, strict=True)):
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
            if pooled:
                phrasing_vectors = np.stack([demoted_text_vector(token_map[phrasing], stems) for phrasing in phrasings])
                reference_vector = reference_vectors[position].whole_demoted
            floors = _sibling_floors(owner, phrasing_vectors, phrasing_tokens)
            self._prepared[key] = PreparedQuestion(
                question=question,
                question_stems=stems,
                phrasing_owner=owner,
                phrasing_vectors=phrasing_vectors,
                phrasing_tokens=phrasing_tokens,
                reference_vector=reference_vector,
                topic_vector=vectors[start + count + 1],
                key_point_vectors=vectors[start + count + 2 : start + count + 2 + kp_count],
                phrasing_floors=floors,
            )

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
            prepared = self.prepare(self.bank.questions)
            self._bank_vectors = {ready.question.id: ready.topic_vector for ready in prepared}
        return self._bank_vectors

    # ----- answers ----------------------------------------------------------------------------
    def _answer_text(self, answer: str) -> tuple[AnswerText | None, list[Flag]]:
        """Strip text aimed at the grader, stop early on empty or gibberish answers."""
        flags: list[Flag] = []
        text, removed = guards.split_grader_directed(answer or "")
        if removed:
            quoted = "; ".join(f"“{sentence[:80]}”" for sentence in removed[:2])
            flags.append(
                guards.flag(FlagCode.GRADER_DIRECTED, f"text addressed to the grader was ignored: {quoted}")
            )
        if guards.is_empty(answer or ""):
            flags.append(guards.flag(FlagCode.EMPTY, "the answer is empty or says it has no answer"))
            return None, flags
        if guards.is_empty(text):
            flags.append(guards.flag(FlagCode.EMPTY, "nothing is left to grade once text aimed at the grader is removed"))
            return None, flags
        share = guards.gibberish_share(text)
        if share > 0.5:
            flags.append(guards.flag(FlagCode.GIBBERISH, f"{share:.0%} of the words do not look like words"))
            return None, flags
        return answer_text(text, sentences(text) or [text.strip()]), flags

    # ----- scoring ----------------------------------------------------------------------------
    def _score(
        self,
        ready: PreparedQuestion,
        part: AnswerText,
        vectors: AnswerVectors,
        flags: list[Flag],
        asked: Collection[str],
    ) -> GradeResult:
        question = ready.question
        span_vectors = vectors.span_vectors
        answer_tokens = vectors.content_tokens
        phrasing_span = ready.phrasing_vectors @ span_vectors.T  # (phrasings, spans)
        kp_count = len(question.key_points)
        best_coverage = np.full(kp_count, -1.0)
        best_span = np.zeros(kp_count, dtype=int)
        best_similarity = np.zeros(kp_count)
        for phrasing_index, owner in enumerate(ready.phrasing_owner):
            span_index = int(phrasing_span[phrasing_index].argmax())
            span_similarity = float(phrasing_span[phrasing_index, span_index])
            token_similarity = None
            if answer_tokens is not None and ready.phrasing_tokens is not None:
                token_similarity = scoring.token_recall(ready.phrasing_tokens[phrasing_index], answer_tokens)
            coverage = scoring.key_point_coverage(
                span_similarity, token_similarity, self.options, ready.phrasing_floors[phrasing_index]
            )
            if coverage > best_coverage[owner]:  # the best of a key point's phrasings counts
                best_coverage[owner], best_span[owner], best_similarity[owner] = coverage, span_index, span_similarity
        best_coverage = np.maximum(best_coverage, 0.0)

        negated = []
        for index, key_point in enumerate(question.key_points):
            evidence = part.spans[best_span[index]]
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
        verdicts = [
            KeyPointVerdict(
                key_point_id=key_point.id,
                text=key_point.text,
                weight=key_point.weight,
                verdict=scoring.verdict_for(best_coverage[index]),
                similarity=round(float(best_similarity[index]), 4),
                evidence=part.spans[best_span[index]] if best_coverage[index] >= scoring.PARTIAL_AT else None,
            )
            for index, key_point in enumerate(question.key_points)
        ]
        reference_similarity = float(vectors.whole_demoted @ ready.reference_vector)
        score = scoring.combined_score(
            best_coverage,
            [key_point.weight for key_point in question.key_points],
            reference_similarity,
            self.options.reference_weight,
            self.options.reference_cap,
            self.options.verdict_credit,
        )
        if self.options.guards:
            score = self._apply_guards(ready, part.text, vectors.whole, float(np.mean(best_coverage)), score, flags)
        return self._result(ready, verdicts, list(best_coverage), score, flags, reference_similarity, asked)

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
        if guards.is_keyword_stuffing(text):
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
            provenance=Provenance(grader=GRADER_NAME, embedding_model=getattr(self.embedder, "name", None)),
        )

    def _zero_result(self, ready: PreparedQuestion, flags: list[Flag], asked: Collection[str]) -> GradeResult:
        verdicts = [
            KeyPointVerdict(
                key_point_id=key_point.id, text=key_point.text, weight=key_point.weight, verdict="missed"
            )
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
        weak_vector = (
            ready.key_point_vectors[weak].mean(axis=0) if weak else ready.key_point_vectors.mean(axis=0)
        )
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
            provenance=Provenance(grader=GRADER_NAME, embedding_model=getattr(self.embedder, "name", None)),
        )
