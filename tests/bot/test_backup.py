"""`python -m bot backup FILE`: a consistent, checked copy, also while the bot runs."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.backup import BackupError, backup, last_backup
from tests.bot.process import bot_process, run_bot
from tests.fakebot import FakeBotApi, message_update

LEAD = 4242


@contextmanager
def live_database(path: Path) -> Iterator[sqlite3.Connection]:
    """A WAL database held open whose rows are all still in the -wal file, as the bot's are
    between checkpoints."""
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA wal_autocheckpoint = 0")
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
        connection.execute("BEGIN")
        connection.executemany("INSERT INTO notes (text) VALUES (?)", [("x" * 100,)] * 500)
        connection.execute("COMMIT")
        connection.execute("PRAGMA user_version = 7")
        yield connection


def read(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(sql).fetchall()


def test_backup_copies_what_is_still_in_the_wal(tmp_path: Path) -> None:
    """Rows committed but not yet checkpointed are in the copy, which is one self-contained
    file (rollback journal) that passes its integrity check."""
    db, copy = tmp_path / "bot.sqlite3", tmp_path / "copy.sqlite3"
    with live_database(db):
        made = backup(db, copy)
        assert os.path.getsize(f"{db}-wal") > 0
    assert (made.path, made.size, made.schema_version) == (copy, copy.stat().st_size, 7)
    assert read(copy, "SELECT count(*) FROM notes") == [(500,)]
    assert read(copy, "PRAGMA journal_mode") == [("delete",)]
    assert read(copy, "PRAGMA integrity_check") == [("ok",)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bot.sqlite3", "copy.sqlite3"]


def test_backup_replaces_an_older_backup(tmp_path: Path) -> None:
    """A backup file already there is replaced by the new copy."""
    db, copy = tmp_path / "bot.sqlite3", tmp_path / "copy.sqlite3"
    copy.write_bytes(b"an old backup")
    with live_database(db):
        backup(db, copy)
    assert read(copy, "SELECT count(*) FROM notes") == [(500,)]


@pytest.mark.parametrize("name", ["bot.sqlite3", "bot.sqlite3-wal", "bot.sqlite3-shm"])
def test_backup_refuses_to_overwrite_the_live_database(tmp_path: Path, name: str) -> None:
    """The database and the files SQLite keeps beside it are never a backup's target."""
    db = tmp_path / "bot.sqlite3"
    with live_database(db):
        before = (tmp_path / name).read_bytes()
        with pytest.raises(BackupError, match="refusing to overwrite the live database"):
            backup(db, tmp_path / "." / name)
        assert (tmp_path / name).read_bytes() == before


def test_backup_refuses_a_path_that_links_to_the_database(tmp_path: Path) -> None:
    """A link to the live database is the live database."""
    db, link = tmp_path / "bot.sqlite3", tmp_path / "link.sqlite3"
    with live_database(db):
        link.symlink_to(db)
        with pytest.raises(BackupError, match="refusing to overwrite"):
            backup(db, link)


def corrupt_database(path: Path) -> None:
    """A database whose index no longer matches its table: integrity_check reports rows."""
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
        connection.execute("CREATE INDEX notes_by_text ON notes(text)")
        connection.executemany("INSERT INTO notes (text) VALUES (?)", [("a",), ("b",)])
        index = connection.execute("SELECT * FROM sqlite_schema WHERE type = 'index'").fetchone()
        # Hide the index, change the table behind its back, then bring the index back.
        connection.execute("PRAGMA writable_schema = ON")
        connection.execute("DELETE FROM sqlite_schema WHERE type = 'index'")
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        connection.execute("UPDATE notes SET text = 'changed'")
        connection.execute("PRAGMA writable_schema = ON")
        connection.execute("INSERT INTO sqlite_schema VALUES (?, ?, ?, ?, ?)", index)


def test_backup_that_fails_its_integrity_check_is_not_kept(tmp_path: Path) -> None:
    """A copy that fails the integrity check is discarded; the previous backup stays."""
    db, copy = tmp_path / "bot.sqlite3", tmp_path / "copy.sqlite3"
    corrupt_database(db)
    copy.write_bytes(b"the previous backup")
    with pytest.raises(BackupError, match="failed its integrity check: row 1 missing from index"):
        backup(db, copy)
    assert copy.read_bytes() == b"the previous backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bot.sqlite3", "copy.sqlite3"]


def test_backup_of_a_missing_database_creates_nothing(tmp_path: Path) -> None:
    """No database, no backup, and no empty database created in its place."""
    with pytest.raises(BackupError, match="there is no database at"):
        backup(tmp_path / "bot.sqlite3", tmp_path / "copy.sqlite3")
    assert list(tmp_path.iterdir()) == []


def test_command_needs_only_the_database_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`backup FILE` runs without TELEGRAM_BOT_TOKEN and prints one line: path and size."""
    db, copy = tmp_path / "bot.sqlite3", tmp_path / "copy.sqlite3"
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("BOT_DB_PATH", str(db))
    with live_database(db):
        status = main(["backup", str(copy)])
    out = capsys.readouterr().out
    assert status == 0
    assert out == f"bot: backup written to {copy} ({copy.stat().st_size} bytes, schema 7)\n"


def test_command_failure_is_one_line_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A backup that cannot be made says why on stderr and exits 1."""
    monkeypatch.setenv("BOT_DB_PATH", str(tmp_path / "bot.sqlite3"))
    status = main(["backup", str(tmp_path / "copy.sqlite3")])
    assert status == 1
    assert capsys.readouterr().err == (
        f"bot: backup failed: there is no database at {tmp_path / 'bot.sqlite3'}\n"
    )


def test_command_without_a_file_prints_its_usage(capsys: pytest.CaptureFixture[str]) -> None:
    """`backup` alone is a usage error."""
    assert main(["backup"]) == 2
    assert capsys.readouterr().err == "usage: python -m bot backup FILE\n"


async def test_backup_while_the_bot_runs(fake: FakeBotApi, tmp_path: Path) -> None:
    """With the bot running, `python -m bot backup` (no token in its environment) copies the
    database: same tables, the rows so far, integrity ok."""
    db, copy = tmp_path / "data" / "bot.sqlite3", tmp_path / "copy.sqlite3"
    async with bot_process(fake, db, tmp_path) as bot:
        await bot.wait_healthy()
        fake.push(message_update(LEAD, "/start"))
        await fake.wait_for(lambda: len(fake.sent(LEAD)) == 1)
        env = {"PATH": os.environ.get("PATH", ""), "BOT_DB_PATH": str(db)}
        finished = await run_bot("backup", str(copy), env=env)
        tables = "SELECT type, name, sql FROM sqlite_schema ORDER BY name"
        live_tables = read(db, tables)
        assert (await bot.health())[0] == 200
    assert (finished.status, finished.stderr) == (0, "")
    assert finished.stdout.startswith(f"bot: backup written to {copy} (")
    assert read(copy, "PRAGMA integrity_check") == [("ok",)]
    assert read(copy, tables) == live_tables
    assert read(copy, "SELECT id FROM users") == [(LEAD,)]


def test_command_records_when_the_last_backup_was_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A successful `backup FILE` notes its time beside the database; a failed one does not."""
    db, copy = tmp_path / "bot.sqlite3", tmp_path / "copy.sqlite3"
    monkeypatch.setenv("BOT_DB_PATH", str(db))
    assert main(["backup", str(copy)]) == 1
    assert last_backup(db) is None
    before = datetime.now(UTC).replace(microsecond=0)
    with live_database(db):
        assert main(["backup", str(copy)]) == 0
    recorded = last_backup(db)
    assert recorded is not None
    assert before <= recorded <= datetime.now(UTC)
    assert (tmp_path / "bot.sqlite3.last-backup").is_file()


def test_backups_are_rotated_keeping_the_newest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With BOT_BACKUPS_KEEP=2, a third backup deletes the first (and says so); a file in the
    same folder that `backup` did not make is never touched."""
    db = tmp_path / "bot.sqlite3"
    stranger = tmp_path / "keep-me.sqlite3"
    stranger.write_bytes(b"not ours")
    monkeypatch.setenv("BOT_DB_PATH", str(db))
    monkeypatch.setenv("BOT_BACKUPS_KEEP", "2")
    copies = [tmp_path / f"bot-{day}.sqlite3" for day in (1, 2, 3)]
    with live_database(db):
        for copy in copies:
            assert main(["backup", str(copy)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].endswith("; 1 older backup deleted (keeping 2)")
    assert [copy.exists() for copy in copies] == [False, True, True]
    assert stranger.read_bytes() == b"not ours"
    assert (tmp_path / "bot.sqlite3.backups").read_text().splitlines() == [
        str(copies[1].resolve()),
        str(copies[2].resolve()),
    ]


def test_a_bad_keep_setting_refuses_the_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_DB_PATH", str(tmp_path / "bot.sqlite3"))
    monkeypatch.setenv("BOT_BACKUPS_KEEP", "none")
    assert main(["backup", str(tmp_path / "copy.sqlite3")]) == 2
    assert "BOT_BACKUPS_KEEP must be a whole number" in capsys.readouterr().err
    assert not (tmp_path / "copy.sqlite3").exists()
