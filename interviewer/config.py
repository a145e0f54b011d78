"""All settings in one place: defaults < config file (TOML) < environment variables.

Environment variables use the prefix `INTERVIEWER_` and `__` between a section and a field,
e.g. `INTERVIEWER_LLM__BASE_URL`. The config file is `locations.config_file()`.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from interviewer import locations
from interviewer.errors import ConfigError
from interviewer.names import GraderName

NO_LLM_CONFIGURED = (
    "no LLM configured: set INTERVIEWER_LLM__MODEL (and INTERVIEWER_LLM__BASE_URL for a local server), "
    "or model and base_url in the [llm] section of the config file"
)
"""The one message for an LLM grader asked for without an LLM to run it."""


class EmbeddingSettings(BaseModel):
    """How answers are embedded."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(
        default="packaged:all-MiniLM-L6-v2",
        description="'packaged:all-MiniLM-L6-v2' (shipped in a wheel), a local model folder, or a hub model name.",
    )
    device: str = Field(default="cpu", description="torch device for the embedding model.")
    batch_size: int = Field(default=64, ge=1, description="Texts embedded per forward pass.")


class LLMSettings(BaseModel):
    """An optional OpenAI-compatible chat-completions server used as a rubric grader."""

    model_config = ConfigDict(extra="forbid")

    base_url: str | None = Field(
        default=None, description="Server URL, e.g. http://localhost:11434/v1; falls back to OPENAI_BASE_URL."
    )
    model: str | None = Field(default=None, description="Model name on that server; no model means no LLM.")
    api_key: SecretStr | None = Field(default=None, description="API key; falls back to OPENAI_API_KEY.")
    timeout: float = Field(default=60.0, gt=0, description="Seconds allowed for one request.")
    max_tokens: int | None = Field(
        default=None,
        ge=16,
        description="Token limit of one reply; default: the longest reply the rubric schema allows "
        "(raise it for reasoning models, whose thinking counts too).",
    )
    max_retries: int = Field(default=2, ge=0, description="Retries after a failed request before falling back.")
    temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature; 0 for repeatable grades.")
    seed: int | None = Field(default=0, description="Sampling seed sent to servers that honour it.")

    def resolved_base_url(self) -> str | None:
        """The configured URL, else the openai client's standard OPENAI_BASE_URL."""
        return self.base_url or os.environ.get("OPENAI_BASE_URL") or None

    def resolved_api_key(self) -> SecretStr | None:
        """The configured key, else the openai client's standard OPENAI_API_KEY."""
        if self.api_key is not None:
            return self.api_key
        env_key = os.environ.get("OPENAI_API_KEY")
        return SecretStr(env_key) if env_key else None

    @property
    def configured(self) -> bool:
        """True when a model is named, so an LLM grader can be built."""
        return bool(self.model)


class GradingSettings(BaseModel):
    """Which grader scores answers."""

    model_config = ConfigDict(extra="forbid")

    grader: GraderName | None = Field(
        default=None, description="Grader to use; default: hybrid when an LLM is configured, else embedding."
    )


class InterviewSettings(BaseModel):
    """Defaults for a practice session."""

    model_config = ConfigDict(extra="forbid")

    bank: list[str] | str | None = Field(
        default=None,
        description="Banks to use: shipped bank names, 'all', or rubric file/folder paths (a list, or one "
        "comma-separated string); default: every shipped bank.",
    )
    questions: int = Field(default=5, ge=1, le=100, description="Questions per session.")
    time_limit_seconds: int | None = Field(default=None, ge=10, description="Optional time limit per answer.")


class LimitSettings(BaseModel):
    """Bounds on input sizes, so one huge answer or file cannot take minutes or gigabytes."""

    model_config = ConfigDict(extra="forbid")

    answer_chars: int = Field(
        default=20_000,
        ge=200,
        description="Characters of an answer that are graded (about 3,000 words); a longer answer is graded up "
        "to this limit and flagged 'truncated'.",
    )
    key_points_per_row: int = Field(
        default=40,
        ge=1,
        description="Key points one ad-hoc row of `grade`/`eval` may list; a row with more is a bad line.",
    )
    rubric_file_bytes: int = Field(
        default=2_000_000,
        ge=1_000,
        description="Size of one rubric file (YAML or TOML) that is read; a larger file is refused.",
    )
    markdown_file_bytes: int = Field(
        default=2_000_000,
        ge=1_000,
        description="Size of a Markdown file `bank import` reads; a larger file is refused.",
    )


class TuiSettings(BaseModel):
    """How the interview looks."""

    model_config = ConfigDict(extra="forbid")

    theme: str | None = Field(
        default=None,
        description="Textual theme name (e.g. 'nord', 'textual-light'); written here when you pick one with "
        "Ctrl+P → Theme. TEXTUAL_THEME overrides it.",
    )


class Settings(BaseSettings):
    """Every setting of interviewer."""

    model_config = SettingsConfigDict(
        env_prefix="INTERVIEWER_",
        env_nested_delimiter="__",
        extra="forbid",
        nested_model_default_partial_update=True,
    )

    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings, description="Embedding model.")
    llm: LLMSettings = Field(default_factory=LLMSettings, description="Optional LLM grader.")
    grading: GradingSettings = Field(default_factory=GradingSettings, description="Grader choice.")
    interview: InterviewSettings = Field(default_factory=InterviewSettings, description="Session defaults.")
    limits: LimitSettings = Field(default_factory=LimitSettings, description="Input size limits.")
    tui: TuiSettings = Field(default_factory=TuiSettings, description="The terminal interface.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, locations.config_file()))

    def default_grader(self) -> GraderName:
        """The grader used when none is asked for."""
        if self.grading.grader:
            return self.grading.grader
        return "hybrid" if self.llm.configured else "embedding"


def load_settings() -> Settings:
    """Read settings, turning a bad file or variable into a ConfigError that names it."""
    path = locations.config_file()
    if os.environ.get("INTERVIEWER_CONFIG") and not path.exists():
        raise ConfigError(f"{path}: config file named by INTERVIEWER_CONFIG does not exist")
    try:
        return Settings()
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise ConfigError(f"invalid settings (config file {path} or INTERVIEWER_* variables): {problems}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from None


def input_limits() -> LimitSettings:
    """The configured input limits (the defaults when the settings cannot be read: the command that reads
    them properly reports that)."""
    try:
        return load_settings().limits
    except ConfigError:
        return LimitSettings()


def remember_setting(section: str, field: str, value: str) -> Path:
    """Write `field = "value"` into `[section]` of the config file (created if missing), keeping every other
    line as it is; ConfigError when the file cannot be read, parsed or written. Returns the file.

    Only plain string values: enough for the TUI to remember a chosen theme. The file is replaced
    atomically (a temporary file in the same folder, then os.replace), so a failed write leaves it intact.
    """
    path = locations.config_file()
    if path.exists() and not path.is_file():
        raise ConfigError(f"{path}: not a regular file, so settings are not written to it")
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML, so it was left as it is: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from None
    assignment = f"{field} = {json.dumps(value, ensure_ascii=False)}"
    lines = text.splitlines()
    header = next((i for i, line in enumerate(lines) if line.strip() == f"[{section}]"), None)
    if header is None:
        lines += [*([""] if lines and lines[-1].strip() else []), f"[{section}]", assignment]
    else:
        end = next((i for i in range(header + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
        existing = next(
            (i for i in range(header + 1, end) if lines[i].split("=", 1)[0].strip() == field and "=" in lines[i]),
            None,
        )
        if existing is None:
            lines.insert(header + 1, assignment)
        else:
            lines[existing] = assignment
    new_text = "\n".join(lines) + "\n"
    if tomllib.loads(new_text).get(section, {}).get(field) != value:
        raise ConfigError(f"{path}: could not set {section}.{field} without changing other settings; edit it by hand")
    try:
        locations.ensure_dir(path.parent)
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(new_text)
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(temporary)
        raise ConfigError(f"{path}: cannot write config file: {exc.strerror or exc}") from None
    return path
