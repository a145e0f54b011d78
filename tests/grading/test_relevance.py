"""Ranking questions by relevance to a job description: passages, the keyword "because", the session's spread,
and (real model) that postings about recommender systems and about LLMs get questions on their subject."""

from __future__ import annotations

import numpy as np
import pytest

from interviewer.bank.catalog import resolve_bank
from interviewer.bank.models import Question
from interviewer.grading.relevance import RankedQuestion, passages, rank_for_job, select_for_job
from tests.conftest import FIXTURES

JOBS = FIXTURES / "jobs"


class WordEmbedder:
    """A deterministic fake: one dimension per word of a small vocabulary."""

    VOCABULARY = ("recommendation", "ranking", "language", "tokenization", "salary")

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        return np.array([[float(word in text.lower()) for word in self.VOCABULARY] + [0.01] for text in texts])


def question(question_id: str, topic: str, text: str, tags: list[str], difficulty: str = "medium") -> Question:
    return Question(
        id=question_id,
        topic=topic,
        question=text,
        reference_answer="An answer.",
        key_points=[{"id": "a", "text": "A point."}],
        tags=tags,
        difficulty=difficulty,
    )


def test_passages_are_lines_and_sentences_with_some_words() -> None:
    assert passages("Title\n- Build ranking models for the feed. Own A/B tests of them.\n\nWe offer pay.") == [
        "Build ranking models for the feed.",
        "Own A/B tests of them.",
        "We offer pay.",
    ]


def test_ranking_follows_the_posting_and_says_because() -> None:
    questions = [
        question("t1", "Tokenization", "How does BPE tokenization work?", ["tokenization"]),
        question("r1", "Recommendation", "How is a recommendation feed ranked?", ["recommendation", "ranking"]),
    ]
    ranked = rank_for_job(questions, "You will improve recommendation ranking for our feed.", WordEmbedder())
    assert [entry.question.id for entry in ranked] == ["r1", "t1"]
    assert set(ranked[0].because) == {"recommendation", "ranking"} and ranked[1].because == ()
    assert ranked[0].relevance > ranked[1].relevance


def test_selection_spreads_topics_and_goes_easy_to_hard() -> None:
    pool = [
        RankedQuestion(question(f"a{i}", "A", f"q a{i}", [], difficulty), 1 - i / 10)
        for i, difficulty in enumerate(["hard", "medium", "easy", "medium"])
    ] + [RankedQuestion(question("b0", "B", "q b0", [], "medium"), 0.1)]
    chosen = select_for_job(pool, 3)
    assert [entry.question.id for entry in chosen] == ["b0", "a1", "a0"]  # one per topic first, then easy to hard
    assert len(select_for_job(pool, 5)) == 5


@pytest.mark.model
@pytest.mark.parametrize(
    ("posting", "on_subject"),
    [
        (
            "recommender-systems.txt",
            {
                "recommendation",
                "ranking",
                "candidate-generation",
                "collaborative-filtering",
                "search",
                "retrieval",
                "learning-to-rank",
                "cold-start",
                "feedback-loops",
            },
        ),
        ("llm-engineer.txt", {"nlp-llms"}),
    ],
)
def test_top_ten_for_a_posting_are_on_its_subject(posting: str, on_subject: set[str], embedder) -> None:
    ranked = rank_for_job(resolve_bank(None).questions, (JOBS / posting).read_text(), embedder)
    top = ranked[:10]

    def on_topic(entry: RankedQuestion) -> bool:
        return entry.question.bank in on_subject or bool(on_subject & set(entry.question.tags))

    hits = [entry.question.id for entry in top if on_topic(entry)]
    assert len(hits) >= 6, [(entry.question.id, entry.question.topic, entry.relevance) for entry in top]
    assert any(entry.because for entry in top)
