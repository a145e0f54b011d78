"""Opening old, corrupt, foreign and newer databases."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from interviewer.errors import StoreError
from interviewer.store import SessionStore
from interviewer.store.migrations import LATEST_VERSION, MIGRATIONS, migrate

from .factories import make_grade


def _versions(path: Path) -> list[int]:
    connection = sqlite3.connect(path)
    versions = [row[0] for row in connection.execute("SELECT version FROM schema_migrations ORDER BY version")]
    connection.close()
    return versions


def test_new_database_gets_every_migration(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    SessionStore.open(path).close()
    assert _versions(path) == [migration.version for migration in MIGRATIONS]
    SessionStore.open(path).close()  # reopening applies nothing twice
    assert _versions(path) == list(range(1, LATEST_VERSION + 1))


def test_version_1_database_with_data_migrates_forward(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    assert migrate(connection, path, target=1) == 1
    grade = make_grade("1.1", {"relu": "covered", "dying": "missed"})
    connection.execute(
        "INSERT INTO sessions (id, started_at, bank, grader, mode, topics, question_ids)"
        " VALUES (1, '2026-01-02T10:00:00+00:00', 'deep-learning', 'embedding', 'practice', '[]', '[\"1.1\"]')"
    )
    connection.execute(
        "INSERT INTO answers (id, session_id, question_id, question_text, topic, answer, submitted_at)"
        " VALUES (1, 1, '1.1', 'What is ReLU?', 'Basics', 'max(0, x)', '2026-01-02T10:01:00+00:00')"
    )
    connection.execute(
        "INSERT INTO grades VALUES (1, ?, 'embedding', ?, '2026-01-02T10:01:01+00:00')",
        (grade.score, grade.model_dump_json()),
    )
    connection.close()
    assert _versions(path) == [1]

    with SessionStore.open(path) as store:
        assert _versions(path) == list(range(1, LATEST_VERSION + 1))
        [session] = store.sessions()
        assert session.bank == "deep-learning" and session.question_ids == ["1.1"]
        [answer] = store.answers(session.id)
        assert answer.answer == "max(0, x)" and answer.grade == grade
        assert store.review_cards("deep-learning") == []  # table added by migration 2


def test_version_2_answers_keep_the_review_target_they_were_rated_by(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    assert migrate(connection, path, target=2) == 2
    connection.execute(
        "INSERT INTO sessions (id, started_at, bank, grader, mode, topics, question_ids)"
        " VALUES (1, '2026-01-02T10:00:00+00:00', 'deep-learning', 'embedding', 'practice', '[]', '[\"3.2\"]')"
    )
    rows = [  # (id, question id, parent answer id, follow-up kind, its question id)
        (1, "3.2", None, None, None),
        (2, "3.2-dying", 1, "missed_key_point", None),
        (3, "3.2-dying-x", 2, "missed_key_point", None),
        (4, "4.1", 1, "related_question", "4.1"),
    ]
    for answer_id, question_id, parent_id, kind, follow_up_question_id in rows:
        follow_up = (
            json.dumps({"text": "?", "kind": kind, "key_point_id": None, "question_id": follow_up_question_id})
            if kind
            else None
        )
        connection.execute(
            "INSERT INTO answers (id, session_id, question_id, question_text, topic, answer, submitted_at,"
            " parent_answer_id, follow_up) VALUES (?, 1, ?, 'q', 't', 'a', '2026-01-02T10:01:00+00:00', ?, ?)",
            (answer_id, question_id, parent_id, follow_up),
        )
    connection.close()

    with SessionStore.open(path) as store:
        targets = [answer.review_question_id for answer in store.answers(1)]
    assert targets == ["3.2", "3.2", "3.2", "4.1"]


@pytest.mark.parametrize(
    "content",
    [b"\x8f\x13garbage" * 500, b"SQLite format 3\x00" + b"\xff" * 4000],
    ids=["random-bytes", "damaged-header"],
)
def test_corrupt_file_is_an_error_naming_it_and_left_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "sessions.sqlite3"
    path.write_bytes(content)
    with pytest.raises(StoreError, match=r"sessions\.sqlite3") as raised:
        SessionStore.open(path)
    assert "left as it is" in str(raised.value) or "not an interviewer" in str(raised.value)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sessions.sqlite3"]


def test_newer_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    SessionStore.open(path).close()
    connection = sqlite3.connect(path)
    connection.execute("INSERT INTO schema_migrations VALUES (?, 'from the future', 'x')", (LATEST_VERSION + 1,))
    connection.commit()
    connection.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match=r"future\.sqlite3.*newer"):
        SessionStore.open(path)
    assert path.read_bytes() == before


def test_foreign_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (text TEXT)")
    connection.commit()
    connection.close()
    with pytest.raises(StoreError, match=r"other\.db: not an interviewer session database"):
        SessionStore.open(path)


def test_folder_and_unwritable_locations(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        SessionStore.open(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="is a file where the data folder should be"):
        SessionStore.open(blocker / "sub" / "sessions.sqlite3")
