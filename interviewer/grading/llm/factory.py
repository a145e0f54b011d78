"""Building the "llm" and "hybrid" graders from settings."""

from __future__ import annotations

from typing import Literal

from interviewer import locations
from interviewer.bank.models import Bank
from interviewer.config import LLMSettings, Settings
from interviewer.errors import ConfigError
from interviewer.grading.base import Grader
from interviewer.grading.llm.cache import AssessmentCache
from interviewer.grading.llm.client import LLMClient
from interviewer.grading.llm.graders import EvidenceGrader, HybridGrader, LLMRubricGrader
from interviewer.grading.llm.modes import MODES_FILE_NAME, ResponseModeMemory

LLMGraderName = Literal["llm", "hybrid"]
NOT_CONFIGURED = (
    "no LLM configured: set `model` (and `base_url` for a local server) in the [llm] section of the config file, "
    "or INTERVIEWER_LLM__MODEL / INTERVIEWER_LLM__BASE_URL"
)


def build_llm_client(settings: LLMSettings) -> LLMClient:
    """A client for the configured server, remembering response modes under the cache folder."""
    if not settings.configured:
        raise ConfigError(NOT_CONFIGURED)
    return LLMClient(settings, mode_memory=ResponseModeMemory(locations.cache_dir() / MODES_FILE_NAME))


def build_llm_grader(
    settings: Settings,
    name: LLMGraderName,
    *,
    bank: Bank | None = None,
    embedding_grader: EvidenceGrader,
) -> Grader:
    """The "llm" or "hybrid" grader over `embedding_grader`; ConfigError when no LLM is configured."""
    del bank  # follow-ups from the bank come with the embedding grade
    client = build_llm_client(settings.llm)
    cache = AssessmentCache(locations.cache_dir() / "llm")
    grader_class = {"llm": LLMRubricGrader, "hybrid": HybridGrader}.get(name)
    if grader_class is None:
        raise ConfigError(f"unknown LLM grader {name!r}: expected 'llm' or 'hybrid'")
    return grader_class(client, embedding_grader, cache=cache)
