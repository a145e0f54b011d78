"""Answers about the candidate's own experience: graded on structure and specifics, not on facts.

A question such as "Tell me about a time you debugged a diverging training run" has no reference
facts to check. What an interviewer listens for is the shape of the story: the situation, what the
candidate did personally, concrete specifics, and the outcome. Each is checked with plain text cues
(no model), so the grade says which part of the story is missing.
"""

from __future__ import annotations

import re

from interviewer.bank.models import Question
from interviewer.grading.result import Flag, FlagCode, KeyPointVerdict, Verdict
from interviewer.grading.scoring import VERDICT_CREDIT
from interviewer.grading.text import sentences, words

_SITUATION = re.compile(
    r"\b(?:project|team|company|startup|product|client|customer|dataset|data set|pipeline|service|system|"
    r"internship|thesis|research|lab|goal|task|problem|challenge|we were|we had|i was working|at my|in my)\b",
    re.IGNORECASE,
)
_OWN_ACTION = re.compile(
    r"\bI\s+(?:\w+ly\s+)?(?:built|designed|implemented|wrote|trained|tuned|led|chose|decided|ran|debugged|"
    r"measured|added|removed|replaced|switched|profiled|found|noticed|fixed|set up|proposed|tested|tried|"
    r"analy[sz]ed|refactored|migrated|deployed|created|developed|started|used|changed|rewrote|compared|plotted|"
    r"checked|reduced|increased|introduced|investigated|traced|monitored|labelled|labeled|collected|cleaned)\b",
)
_NUMBER = re.compile(r"\d")
_TOOL_WORDS = frozenset(
    """pytorch tensorflow keras jax sklearn scikit-learn xgboost lightgbm catboost spark kafka airflow kubernetes
    docker onnx triton mlflow wandb tensorboard pandas numpy sql postgres bigquery snowflake redis s3 gpu gpus
    tpu cuda bert gpt llama resnet transformer lstm cnn adam sgd auc f1 precision recall latency p99 a/b""".split()
)
_RESULT = re.compile(
    r"\b(?:result(?:ed)?|improv\w*|reduc\w*|increas\w*|cut|dropped|rose|saved|shipped|launched|learn(?:ed|t)|"
    r"lesson|outcome|so that|which meant|in the end|eventually|finally|afterwards|since then)\b",
    re.IGNORECASE,
)
EXPERIENCE_NOTE = (
    "this question asks about your own experience: it is graded on the story's structure and specifics "
    "(situation, what you did, concrete details, the outcome), not against reference facts"
)


def _specifics(text: str) -> int:
    numbers = len(_NUMBER.findall(text)) > 0
    tools = {word for word in words(text) if word in _TOOL_WORDS}
    return int(numbers) + len(tools)


def experience_verdicts(question: Question, answer: str) -> list[KeyPointVerdict]:
    """One verdict per structure key point (situation, own action, specifics, result), with its evidence."""
    answer_sentences = sentences(answer) or [answer.strip()]
    verdicts: list[KeyPointVerdict] = []
    for key_point in question.key_points:
        evidence: str | None = None
        verdict: Verdict = "missed"
        if key_point.id == "specifics":
            best = max(answer_sentences, key=_specifics)
            count = _specifics(answer)
            verdict = "covered" if count >= 2 else "partial" if count == 1 else "missed"
            evidence = best if count else None
        else:
            pattern = {"situation": _SITUATION, "own-action": _OWN_ACTION, "result": _RESULT}.get(key_point.id)
            hit = next((sentence for sentence in answer_sentences if pattern and pattern.search(sentence)), None)
            if hit is not None:
                verdict, evidence = "covered", hit
        verdicts.append(
            KeyPointVerdict(
                key_point_id=key_point.id,
                text=key_point.text,
                weight=key_point.weight,
                verdict=verdict,
                evidence=evidence,
            )
        )
    return verdicts


def experience_score(verdicts: list[KeyPointVerdict]) -> float:
    """0-10 from the structure verdicts' credit."""
    total = sum(verdict.weight for verdict in verdicts) or 1.0
    return round(10.0 * sum(VERDICT_CREDIT[verdict.verdict] * verdict.weight for verdict in verdicts) / total, 2)


def experience_flag() -> Flag:
    return Flag(code=FlagCode.EXPERIENCE, message=EXPERIENCE_NOTE)
