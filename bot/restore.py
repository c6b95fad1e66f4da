"""`python -m bot restore FILE`: put a backup back as the database, only while no bot uses it.

It takes the database's instance lock (bot/instance.py) for the whole restore, so it refuses
while a bot runs on the database and no bot can start half-way through. The backup is copied
beside the database under a temporary name and checked there (an SQLite file that passes
`PRAGMA integrity_check`, with a schema version it knows and exactly the tables and columns of
this bot's schema at that version, bot/db/schema.py); only then are its schema brought up to date
and the restore written into its audit trail, the old `-wal` and `-shm` files removed (SQLite
would otherwise replay the old database's log
into the restored one) and the copy renamed over the database in one step. The backup file
itself is only read.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot import audit
from bot.backup import SIDE_FILES, db_path_from_env
from bot.clock import SystemClock
from bot.db import schema
from bot.instance import AlreadyRunning, InstanceLock, file_in_the_way
from bot.migrations import LATEST
from bot.storage import DatabaseTooNew, DatabaseUnavailable, Storage


class RestoreError(Exception):
    """The restore was refused or failed; the database is as it was."""


@dataclass(frozen=True)
class Restored:
    path: Path
    size: int
    schema_version: int


def restore(source: Path, db_path: Path) -> Restored:
    """Replace the database at `db_path` with the backup `source`; raise RestoreError."""
    if source.is_dir():
        raise RestoreError(f"{source} is a folder: give the backup file itself")
    if not source.is_file():
        raise RestoreError(f"there is no backup file at {source}")
    if db_path.exists() and os.path.samefile(source, db_path):
        raise RestoreError(f"{source} is the database itself")
    if (blocking := file_in_the_way(db_path)) is not None:
        raise RestoreError(
            f"BOT_DB_PATH {db_path} goes through {blocking}, which is a file, not a folder"
        )
    if not db_path.parent.is_dir():
        raise RestoreError(f"the folder {db_path.parent} does not exist")
    try:
        lock = InstanceLock(db_path).acquire()
    except AlreadyRunning as error:
        raise RestoreError(f"the database is in use by a running bot: {error}") from None
    except OSError as error:
        raise RestoreError(f"cannot lock {db_path}: {error.strerror}") from None
    with lock:
        partial = db_path.with_name(f".{db_path.name}.restoring")
        try:
            shutil.copyfile(source, partial)
            version = _check(partial, source)
            _record(partial)
            with open(partial, "rb") as written:
                os.fsync(written.fileno())
            for suffix in SIDE_FILES:
                db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
            os.replace(partial, db_path)
        except (OSError, sqlite3.Error) as error:
            raise RestoreError(f"the restore failed: {error}") from error
        finally:
            for leftover in (partial, *(partial.with_name(partial.name + s) for s in SIDE_FILES)):
                leftover.unlink(missing_ok=True)
    return Restored(db_path, db_path.stat().st_size, version)


def _check(path: Path, source: Path) -> int:
    """The copy's schema version, if it is a sound database of this bot; else RestoreError."""
    try:
        with contextlib.closing(sqlite3.connect(path)) as copy:
            rows = [row[0] for row in copy.execute("PRAGMA integrity_check").fetchall()]
            if rows != ["ok"]:
                raise RestoreError(f"{source} failed its integrity check: {'; '.join(rows[:3])}")
            version = schema.user_version(copy)
            problem = schema.problem(copy)
            # A backup is a single file; the restored database goes back to WAL when it opens.
            copy.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.DatabaseError as error:
        raise RestoreError(f"{source} is not an SQLite database ({error})") from None
    if version > LATEST:
        raise RestoreError(
            f"{source} has schema version {version}, newer than this version of the bot knows "
            f"({LATEST}): restore it with the release that made it"
        )
    if version < 1:
        raise RestoreError(f"{source} is an SQLite database, but not one of this bot")
    if problem is not None:
        raise RestoreError(f"{source} is an SQLite database, but not one of this bot: {problem}")
    return version


def _record(path: Path) -> None:
    """Open the restored copy as the bot would (which brings its schema up to date) and write
    the restore into its audit trail, so the trail of the database in use shows it."""

    async def write() -> None:
        storage = await Storage.open(path, SystemClock())
        try:
            await storage.audit(None, audit.BACKUP_RESTORED, None)
        finally:
            await storage.close()

    try:
        asyncio.run(write())
    except (DatabaseUnavailable, DatabaseTooNew) as error:
        raise RestoreError(f"the restored copy could not be opened: {error}") from None


def main(args: list[str], env: Mapping[str, str]) -> int:
    """Run `restore FILE`; print one line, and return the process's exit status."""
    if len(args) != 1:
        print("usage: python -m bot restore FILE", file=sys.stderr)
        return 2
    try:
        done = restore(Path(args[0]), db_path_from_env(env))
    except RestoreError as error:
        print(f"bot: restore failed: {error}", file=sys.stderr)
        return 1
    later = f", brought up to date to {LATEST}"
    print(
        f"bot: restored {args[0]} as {done.path} ({done.size} bytes, schema "
        f"{done.schema_version}{later if done.schema_version < LATEST else ''}); "
        "the restore is recorded in its audit trail"
    )
    return 0
