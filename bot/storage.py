"""All database access: one aiosqlite connection, numbered migrations, parameterised SQL only.

Every write runs in its own short transaction under one lock. Writes that must only happen in a
given state (is this still the user's current question? is this slot still unclaimed?) carry
that condition in their own SQL, so a stale or repeated update changes nothing; updates from one
chat are also processed in order (bot/updates.py). A write is committed before the handler that
made it replies.
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
    # 2: hub groups, their nudge rotation, meetings, shared practices, and the delivery ledger.
    """
    CREATE TABLE hubs (
        id INTEGER PRIMARY KEY,                  -- stable even when the group's chat id changes
        chat_id INTEGER NOT NULL UNIQUE,
        region TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,       -- 0 once the bot was removed from the group
        nudge_weekday INTEGER,                   -- 0 Monday .. 6 Sunday; NULL: nudges off
        nudge_time TEXT,                         -- HH:MM in the bot's time zone
        schedule_since TEXT NOT NULL,            -- no slot before this is ever due
        registered_by INTEGER NOT NULL,
        registered_at TEXT NOT NULL
    );
    CREATE INDEX hubs_by_region ON hubs(region, active);
    CREATE TABLE nudge_history (
        hub_id INTEGER NOT NULL REFERENCES hubs(id) ON DELETE CASCADE,
        cycle INTEGER NOT NULL,
        nudge_key TEXT NOT NULL,
        enabler TEXT,
        sent_at TEXT NOT NULL,
        PRIMARY KEY (hub_id, cycle, nudge_key)
    );
    CREATE TABLE meetings (
        id INTEGER PRIMARY KEY,
        hub_id INTEGER NOT NULL REFERENCES hubs(id) ON DELETE CASCADE,
        starts_at TEXT NOT NULL,
        topic TEXT NOT NULL,
        created_by INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        cancelled INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX meetings_by_hub ON meetings(hub_id, starts_at);
    CREATE TABLE practices (
        id INTEGER PRIMARY KEY,
        user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
        region TEXT NOT NULL,
        text TEXT NOT NULL,
        credit TEXT,                             -- network name to credit; NULL: anonymous
        status TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'approved', 'rejected')),
        submitted_at TEXT NOT NULL,
        decided_by INTEGER,
        decided_at TEXT
    );
    CREATE INDEX practices_by_region ON practices(region, status);
    -- One row per message that must go out at most once: a nudge slot, a meeting reminder, a
    -- reminder to a lead. The row is claimed before sending and finished after.
    CREATE TABLE deliveries (
        slot TEXT PRIMARY KEY,
        chat_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed', 'skipped', 'unknown')),
        detail TEXT,
        created_at TEXT NOT NULL,
        finished_at TEXT
    );
    CREATE INDEX deliveries_by_chat ON deliveries(chat_id, kind);
    """,
    # 3: daily snapshots of anonymised aggregates, so /compare never reflects a single change
    # the moment it happens.
    """
    CREATE TABLE snapshots (
        day TEXT NOT NULL,                       -- local date the snapshot stands for
        scope TEXT NOT NULL,                     -- 'all' or a region key
        data TEXT NOT NULL,                      -- JSON of the distribution, or of its absence
        created_at TEXT NOT NULL,
        PRIMARY KEY (day, scope)
    );
    """,
    # 5: hubs wait for an operator's approval (hubs made before this stay approved); a result
    # counts as delivered only once sent; practice review cards are remembered so they can be
    # withdrawn.
    """
    ALTER TABLE hubs ADD COLUMN status TEXT NOT NULL DEFAULT 'approved'
        CHECK (status IN ('pending', 'approved', 'rejected'));
    ALTER TABLE hubs ADD COLUMN decided_by INTEGER;
    ALTER TABLE hubs ADD COLUMN decided_at TEXT;
    ALTER TABLE assessments ADD COLUMN result_sent_at TEXT;  -- NULL: result not delivered yet
    UPDATE assessments SET result_sent_at = completed_at WHERE status = 'completed';
    CREATE TABLE review_cards (
        practice_id INTEGER NOT NULL REFERENCES practices(id) ON DELETE CASCADE,
        chat_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        PRIMARY KEY (practice_id, chat_id, message_id)
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
    result_sent_at: datetime | None = None


@dataclass(frozen=True)
class Answer:
    item_key: str
    option: int
    points: int
    evidence: str | None


@dataclass(frozen=True)
class Hub:
    id: int
    chat_id: int
    region: str
    active: bool
    nudge_weekday: int | None
    nudge_time: str | None
    schedule_since: datetime
    registered_by: int
    status: str = "approved"  # 'pending' until an operator approves it

    @property
    def live(self) -> bool:
        """A hub in earnest: the bot is in the group and an operator approved it."""
        return self.active and self.status == "approved"

    @property
    def nudges_on(self) -> bool:
        return self.nudge_weekday is not None and self.nudge_time is not None


@dataclass(frozen=True)
class Meeting:
    id: int
    hub_id: int
    starts_at: datetime
    topic: str
    cancelled: bool


@dataclass(frozen=True)
class Practice:
    id: int
    user_id: int | None
    region: str
    text: str
    credit: str | None
    status: str


@dataclass(frozen=True)
class NudgeState:
    """Where a hub is in its rotation: the cycle, what it has had in it, the last enabler."""

    cycle: int
    used: frozenset[str]
    last_enabler: str | None


DEFAULT_NUDGE_WEEKDAY = 0  # Monday
DEFAULT_NUDGE_TIME = "09:00"


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
            # Deleted rows are overwritten, so /forget leaves nothing behind in free pages.
            "PRAGMA secure_delete = ON",
            # 32 MB of page cache (SQLite's default is 2 MB): keeps the upper levels of the
            # answers index in memory however many assessments are stored.
            "PRAGMA cache_size = -32000",
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
        rows = await self._all(sql, params)
        return rows[0] if rows else None

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        # One trip to the database thread (a cursor would take three: execute, fetch, close).
        async with self._lock:
            return list(await self._db.execute_fetchall(sql, params))

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

    async def set_user_active(self, user_id: int, active: bool) -> None:
        async with self._transaction() as db:
            await db.execute("UPDATE users SET active = ? WHERE id = ?", (int(active), user_id))

    # -- hubs ----------------------------------------------------------------------------------

    async def register_hub(
        self, chat_id: int, region: str, user_id: int, *, approved: bool = False
    ) -> Hub:
        """Make the group a region's hub (again): active, with its schedule kept or defaulted.

        `approved` (an operator's request) approves it at once; otherwise it waits for an
        operator, unless it already is the approved, active hub for this very region.
        """
        now = self._now()
        status = "approved" if approved else "pending"
        decided_by, decided_at = (user_id, now) if approved else (None, None)
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO hubs (chat_id, region, nudge_weekday, nudge_time, schedule_since, "
                "registered_by, registered_at, status, decided_by, decided_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (chat_id) DO UPDATE SET "
                "status = CASE WHEN hubs.status = 'approved' AND hubs.active = 1 "
                "  AND hubs.region = excluded.region THEN 'approved' ELSE excluded.status END, "
                "decided_by = CASE WHEN excluded.status = 'approved' THEN excluded.decided_by "
                "  ELSE hubs.decided_by END, "
                "decided_at = CASE WHEN excluded.status = 'approved' THEN excluded.decided_at "
                "  ELSE hubs.decided_at END, "
                "region = excluded.region, active = 1, "
                "registered_by = excluded.registered_by, registered_at = excluded.registered_at, "
                "schedule_since = excluded.schedule_since",
                (
                    chat_id,
                    region,
                    DEFAULT_NUDGE_WEEKDAY,
                    DEFAULT_NUDGE_TIME,
                    now,
                    user_id,
                    now,
                    status,
                    decided_by,
                    decided_at,
                ),
            )
        hub = await self.hub_by_chat(chat_id)
        assert hub is not None
        return hub

    async def hub(self, hub_id: int) -> Hub | None:
        row = await self._one("SELECT * FROM hubs WHERE id = ?", (hub_id,))
        return _hub(row) if row else None

    async def hub_by_chat(self, chat_id: int) -> Hub | None:
        row = await self._one("SELECT * FROM hubs WHERE chat_id = ?", (chat_id,))
        return _hub(row) if row else None

    async def active_hubs(self, region: str | None = None) -> list[Hub]:
        """Approved hubs the bot is still in (of one region, or all): the only ones that get
        nudges, review cards and band posts."""
        rows = await self._all(
            "SELECT * FROM hubs WHERE active = 1 AND status = 'approved' "
            "AND (? IS NULL OR region = ?) ORDER BY id",
            (region, region),
        )
        return [_hub(row) for row in rows]

    async def set_nudge_schedule(self, hub_id: int, weekday: int | None, at: str | None) -> None:
        """Change (or turn off, with None) the weekly nudge; earlier slots are no longer due."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE hubs SET nudge_weekday = ?, nudge_time = ?, schedule_since = ? "
                "WHERE id = ?",
                (weekday, at, self._now(), hub_id),
            )

    async def set_hub_active(self, hub_id: int, active: bool) -> None:
        async with self._transaction() as db:
            await db.execute("UPDATE hubs SET active = ? WHERE id = ?", (int(active), hub_id))

    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> Hub | None:
        """Move a hub (schedule, rotation, meetings) to the supergroup its group became."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE OR IGNORE hubs SET chat_id = ? WHERE chat_id = ?",
                (new_chat_id, old_chat_id),
            )
            await db.execute(
                "UPDATE deliveries SET chat_id = ? WHERE chat_id = ?", (new_chat_id, old_chat_id)
            )
        return await self.hub_by_chat(new_chat_id)

    async def nudge_state(self, hub_id: int) -> NudgeState:
        rows = await self._all(
            "SELECT cycle, nudge_key, enabler FROM nudge_history WHERE hub_id = ? "
            "AND cycle = (SELECT MAX(cycle) FROM nudge_history WHERE hub_id = ?) "
            "ORDER BY sent_at, rowid",
            (hub_id, hub_id),
        )
        if not rows:
            return NudgeState(cycle=1, used=frozenset(), last_enabler=None)
        return NudgeState(
            cycle=rows[0]["cycle"],
            used=frozenset(row["nudge_key"] for row in rows),
            last_enabler=rows[-1]["enabler"],
        )

    async def record_nudge(self, hub_id: int, cycle: int, key: str, enabler: str | None) -> None:
        async with self._transaction() as db:
            await db.execute(
                "INSERT OR IGNORE INTO nudge_history (hub_id, cycle, nudge_key, enabler, sent_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (hub_id, cycle, key, enabler, self._now()),
            )

    async def nudge_history(self, hub_id: int) -> list[tuple[int, str]]:
        rows = await self._all(
            "SELECT cycle, nudge_key FROM nudge_history WHERE hub_id = ? ORDER BY sent_at, rowid",
            (hub_id,),
        )
        return [(row["cycle"], row["nudge_key"]) for row in rows]

    # -- deliveries ----------------------------------------------------------------------------

    async def claim(self, slot: str, chat_id: int, kind: str, detail: str | None = None) -> bool:
        """Reserve a slot before sending; False if it was claimed before (never send twice)."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO deliveries (slot, chat_id, kind, status, detail, created_at) "
                "VALUES (?, ?, ?, 'sending', ?, ?) ON CONFLICT (slot) DO NOTHING",
                (slot, chat_id, kind, detail, self._now()),
            )
            return cursor.rowcount == 1

    async def finish(self, slot: str, status: str, detail: str | None = None) -> None:
        async with self._transaction() as db:
            await db.execute(
                "UPDATE deliveries SET status = ?, detail = COALESCE(?, detail), finished_at = ? "
                "WHERE slot = ?",
                (status, detail, self._now(), slot),
            )

    async def skip(self, slot: str, chat_id: int, kind: str, detail: str) -> bool:
        """Record a slot as deliberately not sent (too late); False if it already had a row."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO deliveries "
                "(slot, chat_id, kind, status, detail, created_at, finished_at) "
                "VALUES (?, ?, ?, 'skipped', ?, ?, ?) ON CONFLICT (slot) DO NOTHING",
                (slot, chat_id, kind, detail, self._now(), self._now()),
            )
            return cursor.rowcount == 1

    async def delivery_status(self, slot: str) -> str | None:
        row = await self._one("SELECT status FROM deliveries WHERE slot = ?", (slot,))
        return row["status"] if row else None

    async def deliveries(self, kind: str | None = None) -> list[tuple[str, int, str]]:
        """(slot, chat id, status) of every delivery, optionally of one kind, oldest first."""
        rows = await self._all(
            "SELECT slot, chat_id, status FROM deliveries WHERE ? IS NULL OR kind = ? "
            "ORDER BY created_at, rowid",
            (kind, kind),
        )
        return [(row["slot"], row["chat_id"], row["status"]) for row in rows]

    # -- meetings ------------------------------------------------------------------------------

    async def add_meeting(
        self, hub_id: int, starts_at: datetime, topic: str, user_id: int
    ) -> Meeting:
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO meetings (hub_id, starts_at, topic, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (hub_id, iso(starts_at), topic, user_id, self._now()),
            )
            meeting_id = int(cursor.lastrowid or 0)
        meeting = await self.meeting(meeting_id)
        assert meeting is not None
        return meeting

    async def meeting(self, meeting_id: int) -> Meeting | None:
        row = await self._one("SELECT * FROM meetings WHERE id = ?", (meeting_id,))
        return _meeting(row) if row else None

    async def upcoming_meetings(self, after: datetime, hub_id: int | None = None) -> list[Meeting]:
        rows = await self._all(
            "SELECT * FROM meetings WHERE cancelled = 0 AND starts_at > ? "
            "AND (? IS NULL OR hub_id = ?) ORDER BY starts_at, id",
            (iso(after), hub_id, hub_id),
        )
        return [_meeting(row) for row in rows]

    async def cancel_meeting(self, meeting_id: int) -> bool:
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE meetings SET cancelled = 1 WHERE id = ? AND cancelled = 0", (meeting_id,)
            )
            return cursor.rowcount == 1

    # -- shared practices ----------------------------------------------------------------------

    async def add_practice(self, user_id: int, region: str, text: str) -> Practice:
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO practices (user_id, region, text, status, submitted_at) "
                "VALUES (?, ?, ?, 'draft', ?)",
                (user_id, region, text, self._now()),
            )
            practice_id = int(cursor.lastrowid or 0)
        practice = await self.practice(practice_id)
        assert practice is not None
        return practice

    async def practice(self, practice_id: int) -> Practice | None:
        row = await self._one("SELECT * FROM practices WHERE id = ?", (practice_id,))
        return _practice(row) if row else None

    async def submit_practice(self, practice_id: int, user_id: int, credit: str | None) -> bool:
        """Move the author's draft to review, credited or anonymous; False if not a draft."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE practices SET status = 'pending', credit = ? "
                "WHERE id = ? AND user_id = ? AND status = 'draft'",
                (credit, practice_id, user_id),
            )
            return cursor.rowcount == 1

    async def decide_practice(self, practice_id: int, approve: bool, user_id: int) -> bool:
        """Approve or reject a pending practice; False if it was already decided."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE practices SET status = ?, decided_by = ?, decided_at = ? "
                "WHERE id = ? AND status = 'pending'",
                ("approved" if approve else "rejected", user_id, self._now(), practice_id),
            )
            return cursor.rowcount == 1

    async def approved_practices(self, region: str) -> list[Practice]:
        rows = await self._all(
            "SELECT * FROM practices WHERE region = ? AND status = 'approved' ORDER BY id",
            (region,),
        )
        return [_practice(row) for row in rows]

    async def latest_results(
        self, since: datetime, region: str | None = None
    ) -> list[tuple[int, str, dict[str, Any]]]:
        """(network, region, stored result) of each network's latest completed assessment,
        for networks whose latest was completed at or after `since`."""
        rows = await self._all(
            "SELECT n.id, n.region, a.result FROM networks n "
            "JOIN assessments a ON a.id = ("
            "  SELECT id FROM assessments WHERE network_id = n.id AND status = 'completed' "
            "  ORDER BY completed_at DESC, id DESC LIMIT 1"
            ") WHERE a.completed_at >= ? AND (? IS NULL OR n.region = ?) ORDER BY n.id",
            (iso(since), region, region),
        )
        return [(row["id"], row["region"], json.loads(row["result"])) for row in rows]

    # -- snapshots -----------------------------------------------------------------------------

    async def snapshot(self, day: str, scope: str) -> dict[str, Any] | None:
        row = await self._one(
            "SELECT data FROM snapshots WHERE day = ? AND scope = ?", (day, scope)
        )
        return json.loads(row["data"]) if row else None

    async def save_snapshots(self, day: str, data: dict[str, dict[str, Any]]) -> None:
        """Store the day's snapshot for each scope; the first one written for a day stands."""
        now = self._now()
        async with self._transaction() as db:
            await db.executemany(
                "INSERT OR IGNORE INTO snapshots (day, scope, data, created_at) "
                "VALUES (?, ?, ?, ?)",
                [(day, scope, json.dumps(value), now) for scope, value in data.items()],
            )

    # -- operator statistics -------------------------------------------------------------------

    async def region_statistics(self, since: datetime) -> list[dict[str, Any]]:
        """Per region: networks, assessments started and completed, and the latest band of each
        network whose latest completed assessment is at or after `since`."""
        rows = await self._all(
            "SELECT n.region AS region, COUNT(DISTINCT n.id) AS networks, "
            "  (SELECT COUNT(*) FROM assessments a JOIN networks m ON m.id = a.network_id "
            "   WHERE m.region = n.region) AS started, "
            "  (SELECT COUNT(*) FROM assessments a JOIN networks m ON m.id = a.network_id "
            "   WHERE m.region = n.region AND a.status = 'completed') AS completed "
            "FROM networks n GROUP BY n.region ORDER BY n.region"
        )
        bands = await self._all(
            "SELECT n.region AS region, a.band AS band, COUNT(*) AS count FROM networks n "
            "JOIN assessments a ON a.id = ("
            "  SELECT id FROM assessments WHERE network_id = n.id AND status = 'completed' "
            "  ORDER BY completed_at DESC, id DESC LIMIT 1"
            ") WHERE a.completed_at >= ? GROUP BY n.region, a.band",
            (iso(since),),
        )
        by_region: dict[str, dict[str, Any]] = {
            row["region"]: {
                "region": row["region"],
                "networks": row["networks"],
                "started": row["started"],
                "completed": row["completed"],
                "bands": {},
            }
            for row in rows
        }
        for row in bands:
            by_region[row["region"]]["bands"][row["band"]] = row["count"]
        return list(by_region.values())

    # -- data rights ---------------------------------------------------------------------------

    async def export_user(self, user_id: int) -> dict[str, Any]:
        """Everything stored about the user: their record, their network, the assessments
        they answered (with every answer and note) and the practices they shared."""
        user = await self._one(
            "SELECT id, created_at, active, state, draft FROM users WHERE id = ?", (user_id,)
        )
        lead = await self._one(
            "SELECT l.role, l.joined_at, n.id, n.organisation, n.name, n.region, n.age, "
            "n.created_at FROM leads l JOIN networks n ON n.id = l.network_id WHERE l.user_id = ?",
            (user_id,),
        )
        assessments = await self._all(
            "SELECT * FROM assessments WHERE user_id = ? ORDER BY id", (user_id,)
        )
        exported = []
        for row in assessments:
            answers = await self._all(
                "SELECT item_key, option, points, evidence, answered_at FROM answers "
                "WHERE assessment_id = ? ORDER BY answered_at, item_key",
                (row["id"],),
            )
            exported.append(
                {
                    "id": row["id"],
                    "network_id": row["network_id"],
                    "content_version": row["content_version"],
                    "status": row["status"],
                    "started_at": row["started_at"],
                    "completed_at": row["completed_at"],
                    "total": row["total"],
                    "band": row["band"],
                    "answers": [dict(answer) for answer in answers],
                }
            )
        practices = await self._all(
            "SELECT id, region, text, credit, status, submitted_at FROM practices "
            "WHERE user_id = ? ORDER BY id",
            (user_id,),
        )
        hubs = await self._all(
            "SELECT region, registered_at FROM hubs WHERE registered_by = ? ORDER BY id", (user_id,)
        )
        meetings = await self._all(
            "SELECT starts_at, topic, created_at, cancelled FROM meetings WHERE created_by = ? "
            "ORDER BY id",
            (user_id,),
        )
        decided = await self._all(
            "SELECT id, status, decided_at FROM practices WHERE decided_by = ? ORDER BY id",
            (user_id,),
        )
        reminders = await self._all(
            "SELECT kind, status, created_at FROM deliveries WHERE chat_id = ? ORDER BY created_at",
            (user_id,),
        )
        return {
            "user": dict(user) if user else None,
            "network": dict(lead) if lead else None,
            "assessments": exported,
            "shared_practices": [dict(practice) for practice in practices],
            "hubs_registered": [dict(hub) for hub in hubs],
            "meetings_scheduled": [dict(meeting) for meeting in meetings],
            "practices_decided": [dict(row) for row in decided],
            "reminders_sent": [dict(row) for row in reminders],
        }

    async def forget_user(self, user_id: int) -> bool:
        """Delete every row about the user, and their network if no lead is left; then
        checkpoint so nothing deleted lingers in the WAL. True if the network went too."""
        async with self._transaction() as db:
            cursor = await db.execute("SELECT network_id FROM leads WHERE user_id = ?", (user_id,))
            lead = await cursor.fetchone()
            await db.execute("DELETE FROM assessments WHERE user_id = ?", (user_id,))
            await db.execute("DELETE FROM practices WHERE user_id = ?", (user_id,))
            await db.execute("DELETE FROM deliveries WHERE chat_id = ?", (user_id,))
            await db.execute("DELETE FROM leads WHERE user_id = ?", (user_id,))
            await db.execute("DELETE FROM users WHERE id = ?", (user_id,))
            # Records of what they did in hub groups stay, without saying who did it.
            await db.execute(
                "UPDATE hubs SET registered_by = 0 WHERE registered_by = ?", (user_id,)
            )
            await db.execute("UPDATE meetings SET created_by = 0 WHERE created_by = ?", (user_id,))
            await db.execute(
                "UPDATE practices SET decided_by = NULL WHERE decided_by = ?", (user_id,)
            )
            await db.execute("UPDATE hubs SET decided_by = NULL WHERE decided_by = ?", (user_id,))
            network_gone = False
            if lead is not None:
                cursor = await db.execute(
                    "DELETE FROM networks WHERE id = ? AND NOT EXISTS "
                    "(SELECT 1 FROM leads WHERE network_id = ?)",
                    (lead["network_id"], lead["network_id"]),
                )
                network_gone = cursor.rowcount == 1
        await self.checkpoint()
        return network_gone

    async def checkpoint(self) -> None:
        """Copy the WAL into the database file and truncate the WAL to nothing."""
        async with self._lock:
            await self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- reminders to leads --------------------------------------------------------------------

    async def idle_assessments(self, idle_since: datetime) -> list[Assessment]:
        """Open assessments untouched since `idle_since` and not yet reminded about, of users
        who have not blocked the bot."""
        rows = await self._all(
            "SELECT a.* FROM assessments a JOIN users u ON u.id = a.user_id "
            "LEFT JOIN deliveries d ON d.slot = 'idle:' || a.id || ':' || a.updated_at "
            "WHERE a.status = 'in_progress' AND a.updated_at <= ? AND u.active = 1 "
            "AND d.slot IS NULL ORDER BY a.updated_at",
            (iso(idle_since),),
        )
        return [_assessment(row) for row in rows]

    async def due_reassessments(self, completed_before: datetime) -> list[tuple[int, int, int]]:
        """(network, latest assessment, lead) for networks whose latest result is older than
        `completed_before`, for each active lead with no assessment open and no invitation yet."""
        rows = await self._all(
            "WITH latest AS ("
            "  SELECT network_id, MAX(completed_at) AS done FROM assessments "
            "  WHERE status = 'completed' GROUP BY network_id"
            ") "
            "SELECT a.network_id, a.id AS assessment_id, l.user_id FROM latest "
            "JOIN assessments a ON a.network_id = latest.network_id "
            "  AND a.completed_at = latest.done AND a.status = 'completed' "
            "JOIN leads l ON l.network_id = a.network_id "
            "JOIN users u ON u.id = l.user_id AND u.active = 1 "
            "LEFT JOIN deliveries d ON d.slot = 'reassess:' || a.id || ':' || l.user_id "
            "WHERE latest.done <= ? AND d.slot IS NULL AND NOT EXISTS ("
            "  SELECT 1 FROM assessments o WHERE o.user_id = l.user_id AND o.status = 'in_progress'"
            ") ORDER BY a.network_id, l.user_id",
            (iso(completed_before),),
        )
        return [(row["network_id"], row["assessment_id"], row["user_id"]) for row in rows]

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

    async def rotate_invite(self, network_id: int) -> Network | None:
        """Give the network a new invite code; the old link stops working."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE networks SET invite_code = ? WHERE id = ?",
                (secrets.token_urlsafe(9), network_id),
            )
        return await self.network(network_id)

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
                "option = excluded.option, points = excluded.points, "
                # The same answer again keeps its note; a different one drops it.
                "evidence = CASE WHEN answers.option = excluded.option THEN answers.evidence "
                "ELSE NULL END, "
                "answered_at = excluded.answered_at",
                (assessment_id, item_key, option, points, now),
            )
            return True

    async def finish_evidence(
        self,
        assessment_id: int,
        *,
        item_key: str,
        evidence: str | None,
        next_position: int,
        remove: bool = False,
    ) -> bool:
        """Store the note for the item awaiting one (None keeps any saved note; `remove` deletes
        it); False if none is awaited."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE assessments SET awaiting_evidence = NULL, position = ?, updated_at = ? "
                "WHERE id = ? AND status = 'in_progress' AND awaiting_evidence = ?",
                (next_position, self._now(), assessment_id, item_key),
            )
            if cursor.rowcount != 1:
                return False
            await db.execute(
                "UPDATE answers SET evidence = CASE WHEN ? THEN NULL "
                "ELSE COALESCE(?, evidence) END WHERE assessment_id = ? AND item_key = ?",
                (int(remove), evidence, assessment_id, item_key),
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

    async def drop_answers(self, assessment_id: int, item_keys: Sequence[str]) -> None:
        async with self._transaction() as db:
            await db.executemany(
                "DELETE FROM answers WHERE assessment_id = ? AND item_key = ?",
                [(assessment_id, key) for key in item_keys],
            )

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

    # -- review cards --------------------------------------------------------------------------

    async def add_review_card(self, practice_id: int, chat_id: int, message_id: int) -> None:
        async with self._transaction() as db:
            await db.execute(
                "INSERT OR IGNORE INTO review_cards (practice_id, chat_id, message_id) "
                "VALUES (?, ?, ?)",
                (practice_id, chat_id, message_id),
            )

    async def pending_review_cards(self, user_id: int) -> list[tuple[int, int]]:
        """(chat, message) of every review card still awaiting a decision on the user's
        practices."""
        rows = await self._all(
            "SELECT c.chat_id, c.message_id FROM review_cards c "
            "JOIN practices p ON p.id = c.practice_id "
            "WHERE p.user_id = ? AND p.status = 'pending' ORDER BY c.practice_id, c.chat_id",
            (user_id,),
        )
        return [(row["chat_id"], row["message_id"]) for row in rows]

    # -- leads ---------------------------------------------------------------------------------

    async def leads(self, network_id: int) -> list[tuple[int, datetime]]:
        """(user id, joined at) of the network's leads, first joined first."""
        rows = await self._all(
            "SELECT user_id, joined_at FROM leads WHERE network_id = ? ORDER BY joined_at, user_id",
            (network_id,),
        )
        return [(row["user_id"], parse(row["joined_at"])) for row in rows]

    async def remove_lead(self, network_id: int, user_id: int) -> bool:
        """Take a lead off the network (their access ends now, their open assessment goes; the
        network keeps its results); False if they were not its lead or are its last."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "DELETE FROM leads WHERE network_id = ? AND user_id = ? "
                "AND (SELECT COUNT(*) FROM leads WHERE network_id = ?) > 1",
                (network_id, user_id, network_id),
            )
            if cursor.rowcount != 1:
                return False
            await db.execute(
                "DELETE FROM assessments WHERE user_id = ? AND network_id = ? "
                "AND status = 'in_progress'",
                (user_id, network_id),
            )
            return True

    # -- result delivery -------------------------------------------------------------------------

    async def mark_result_sent(self, assessment_id: int) -> None:
        """Record that the completed assessment's result reached its lead."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE assessments SET result_sent_at = ? "
                "WHERE id = ? AND status = 'completed' AND result_sent_at IS NULL",
                (self._now(), assessment_id),
            )

    async def undelivered_result(self, user_id: int) -> Assessment | None:
        """The user's latest completed assessment whose result never reached them, if any."""
        row = await self._one(
            "SELECT * FROM assessments WHERE user_id = ? AND status = 'completed' "
            "AND result_sent_at IS NULL ORDER BY completed_at DESC, id DESC LIMIT 1",
            (user_id,),
        )
        return _assessment(row) if row else None

    # -- hub approval --------------------------------------------------------------------------

    async def pending_hubs(self) -> list[Hub]:
        """Hub requests waiting for an operator, oldest first."""
        rows = await self._all(
            "SELECT * FROM hubs WHERE active = 1 AND status = 'pending' ORDER BY registered_at, id"
        )
        return [_hub(row) for row in rows]

    async def decide_hub(self, hub_id: int, region: str, approve: bool, user_id: int) -> bool:
        """Approve or reject a pending request for `region`; False if it is not pending (any
        more) or now asks for another region."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE hubs SET status = ?, decided_by = ?, decided_at = ? "
                "WHERE id = ? AND region = ? AND status = 'pending' AND active = 1",
                ("approved" if approve else "rejected", user_id, self._now(), hub_id, region),
            )
            return cursor.rowcount == 1

    async def end_hub(self, hub_id: int) -> bool:
        """Stop the group being a hub (/hub off); False if it already was not one."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE hubs SET active = 0 WHERE id = ? AND active = 1", (hub_id,)
            )
            return cursor.rowcount == 1


def _hub(row: aiosqlite.Row) -> Hub:
    return Hub(
        id=row["id"],
        chat_id=row["chat_id"],
        region=row["region"],
        active=bool(row["active"]),
        nudge_weekday=row["nudge_weekday"],
        nudge_time=row["nudge_time"],
        schedule_since=parse(row["schedule_since"]),
        registered_by=row["registered_by"],
        status=row["status"],
    )


def _meeting(row: aiosqlite.Row) -> Meeting:
    return Meeting(
        id=row["id"],
        hub_id=row["hub_id"],
        starts_at=parse(row["starts_at"]),
        topic=row["topic"],
        cancelled=bool(row["cancelled"]),
    )


def _practice(row: aiosqlite.Row) -> Practice:
    return Practice(
        id=row["id"],
        user_id=row["user_id"],
        region=row["region"],
        text=row["text"],
        credit=row["credit"],
        status=row["status"],
    )


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
        result_sent_at=parse(row["result_sent_at"]) if row["result_sent_at"] else None,
    )
