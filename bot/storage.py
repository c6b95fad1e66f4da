"""All database access: one aiosqlite connection, numbered migrations, parameterised SQL only.

Every write runs in its own short transaction under one lock, so a handler's read-check-write
(is this still the user's current question?) cannot interleave with another update's. A write
is committed before the handler that made it replies.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.clock import Clock, iso, parse

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000

# Each entry moves the schema from version N-1 to N; applied in order at start-up.
MIGRATIONS: tuple[str, ...] = (
    # 1: users, networks, leads, assessments and answers.
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,              -- Telegram user id; no names are stored
        created_at TEXT NOT NULL,
        state TEXT,                          -- what free text is expected next, if anything
        draft TEXT,                          -- JSON of a registration in progress
        active INTEGER NOT NULL DEFAULT 1    -- 0 once the user has blocked the bot
    );
    CREATE TABLE networks (
        id INTEGER PRIMARY KEY,
        organisation TEXT NOT NULL,
        name TEXT NOT NULL,
        region TEXT NOT NULL,
        age TEXT NOT NULL,
        invite_code TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
    );
    CREATE TABLE leads (
        user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        network_id INTEGER NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('lead', 'co-lead')),
        joined_at TEXT NOT NULL
    );
    CREATE INDEX leads_by_network ON leads(network_id);
    CREATE TABLE assessments (
        id INTEGER PRIMARY KEY,
        network_id INTEGER NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        content_version TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('in_progress', 'completed')),
        position INTEGER NOT NULL DEFAULT 0,  -- index of the item on screen
        awaiting_evidence TEXT,               -- item whose optional note is being asked for
        started_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        completed_at TEXT,
        total INTEGER,
        band TEXT,
        result TEXT                           -- JSON of the scored result
    );
    CREATE UNIQUE INDEX one_open_assessment_per_user
        ON assessments(user_id) WHERE status = 'in_progress';
    CREATE INDEX assessments_by_network ON assessments(network_id, status, completed_at);
    CREATE TABLE answers (
        assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
        item_key TEXT NOT NULL,
        option INTEGER NOT NULL,
        points INTEGER NOT NULL,
        evidence TEXT,
        answered_at TEXT NOT NULL,
        PRIMARY KEY (assessment_id, item_key)
    );
    """,
)


@dataclass(frozen=True)
class User:
    id: int
    state: str | None
    draft: dict[str, Any]
    active: bool


@dataclass(frozen=True)
class Network:
    id: int
    organisation: str
    name: str
    region: str
    age: str
    invite_code: str
    created_at: datetime


@dataclass(frozen=True)
class Assessment:
    id: int
    network_id: int
    user_id: int
    content_version: str
    status: str
    position: int
    awaiting_evidence: str | None
    started_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    total: int | None
    band: str | None
    result: dict[str, Any] | None


@dataclass(frozen=True)
class Answer:
    item_key: str
    option: int
    points: int
    evidence: str | None


class Storage:
    """The bot's database. Open with `Storage.open(path, clock)`, close with `close()`."""

    def __init__(self, connection: aiosqlite.Connection, clock: Clock) -> None:
        self._db = connection
        self._clock = clock
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path, clock: Clock) -> Storage:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(path, isolation_level=None)
        connection.row_factory = aiosqlite.Row
        for pragma in (
            "PRAGMA journal_mode = WAL",
            f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
            "PRAGMA foreign_keys = ON",
            # NORMAL in WAL mode survives a killed process; only a power cut can roll back
            # the newest transactions.
            "PRAGMA synchronous = NORMAL",
        ):
            await connection.execute(pragma)
        storage = cls(connection, clock)
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
                await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        async with self._lock, self._db.execute(sql, params) as cursor:
            row: aiosqlite.Row | None = await cursor.fetchone()
            return row

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        async with self._lock, self._db.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    def _now(self) -> str:
        return iso(self._clock.now())

    async def schema_version(self) -> int:
        row = await self._one("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self) -> None:
        """Apply every migration newer than the database's `user_version`, each atomically."""
        current = await self.schema_version()
        for version, script in enumerate(MIGRATIONS, start=1):
            if version <= current:
                continue
            # PRAGMA cannot take parameters; the version is our own integer.
            whole = f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {int(version)};\nCOMMIT;"
            async with self._lock:
                try:
                    await self._db.executescript(whole)
                except BaseException:
                    if self._db.in_transaction:
                        await self._db.execute("ROLLBACK")
                    raise
            log.info("database migrated to schema version %d", version)

    # -- users ---------------------------------------------------------------------------------

    async def ensure_user(self, user_id: int) -> User:
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO users (id, created_at) VALUES (?, ?) "
                "ON CONFLICT (id) DO UPDATE SET active = 1",
                (user_id, self._now()),
            )
        user = await self.user(user_id)
        assert user is not None
        return user

    async def user(self, user_id: int) -> User | None:
        row = await self._one("SELECT id, state, draft, active FROM users WHERE id = ?", (user_id,))
        if row is None:
            return None
        return User(
            id=row["id"],
            state=row["state"],
            draft=json.loads(row["draft"]) if row["draft"] else {},
            active=bool(row["active"]),
        )

    async def set_state(self, user_id: int, state: str | None, draft: dict[str, Any]) -> None:
        async with self._transaction() as db:
            await db.execute(
                "UPDATE users SET state = ?, draft = ? WHERE id = ?",
                (state, json.dumps(draft) if draft else None, user_id),
            )

    # -- networks ------------------------------------------------------------------------------

    async def create_network(
        self, user_id: int, *, organisation: str, name: str, region: str, age: str
    ) -> Network:
        """Register a network with this user as its first lead, and clear their draft."""
        now = self._now()
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO networks (organisation, name, region, age, invite_code, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (organisation, name, region, age, secrets.token_urlsafe(9), now),
            )
            network_id = cursor.lastrowid
            await db.execute(
                "INSERT INTO leads (user_id, network_id, role, joined_at) VALUES (?, ?, 'lead', ?)",
                (user_id, network_id, now),
            )
            await db.execute("UPDATE users SET state = NULL, draft = NULL WHERE id = ?", (user_id,))
        network = await self.network(int(network_id or 0))
        assert network is not None
        return network

    async def network(self, network_id: int) -> Network | None:
        row = await self._one("SELECT * FROM networks WHERE id = ?", (network_id,))
        return _network(row) if row else None

    async def network_of(self, user_id: int) -> Network | None:
        row = await self._one(
            "SELECT n.* FROM networks n JOIN leads l ON l.network_id = n.id WHERE l.user_id = ?",
            (user_id,),
        )
        return _network(row) if row else None

    async def network_by_invite(self, code: str) -> Network | None:
        row = await self._one("SELECT * FROM networks WHERE invite_code = ?", (code,))
        return _network(row) if row else None

    async def join_network(self, user_id: int, network_id: int) -> bool:
        """Add the user as a co-lead; False if they already lead a network."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO leads (user_id, network_id, role, joined_at) "
                "VALUES (?, ?, 'co-lead', ?) ON CONFLICT (user_id) DO NOTHING",
                (user_id, network_id, self._now()),
            )
            if cursor.rowcount:
                await db.execute(
                    "UPDATE users SET state = NULL, draft = NULL WHERE id = ?", (user_id,)
                )
            return cursor.rowcount == 1

    async def lead_ids(self, network_id: int) -> list[int]:
        rows = await self._all(
            "SELECT user_id FROM leads WHERE network_id = ? ORDER BY joined_at, user_id",
            (network_id,),
        )
        return [row["user_id"] for row in rows]

    # -- assessments ---------------------------------------------------------------------------

    async def open_assessment(self, user_id: int) -> Assessment | None:
        row = await self._one(
            "SELECT * FROM assessments WHERE user_id = ? AND status = 'in_progress'", (user_id,)
        )
        return _assessment(row) if row else None

    async def assessment(self, assessment_id: int) -> Assessment | None:
        row = await self._one("SELECT * FROM assessments WHERE id = ?", (assessment_id,))
        return _assessment(row) if row else None

    async def start_assessment(self, user_id: int, network_id: int, version: str) -> Assessment:
        """The user's open assessment, starting a new one if there is none."""
        now = self._now()
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO assessments "
                "(network_id, user_id, content_version, status, started_at, updated_at) "
                "VALUES (?, ?, ?, 'in_progress', ?, ?) "
                "ON CONFLICT (user_id) WHERE status = 'in_progress' DO NOTHING",
                (network_id, user_id, version, now, now),
            )
        assessment = await self.open_assessment(user_id)
        assert assessment is not None
        return assessment

    async def answers(self, assessment_id: int) -> dict[str, Answer]:
        rows = await self._all(
            "SELECT item_key, option, points, evidence FROM answers WHERE assessment_id = ?",
            (assessment_id,),
        )
        return {
            row["item_key"]: Answer(row["item_key"], row["option"], row["points"], row["evidence"])
            for row in rows
        }

    async def record_answer(
        self,
        assessment_id: int,
        *,
        position: int,
        item_key: str,
        option: int,
        points: int,
        next_position: int,
        awaiting_evidence: str | None,
    ) -> bool:
        """Store an answer to the item at `position`, if that is still the one on screen.

        Returns False (and changes nothing) for a stale or repeated press.
        """
        now = self._now()
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE assessments SET position = ?, awaiting_evidence = ?, updated_at = ? "
                "WHERE id = ? AND status = 'in_progress' AND position = ? "
                "AND awaiting_evidence IS NULL",
                (next_position, awaiting_evidence, now, assessment_id, position),
            )
            if cursor.rowcount != 1:
                return False
            await db.execute(
                "INSERT INTO answers (assessment_id, item_key, option, points, answered_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (assessment_id, item_key) DO UPDATE SET "
                "option = excluded.option, points = excluded.points, evidence = NULL, "
                "answered_at = excluded.answered_at",
                (assessment_id, item_key, option, points, now),
            )
            return True

    async def finish_evidence(
        self, assessment_id: int, *, item_key: str, evidence: str | None, next_position: int
    ) -> bool:
        """Store (or skip) the note for the item awaiting one; False if none is awaited."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE assessments SET awaiting_evidence = NULL, position = ?, updated_at = ? "
                "WHERE id = ? AND status = 'in_progress' AND awaiting_evidence = ?",
                (next_position, self._now(), assessment_id, item_key),
            )
            if cursor.rowcount != 1:
                return False
            await db.execute(
                "UPDATE answers SET evidence = ? WHERE assessment_id = ? AND item_key = ?",
                (evidence, assessment_id, item_key),
            )
            return True

    async def move_to(self, assessment_id: int, *, from_position: int, to_position: int) -> bool:
        """Move the on-screen item (Back, or a resume); False if the screen has moved on."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE assessments SET position = ?, awaiting_evidence = NULL, updated_at = ? "
                "WHERE id = ? AND status = 'in_progress' AND position = ?",
                (to_position, self._now(), assessment_id, from_position),
            )
            return cursor.rowcount == 1

    async def touch(self, assessment_id: int, *, version: str, position: int) -> None:
        """Bring a resumed assessment up to the current content version and position."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE assessments SET content_version = ?, position = ?, "
                "awaiting_evidence = NULL, updated_at = ? WHERE id = ? AND status = 'in_progress'",
                (version, position, self._now(), assessment_id),
            )

    async def complete_assessment(
        self, assessment_id: int, *, total: int, band: str, result: dict[str, Any]
    ) -> bool:
        """Mark an assessment completed with its scored result; False if it already was."""
        now = self._now()
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE assessments SET status = 'completed', completed_at = ?, updated_at = ?, "
                "total = ?, band = ?, result = ?, awaiting_evidence = NULL "
                "WHERE id = ? AND status = 'in_progress'",
                (now, now, total, band, json.dumps(result), assessment_id),
            )
            return cursor.rowcount == 1

    async def completed_assessments(self, network_id: int) -> list[Assessment]:
        """The network's completed assessments, oldest first."""
        rows = await self._all(
            "SELECT * FROM assessments WHERE network_id = ? AND status = 'completed' "
            "ORDER BY completed_at, id",
            (network_id,),
        )
        return [_assessment(row) for row in rows]


def _network(row: aiosqlite.Row) -> Network:
    return Network(
        id=row["id"],
        organisation=row["organisation"],
        name=row["name"],
        region=row["region"],
        age=row["age"],
        invite_code=row["invite_code"],
        created_at=parse(row["created_at"]),
    )


def _assessment(row: aiosqlite.Row) -> Assessment:
    return Assessment(
        id=row["id"],
        network_id=row["network_id"],
        user_id=row["user_id"],
        content_version=row["content_version"],
        status=row["status"],
        position=row["position"],
        awaiting_evidence=row["awaiting_evidence"],
        started_at=parse(row["started_at"]),
        updated_at=parse(row["updated_at"]),
        completed_at=parse(row["completed_at"]) if row["completed_at"] else None,
        total=row["total"],
        band=row["band"],
        result=json.loads(row["result"]) if row["result"] else None,
    )
