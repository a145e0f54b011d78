"""A grade depends only on its own answer: graded alone or inside a batch of 50, it is the same."""

from __future__ import annotations

import json

import pytest

from interviewer.bank.models import Bank
from interviewer.grading import embedding
from interviewer.grading.embedding_grader import EmbeddingGrader
from interviewer.grading.judge import load_judge
from tests.conftest import REPO_ROOT

ANSWER_SET = REPO_ROOT / "benchmarks" / "answer_sets" / "deep-learning.jsonl"


def test_an_answer_grades_the_same_alone_and_in_a_batch_of_50(grader: EmbeddingGrader, bank: Bank) -> None:
    rows = [json.loads(line) for line in ANSWER_SET.read_text(encoding="utf-8").splitlines()][:50]
    items = [(bank.get(row["question_id"]), row["answer"]) for row in rows]
    in_batch = grader.grade_batch(items)
    for index in (0, 7, 23, 49):
        alone = grader.grade(*items[index])
        assert alone.model_dump() == in_batch[index].model_dump(), rows[index]["answer"][:60]


def test_vectors_do_not_depend_on_batch_companions(embedder) -> None:
    texts = [
        "ReLU is zero for negative inputs.",
        "A much longer sentence about dropout and ensembles of thinned networks.",
    ]
    together = embedder.embed_batch(texts)
    assert (embedder.embed_batch(texts[:1])[0] == together[0]).all()
    assert (embedder.embed_batch(texts[1:])[0] == together[1]).all()


@pytest.mark.parametrize("native_bfloat16", [True, False], ids=["bf16-where-native", "float32"])
def test_with_the_judge_an_answer_grades_the_same_alone_and_in_a_batch(
    embedder, bank: Bank, monkeypatch: pytest.MonkeyPatch, native_bfloat16: bool
) -> None:
    """Also in float32 (CPUs without bf16), where a kernel's result for one row depends on the rows in its pass."""
    judge = load_judge(embedder)
    if judge is None:
        pytest.skip("the judge's weights are not built")
    if not native_bfloat16:
        monkeypatch.setattr(embedding, "cpu_has_native_bfloat16", lambda: False)
    grader = EmbeddingGrader(embedder, bank=bank, judge=judge)
    rows = [json.loads(line) for line in ANSWER_SET.read_text(encoding="utf-8").splitlines()][100:130]
    items = [(bank.get(row["question_id"]), row["answer"]) for row in rows]
    in_batch = grader.grade_batch(items)
    for index in (0, 11, 29):
        alone = grader.grade(*items[index])
        assert alone.model_dump() == in_batch[index].model_dump(), rows[index]["answer"][:60]
