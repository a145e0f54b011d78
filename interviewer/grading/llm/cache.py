"""On-disk cache of validated LLM assessments, so regrading the same answer costs no request.

The key is a sha256 over the server URL (without credentials), the model, the prompt version, the
sampling settings and the exact messages (question, key points and answer). The API key is never part
of it. A damaged entry is a miss; deleting the folder is always safe.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from interviewer.grading.llm.assessment import LLMAssessment
from interviewer.grading.llm.redaction import fingerprint

log = logging.getLogger(__name__)


class CachedAssessment(BaseModel):
    """One cache entry."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(description="LLM model that produced the assessment.")
    prompt_version: str = Field(description="Prompt version used.")
    mode: str = Field(description="Structured-output mode the server replied in.")
    assessment: LLMAssessment = Field(description="The validated assessment.")


def cache_key(*, server: str, prompt_version: str, sampling: dict[str, Any], messages: list[dict[str, str]]) -> str:
    """The cache key of one request (server is `modes.server_key`: URL without credentials + model)."""
    return fingerprint(
        server,
        prompt_version,
        json.dumps(sampling, sort_keys=True),
        json.dumps(messages, sort_keys=True, ensure_ascii=False),
    )


class AssessmentCache:
    """A folder of JSON files, one per cached request."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> CachedAssessment | None:
        """The cached entry, or None when missing or unreadable."""
        path = self._path(key)
        try:
            return CachedAssessment.model_validate_json(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValidationError, ValueError) as exc:
            log.warning("ignoring damaged LLM cache entry %s: %s", path, type(exc).__name__)
            return None

    def put(self, key: str, entry: CachedAssessment) -> None:
        """Store an entry atomically; a write failure only costs a request next time."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            temporary.write_text(entry.model_dump_json(), encoding="utf-8")
            os.replace(temporary, path)
        except OSError as exc:
            log.warning("cannot write LLM cache entry %s: %s", path, exc.strerror)
