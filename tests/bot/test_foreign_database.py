"""Start-up and restore check the schema (tables and columns) and refuse a foreign database:
another application's SQLite file, our table names with other columns, or a schema version its
tables do not match. A new, empty file is still fine."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from bot.check import check_database
from bot.migrations import LATEST, MIGRATIONS
from bot.restore import RestoreError, restore
from bot.storage import DatabaseUnavailable, Storage
from tests.bot.legacy_migrations_5309064 import MIGRATIONS as LEGACY
from tests.bot.process import bot_env, free_port, run_bot
from tests.bot.test_restore import make_database, users
from tests.fakebot import FakeBotApi
from tests.harness import FakeClock


def another_application(db: sqlite3.Connection) -> None:
    """Another program's file: its own tables, no schema version, no table name of ours."""
    db.executescript(
        "CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount INTEGER);"
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);"
        "INSERT INTO invoices (amount) VALUES (12);"
    )


def our_names_other_columns(db: sqlite3.Connection) -> None:
    """The five first tables' names, with other columns, claiming schema version 3."""
    db.executescript(
        "".join(
            f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, body TEXT);"
            for name in ("users", "networks", "leads", "assessments", "answers")
        )
        + "PRAGMA user_version = 3;"
    )


def version_without_its_tables(db: sqlite3.Connection) -> None:
    """Migrations 1 to 3 applied, but the file claims the newest version."""
    for number in (1, 2, 3):
        db.executescript(MIGRATIONS[number])
    db.execute(f"PRAGMA user_version = {LATEST}")


def ours_plus_a_stranger(db: sqlite3.Connection) -> None:
    """A whole database of ours with a table we never made."""
    for number in range(1, LATEST + 1):
        db.executescript(MIGRATIONS[number])
    db.execute("CREATE TABLE notes (text TEXT)")
    db.execute(f"PRAGMA user_version = {LATEST}")


FOREIGN: list[tuple[Callable[[sqlite3.Connection], None], str]] = [
    (another_application, r"has tables \(customers, invoices\) but no schema version"),
    (our_names_other_columns, "says schema version 3 but lacks the tables"),
    (version_without_its_tables, f"says schema version {LATEST} but lacks the tables"),
    (ours_plus_a_stranger, r"holds tables this bot never made \(notes\)"),
]


def make(path: Path, build: Callable[[sqlite3.Connection], None]) -> None:
    with closing(sqlite3.connect(path)) as db:
        build(db)
        db.commit()


def tables(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as db:
        listed = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        return [row[0] for row in listed]


@pytest.mark.parametrize(("build", "reason"), FOREIGN)
async def test_start_up_refuses_a_foreign_database_and_leaves_it_alone(
    tmp_path: Path, clock: FakeClock, build: Callable[[sqlite3.Connection], None], reason: str
) -> None:
    """Storage.open refuses the file, saying why, and creates nothing in it."""
    path = tmp_path / "bot.sqlite3"
    make(path, build)
    before = tables(path)
    with pytest.raises(DatabaseUnavailable, match=f"is not a database of this bot: .*{reason}"):
        await Storage.open(path, clock)
    assert tables(path) == before
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)


async def test_our_tables_with_one_column_changed_are_refused(
    tmp_path: Path, clock: FakeClock
) -> None:
    """A database of ours whose `users` table has other columns is refused, naming it."""
    path = tmp_path / "bot.sqlite3"
    with closing(sqlite3.connect(path)) as db:
        for number in range(1, LATEST + 1):
            db.executescript(MIGRATIONS[number])
        db.executescript(
            "PRAGMA foreign_keys = OFF; DROP TABLE users; "
            "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, created_at TEXT);"
            f"PRAGMA user_version = {LATEST};"
        )
    with pytest.raises(DatabaseUnavailable, match="the columns of users differ"):
        await Storage.open(path, clock)


async def test_a_new_empty_file_is_fine(tmp_path: Path, clock: FakeClock) -> None:
    """An empty file (as `touch` leaves it) becomes the bot's database."""
    path = tmp_path / "bot.sqlite3"
    path.touch()
    storage = await Storage.open(path, clock)
    try:
        assert await storage.schema_version() == LATEST
    finally:
        await storage.close()


async def test_bot_on_another_applications_database_stops_with_one_line(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    """`python -m bot` on another program's SQLite file exits 1 with one line naming the file
    and BOT_DB_PATH, no traceback, and the file keeps only its own tables."""
    db = tmp_path / "other.sqlite3"
    make(db, another_application)
    finished = await run_bot(env=bot_env(fake, db, PORT=str(free_port())))
    assert finished.status == 1
    [line] = [line for line in finished.stderr.splitlines() if "cannot start" in line]
    assert f"cannot start: {db} is not a database of this bot: it has tables" in line
    assert line.endswith("check BOT_DB_PATH")
    assert "Traceback" not in finished.stderr
    assert tables(db) == ["customers", "invoices"]


@pytest.mark.parametrize(("build", "reason"), FOREIGN)
def test_restore_refuses_a_foreign_database(
    tmp_path: Path, build: Callable[[sqlite3.Connection], None], reason: str
) -> None:
    """A backup that is SQLite but not this bot's (by its tables and columns) is refused and
    the database stays as it was."""
    db, backup = tmp_path / "bot.sqlite3", tmp_path / "backup.sqlite3"
    make_database(db, [1])
    make(backup, build)
    with pytest.raises(RestoreError, match="is an SQLite database, but not one of this bot"):
        restore(backup, db)
    assert users(db) == [1]


def test_restore_accepts_a_backup_with_buddy_tables_as_7(tmp_path: Path) -> None:
    """A backup of the release that numbered buddy 7 is restored (the bot repairs it when it
    starts)."""
    db, backup = tmp_path / "bot.sqlite3", tmp_path / "backup.sqlite3"
    make_database(db, [1])
    with closing(sqlite3.connect(backup)) as other:
        for script in LEGACY:
            other.executescript(script)
        other.execute(f"PRAGMA user_version = {len(LEGACY)}")
        other.execute("INSERT INTO users (id, created_at) VALUES (5, '2027-01-01T00:00:00+00:00')")
        other.commit()
    done = restore(backup, db)
    assert (done.schema_version, users(db)) == (7, [5])


def test_check_fails_on_another_applications_database(tmp_path: Path) -> None:
    """`python -m bot check` says the file is not this bot's, before the bot refuses it."""
    db = tmp_path / "other.sqlite3"
    make(db, another_application)
    result = check_database(db)
    assert not result.passed
    assert result.detail.startswith(f"{db} is not a database of this bot: it has tables")
    assert tables(db) == ["customers", "invoices"]


def test_no_production_module_is_over_600_lines() -> None:
    """The stores stay small: no module of bot/, handlers/, scoring/ or content/ passes 600
    lines."""
    root = Path(__file__).resolve().parents[2]
    long = {
        str(path.relative_to(root)): n
        for package in ("bot", "handlers", "scoring", "content")
        for path in (root / package).rglob("*.py")
        if (n := len(path.read_text().splitlines())) > 600
    }
    assert long == {}
