"""Vectors of an answer's spans: pooled from one forward pass over its sentences.

With a token-capable embedder each sentence is encoded once; a span's vector is the mean of its
tokens' raw embeddings (as sentence-transformers pools a whole text), and a question-demoted span
leaves out the tokens of words the question contains. Other embedders embed the span texts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from interviewer.grading import scoring
from interviewer.grading.base import Embedder, TokenVectors
from interviewer.grading.text import SpanPiece, span_layout, stem


@dataclass
class AnswerText:
    """An answer ready to embed: the graded text, its sentences and spans."""

    text: str
    sentences: list[str]
    spans: list[str]
    span_pieces: list[tuple[SpanPiece, ...]]


@dataclass
class AnswerVectors:
    """What scoring needs from the model for one answer."""

    span_vectors: np.ndarray  # (spans, dim), question words demoted, normalised
    content_tokens: np.ndarray | None  # (tokens, dim) normalised content tokens, question words left out
    whole: np.ndarray  # the whole answer, normalised
    whole_demoted: np.ndarray  # the whole answer without question words, normalised
    sentence_tokens: list[TokenVectors] | None = (
        None  # TokenVectors per sentence (with the judge's layer states), when encoded so
    )


def answer_text(text: str, sentence_list: list[str]) -> AnswerText:
    layout = span_layout(sentence_list)
    return AnswerText(text, sentence_list, [span for span, _ in layout], [pieces for _, pieces in layout])


def _normalised(vector: np.ndarray) -> np.ndarray:
    return (vector / max(float(np.linalg.norm(vector)), 1e-12)).astype(np.float32)


def _offsets_and_raw(tokens: TokenVectors) -> tuple[tuple[tuple[int, int], ...], np.ndarray]:
    """Pooling needs each token's character span and raw output; embed_answers checks both are there."""
    if tokens.offsets is None or tokens.raw is None:
        raise ValueError("token vectors without offsets or raw outputs cannot be pooled")
    return tokens.offsets, tokens.raw


def _pooled(
    tokens_by_sentence: Sequence[TokenVectors],
    pieces: Sequence[SpanPiece],
    question_stems: frozenset[str],
    demote: bool,
) -> np.ndarray:
    """Mean of the raw token embeddings inside the pieces (whole sentences keep their special tokens)."""
    rows = []
    for sentence_index, start, end in pieces:
        tokens = tokens_by_sentence[sentence_index]
        offsets, raw = _offsets_and_raw(tokens)
        whole_sentence = start == 0 and end >= max((offset[1] for offset in offsets), default=0)
        keep = []
        for (token_start, token_end), word in zip(offsets, tokens.words, strict=True):
            if token_start == token_end:  # special token
                keep.append(whole_sentence and not demote)
            elif token_start < start or token_end > end:
                keep.append(False)
            else:
                keep.append(not (demote and stem(word) in question_stems))
        mask = np.array(keep, dtype=bool)
        if mask.any():
            rows.append(raw[mask])
    if not rows:  # everything demoted: fall back to the plain pieces
        return (
            _pooled(tokens_by_sentence, pieces, frozenset(), False)
            if demote
            else np.zeros(_offsets_and_raw(tokens_by_sentence[0])[1].shape[1], np.float32)
        )
    return _normalised(np.concatenate(rows).mean(axis=0))


def demoted_text_vector(tokens: TokenVectors, question_stems: frozenset[str]) -> np.ndarray:
    """A text's vector pooled from its token embeddings without question words."""
    offsets, _ = _offsets_and_raw(tokens)
    end = max((offset[1] for offset in offsets), default=0)
    return _pooled([tokens], [(0, 0, end)], question_stems, demote=bool(question_stems))


def embed_answers(
    embedder: Embedder,
    answers: Sequence[AnswerText],
    stems_per_answer: Sequence[frozenset[str]],
    hidden_layer: int | None = None,
) -> list[AnswerVectors]:
    """AnswerVectors for every answer, with one embedding call for all of them (`hidden_layer`: also
    keep each sentence's token states after that layer, for the key-point judge)."""
    if embedder.provides_token_vectors:
        sentence_texts = list(dict.fromkeys(sentence for answer in answers for sentence in answer.sentences))
        _, token_list = (
            embedder.embed_with_tokens(sentence_texts, hidden_layer=hidden_layer) if sentence_texts else (None, [])
        )
        by_text = dict(zip(sentence_texts, token_list, strict=True))
        if all(tokens.offsets is not None and tokens.raw is not None for tokens in token_list):
            return [
                _pooled_vectors(answer, [by_text[s] for s in answer.sentences], stems)
                for answer, stems in zip(answers, stems_per_answer, strict=True)
            ]
    return _text_vectors(embedder, answers, stems_per_answer)


def _pooled_vectors(
    answer: AnswerText, tokens_by_sentence: Sequence[TokenVectors], question_stems: frozenset[str]
) -> AnswerVectors:
    span_vectors = np.stack(
        [
            _pooled(tokens_by_sentence, pieces, question_stems, demote=bool(question_stems))
            for pieces in answer.span_pieces
        ]
    )
    every_sentence = [(index, 0, len(sentence)) for index, sentence in enumerate(answer.sentences)]
    content = [
        tokens.vectors[scoring.content_token_mask(tokens.words, question_stems)] for tokens in tokens_by_sentence
    ]
    return AnswerVectors(
        span_vectors=span_vectors,
        content_tokens=np.concatenate(content),
        whole=_pooled(tokens_by_sentence, every_sentence, frozenset(), demote=False),
        whole_demoted=_pooled(tokens_by_sentence, every_sentence, question_stems, demote=bool(question_stems)),
        sentence_tokens=list(tokens_by_sentence),
    )


def _text_vectors(
    embedder: Embedder, answers: Sequence[AnswerText], stems_per_answer: Sequence[frozenset[str]]
) -> list[AnswerVectors]:
    """Embed the (demoted) span texts themselves: for embedders without token outputs."""
    per_answer = []
    for answer, stems in zip(answers, stems_per_answer, strict=True):
        demoted = [scoring.demote_question_words(span, stems) for span in answer.spans]
        per_answer.append((demoted, scoring.demote_question_words(answer.text, stems), answer.text))
    texts = list(
        dict.fromkeys(text for demoted, whole_demoted, whole in per_answer for text in (*demoted, whole_demoted, whole))
    )
    vectors = dict(zip(texts, embedder.embed_batch(texts), strict=True)) if texts else {}
    return [
        AnswerVectors(
            span_vectors=np.stack([vectors[text] for text in demoted]),
            content_tokens=None,
            whole=vectors[whole],
            whole_demoted=vectors[whole_demoted],
        )
        for demoted, whole_demoted, whole in per_answer
    ]
