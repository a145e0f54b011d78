"""Settings: defaults, config file, environment, secrets, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer import locations
from interviewer.config import load_settings
from interviewer.errors import ConfigError
from tests.cli_helpers import run_cli


def test_defaults_are_offline_embedding(isolated_environment: Path) -> None:
    settings = load_settings()
    assert settings.default_grader() == "embedding"
    assert not settings.llm.configured
    assert settings.embedding.model.startswith("packaged:")
    assert locations.data_dir() == isolated_environment
    assert locations.database_file().parent == isolated_environment


def test_config_file_then_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[llm]\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "qwen"\napi_key = "sk-file"\n[interview]\nquestions = 7\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("INTERVIEWER_CONFIG", str(config))
    monkeypatch.setenv("INTERVIEWER_LLM__MODEL", "llama3")
    settings = load_settings()
    assert settings.llm.model == "llama3"
    assert settings.llm.resolved_base_url() == "http://127.0.0.1:9/v1"
    assert settings.interview.questions == 7
    assert settings.default_grader() == "hybrid"
    assert "sk-file" not in repr(settings) and "sk-file" not in str(settings.llm)
    assert settings.llm.resolved_api_key().get_secret_value() == "sk-file"


def test_openai_standard_variables_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8080/v1")
    settings = load_settings()
    assert settings.llm.resolved_api_key().get_secret_value() == "sk-env"
    assert settings.llm.resolved_base_url() == "http://127.0.0.1:8080/v1"


def test_bad_config_file_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[llm\nmodel = 1\n", encoding="utf-8")
    monkeypatch.setenv("INTERVIEWER_CONFIG", str(config))
    with pytest.raises(ConfigError, match=r"config\.toml: not valid TOML"):
        load_settings()


def test_missing_explicit_config_file_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEWER_CONFIG", str(tmp_path / "typo.toml"))
    with pytest.raises(ConfigError, match=r"typo\.toml: config file named by INTERVIEWER_CONFIG does not exist"):
        load_settings()


def test_bad_value_names_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEWER_LLM__TIMEOUT", "-3")
    with pytest.raises(ConfigError, match=r"llm\.timeout"):
        load_settings()
    monkeypatch.delenv("INTERVIEWER_LLM__TIMEOUT")
    monkeypatch.setenv("INTERVIEWER_INTERVIEW__BANK", "/no/such/bank")
    run = run_cli("bank", "list")
    assert run.exit_code == 2 and "/no/such/bank" in run.stderr and "no such file" in run.stderr


def test_remember_setting_keeps_the_rest_of_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from interviewer.config import remember_setting

    config = tmp_path / "config.toml"
    monkeypatch.setenv("INTERVIEWER_CONFIG", str(config))
    remember_setting("tui", "theme", "nord")  # no file yet: created
    assert load_settings().tui.theme == "nord"
    lines = ["# my settings", "[interview]", "questions = 7", "", "[tui]", "# picked in the TUI", 'theme = "nord"']
    original = "\n".join([*lines, "", "[llm]", 'model = "m"', ""])
    config.write_text(original, encoding="utf-8")
    remember_setting("tui", "theme", "textual-light")
    assert config.read_text(encoding="utf-8") == original.replace('"nord"', '"textual-light"')
    settings = load_settings()
    assert (settings.tui.theme, settings.interview.questions, settings.llm.model) == ("textual-light", 7, "m")


def test_remember_setting_refuses_a_broken_or_special_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from interviewer.config import remember_setting

    broken = tmp_path / "broken.toml"
    broken.write_text("[tui\n", encoding="utf-8")
    monkeypatch.setenv("INTERVIEWER_CONFIG", str(broken))
    with pytest.raises(ConfigError, match="left as it is"):
        remember_setting("tui", "theme", "nord")
    assert broken.read_text(encoding="utf-8") == "[tui\n"
    monkeypatch.setenv("INTERVIEWER_CONFIG", "/dev/null")
    with pytest.raises(ConfigError, match="not a regular file"):
        remember_setting("tui", "theme", "nord")
