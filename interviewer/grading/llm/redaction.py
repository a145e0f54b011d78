"""Keeping credentials out of messages, logs, caches and results: redaction, safe URLs, hashed keys."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

REDACTED = "***"
MIN_SECRET_LENGTH = 4


class Redactor:
    """Replaces every occurrence of the given secrets in a text."""

    def __init__(self, secrets: Iterable[str]):
        self._secrets = [secret for secret in secrets if len(secret) >= MIN_SECRET_LENGTH]

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


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
