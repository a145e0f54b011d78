"""The "llm" and "hybrid" graders: an LLM rubric grade checked against the embedding grade.

Both first take the embedding grade (the evidence, and the fallback). "llm" asks the model about every
key point and uses its score; "hybrid" keeps the offline verdicts that are sure and asks the model only
about the uncertain ones (partial, or below UNCERTAIN_BELOW confidence), moving the embedding score by
what the model changed. Both get feedback and one follow-up question from the model, except for an
answer that the offline guard flags as speaking to the grader. Any server fault returns the embedding grade, flagged.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence

from interviewer.bank.models import KeyPoint, Question
from interviewer.grading.base import Grader
from interviewer.grading.follow_ups import normalise_question_text
from interviewer.grading.guards import MAX_ANSWER_CHARS, bounded_answer
from interviewer.grading.llm.assessment import (
    PROMPT_VERSION,
    LLMAssessment,
    assessment_schema,
    reply_token_budget,
)
from interviewer.grading.llm.breaker import CircuitBreaker
from interviewer.grading.llm.cache import AssessmentCache, CachedAssessment, cache_key
from interviewer.grading.llm.client import LLMClient, LLMFault
from interviewer.grading.llm.evidence import locate_quote, score_cap, verdict_score
from interviewer.grading.llm.prompt import rubric_messages
from interviewer.grading.llm.redaction import Redactor
from interviewer.grading.result import Flag, FlagCode, FollowUp, GradeResult, KeyPointVerdict, Provenance
from interviewer.grading.scoring import COVERAGE_WEIGHT, VERDICT_CREDIT

log = logging.getLogger(__name__)

SCHEMA_NAME = "rubric_assessment"
MAX_FOLLOW_UPS = 3
UNCERTAIN_BELOW = 0.7
"""An offline verdict whose confidence (the key-point judge's probability) is below this goes to the LLM
in hybrid mode, as every partial one does; docs/llm.md says how it was chosen."""


def scrubbed(assessment: LLMAssessment, redact: Redactor) -> LLMAssessment:
    """The assessment with credentials (the API key, anything that looks like a key) replaced in its texts."""
    return assessment.model_copy(
        update={
            "feedback": redact.scrub(assessment.feedback),
            "follow_up": redact.scrub(assessment.follow_up),
            "key_points": [
                item.model_copy(update={"quote": redact.scrub(item.quote)}) for item in assessment.key_points
            ],
        }
    )


def contradiction_flag(verdicts: Sequence[KeyPointVerdict]) -> Flag | None:
    """The `contradiction` flag naming each contradicted key point (as the embedding grader words it)."""
    contradicted = [verdict for verdict in verdicts if verdict.verdict == "contradicted"]
    if not contradicted:
        return None
    said = "; ".join(f"“{verdict.evidence}” — {verdict.text}" for verdict in contradicted)
    return Flag(code=FlagCode.CONTRADICTION, message=f"the answer contradicts a key point: {said}")


def llm_unavailable(embedding_grade: GradeResult, reason: str) -> GradeResult:
    """The embedding grade, flagged so the user sees the LLM was not used and why."""
    flag = Flag(code=FlagCode.LLM_UNAVAILABLE, message=f"LLM unavailable: {reason}")
    return embedding_grade.model_copy(update={"flags": [*embedding_grade.flags, flag]})


class LLMRubricGrader:
    """Shared machinery: evidence, cached LLM assessment, quote check, score cap, fallback."""

    name = "llm"

    def __init__(
        self,
        client: LLMClient,
        embedding_grader: Grader,
        *,
        cache: AssessmentCache | None = None,
        breaker: CircuitBreaker | None = None,
        max_answer_chars: int = MAX_ANSWER_CHARS,
    ):
        self.max_answer_chars = max_answer_chars
        self.client = client
        self.embedding_grader = embedding_grader
        self.cache = cache
        self.breaker = breaker or CircuitBreaker()

    # -- public API -------------------------------------------------------------------------
    def grade(self, question: Question, answer: str, *, asked: Collection[str] = ()) -> GradeResult:
        """Grade one answer; never raises for a server fault (returns the flagged embedding grade)."""
        evidence = self.embedding_grader.grade(question, answer, asked=asked)
        return self.grade_with_evidence(question, answer, evidence, asked=asked)

    def grade_batch(self, items: Sequence[tuple[Question, str]]) -> list[GradeResult]:
        """Grade many answers: embeddings in one batch, then one LLM request per answer (cached)."""
        evidence = self.embedding_grader.grade_batch(items)
        return [
            self.grade_with_evidence(question, answer, grade)
            for (question, answer), grade in zip(items, evidence, strict=True)
        ]

    def prepare(self, questions: Sequence[Question]) -> object:
        """Embed what the evidence grade of these questions needs."""
        return self.embedding_grader.prepare(questions)

    def close(self) -> None:
        """Release the HTTP connections."""
        self.client.close()

    def grade_with_evidence(
        self, question: Question, answer: str, evidence: GradeResult, *, asked: Collection[str] = ()
    ) -> GradeResult:
        """Combine an embedding grade with the LLM's assessment of the same answer (up to `max_answer_chars`:
        the model sees and quotes what the embedding grade graded, which flags a longer answer `truncated`)."""
        answer, _ = bounded_answer(answer, self.max_answer_chars)
        if not answer.strip():
            return evidence  # nothing to ask a model about
        to_judge = self.key_points_to_judge(question, evidence)
        judged_ids = {key_point.id for key_point in to_judge}
        context = [verdict for verdict in evidence.key_points if verdict.key_point_id not in judged_ids]
        try:
            assessment = self.assess(question, answer, to_judge, context)
        except LLMFault as fault:
            log.warning("LLM grading of question %s fell back to embeddings: %s", question.id, fault.reason)
            return llm_unavailable(evidence, fault.reason)
        return self._combine(question, answer, evidence, assessment, asked)

    # -- what differs between "llm" and "hybrid" -----------------------------------------
    def key_points_to_judge(self, question: Question, evidence: GradeResult) -> list[KeyPoint]:
        """Key points the LLM decides: all of them."""
        return list(question.key_points)

    def combined_score(
        self, assessment: LLMAssessment, evidence: GradeResult, verdicts: list[KeyPointVerdict], quotes_failed: bool
    ) -> float:
        """The model's score, limited to the verdict score when its quotes did not hold up."""
        score = assessment.score
        if quotes_failed:
            score = min(score, verdict_score(verdicts))
        return score

    # -- shared steps ------------------------------------------------------------------------
    def assess(
        self, question: Question, answer: str, to_judge: Sequence[KeyPoint], context: Sequence[KeyPointVerdict]
    ) -> LLMAssessment:
        """The LLM's assessment, from the cache when this exact request was answered before.

        Texts are scrubbed of credentials before the assessment is cached or used.
        """
        messages = rubric_messages(question, answer, to_judge, context)
        key_point_ids = [key_point.id for key_point in to_judge]
        key = cache_key(
            server=self.client.server,
            prompt_version=PROMPT_VERSION,
            sampling={"temperature": self.client.settings.temperature, "seed": self.client.settings.seed},
            messages=messages,
        )
        if self.cache is not None:
            cached = self.cache.get(key)
            if cached is not None and cached.model == self.client.model and cached.prompt_version == PROMPT_VERSION:
                return scrubbed(cached.assessment, self.client.redactor)
        skipped_because = self.breaker.open_reason()
        if skipped_because is not None:
            raise LLMFault(skipped_because)
        try:
            reply = self.client.complete_json(
                messages,
                schema_name=SCHEMA_NAME,
                schema=assessment_schema(key_point_ids),
                portable_schema=assessment_schema(key_point_ids, pinned=False),
                max_tokens=reply_token_budget(key_point_ids),
                validate=lambda data: LLMAssessment.validate_reply(data, key_point_ids),
            )
        except LLMFault as fault:
            if not fault.bad_reply:
                self.breaker.record_failure(fault.reason)
            raise
        self.breaker.record_success()
        assessment = scrubbed(reply.value, self.client.redactor)
        if self.cache is not None:
            entry = CachedAssessment(
                model=self.client.model, prompt_version=PROMPT_VERSION, mode=reply.mode, assessment=assessment
            )
            self.cache.put(key, entry)
        return assessment

    def _combine(
        self,
        question: Question,
        answer: str,
        evidence: GradeResult,
        assessment: LLMAssessment,
        asked: Collection[str],
    ) -> GradeResult:
        judged = {item.key_point_id: item for item in assessment.key_points}
        embedding_verdicts = {verdict.key_point_id: verdict for verdict in evidence.key_points}
        verdicts: list[KeyPointVerdict] = []
        mismatched: list[str] = []
        for key_point in question.key_points:
            embedding_verdict = embedding_verdicts[key_point.id]
            item = judged.get(key_point.id)
            if item is None:
                verdicts.append(embedding_verdict)
                continue
            verdict, quote = item.verdict, locate_quote(item.quote, answer)
            if verdict != "missed" and quote is None:
                mismatched.append(key_point.id)
                verdict = "missed"  # evidence that is not in the answer supports nothing
            verdicts.append(
                KeyPointVerdict(
                    key_point_id=key_point.id,
                    text=key_point.text,
                    weight=key_point.weight,
                    verdict=verdict,
                    similarity=embedding_verdict.similarity,
                    evidence=quote if verdict != "missed" and quote else None,
                    decided_by="llm",
                )
            )
        flags = [flag for flag in evidence.flags if flag.code != FlagCode.CONTRADICTION]
        contradiction = contradiction_flag(verdicts)
        if contradiction is not None:
            flags.append(contradiction)
        if mismatched:
            flags.append(
                Flag(
                    code=FlagCode.LLM_QUOTE_MISMATCH,
                    message="The LLM's evidence is not in the answer for key point(s) "
                    f"{', '.join(mismatched)}; those verdicts count as missed.",
                )
            )
        if assessment.grader_directed and not evidence.has_flag(FlagCode.GRADER_DIRECTED):
            flags.append(
                Flag(
                    code=FlagCode.GRADER_DIRECTED,
                    message="The LLM judged that the answer speaks to the grader or tries to change the grade.",
                )
            )
        score = min(10.0, max(0.0, self.combined_score(assessment, evidence, verdicts, bool(mismatched))))
        provenance = Provenance(
            grader=self.name,
            embedding_model=evidence.provenance.embedding_model,
            llm_model=self.client.model,
            prompt_version=PROMPT_VERSION,
        )
        grader_directed = any(flag.code == FlagCode.GRADER_DIRECTED for flag in flags)
        cap = score_cap(evidence, grader_directed=grader_directed)
        if score > cap + 1e-9 and grader_directed:
            # The answer spoke to the grader and the model went above the evidence: its verdicts,
            # feedback and follow-up are what the injection produced, so none of them is kept.
            flags.append(
                Flag(
                    code=FlagCode.LLM_SCORE_CAPPED,
                    message=f"The LLM gave {score:.1f} to an answer that speaks to the grader; its grade was "
                    f"set aside for the embedding grade ({evidence.score:.1f}).",
                )
            )
            return evidence.model_copy(update={"flags": flags, "provenance": provenance})
        if score > cap + 1e-9:
            flags.append(
                Flag(
                    code=FlagCode.LLM_SCORE_CAPPED,
                    message=f"The LLM's score {score:.1f} is far above the key-point evidence "
                    f"(embedding score {evidence.score:.1f}); capped at {cap:.1f}.",
                )
            )
            score = cap
        # What a model wrote about an answer that speaks to the grader (as the offline guard or the model itself
        # saw it) is what that text asked for: its feedback and follow-up are not shown.
        injected = grader_directed
        return GradeResult(
            question_id=question.id,
            score=round(score, 2),
            key_points=verdicts,
            flags=flags,
            follow_ups=list(evidence.follow_ups) if injected else self._follow_ups(assessment, evidence, asked),
            feedback=None if injected else assessment.feedback,
            reference_similarity=evidence.reference_similarity,
            provenance=provenance,
        )

    @staticmethod
    def _follow_ups(assessment: LLMAssessment, evidence: GradeResult, asked: Collection[str]) -> list[FollowUp]:
        """The LLM's follow-up first (unless already asked or duplicated), then the embedding grader's."""
        follow_ups = list(evidence.follow_ups)
        seen = {normalise_question_text(text) for text in [*asked, *(item.text for item in follow_ups)]}
        if normalise_question_text(assessment.follow_up) not in seen:
            follow_ups.insert(0, FollowUp(text=assessment.follow_up, kind="llm"))
        return follow_ups[:MAX_FOLLOW_UPS]


class HybridGrader(LLMRubricGrader):
    """The offline grader decides the key points it is sure of; the LLM the uncertain ones, and writes feedback."""

    name = "hybrid"

    def key_points_to_judge(self, question: Question, evidence: GradeResult) -> list[KeyPoint]:
        """Key points whose offline verdict is uncertain (see is_uncertain)."""
        uncertain = {verdict.key_point_id for verdict in evidence.key_points if is_uncertain(verdict)}
        return [key_point for key_point in question.key_points if key_point.id in uncertain]

    def combined_score(
        self, assessment: LLMAssessment, evidence: GradeResult, verdicts: list[KeyPointVerdict], quotes_failed: bool
    ) -> float:
        """The embedding score, moved by the key-point credit the LLM's verdicts add or remove."""
        total_weight = sum(verdict.weight for verdict in verdicts) or 1.0
        embedding_verdicts = {verdict.key_point_id: verdict for verdict in evidence.key_points}
        change = sum(
            verdict.weight
            * (VERDICT_CREDIT[verdict.verdict] - VERDICT_CREDIT[embedding_verdicts[verdict.key_point_id].verdict])
            for verdict in verdicts
            if verdict.decided_by == "llm"
        )
        return min(10.0, max(0.0, evidence.score + 10.0 * COVERAGE_WEIGHT * change / total_weight))


def is_uncertain(verdict: KeyPointVerdict) -> bool:
    """An offline verdict worth a second opinion: partial, or decided with confidence below UNCERTAIN_BELOW."""
    return verdict.verdict == "partial" or (verdict.confidence is not None and verdict.confidence < UNCERTAIN_BELOW)
