"""The key-point judge at run time: does an answer span entail, contradict or not address a key point?

The judge is a small trained network (`judge_network.py`, weights in `interviewer/grading/judge/`)
on top of the embedding model's lower layers. Answer sentences get their lower-layer states from the
same forward pass that embeds them; key points, alternatives and misconceptions are encoded once and
kept. Pairs are padded to fixed buckets, so a verdict does not depend on the rest of the batch.

It runs only with the model it was trained on (the packaged all-MiniLM-L6-v2); with another
embedding model, or without its weights, grading uses the embedding evidence alone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from interviewer.grading.base import Embedder, TokenVectors
from interviewer.grading.text import SpanPiece

JUDGE_DIR = Path(__file__).resolve().parent / "judge"
PAIR_BATCH = 8
"""Pairs per forward pass, filled up to this many (`rows_per_pass`) so a verdict never depends on its batch."""


@dataclass(frozen=True)
class Judgement:
    """The judge's probabilities for one (key point, span) pair."""

    entailed: float
    contradicted: float
    neutral: float


def span_states(tokens_by_sentence: Sequence[TokenVectors], pieces: Sequence[SpanPiece]) -> np.ndarray:
    """A span's lower-layer token states: the real tokens of each piece (sentence, start, end), in order.

    Special tokens are left out (the span joins the key point's [CLS] ... [SEP] sequence).
    """
    rows = []
    for sentence_index, start, end in pieces:
        tokens = tokens_by_sentence[sentence_index]
        if tokens.hidden is None or tokens.offsets is None:
            raise ValueError("the judge needs token states from the embedding pass")
        keep = [
            token_start != token_end and token_start >= start and token_end <= end
            for token_start, token_end in tokens.offsets
        ]
        rows.append(tokens.hidden[np.array(keep, dtype=bool)])
    return np.concatenate(rows) if rows else np.zeros((0, 384), dtype=np.float32)


def whole_text_pieces(tokens_by_sentence: Sequence[TokenVectors]) -> list[SpanPiece]:
    """Pieces covering every sentence whole."""
    return [
        (index, 0, max((end for _, end in tokens.offsets or ()), default=0))
        for index, tokens in enumerate(tokens_by_sentence)
    ]


def judge_available(embedder: Embedder) -> bool:
    """The weights ship with the package and the embedder is the model they were trained on."""
    from interviewer.grading.embedding import PACKAGED_MODEL, SentenceTransformerEmbedder

    inner = embedder.innermost()
    return (
        (JUDGE_DIR / "judge.safetensors").is_file()
        and isinstance(inner, SentenceTransformerEmbedder)
        and inner.transformer is not None
        and inner.name == PACKAGED_MODEL
    )


def load_judge(embedder: Embedder) -> KeyPointJudge | None:
    """The shipped judge for this embedder, or None when it cannot run with it (see `judge_available`)."""
    return KeyPointJudge(embedder) if judge_available(embedder) else None


class KeyPointJudge:
    """Probabilities that answer spans entail / contradict / do not address key points."""

    def __init__(self, embedder: Embedder, folder: Path = JUDGE_DIR) -> None:
        """`embedder` runs the packaged model (possibly behind the cache): the judge reuses its lower layers."""
        from interviewer.grading.embedding import SentenceTransformerEmbedder
        from interviewer.grading.judge_network import load_network

        self.embedder = embedder
        inner = embedder.innermost()
        if not isinstance(inner, SentenceTransformerEmbedder) or inner.transformer is None:
            raise ValueError(f"the key-point judge needs the packaged sentence-transformers model, not {inner.name}")
        self.network = load_network(folder, inner.transformer)
        self.config = self.network.config
        self.split = self.config.split
        self._key_point_states: dict[str, np.ndarray] = {}

    def key_point_states(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Lower-layer states of key points (with [CLS] and [SEP]), encoded once per text."""
        missing = [text for text in dict.fromkeys(texts) if text not in self._key_point_states]
        if missing:
            _, tokens = self.embedder.embed_with_tokens(missing, hidden_layer=self.split)
            for text, token_vectors in zip(missing, tokens, strict=True):
                assert token_vectors.hidden is not None
                self._key_point_states[text] = token_vectors.hidden
        return [self._key_point_states[text] for text in texts]

    def text_states(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Lower-layer states of whole texts used as spans (their real tokens, sentence by sentence)."""
        from interviewer.grading.text import sentences

        split_texts = [sentences(text) or [text] for text in texts]
        flat = [sentence for parts in split_texts for sentence in parts]
        _, tokens = self.embedder.embed_with_tokens(flat, hidden_layer=self.split) if flat else (None, [])
        states, cursor = [], 0
        for parts in split_texts:
            own = tokens[cursor : cursor + len(parts)]
            cursor += len(parts)
            states.append(span_states(own, whole_text_pieces(own)))
        return states

    def _precision(self) -> contextlib.AbstractContextManager[Any]:
        """bf16 autocast where the CPU has native bf16 (as the embedder does); fixed shapes keep it deterministic."""
        from interviewer.grading.embedding import cpu_has_native_bfloat16

        if not cpu_has_native_bfloat16():
            return contextlib.nullcontext()
        import torch

        return torch.autocast("cpu", dtype=torch.bfloat16)

    def judge(self, key_points: Sequence[np.ndarray], spans: Sequence[np.ndarray]) -> np.ndarray:
        """(n, 3) probabilities over (entailed, contradicted, neutral) for n (key point, span) state pairs."""
        import torch

        from interviewer.grading.embedding import rows_per_pass
        from interviewer.grading.judge_network import join_pairs, pair_bucket

        count = len(key_points)
        probabilities = np.zeros((count, 3), dtype=np.float32)
        if not count:
            return probabilities
        groups: dict[int, list[int]] = {}
        for index, (key_point, span) in enumerate(zip(key_points, spans, strict=True)):
            groups.setdefault(pair_bucket(len(key_point), len(span), self.config), []).append(index)
        with torch.inference_mode(), self._precision():
            for _, members in sorted(groups.items()):
                for start in range(0, len(members), PAIR_BATCH):
                    chunk = members[start : start + PAIR_BATCH]
                    rows = rows_per_pass(chunk, PAIR_BATCH)
                    states, keep, segment = join_pairs(
                        [key_points[index] for index in rows], [spans[index] for index in rows], self.config
                    )
                    logits = self.network(states, keep, segment)[: len(chunk)]
                    probabilities[chunk] = torch.softmax(logits.float(), dim=-1).numpy()
        return probabilities
