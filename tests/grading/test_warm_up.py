"""What `prepare` embeds ahead of time is all a bank answer's first grade needs but the answer itself."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from interviewer.bank import load_bank
from interviewer.grading.embedding_grader import EmbeddingGrader
from tests.fakes import HashingEmbedder


class RecordingEmbedder(HashingEmbedder):
    """The fake model, remembering every text it embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def embed_with_tokens(self, texts: Sequence[str], hidden_layer: int | None = None) -> tuple[np.ndarray, list]:
        self.seen.extend(texts)
        return super().embed_with_tokens(texts, hidden_layer)


def test_after_prepare_a_first_grade_embeds_only_the_answer() -> None:
    bank = load_bank()
    embedder = RecordingEmbedder()
    grader = EmbeddingGrader(embedder, bank=bank, judge=None)
    question = bank.get("1.1")
    grader.prepare([question])
    embedder.seen.clear()
    grader.grade(question, "Without a non-linear activation, stacked layers collapse into one linear map.")
    bank_texts = {f"{other.question}\n{other.reference_answer}" for other in bank.questions}
    assert embedder.seen and not bank_texts.intersection(embedder.seen)
