"""`python -m bot restore FILE`: a checked backup replaces the database, never while a bot
uses it, and never with a file that is not this bot's database."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.instance import InstanceLock
from bot.migrations import MIGRATIONS
from bot.restore import RestoreError, restore
from tests.bot.process import run_bot


def make_database(path: Path, user_ids: list[int], version: int = len(MIGRATIONS)) -> None:
    """A database of this bot at schema `version`, with these users."""
    with closing(sqlite3.connect(path)) as connection:
        for number in range(1, version + 1):
            connection.executescript(MIGRATIONS[number])
        connection.execute(f"PRAGMA user_version = {int(version)}")
        connection.executemany(
            "INSERT INTO users (id, created_at) VALUES (?, '2027-01-01T00:00:00+00:00')",
            [(user_id,) for user_id in user_ids],
        )
        connection.commit()


def users(path: Path) -> list[int]:
    with closing(sqlite3.connect(path)) as connection:
        return [row[0] for row in connection.execute("SELECT id FROM users ORDER BY id")]


def names_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def env_for(db: Path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "BOT_DB_PATH": str(db), "BOT_ENV_FILE": ""}


async def test_restore_replaces_the_database_and_its_stale_log(tmp_path: Path) -> None:
    """The backup becomes the database, the old -wal and -shm go, the backup is untouched,
    and the command prints one line and exits 0."""
    db, backup = tmp_path / "bot.sqlite3", tmp_path / "backup.sqlite3"
    make_database(db, [1, 2, 3])
    make_database(backup, [7], version=1)
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"bot.sqlite3{suffix}").write_bytes(b"stale")
    before = backup.read_bytes()
    finished = await run_bot("restore", str(backup), env=env_for(db))
    assert (finished.status, finished.stderr) == (0, "")
    assert finished.stdout == (
        f"bot: restored {backup} as {db} ({db.stat().st_size} bytes, schema 1, brought up "
        f"to date to {len(MIGRATIONS)}); the restore is recorded in its audit trail\n"
    )
    assert users(db) == [7]
    assert backup.read_bytes() == before
    assert names_in(tmp_path) == ["backup.sqlite3", "bot.sqlite3", "bot.sqlite3.lock"]


async def test_restore_refuses_while_a_bot_uses_the_database(tmp_path: Path) -> None:
    """With the database's lock held (a running bot), restore exits 1 and changes nothing."""
    db, backup = tmp_path / "bot.sqlite3", tmp_path / "backup.sqlite3"
    make_database(db, [1])
    make_database(backup, [7])
    with InstanceLock(db):
        finished = await run_bot("restore", str(backup), env=env_for(db))
    assert finished.status == 1
    assert finished.stderr.startswith(
        "bot: restore failed: the database is in use by a running bot: another bot process"
    )
    assert finished.stderr.count("stop") == 1  # once said "stop it first…; stop the bot first"
    assert len(finished.stderr.splitlines()) == 1
    assert users(db) == [1]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"not a database at all" * 50, "is not an SQLite database"),
        (None, "is an SQLite database, but not one of this bot"),
    ],
)
def test_restore_refuses_a_file_that_is_not_a_backup(
    tmp_path: Path, content: bytes | None, reason: str
) -> None:
    """A file that is not SQLite, or SQLite of another program, is refused; the database
    stays as it was and no temporary file is left."""
    db, backup = tmp_path / "bot.sqlite3", tmp_path / "backup.sqlite3"
    make_database(db, [1])
    if content is None:
        with closing(sqlite3.connect(backup)) as other:
            other.execute("CREATE TABLE notes (text TEXT)")
            other.execute("PRAGMA user_version = 2")
    else:
        backup.write_bytes(content)
    with pytest.raises(RestoreError, match=reason):
        restore(backup, db)
    assert users(db) == [1]
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["backup.sqlite3", "bot.sqlite3", "bot.sqlite3.lock"]


def test_restore_refuses_a_backup_from_a_newer_release(tmp_path: Path) -> None:
    """A backup whose schema is newer than this code knows is refused."""
    db, backup = tmp_path / "bot.sqlite3", tmp_path / "backup.sqlite3"
    make_database(db, [1])
    make_database(backup, [7])
    with closing(sqlite3.connect(backup)) as connection:
        connection.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(RestoreError, match="newer than this version of the bot knows"):
        restore(backup, db)
    assert users(db) == [1]


def test_restore_onto_a_missing_database_creates_it(tmp_path: Path) -> None:
    """With no database yet, the restore puts the backup in place."""
    db, backup = tmp_path / "bot.sqlite3", tmp_path / "backup.sqlite3"
    make_database(backup, [7])
    done = restore(backup, db)
    assert (done.path, done.schema_version) == (db, len(MIGRATIONS))
    assert users(db) == [7]


def test_restoring_a_folder_says_it_is_a_folder(tmp_path: Path) -> None:
    """A folder given as the backup is named as a folder (once: "no backup file")."""
    db = tmp_path / "bot.sqlite3"
    make_database(db, [1])
    with pytest.raises(RestoreError, match=r"is a folder: give the backup file itself"):
        restore(tmp_path, db)
    assert users(db) == [1]


async def test_a_database_path_through_a_file_is_said_so(tmp_path: Path) -> None:
    """BOT_DB_PATH under a file (like /etc/hostname/bot.sqlite3) gets a line naming the file,
    from restore and from the bot at start-up, never "cannot create …: file exists"."""
    blocker = tmp_path / "hostname"
    blocker.write_text("a file\n")
    db, backup = blocker / "data" / "bot.sqlite3", tmp_path / "backup.sqlite3"
    make_database(backup, [7])
    finished = await run_bot("restore", str(backup), env=env_for(db))
    assert finished.status == 1
    assert f"goes through {blocker}, which is a file, not a folder" in finished.stderr
    assert "file exists" not in finished.stderr.lower()
    started = await run_bot(env={**env_for(db), "TELEGRAM_BOT_TOKEN": "123456789:" + "A" * 35})
    assert started.status == 1
    assert f"goes through {blocker}, which is a file, not a folder" in started.stderr
    assert "file exists" not in started.stderr.lower()


def test_a_restore_is_written_into_the_restored_database_audit_trail(tmp_path: Path) -> None:
    """The restored database (an older schema, brought up to date) holds one audit entry for
    the restore, by the server (no Telegram id) and with no subject; the backup is untouched."""
    db, backup = tmp_path / "bot.sqlite3", tmp_path / "backup.sqlite3"
    make_database(db, [1])
    make_database(backup, [7], version=1)
    before = backup.read_bytes()
    restore(backup, db)
    with closing(sqlite3.connect(db)) as connection:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        rows = connection.execute("SELECT actor, action, subject FROM audit").fetchall()
    assert version == len(MIGRATIONS)
    assert rows == [(None, "backup_restored", None)]
    assert backup.read_bytes() == before
