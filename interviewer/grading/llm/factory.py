"""Building the "llm" and "hybrid" graders from settings."""

from __future__ import annotations

from typing import Literal

from interviewer import locations
from interviewer.config import NO_LLM_CONFIGURED, LLMSettings, Settings
from interviewer.errors import ConfigError
from interviewer.grading.base import Grader
from interviewer.grading.llm.cache import AssessmentCache
from interviewer.grading.llm.client import LLMClient
from interviewer.grading.llm.graders import HybridGrader, LLMRubricGrader
from interviewer.grading.llm.modes import MODES_FILE_NAME, ResponseModeMemory

LLMGraderName = Literal["llm", "hybrid"]


def build_llm_client(settings: LLMSettings) -> LLMClient:
    """A client for the configured server, remembering response modes under the cache folder."""
    if not settings.configured:
        raise ConfigError(NO_LLM_CONFIGURED)
    return LLMClient(settings, mode_memory=ResponseModeMemory(locations.cache_dir() / MODES_FILE_NAME))


def build_llm_grader(
    settings: Settings,
    name: LLMGraderName,
    *,
    embedding_grader: Grader,
) -> Grader:
    """The "llm" or "hybrid" grader over `embedding_grader` (bank follow-ups come with its grade);
    ConfigError when no LLM is configured."""
    client = build_llm_client(settings.llm)
    cache = AssessmentCache(locations.cache_dir() / "llm")
    grader_class = {"llm": LLMRubricGrader, "hybrid": HybridGrader}.get(name)
    if grader_class is None:
        raise ConfigError(f"unknown LLM grader {name!r}: expected 'llm' or 'hybrid'")
    return grader_class(client, embedding_grader, cache=cache, max_answer_chars=settings.limits.answer_chars)
