"""The database core: one aiosqlite connection and one lock, keyed migrations, the schema check,
one-trip transactions and reads, and the write probe. Every store (bot/db/*.py) builds on it.

Every write runs in its own short transaction under one lock. Writes that must only happen in a
given state (is this still the user's current question? is this slot still unclaimed?) carry
that condition in their own SQL, so a stale or repeated update changes nothing; updates from one
chat are also processed in order (bot/updates.py). A write is committed before the handler that
made it replies.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self, TypeVar

import aiosqlite

from bot.clock import Clock, iso
from bot.db import schema
from bot.migrations import LATEST, MIGRATIONS

log = logging.getLogger(__name__)

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000


class DatabaseTooNew(Exception):
    """The database's schema is newer than this code's migrations: a downgrade."""


class DatabaseUnavailable(Exception):
    """The database cannot be opened, read or written; the message says why in one line."""


@dataclass(frozen=True)
class Privacy:
    """A store's part of /export and /forget (bot/db/privacy.py assembles them).

    `columns` lists every (table, column) where the store keeps a user's Telegram id;
    tests/bot/test_privacy_schema.py checks the list against the schema and shows that after
    `forget` none of them holds the id. `forget` runs inside the one /forget transaction and
    returns True if it deleted the user's network.
    """

    columns: tuple[tuple[str, str], ...]
    export: Callable[[Core, int], Awaitable[dict[str, Any]]]
    forget: Callable[[aiosqlite.Connection, int], Awaitable[bool]]


class Core:
    """The connection, its lock and the clock; open with `open(path, clock)`, then `close()`."""

    def __init__(self, connection: aiosqlite.Connection, clock: Clock) -> None:
        self._db = connection
        self._clock = clock
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path, clock: Clock) -> Self:
        """Open (creating it if need be), check it is this bot's, migrate, and check that a
        write commits; raise DatabaseUnavailable, with the reason, for a folder, a file that is
        not a database or not this bot's, or a database that cannot be written."""
        if await asyncio.to_thread(path.is_dir):
            raise DatabaseUnavailable(f"{path} is a folder, not a database file")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = await aiosqlite.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise DatabaseUnavailable(f"cannot open {path}: {_reason(error)}") from None
        try:
            storage = await cls._prepare(connection, clock, path)
            await storage.check_writable()
        except sqlite3.Error as error:
            await connection.close()
            raise DatabaseUnavailable(f"cannot use {path}: {_reason(error)}") from None
        return storage

    @classmethod
    async def _prepare(cls, connection: aiosqlite.Connection, clock: Clock, path: Path) -> Self:
        connection.row_factory = aiosqlite.Row
        storage = cls(connection, clock)
        # Before anything writes (WAL mode is written into the file): is this file ours?
        await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        try:
            await storage.refuse_downgrade(path)
            await storage.refuse_foreign(path)
        except (DatabaseTooNew, DatabaseUnavailable):
            await connection.close()
            raise
        for pragma in (
            "PRAGMA journal_mode = WAL",
            f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
            "PRAGMA foreign_keys = ON",
            # NORMAL in WAL mode survives a killed process; only a power cut can roll back
            # the newest transactions.
            "PRAGMA synchronous = NORMAL",
            # Deleted rows are overwritten, so /forget leaves nothing behind in free pages.
            "PRAGMA secure_delete = ON",
            # 32 MB of page cache (SQLite's default is 2 MB): keeps the upper levels of the
            # answers index in memory however many assessments are stored.
            "PRAGMA cache_size = -32000",
        ):
            await connection.execute(pragma)
        await storage.migrate()
        return storage

    async def close(self) -> None:
        async with self._lock:
            await self._db.close()

    # -- plumbing ------------------------------------------------------------------------------

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                # SQLite may have rolled back already (a full disk, an I/O error).
                if self._db.in_transaction:
                    await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")

    async def _atomic(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` inside BEGIN IMMEDIATE ... COMMIT in one trip to the database thread.

        `_transaction` costs a trip per statement; the hot paths (an answer, a Back, a note)
        use this instead, so the event loop waits on the database thread once per update.
        """

        def run() -> T:
            # aiosqlite's own worker thread and its sqlite3 connection: aiosqlite has no public
            # call for "run this function there", so this leans on its `_execute` and `_conn`.
            connection: sqlite3.Connection = self._db._conn
            connection.execute("BEGIN IMMEDIATE")
            try:
                result = work(connection)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
            return result

        async with self._lock:
            result: T = await self._db._execute(run)  # type: ignore[no-untyped-call]
            return result

    async def _on_thread(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` on the database thread without a transaction (reads of the schema)."""

        def run() -> T:
            connection: sqlite3.Connection = self._db._conn
            return work(connection)

        async with self._lock:
            result: T = await self._db._execute(run)  # type: ignore[no-untyped-call]
            return result

    async def _reads_with(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` (reads only) in one trip to the database thread."""

        def run() -> T:
            return work(self._db._conn)

        async with self._lock:
            result: T = await self._db._execute(run)  # type: ignore[no-untyped-call]
            return result

    async def _reads(self, *queries: tuple[str, Sequence[Any]]) -> list[list[sqlite3.Row]]:
        """Several reads in one trip to the database thread (one snapshot of the data)."""

        def run() -> list[list[sqlite3.Row]]:
            connection: sqlite3.Connection = self._db._conn
            return [connection.execute(sql, params).fetchall() for sql, params in queries]

        async with self._lock:
            rows: list[list[sqlite3.Row]] = await self._db._execute(run)  # type: ignore[no-untyped-call]
            return rows

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        rows = await self._all(sql, params)
        return rows[0] if rows else None

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        # One trip to the database thread (a cursor would take three: execute, fetch, close).
        async with self._lock:
            return list(await self._db.execute_fetchall(sql, params))

    def _now(self) -> str:
        return iso(self._clock.now())

    # -- schema --------------------------------------------------------------------------------

    async def schema_version(self) -> int:
        row = await self._one("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def refuse_downgrade(self, path: Path) -> None:
        """Raise DatabaseTooNew if a newer release of the bot has migrated this database."""
        version = await self.schema_version()
        if version > LATEST:
            raise DatabaseTooNew(
                f"the database {path} has schema version {version}, but this version of the bot "
                f"knows only up to {LATEST}: it was upgraded by a newer release. Run "
                "that release, or restore a backup taken before the upgrade"
            )

    async def refuse_foreign(self, path: Path) -> None:
        """Raise DatabaseUnavailable if the file is not one of this bot's databases (another
        application's tables, our tables with other columns, or a version they do not match)."""
        problem = await self._on_thread(schema.problem)
        if problem is not None:
            raise DatabaseUnavailable(f"{path} is not a database of this bot: {problem}")

    async def migrate(self) -> None:
        """Apply every migration newer than the database's `user_version`, each atomically, in
        order of its number; first repair a database of the release that numbered buddy 7."""
        current = await self.schema_version()
        if current == schema.LEGACY_BUDDIES_VERSION and await self._on_thread(
            schema.is_legacy_buddies
        ):
            # Its 7 is today's 8: apply today's 7 (co-leads) and mark 8 as applied.
            await self._apply(MIGRATIONS[7], 8)
            log.warning(
                "database repaired: it had the buddy tables as schema version 7 (an earlier "
                "release's numbering); added the co-lead tables and marked it as version 8"
            )
            current = 8
        for version in sorted(MIGRATIONS):
            if version <= current:
                continue
            await self._apply(MIGRATIONS[version], version)
            log.info("database migrated to schema version %d", version)

    async def _apply(self, script: str, version: int) -> None:
        # PRAGMA cannot take parameters; the version is our own integer.
        whole = f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {int(version)};\nCOMMIT;"
        async with self._lock:
            try:
                await self._db.executescript(whole)
            except BaseException:
                if self._db.in_transaction:
                    await self._db.execute("ROLLBACK")
                raise

    # -- write health --------------------------------------------------------------------------

    async def check_writable(self) -> None:
        """Commit a write that changes nothing (the schema version, rewritten as it is); raise
        sqlite3.Error if the database cannot be written (read-only, disk full, I/O error)."""
        async with self._transaction() as db:
            [(version,)] = await db.execute_fetchall("PRAGMA user_version")
            # PRAGMA cannot take parameters; the version is SQLite's own integer.
            await db.execute(f"PRAGMA user_version = {int(version)}")

    async def checkpoint(self) -> None:
        """Copy the WAL into the database file and truncate the WAL to nothing."""
        async with self._lock:
            await self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _reason(error: BaseException) -> str:
    """An OS or SQLite error in a few words, without the traceback."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return str(error) or type(error).__name__
