"""The session store: SQLite under the data dir, migrated on open. See `session_store` for thread safety."""

from interviewer.store.records import (
    AnswerRecord,
    DraftRecord,
    ReviewCardRecord,
    SessionClaim,
    SessionMode,
    SessionRecord,
    Submission,
)
from interviewer.store.session_store import SessionStore, UnknownSessionError

__all__ = [
    "AnswerRecord",
    "DraftRecord",
    "ReviewCardRecord",
    "SessionClaim",
    "SessionMode",
    "SessionRecord",
    "SessionStore",
    "Submission",
    "UnknownSessionError",
]
