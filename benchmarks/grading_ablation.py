"""Ablation of the grader's signals on a graded dataset (default: Mohler 2011); prints a Markdown table.

    python benchmarks/grading_ablation.py [DATASET.jsonl]

Every row uses the same model and the same global constants; nothing is fitted to the labels
(RMSE is after the leave-one-group-out linear calibration that `interviewer eval` reports).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mohler import dataset_path

from interviewer.grading.base import Embedder
from interviewer.grading.batch import BATCH_SIZE, parse_file
from interviewer.grading.embedding import load_embedder
from interviewer.grading.embedding_grader import EmbeddingGrader
from interviewer.grading.evaluation import evaluate
from interviewer.grading.scoring import ScoringOptions, demote_question_words
from interviewer.grading.text import content_stems


class MemoEmbedder(Embedder):
    """Remembers answer embeddings so every variant reuses one forward pass per text."""

    provides_token_vectors = True

    def __init__(self, inner: Embedder):
        self.inner = inner
        self.name = inner.name
        self.caches_persistently = inner.caches_persistently
        self._memo: dict[str, tuple[np.ndarray, object]] = {}

    def embed_persistent(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_persistent(texts)

    def embed_with_tokens(self, texts: Sequence[str], hidden_layer: int | None = None):
        if hidden_layer is not None:  # the judge's states: not memoised (Mohler rows are not judged)
            return self.inner.embed_with_tokens(texts, hidden_layer=hidden_layer)
        missing = [text for text in dict.fromkeys(texts) if text not in self._memo]
        if missing:
            vectors, tokens = self.inner.embed_with_tokens(missing)
            self._memo.update(zip(missing, zip(vectors, tokens, strict=True), strict=True))
        pairs = [self._memo[text] for text in texts]
        return np.stack([vector for vector, _ in pairs]), [tokens for _, tokens in pairs]

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_with_tokens(texts)[0]


SIGNAL: dict[str, Any] = {"guards": False, "sibling_floors": "none", "reference_cap": False, "verdict_credit": False}
BEFORE: dict[str, Any] = {"reference_cap": False, "verdict_credit": False, "sibling_floors": "all"}
VARIANTS: list[tuple[str, ScoringOptions]] = [
    (
        "key points, span view only (max over spans)",
        ScoringOptions(**SIGNAL, token_view=False, demote_question=False, reference_weight=0.0),
    ),
    ("+ question demoting", ScoringOptions(**SIGNAL, token_view=False, reference_weight=0.0)),
    (
        "key points, token view only (alignment recall), demoted",
        ScoringOptions(**SIGNAL, span_view=False, reference_weight=0.0),
    ),
    ("key points, span + token views, demoted", ScoringOptions(**SIGNAL, reference_weight=0.0)),
    ("whole-answer similarity to reference only, demoted", ScoringOptions(**SIGNAL, reference_weight=1.0)),
    ("coverage 0.8 + reference 0.2, global floor only, no guards", ScoringOptions(**SIGNAL)),
    ("+ per-key-point sibling floors (on every key point)", ScoringOptions(**BEFORE, guards=False)),
    ("+ guards (the grader shipped before verdict credit and the reference cap)", ScoringOptions(**BEFORE)),
    (
        "+ verdict credit (missed 0–¼, partial ¼–¾, covered ¾–1)",
        ScoringOptions(reference_cap=False, sibling_floors="all"),
    ),
    ("reference cap without verdict credit", ScoringOptions(verdict_credit=False, sibling_floors="all")),
    (
        "verdict credit + reference cap, sibling floors also on key points cut from the reference (shipped before)",
        ScoringOptions(sibling_floors="all"),
    ),
    (
        "**shipped: verdict credit 0.8 + reference 0.2 capped at the covered-or-partial share, guards on**",
        ScoringOptions(),
    ),
]


def main() -> None:
    path = dataset_path(sys.argv[1] if len(sys.argv) > 1 else None)
    parsed = parse_file(path, None, require_human=True)
    rows = parsed.rows
    human = [float(row.data["score"]) for row in rows]
    maxima = [float(row.data["max_score"]) for row in rows]
    question_ids = [str(row.data.get("question_id") or row.question.id) for row in rows]
    embedder = MemoEmbedder(load_embedder())
    table: list[tuple[str, object]] = []

    references = embedder.embed_persistent([row.question.reference_answer for row in rows])
    answers = embedder.embed_batch([row.answer for row in rows])
    raw_cosine = np.sum(references * answers, axis=1)
    table.append(
        (
            "raw cosine(reference, answer) (published baseline 0.494)",
            evaluate(raw_cosine, human, maxima, question_ids, "cosine"),
        )
    )
    lexical = []
    for row in rows:
        question_stems = set(content_stems(row.question.question))
        reference_stems = set(content_stems(row.question.reference_answer)) - question_stems
        answer_stems = set(content_stems(row.answer))
        lexical.append(len(reference_stems & answer_stems) / max(1, len(reference_stems)))
    table.append(
        (
            "content-word recall of the reference, question words demoted",
            evaluate(lexical, human, maxima, question_ids, "lexical"),
        )
    )
    demoted_pairs = embedder.embed_batch(
        [demote_question_words(row.answer, frozenset(content_stems(row.question.question))) for row in rows]
    )
    demoted_refs = embedder.embed_persistent(
        [
            demote_question_words(row.question.reference_answer, frozenset(content_stems(row.question.question)))
            for row in rows
        ]
    )
    table.append(
        (
            "cosine(reference, answer), question words demoted",
            evaluate(np.sum(demoted_refs * demoted_pairs, axis=1), human, maxima, question_ids, "cosine"),
        )
    )

    for label, options in VARIANTS:
        grader = EmbeddingGrader(embedder, options=options)
        started = time.perf_counter()
        scores = []
        for start in range(0, len(rows), BATCH_SIZE):
            chunk = rows[start : start + BATCH_SIZE]
            scores.extend(result.score for result in grader.grade_batch([(row.question, row.answer) for row in chunk]))
        print(f"{label}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
        table.append((label, evaluate(scores, human, maxima, question_ids, "embedding")))

    sensitivity = sensitivity_rows(embedder, rows, human, maxima, question_ids)

    print(f"Dataset: {path.name}, n = {len(rows)}\n")
    print("| signal | Pearson r | Spearman ρ | mean per-question r | RMSE (calibrated, LOGO) | within ±1 |")
    print("|---|---|---|---|---|---|")
    for label, report in table:
        print(
            f"| {label} | {report.pearson:.3f} | {report.spearman:.3f} | {report.mean_question_pearson:.3f} "
            f"| {report.rmse:.3f} | {report.within_one:.1%} |"
        )
    print("\nSensitivity of the shipped grader to each constant (Pearson r; halves = odd / even assignments):\n")
    print("| change | all rows | odd assignments | even assignments |")
    print("|---|---|---|---|")
    print("\n".join(sensitivity))


def sensitivity_rows(embedder, rows, human, maxima, question_ids) -> list[str]:
    """Pearson r of the shipped grader when one constant moves, on all rows and on each half of the groups."""
    from interviewer.grading import scoring

    groups = [question_id.split(".", 1)[0] for question_id in question_ids]
    halves = [
        np.array([int(group) % 2 == parity if group.isdigit() else parity for group in groups]) for parity in (1, 0)
    ]
    shipped = {name: getattr(scoring, name) for name in ("SIMILARITY_FLOOR", "SIMILARITY_FULL", "TOKEN_VIEW_WEIGHT")}
    changes = [({}, None)]
    changes += [({"SIMILARITY_FLOOR": value}, None) for value in (0.05, 0.10, 0.20, 0.25)]
    changes += [({"SIMILARITY_FULL": value}, None) for value in (0.60, 0.80, 0.90)]
    changes += [({"TOKEN_VIEW_WEIGHT": value}, None) for value in (0.25, 0.75)]
    changes += [({}, weight) for weight in (0.0, 0.4)]
    lines = []
    for constants, reference_weight in changes:
        for name, value in {**shipped, **constants}.items():
            setattr(scoring, name, value)
        options = ScoringOptions() if reference_weight is None else ScoringOptions(reference_weight=reference_weight)
        grader = EmbeddingGrader(embedder, options=options)
        scores = np.array(
            [
                result.score
                for start in range(0, len(rows), BATCH_SIZE)
                for result in grader.grade_batch(
                    [(row.question, row.answer) for row in rows[start : start + BATCH_SIZE]]
                )
            ]
        )
        human_array = np.array(human)
        full = evaluate(scores, human, maxima, question_ids, "embedding").pearson
        by_half = [float(np.corrcoef(scores[half], human_array[half])[0, 1]) for half in halves]
        label = ", ".join(f"{name} = {value:g}" for name, value in constants.items())
        if reference_weight is not None:
            label = f"REFERENCE_WEIGHT = {reference_weight:g}"
        lines.append(f"| {label or 'shipped constants'} | {full:.3f} | {by_half[0]:.3f} | {by_half[1]:.3f} |")
    for name, value in shipped.items():
        setattr(scoring, name, value)
    return lines


if __name__ == "__main__":
    main()
