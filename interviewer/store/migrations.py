"""The session database schema as an ordered list of migrations.

Each migration runs once, in its own transaction, and is recorded in `schema_migrations`.
Never edit a released migration: append a new one.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from interviewer.errors import StoreError


@dataclass(frozen=True)
class Migration:
    """One schema step: its version number, a short name and the SQL it runs."""

    version: int
    name: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "sessions, answers and grades",
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            bank TEXT NOT NULL,
            grader TEXT NOT NULL,
            mode TEXT NOT NULL CHECK (mode IN ('practice', 'review')),
            topics TEXT NOT NULL,
            question_ids TEXT NOT NULL,
            time_limit_seconds INTEGER
        );
        CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            question_text TEXT NOT NULL,
            topic TEXT NOT NULL,
            answer TEXT NOT NULL,
            submitted_at TEXT NOT NULL,
            seconds_taken REAL,
            hinted INTEGER NOT NULL DEFAULT 0,
            skipped INTEGER NOT NULL DEFAULT 0,
            parent_answer_id INTEGER REFERENCES answers(id) ON DELETE CASCADE,
            follow_up TEXT
        );
        CREATE INDEX answers_by_session ON answers(session_id, id);
        CREATE TABLE grades (
            answer_id INTEGER PRIMARY KEY REFERENCES answers(id) ON DELETE CASCADE,
            score REAL NOT NULL,
            grader TEXT NOT NULL,
            result TEXT NOT NULL,
            graded_at TEXT NOT NULL
        );
        """,
    ),
    Migration(
        2,
        "spaced-review cards per key point",
        """
        CREATE TABLE review_cards (
            bank TEXT NOT NULL,
            question_id TEXT NOT NULL,
            key_point_id TEXT NOT NULL,
            card TEXT NOT NULL,
            due TEXT NOT NULL,
            last_verdict TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (bank, question_id, key_point_id)
        );
        CREATE INDEX review_cards_by_due ON review_cards(bank, due);
        """,
    ),
    Migration(
        3,
        "the question whose review cards an answer rates",
        # Earlier answers were rated by the rule of their time: a related-question follow-up rated that
        # question, every other follow-up its first ancestor's question, a main answer its own.
        """
        ALTER TABLE answers ADD COLUMN review_question_id TEXT;
        WITH RECURSIVE roots(id, root_id) AS (
            SELECT id, id FROM answers WHERE parent_answer_id IS NULL
            UNION ALL
            SELECT answers.id, roots.root_id FROM answers JOIN roots ON answers.parent_answer_id = roots.id
        )
        UPDATE answers SET review_question_id = CASE
            WHEN json_extract(follow_up, '$.kind') = 'related_question'
                AND json_extract(follow_up, '$.question_id') IS NOT NULL
                THEN json_extract(follow_up, '$.question_id')
            ELSE (
                SELECT root.question_id FROM roots JOIN answers AS root ON root.id = roots.root_id
                WHERE roots.id = answers.id
            )
        END;
        """,
    ),
    Migration(
        4,
        "answer drafts and which process has a session open",
        # Additive: two new tables, nothing existing changes. A draft is what the answer box holds (one per
        # session, replaced as the candidate types); a claim says which process has the session open.
        """
        CREATE TABLE drafts (
            session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            parent_answer_id INTEGER REFERENCES answers(id) ON DELETE CASCADE,
            follow_up TEXT,
            answer TEXT NOT NULL,
            hints_shown INTEGER NOT NULL DEFAULT 0,
            saved_at TEXT NOT NULL
        );
        CREATE TABLE session_claims (
            session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
            pid INTEGER NOT NULL,
            host TEXT NOT NULL,
            heartbeat_at TEXT NOT NULL
        );
        """,
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version

_CREATE_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
)
"""


def current_version(connection: sqlite3.Connection, path: Path) -> int:
    """The schema version recorded in the database: 0 for a new, empty file.

    A database with tables but no migration record is someone else's file: refuse it.
    """
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "schema_migrations" not in tables:
        if tables:
            raise StoreError(f"{path}: not an interviewer session database (it has tables {sorted(tables)})")
        return 0
    row = connection.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


def migrate(connection: sqlite3.Connection, path: Path, *, target: int = LATEST_VERSION) -> int:
    """Apply the pending migrations up to `target`; return the version reached.

    A database written by a newer interviewer (a version above the latest known) is refused, not touched.
    """
    version = current_version(connection, path)
    if version > LATEST_VERSION:
        raise StoreError(
            f"{path}: the database has schema version {version}, newer than this interviewer "
            f"understands (up to {LATEST_VERSION}); upgrade interviewer or use another INTERVIEWER_HOME"
        )
    for migration in MIGRATIONS:
        if version < migration.version <= target:
            _apply(connection, migration)
            version = migration.version
    return version


def _apply(connection: sqlite3.Connection, migration: Migration) -> None:
    # executescript would COMMIT on its own; run statements one by one inside one transaction instead.
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.execute(_CREATE_MIGRATIONS_TABLE)
        for statement in _statements(migration.sql):
            connection.execute(statement)
        connection.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
            (migration.version, migration.name, datetime.now(UTC).isoformat()),
        )
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _statements(sql: str) -> list[str]:
    """Split a migration's SQL into statements (migrations hold no semicolons inside strings)."""
    return [statement.strip() for statement in sql.split(";") if statement.strip()]
