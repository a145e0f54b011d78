"""The SQLite session store: sessions, answers (saved on submit) and grades.

Thread safety: one connection opened with `check_same_thread=False`, every use guarded by one
re-entrant lock, so the TUI's worker threads and its main thread can share a `SessionStore`.
Writes run in explicit `BEGIN IMMEDIATE` transactions and are committed before the method returns.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from interviewer import locations
from interviewer.errors import StoreError
from interviewer.grading.result import FollowUp, GradeResult
from interviewer.names import GraderName
from interviewer.store.migrations import LATEST_VERSION, current_version, migrate
from interviewer.store.records import (
    AnswerRecord,
    DraftRecord,
    ReviewCardRecord,
    SessionClaim,
    SessionMode,
    SessionRecord,
    Submission,
)


class UnknownSessionError(StoreError):
    """A session or answer id that is not in the database."""


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def _to_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # Fixed width (always microseconds) so stored times sort correctly as text.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _from_text(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text is not None else None


BUSY_TIMEOUT_SECONDS = 10.0


def move_aside_hint(path: Path) -> str:
    """How to keep a damaged database and start a fresh one."""
    return (
        f"move it aside to keep it and start a fresh one: mv {path} {path}.damaged"
        f" (with its {path.name}-wal file, if there is one)"
    )


def _is_damage(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorname", "") in ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def _store_error(path: Path, doing: str, exc: sqlite3.Error) -> StoreError:
    """One StoreError for a failed sqlite call; a damaged file gets the way to move it aside."""
    if _is_damage(exc):
        return StoreError(
            f"{path}: the session database is damaged ({exc}); the file was left as it is; {move_aside_hint(path)}"
        )
    return StoreError(f"{path}: cannot {doing} the session database ({exc})")


def check_integrity(connection: sqlite3.Connection, path: Path) -> None:
    """StoreError (naming the file and how to move it aside) unless `PRAGMA quick_check` finds it sound."""
    try:
        problems = [row[0] for row in connection.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    if problems != ["ok"]:
        lines = [line.strip() for problem in problems for line in str(problem).splitlines()]
        lines = [line for line in lines if line and not line.startswith("***")]
        shown = "; ".join(lines[:2]) + (f"; {len(lines) - 2} more problem(s)" if len(lines) > 2 else "")
        raise StoreError(
            f"{path}: the session database is damaged ({shown}); the file was left as it is; {move_aside_hint(path)}"
        )


def _check_location(path: Path) -> None:
    """StoreError when the database path is a folder or lies under a file (a file where a folder should be)."""
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a session database")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise StoreError(
                    f"{path}: {parent} is a file where the data folder should be; move it, or set "
                    "INTERVIEWER_HOME to a writable folder"
                )
            return


class SessionStore:
    """Sessions, answers and grades in one SQLite file (WAL mode, foreign keys on, migrated on open).

    Opened for writing (the default), the file is checked with `PRAGMA quick_check` before anything is
    written, so a damaged file is never modified. Opened `read_only` (history, report, progress), the
    connection is SQLite's `mode=ro`: it cannot write at all.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path, *, read_only: bool = False):
        """Use `SessionStore.open()`; this wraps an already migrated connection."""
        self.path = path
        self.read_only = read_only
        self._connection = connection
        self._lock = threading.RLock()

    @classmethod
    def open(
        cls, path: Path | None = None, *, read_only: bool = False, timeout: float = BUSY_TIMEOUT_SECONDS
    ) -> SessionStore:
        """Open (creating if needed) and migrate the database; StoreError naming the file if it is unusable.

        A corrupt file, someone else's database or one written by a newer version is never modified.
        `read_only` never writes the file (a database that does not exist yet reads as empty and is not
        created; one that needs a migration is migrated first, after its integrity check). `timeout` is how
        long a write waits for another process's write to finish.
        """
        path = Path(path) if path is not None else locations.database_file()
        _check_location(path)
        if read_only:
            return cls._open_read_only(path, timeout)
        locations.ensure_data_dir(path.parent)
        connection: sqlite3.Connection | None = None
        try:
            connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=timeout)
            connection.row_factory = sqlite3.Row
            # Read before writing anything: garbage, a damaged page or a foreign database fails here, untouched.
            current_version(connection, path)
            check_integrity(connection, path)
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            migrate(connection, path)
        except sqlite3.Error as exc:
            if connection is not None:
                connection.close()
            if _is_damage(exc):
                raise _store_error(path, "open", exc) from exc
            raise StoreError(f"{path}: cannot open the session database ({exc}); the file was left as it is") from exc
        except StoreError:
            if connection is not None:
                connection.close()
            raise
        return cls(connection, path)

    @classmethod
    def _open_read_only(cls, path: Path, timeout: float) -> SessionStore:
        if not path.exists():  # nothing stored yet: an empty store in memory, no file created
            connection = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            connection.row_factory = sqlite3.Row
            migrate(connection, path)
            return cls(connection, path, read_only=True)
        opened: sqlite3.Connection | None = None
        try:
            opened = connection = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro",
                uri=True,
                check_same_thread=False,
                isolation_level=None,
                timeout=timeout,
            )
            connection.row_factory = sqlite3.Row
            version = current_version(connection, path)
            if version < LATEST_VERSION:  # an older schema: migrate it once (checked first), then read
                connection.close()
                cls.open(path, timeout=timeout).close()
                return cls._open_read_only(path, timeout)
            migrate(connection, path)  # refuses a newer schema; nothing to apply
        except sqlite3.Error as exc:
            if opened is not None:
                opened.close()
            raise _store_error(path, "open", exc) from exc
        except StoreError:
            if opened is not None:
                opened.close()
            raise
        return cls(connection, path, read_only=True)

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed by SQLite)."""
        with self._lock:
            self._connection.close()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One committed write transaction under the lock; sqlite errors become StoreError."""
        if self.read_only:
            raise StoreError(f"{self.path}: the session database was opened read-only")
        with self._lock:
            try:
                self._connection.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _store_error(self.path, "write to", exc) from exc
            try:
                yield self._connection
            except BaseException as exc:
                with contextlib.suppress(sqlite3.Error):
                    self._connection.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):  # a full disk, a read-only file, damage found while writing
                    raise _store_error(self.path, "write to", exc) from exc
                raise
            try:
                self._connection.execute("COMMIT")
            except sqlite3.Error as exc:
                raise _store_error(self.path, "commit to", exc) from exc

    def _query(self, sql: str, parameters: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._connection.execute(sql, parameters).fetchall()
            except sqlite3.Error as exc:
                raise _store_error(self.path, "read", exc) from exc

    # Sessions

    def start_session(
        self,
        *,
        bank: str,
        grader: GraderName,
        question_ids: list[str],
        topics: list[str],
        mode: SessionMode = "practice",
        time_limit_seconds: int | None = None,
    ) -> SessionRecord:
        """Create a session and return it (committed)."""
        if mode not in ("practice", "review"):
            raise StoreError(f"session mode must be 'practice' or 'review', not {mode!r}")
        with self._transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO sessions (started_at, bank, grader, mode, topics, question_ids, time_limit_seconds)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    _to_text(utc_now()),
                    bank,
                    grader,
                    mode,
                    json.dumps(list(topics), ensure_ascii=False),
                    json.dumps(list(question_ids), ensure_ascii=False),
                    time_limit_seconds,
                ),
            )
            session_id = int(cursor.lastrowid or 0)
        return self.get_session(session_id)

    def get_session(self, session_id: int) -> SessionRecord:
        """The session with this id; UnknownSessionError if there is none."""
        rows = self._query("SELECT * FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            raise UnknownSessionError(f"no session {session_id} in {self.path}")
        return _session_record(rows[0])

    def sessions(self) -> list[SessionRecord]:
        """All sessions, newest first."""
        return [_session_record(row) for row in self._query("SELECT * FROM sessions ORDER BY started_at DESC, id DESC")]

    def unfinished_session(self) -> SessionRecord | None:
        """The newest session that was not finished, if any."""
        rows = self._query("SELECT * FROM sessions WHERE finished_at IS NULL ORDER BY started_at DESC, id DESC LIMIT 1")
        return _session_record(rows[0]) if rows else None

    def unfinished_sessions(self) -> list[SessionRecord]:
        """Every session not finished, newest first."""
        rows = self._query("SELECT * FROM sessions WHERE finished_at IS NULL ORDER BY started_at DESC, id DESC")
        return [_session_record(row) for row in rows]

    def finish_session(self, session_id: int) -> None:
        """Mark the session finished now (a second call keeps the first time)."""
        self.get_session(session_id)
        with self._transaction() as connection:
            connection.execute(
                "UPDATE sessions SET finished_at = ? WHERE id = ? AND finished_at IS NULL",
                (_to_text(utc_now()), session_id),
            )

    # Answers and grades

    def record_answer(
        self, session_id: int, submission: Submission, *, review_question_id: str | None = None
    ) -> AnswerRecord:
        """Save a submitted answer, committed before this returns (grading comes later).

        `review_question_id` is stored as given: the question whose review cards the answer rates.
        """
        self.get_session(session_id)
        if submission.parent_answer_id is not None:
            self.get_answer(submission.parent_answer_id)
        question = submission.question
        follow_up = submission.follow_up
        with self._transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO answers (session_id, question_id, question_text, topic, answer, submitted_at,"
                " seconds_taken, hinted, skipped, parent_answer_id, follow_up, review_question_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    question.id,
                    question.question,
                    question.topic,
                    submission.answer,
                    _to_text(utc_now()),
                    submission.seconds_taken,
                    int(submission.hinted),
                    int(submission.skipped),
                    submission.parent_answer_id,
                    follow_up.model_dump_json() if follow_up is not None else None,
                    review_question_id,
                ),
            )
            answer_id = int(cursor.lastrowid or 0)
        return self.get_answer(answer_id)

    def record_grade(self, answer_id: int, result: GradeResult) -> bool:
        """Save (or replace) the grade of an answer, committed before this returns.

        Returns True when this is the answer's first grade (a re-grade replaces the stored one).
        """
        with self._lock:
            first = self.get_answer(answer_id).grade is None
            self._save_grade(answer_id, result)
        return first

    def _save_grade(self, answer_id: int, result: GradeResult) -> None:
        with self._transaction() as connection:
            connection.execute(
                "INSERT INTO grades (answer_id, score, grader, result, graded_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (answer_id) DO UPDATE SET score = excluded.score, grader = excluded.grader,"
                " result = excluded.result, graded_at = excluded.graded_at",
                (answer_id, result.score, result.provenance.grader, result.model_dump_json(), _to_text(utc_now())),
            )

    def get_answer(self, answer_id: int) -> AnswerRecord:
        """The answer with this id (with its grade); UnknownSessionError if there is none."""
        rows = self._query(_ANSWER_SELECT + " WHERE answers.id = ?", (answer_id,))
        if not rows:
            raise UnknownSessionError(f"no answer {answer_id} in {self.path}")
        return self._answer_records(rows)[0]

    def answers(self, session_id: int) -> list[AnswerRecord]:
        """The session's answers in submission order; `grade` is None for answers not graded yet."""
        self.get_session(session_id)
        rows = self._query(_ANSWER_SELECT + " WHERE answers.session_id = ? ORDER BY answers.id", (session_id,))
        return self._answer_records(rows)

    def all_answers(self, *, bank: str | None = None) -> list[AnswerRecord]:
        """Every answer of every session (of one bank if given), oldest first: for progress and review."""
        if bank is None:
            rows = self._query(_ANSWER_SELECT + " ORDER BY answers.id")
        else:
            rows = self._query(
                _ANSWER_SELECT + " JOIN sessions ON sessions.id = answers.session_id"
                " WHERE sessions.bank = ? ORDER BY answers.id",
                (bank,),
            )
        return self._answer_records(rows)

    def _answer_records(self, rows: list[sqlite3.Row]) -> list[AnswerRecord]:
        try:
            return [_answer_record(row) for row in rows]
        except ValidationError as exc:
            raise StoreError(f"{self.path}: a stored answer or grade is not readable by this version ({exc})") from exc

    # Drafts: the unsubmitted text of a session's answer box (one per session)

    def save_draft(
        self,
        session_id: int,
        *,
        question_id: str,
        answer: str,
        hints_shown: int = 0,
        parent_answer_id: int | None = None,
        follow_up: FollowUp | None = None,
    ) -> None:
        """Save (replace) the session's draft, committed before this returns."""
        with self._transaction() as connection:
            connection.execute(
                "INSERT INTO drafts (session_id, question_id, parent_answer_id, follow_up, answer, hints_shown,"
                " saved_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET"
                " question_id = excluded.question_id, parent_answer_id = excluded.parent_answer_id,"
                " follow_up = excluded.follow_up, answer = excluded.answer, hints_shown = excluded.hints_shown,"
                " saved_at = excluded.saved_at",
                (
                    session_id,
                    question_id,
                    parent_answer_id,
                    follow_up.model_dump_json() if follow_up is not None else None,
                    answer,
                    hints_shown,
                    _to_text(utc_now()),
                ),
            )

    def draft(self, session_id: int) -> DraftRecord | None:
        """The session's draft, if one is saved."""
        rows = self._query("SELECT * FROM drafts WHERE session_id = ?", (session_id,))
        if not rows:
            return None
        row = rows[0]
        try:
            return DraftRecord(
                session_id=row["session_id"],
                question_id=row["question_id"],
                parent_answer_id=row["parent_answer_id"],
                follow_up=FollowUp.model_validate_json(row["follow_up"]) if row["follow_up"] else None,
                answer=row["answer"],
                hints_shown=row["hints_shown"],
                saved_at=datetime.fromisoformat(row["saved_at"]),
            )
        except ValidationError as exc:
            raise StoreError(f"{self.path}: a stored draft is not readable by this version ({exc})") from exc

    def clear_draft(self, session_id: int) -> None:
        """Forget the session's draft (it was submitted, or emptied)."""
        with self._transaction() as connection:
            connection.execute("DELETE FROM drafts WHERE session_id = ?", (session_id,))

    # Claims: which process has a session open (`practice` decides when a claim is stale)

    def claim_session(self, session_id: int, *, pid: int, host: str) -> None:
        """Record that this process has the session open, now (replaces any earlier claim)."""
        with self._transaction() as connection:
            connection.execute(
                "INSERT INTO session_claims (session_id, pid, host, heartbeat_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (session_id) DO UPDATE SET pid = excluded.pid, host = excluded.host,"
                " heartbeat_at = excluded.heartbeat_at",
                (session_id, pid, host, _to_text(utc_now())),
            )

    def session_claim(self, session_id: int) -> SessionClaim | None:
        """Who has the session open, if anyone said so."""
        rows = self._query("SELECT * FROM session_claims WHERE session_id = ?", (session_id,))
        if not rows:
            return None
        row = rows[0]
        return SessionClaim(
            session_id=row["session_id"],
            pid=row["pid"],
            host=row["host"],
            heartbeat_at=datetime.fromisoformat(row["heartbeat_at"]),
        )

    def release_session(self, session_id: int, *, pid: int) -> None:
        """Drop this process's claim on the session (another process's claim stays)."""
        with self._transaction() as connection:
            connection.execute("DELETE FROM session_claims WHERE session_id = ? AND pid = ?", (session_id, pid))

    # Spaced-review cards (stored as given; `interviewer.review` schedules them)

    def review_cards(self, bank: str | None = None) -> list[ReviewCardRecord]:
        """All review cards of a bank (of every bank when None), soonest due first."""
        if bank is None:
            rows = self._query("SELECT * FROM review_cards ORDER BY due, bank, question_id, key_point_id", ())
        else:
            rows = self._query(
                "SELECT * FROM review_cards WHERE bank = ? ORDER BY due, question_id, key_point_id", (bank,)
            )
        return [_review_card_record(row) for row in rows]

    def save_review_cards(self, cards: list[ReviewCardRecord]) -> None:
        """Insert or replace review cards in one transaction."""
        with self._transaction() as connection:
            connection.executemany(
                "INSERT INTO review_cards (bank, question_id, key_point_id, card, due, last_verdict, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bank, question_id, key_point_id) DO UPDATE SET"
                " card = excluded.card, due = excluded.due, last_verdict = excluded.last_verdict,"
                " updated_at = excluded.updated_at",
                [
                    (
                        card.bank,
                        card.question_id,
                        card.key_point_id,
                        card.card_json,
                        _to_text(card.due),
                        card.last_verdict,
                        _to_text(card.updated_at),
                    )
                    for card in cards
                ],
            )


_ANSWER_SELECT = (
    "SELECT answers.*, grades.result AS grade_result FROM answers LEFT JOIN grades ON grades.answer_id = answers.id"
)


def _session_record(row: sqlite3.Row) -> SessionRecord:
    return SessionRecord(
        id=row["id"],
        started_at=datetime.fromisoformat(row["started_at"]),
        finished_at=_from_text(row["finished_at"]),
        bank=row["bank"],
        grader=row["grader"],
        mode=row["mode"],
        topics=json.loads(row["topics"]),
        question_ids=json.loads(row["question_ids"]),
        time_limit_seconds=row["time_limit_seconds"],
    )


def _answer_record(row: sqlite3.Row) -> AnswerRecord:
    return AnswerRecord(
        id=row["id"],
        session_id=row["session_id"],
        question_id=row["question_id"],
        question_text=row["question_text"],
        topic=row["topic"],
        answer=row["answer"],
        submitted_at=datetime.fromisoformat(row["submitted_at"]),
        seconds_taken=row["seconds_taken"],
        hinted=bool(row["hinted"]),
        skipped=bool(row["skipped"]),
        parent_answer_id=row["parent_answer_id"],
        follow_up=FollowUp.model_validate_json(row["follow_up"]) if row["follow_up"] else None,
        review_question_id=row["review_question_id"],
        grade=GradeResult.model_validate_json(row["grade_result"]) if row["grade_result"] else None,
    )


def _review_card_record(row: sqlite3.Row) -> ReviewCardRecord:
    return ReviewCardRecord(
        bank=row["bank"],
        question_id=row["question_id"],
        key_point_id=row["key_point_id"],
        card_json=row["card"],
        due=datetime.fromisoformat(row["due"]),
        last_verdict=row["last_verdict"],
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )
