"""Keeping credentials out of messages, logs, caches and results: redaction, safe URLs, hashed keys."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

REDACTED = "***"
MIN_SECRET_LENGTH = 4

SECRET_PATTERNS = re.compile(
    "|".join(
        (
            r"\bsk-[A-Za-z0-9_\-]{16,}",  # OpenAI and compatible keys (sk-..., sk-proj-...)
            r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}",  # GitHub tokens
            r"\bgithub_pat_[A-Za-z0-9_]{20,}",
            r"\bhf_[A-Za-z0-9]{20,}",  # Hugging Face
            r"\bxox[abprs]-[A-Za-z0-9\-]{10,}",  # Slack
            r"\bAKIA[0-9A-Z]{16}\b",  # AWS access key id
            r"\bAIza[0-9A-Za-z_\-]{30,}",  # Google API key
            r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}",  # JSON Web Token
            r"\b[Bb]earer\s+[A-Za-z0-9._\-]{16,}",
            # a value assigned to a key-like name: 12+ characters, digits among them
            r"(?i:\b(?:api[_-]?key|secret|token|password))\s*[:=]\s*[\"']?(?=[\w\-./+=]*\d)[\w\-./+=]{12,}",
        )
    )
)
"""Text that looks like a credential, whoever's it is: a reply that carries one has it replaced."""


class Redactor:
    """Replaces every occurrence of the given secrets in a text."""

    def __init__(self, secrets: Iterable[str]):
        self._secrets = [secret for secret in secrets if len(secret) >= MIN_SECRET_LENGTH]

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def scrub(self, text: str) -> str:
        """The known secrets and anything that looks like a credential, replaced."""
        return SECRET_PATTERNS.sub(REDACTED, self(text))


def display_url(url: str) -> str:
    """A URL without user info or query string (where tokens sometimes hide)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


def fingerprint(*parts: str) -> str:
    """A stable sha256 hex digest of text parts (used for cache keys: no secret is ever a part)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()
