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
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.clock import Clock, iso, parse
from bot.migrations import MIGRATIONS
from bot.rows import (
    Agreement,
    Answer,
    AssessmentChange,
    AuditEntry,
    BuddyCandidate,
    BuddyChoice,
    CompletedAssessment,
    Delivery,
    DeliveryProblem,
    DueReassessment,
    Hub,
    LatestResult,
    Lead,
    Meeting,
    Network,
    NetworkActivity,
    NetworkHistory,
    NudgeState,
    OpenAssessment,
    PendingPractice,
    PlanStep,
    Practice,
    Pruned,
    RegionStatistics,
    ReviewCard,
    Rsvps,
    SentNudge,
    User,
    WresRow,
)
from scoring.progress import Step
from scoring.retention import Cutoffs

log = logging.getLogger(__name__)

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000


class DatabaseTooNew(Exception):
    """The database's schema is newer than this code's migrations: a downgrade."""


class DatabaseUnavailable(Exception):
    """The database cannot be opened, read or written; the message says why in one line."""


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
        """Open (creating it if need be), migrate, and check that a write commits; raise
        DatabaseUnavailable, with the reason, for a folder, a file that is not a database, or
        a database that cannot be written."""
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
    async def _prepare(cls, connection: aiosqlite.Connection, clock: Clock, path: Path) -> Storage:
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
        try:
            await storage.refuse_downgrade(path)
        except DatabaseTooNew:
            await connection.close()
            raise
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

    async def schema_version(self) -> int:
        row = await self._one("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def refuse_downgrade(self, path: Path) -> None:
        """Raise DatabaseTooNew if a newer release of the bot has migrated this database."""
        version = await self.schema_version()
        if version > len(MIGRATIONS):
            raise DatabaseTooNew(
                f"the database {path} has schema version {version}, but this version of the bot "
                f"knows only up to {len(MIGRATIONS)}: it was upgraded by a newer release. Run "
                "that release, or restore a backup taken before the upgrade"
            )

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

    async def nudge_history(self, hub_id: int) -> list[SentNudge]:
        rows = await self._all(
            "SELECT cycle, nudge_key FROM nudge_history WHERE hub_id = ? ORDER BY sent_at, rowid",
            (hub_id,),
        )
        return [SentNudge(row["cycle"], row["nudge_key"]) for row in rows]

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

    async def deliveries(self, kind: str | None = None) -> list[Delivery]:
        """Every delivery, optionally of one kind, oldest first."""
        rows = await self._all(
            "SELECT slot, chat_id, status FROM deliveries WHERE ? IS NULL OR kind = ? "
            "ORDER BY created_at, rowid",
            (kind, kind),
        )
        return [Delivery(row["slot"], row["chat_id"], row["status"]) for row in rows]

    async def delivered(self, slots: Sequence[str]) -> set[str]:
        """Which of these slots the ledger already holds (in any state)."""
        if not slots:
            return set()
        # The keys travel as one JSON parameter, so the statement never changes shape.
        rows = await self._all(
            "SELECT slot FROM deliveries WHERE slot IN (SELECT value FROM json_each(?))",
            (json.dumps(list(slots)),),
        )
        return {row["slot"] for row in rows}

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
                "UPDATE meetings SET cancelled = 1, sequence = sequence + 1 "
                "WHERE id = ? AND cancelled = 0",
                (meeting_id,),
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
    ) -> list[LatestResult]:
        """Each network's latest completed assessment, for networks whose latest was completed
        at or after `since`."""
        rows = await self._all(
            "SELECT n.id, n.region, a.id AS assessment_id, a.result FROM networks n "
            "JOIN assessments a ON a.id = ("
            "  SELECT id FROM assessments WHERE network_id = n.id AND status = 'completed' "
            "  ORDER BY completed_at DESC, id DESC LIMIT 1"
            ") WHERE a.completed_at >= ? AND (? IS NULL OR n.region = ?) ORDER BY n.id",
            (iso(since), region, region),
        )
        return [
            LatestResult(row["id"], row["region"], row["assessment_id"], json.loads(row["result"]))
            for row in rows
        ]

    # -- snapshots -----------------------------------------------------------------------------

    async def snapshots(self, day: str) -> dict[str, dict[str, Any]]:
        """The day's snapshot of every scope, by scope."""
        rows = await self._all("SELECT scope, data FROM snapshots WHERE day = ?", (day,))
        return {row["scope"]: json.loads(row["data"]) for row in rows}

    async def previous_snapshot(self, scope: str, before_day: str) -> dict[str, Any] | None:
        """The latest snapshot of `scope` from a day before `before_day`."""
        row = await self._one(
            "SELECT data FROM snapshots WHERE scope = ? AND day < ? ORDER BY day DESC LIMIT 1",
            (scope, before_day),
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

    async def region_statistics(self, since: datetime) -> list[RegionStatistics]:
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
        by_region: dict[str, dict[str, int]] = {row["region"]: {} for row in rows}
        for row in bands:
            by_region[row["region"]][row["band"]] = row["count"]
        return [
            RegionStatistics(
                region=row["region"],
                networks=row["networks"],
                started=row["started"],
                completed=row["completed"],
                bands=by_region[row["region"]],
            )
            for row in rows
        ]

    # -- data rights ---------------------------------------------------------------------------

    async def export_user(self, user_id: int) -> dict[str, Any]:
        """Everything stored about the user: their record, their network, the assessments
        they answered (with every answer and note) and the practices they shared."""
        user = await self._one(
            "SELECT id, created_at, active, state, draft, last_seen FROM users WHERE id = ?",
            (user_id,),
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
                    "revises": row["revises"],
                    "agreed": bool(row["agreed"]),
                    "changes": [
                        dict(change)
                        for change in await self._all(
                            "SELECT changed_at, total_before, band_before, total_after, "
                            "band_after FROM assessment_changes WHERE assessment_id = ? "
                            "ORDER BY id",
                            (row["id"],),
                        )
                    ],
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
        wres = await self._all(
            "SELECT w.indicator, w.quarter, w.label, w.white_size, w.white_count, w.bme_size, "
            "w.bme_count, w.entered_at, w.entered_by IS ? AS entered_by_you "
            "FROM wres_quarters w JOIN leads l ON l.network_id = w.network_id "
            "WHERE l.user_id = ? ORDER BY w.indicator, w.quarter, w.label",
            (user_id, user_id),
        )
        plan = await self._all(
            "SELECT s.text, s.owner, s.due, s.status, s.source, s.created_at, s.updated_at, "
            "s.done_at, s.created_by IS ? AS added_by_you "
            "FROM plan_steps s JOIN leads l ON l.network_id = s.network_id "
            "WHERE l.user_id = ? ORDER BY s.id",
            (user_id, user_id),
        )
        buddy = await self._one(
            "SELECT wants, offers, share, waited, joined_at FROM buddies WHERE user_id = ?",
            (user_id,),
        )
        buddy_months = await self._all(
            "SELECT month, region FROM buddy_groups WHERE user_id = ? ORDER BY month", (user_id,)
        )
        rsvps = await self._all(
            "SELECT r.going, r.answered_at, m.starts_at, m.topic FROM rsvps r "
            "JOIN meetings m ON m.id = r.meeting_id WHERE r.user_id = ? ORDER BY m.starts_at",
            (user_id,),
        )
        settled = await self._all(
            "SELECT agreement_id, item_key, option, settled_at FROM agreement_settled "
            "WHERE settled_by = ? ORDER BY settled_at",
            (user_id,),
        )
        return {
            "user": dict(user) if user else None,
            "buddy": dict(buddy) if buddy else None,
            "buddy_months": [dict(row) for row in buddy_months],
            "meeting_replies": [dict(row) for row in rsvps],
            "network": dict(lead) if lead else None,
            "assessments": exported,
            "settled_with_co_leads": [dict(row) for row in settled],
            "shared_practices": [dict(practice) for practice in practices],
            "hubs_registered": [dict(hub) for hub in hubs],
            "meetings_scheduled": [dict(meeting) for meeting in meetings],
            "practices_decided": [dict(row) for row in decided],
            "reminders_sent": [dict(row) for row in reminders],
            "wres_quarters": [dict(row) for row in wres],
            "plan_steps": [dict(row) for row in plan],
            "audit_actions": [
                {"at": iso(entry.at), "action": entry.action, "subject": entry.subject}
                for entry in await self.audit_by(user_id)
            ],
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
            await db.execute("DELETE FROM buddies WHERE user_id = ?", (user_id,))
            await db.execute("DELETE FROM buddy_groups WHERE user_id = ?", (user_id,))
            await db.execute("DELETE FROM rsvps WHERE user_id = ?", (user_id,))
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

    async def idle_assessments(self, idle_since: datetime) -> list[OpenAssessment]:
        """Open assessments untouched since `idle_since`, of users who have not blocked the bot
        (whether they were reminded is the ledger's business: see `delivered`)."""
        rows = await self._all(
            "SELECT a.* FROM assessments a JOIN users u ON u.id = a.user_id "
            "WHERE a.status = 'in_progress' AND a.updated_at <= ? AND u.active = 1 "
            "ORDER BY a.updated_at",
            (iso(idle_since),),
        )
        return [_open(row) for row in rows]

    async def due_reassessments(self, completed_before: datetime) -> list[DueReassessment]:
        """Each active lead with no assessment open, of networks whose latest result was
        completed before `completed_before`."""
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
            "WHERE latest.done <= ? AND NOT EXISTS ("
            "  SELECT 1 FROM assessments o WHERE o.user_id = l.user_id AND o.status = 'in_progress'"
            ") ORDER BY a.network_id, l.user_id",
            (iso(completed_before),),
        )
        return [
            DueReassessment(row["network_id"], row["assessment_id"], row["user_id"]) for row in rows
        ]

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

    async def open_assessment(self, user_id: int) -> OpenAssessment | None:
        """The user's assessment in progress, if any."""
        row = await self._one(
            "SELECT * FROM assessments WHERE user_id = ? AND status = 'in_progress'", (user_id,)
        )
        return _open(row) if row else None

    async def in_progress(self, assessment_id: int) -> OpenAssessment | None:
        """This assessment, if it is still being answered."""
        row = await self._one(
            "SELECT * FROM assessments WHERE id = ? AND status = 'in_progress'", (assessment_id,)
        )
        return _open(row) if row else None

    async def completed(self, assessment_id: int) -> CompletedAssessment | None:
        """This assessment, if it is completed."""
        row = await self._one(
            "SELECT * FROM assessments WHERE id = ? AND status = 'completed'", (assessment_id,)
        )
        return _completed(row) if row else None

    async def start_assessment(self, user_id: int, network_id: int, version: str) -> OpenAssessment:
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
        return {row["item_key"]: _answer(row) for row in rows}

    async def in_progress_with_answers(
        self, assessment_id: int
    ) -> tuple[OpenAssessment, dict[str, Answer]] | None:
        """This assessment, if it is still being answered, with its answers (one trip)."""
        assessments, answers = await self._reads(
            ("SELECT * FROM assessments WHERE id = ? AND status = 'in_progress'", (assessment_id,)),
            (
                "SELECT item_key, option, points, evidence FROM answers WHERE assessment_id = ?",
                (assessment_id,),
            ),
        )
        if not assessments:
            return None
        return _open(assessments[0]), {row["item_key"]: _answer(row) for row in answers}

    async def record_answer(
        self,
        assessment_id: int,
        *,
        expected: Step,
        to: Step,
        item_key: str,
        option: int,
        points: int,
    ) -> bool:
        """Store an answer and move the assessment from `expected` to `to`, if it still stands
        at `expected` (scoring.progress decided both).

        Returns False (and changes nothing) for a stale or repeated press.
        """
        now = self._now()

        def work(db: sqlite3.Connection) -> bool:
            if not _move_step(db, assessment_id, expected, to, now):
                return False
            db.execute(
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

        return await self._atomic(work)

    async def finish_evidence(
        self,
        assessment_id: int,
        *,
        item_key: str,
        evidence: str | None,
        to: Step,
        remove: bool = False,
    ) -> bool:
        """Store the note for the item awaiting one (None keeps any saved note; `remove` deletes
        it) and move to `to`; False if that note is no longer awaited."""
        now = self._now()

        def work(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                "UPDATE assessments SET awaiting_evidence = ?, position = ?, updated_at = ? "
                "WHERE id = ? AND status = 'in_progress' AND awaiting_evidence = ?",
                (to.awaiting_evidence, to.position, now, assessment_id, item_key),
            )
            if cursor.rowcount != 1:
                return False
            db.execute(
                "UPDATE answers SET evidence = CASE WHEN ? THEN NULL "
                "ELSE COALESCE(?, evidence) END WHERE assessment_id = ? AND item_key = ?",
                (int(remove), evidence, assessment_id, item_key),
            )
            return True

        return await self._atomic(work)

    async def move(self, assessment_id: int, *, expected: Step, to: Step) -> bool:
        """Move the assessment from `expected` to `to` (Back); False if it has moved on."""
        now = self._now()

        def work(db: sqlite3.Connection) -> bool:
            return _move_step(db, assessment_id, expected, to, now)

        return await self._atomic(work)

    async def drop_answers(self, assessment_id: int, item_keys: Sequence[str]) -> None:
        async with self._transaction() as db:
            await db.executemany(
                "DELETE FROM answers WHERE assessment_id = ? AND item_key = ?",
                [(assessment_id, key) for key in item_keys],
            )

    async def renumber_answers(
        self, assessment_id: int, keep: dict[str, tuple[int, int]], drop: Sequence[str]
    ) -> None:
        """Carry answers over to new content: set (option, points) for `keep`, delete `drop`."""
        async with self._transaction() as db:
            await db.executemany(
                "UPDATE answers SET option = ?, points = ? "
                "WHERE assessment_id = ? AND item_key = ?",
                [(option, points, assessment_id, key) for key, (option, points) in keep.items()],
            )
            await db.executemany(
                "DELETE FROM answers WHERE assessment_id = ? AND item_key = ?",
                [(assessment_id, key) for key in drop],
            )

    async def start_revision(
        self,
        user_id: int,
        original: CompletedAssessment,
        *,
        version: str,
        answers: Sequence[tuple[str, int, int, str | None]],
        to: Step,
    ) -> OpenAssessment | None:
        """Open an assessment that changes `original`'s answers, starting from `answers`
        (item, option, points, note); None if the user already has one open."""
        now = self._now()

        def work(db: sqlite3.Connection) -> int | None:
            cursor = db.execute(
                "INSERT INTO assessments (network_id, user_id, content_version, status, "
                "position, started_at, updated_at, revises) "
                "VALUES (?, ?, ?, 'in_progress', ?, ?, ?, ?) "
                "ON CONFLICT (user_id) WHERE status = 'in_progress' DO NOTHING",
                (original.network_id, user_id, version, to.position, now, now, original.id),
            )
            if cursor.rowcount != 1:
                return None
            new_id = cursor.lastrowid
            db.executemany(
                "INSERT INTO answers "
                "(assessment_id, item_key, option, points, evidence, answered_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(new_id, key, option, points, note, now) for key, option, points, note in answers],
            )
            return new_id

        created = await self._atomic(work)
        return await self.in_progress(created) if created is not None else None

    async def apply_revision(
        self, revision: OpenAssessment, *, total: int, band: str, result: dict[str, Any]
    ) -> bool:
        """Re-score the completed assessment `revision` changes: its answers become the
        revision's, the change is recorded, and the revision goes; False if already done."""
        now = self._now()
        original = revision.revises

        def work(db: sqlite3.Connection) -> bool:
            before = db.execute(
                "SELECT total, band FROM assessments WHERE id = ? AND status = 'completed'",
                (original,),
            ).fetchone()
            still_open = db.execute(
                "SELECT 1 FROM assessments WHERE id = ? AND status = 'in_progress'",
                (revision.id,),
            ).fetchone()
            if before is None or still_open is None:
                return False
            db.execute("DELETE FROM answers WHERE assessment_id = ?", (original,))
            db.execute(
                "UPDATE answers SET assessment_id = ? WHERE assessment_id = ?",
                (original, revision.id),
            )
            db.execute(
                "UPDATE assessments SET total = ?, band = ?, result = ?, content_version = ?, "
                "updated_at = ?, result_sent_at = NULL WHERE id = ?",
                (total, band, json.dumps(result), revision.content_version, now, original),
            )
            db.execute(
                "INSERT INTO assessment_changes (assessment_id, changed_at, total_before, "
                "band_before, total_after, band_after) VALUES (?, ?, ?, ?, ?, ?)",
                (original, now, before[0], before[1], total, band),
            )
            db.execute("DELETE FROM assessments WHERE id = ?", (revision.id,))
            return True

        return await self._atomic(work)

    # -- co-lead agreement ----------------------------------------------------------------------

    async def round_partners(
        self, network_id: int, user_id: int, since: datetime
    ) -> list[CompletedAssessment]:
        """Each other current lead's latest own completed assessment since `since`."""
        rows = await self._all(
            "SELECT * FROM assessments WHERE network_id = ? AND status = 'completed' "
            "AND agreed = 0 AND user_id != ? AND completed_at >= ? AND user_id IN "
            "(SELECT user_id FROM leads WHERE network_id = ?) ORDER BY completed_at, id",
            (network_id, user_id, iso(since), network_id),
        )
        latest = {row["user_id"]: _completed(row) for row in rows}
        return sorted(latest.values(), key=lambda a: (a.completed_at, a.id))

    async def open_agreement(self, network_id: int) -> Agreement | None:
        """The network's agreement still waiting for differences to be settled."""
        row = await self._one(
            "SELECT id FROM agreements WHERE network_id = ? AND agreed_at IS NULL "
            "ORDER BY id DESC LIMIT 1",
            (network_id,),
        )
        return await self.agreement(row["id"]) if row else None

    async def agreement(self, agreement_id: int) -> Agreement | None:
        found, members, settled = await self._reads(
            ("SELECT * FROM agreements WHERE id = ?", (agreement_id,)),
            (
                "SELECT assessment_id FROM agreement_members WHERE agreement_id = ? "
                "ORDER BY assessment_id",
                (agreement_id,),
            ),
            (
                "SELECT item_key, option FROM agreement_settled WHERE agreement_id = ?",
                (agreement_id,),
            ),
        )
        if not found:
            return None
        return Agreement(
            id=found[0]["id"],
            network_id=found[0]["network_id"],
            members=tuple(row["assessment_id"] for row in members),
            settled={row["item_key"]: row["option"] for row in settled},
            agreed_id=found[0]["agreed_id"],
        )

    async def join_agreement(
        self, network_id: int, agreement_id: int | None, assessment_ids: Sequence[int]
    ) -> int:
        """Add assessments to an open agreement, or start one for the network; its id."""
        now = self._now()

        def work(db: sqlite3.Connection) -> int:
            target = agreement_id
            if target is None:
                cursor = db.execute(
                    "INSERT INTO agreements (network_id, created_at) VALUES (?, ?)",
                    (network_id, now),
                )
                target = cursor.lastrowid
                assert target is not None
            db.executemany(
                "INSERT INTO agreement_members (agreement_id, assessment_id) VALUES (?, ?) "
                "ON CONFLICT DO NOTHING",
                [(target, assessment_id) for assessment_id in assessment_ids],
            )
            return target

        return await self._atomic(work)

    async def settle(self, agreement_id: int, item_key: str, option: int, user_id: int) -> bool:
        """Record the option leads agreed for an item; False if it was settled already or the
        agreement is complete."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO agreement_settled "
                "(agreement_id, item_key, option, settled_by, settled_at) "
                "SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM agreements "
                "WHERE id = ? AND agreed_at IS NULL) ON CONFLICT DO NOTHING",
                (agreement_id, item_key, option, user_id, self._now(), agreement_id),
            )
            return cursor.rowcount == 1

    async def record_agreed(
        self,
        agreement: Agreement,
        *,
        user_id: int,
        version: str,
        answers: Sequence[tuple[str, int, int]],
        total: int,
        band: str,
        result: dict[str, Any],
    ) -> int | None:
        """Store the agreed result as the network's newest completed assessment (answers:
        item, option, points) and close the agreement; None if it was closed already."""
        now = self._now()

        def work(db: sqlite3.Connection) -> int | None:
            cursor = db.execute(
                "INSERT INTO assessments (network_id, user_id, content_version, status, "
                "started_at, updated_at, completed_at, total, band, result, result_sent_at, "
                "agreed) SELECT ?, ?, ?, 'completed', ?, ?, ?, ?, ?, ?, ?, 1 WHERE EXISTS "
                "(SELECT 1 FROM agreements WHERE id = ? AND agreed_at IS NULL)",
                (
                    agreement.network_id,
                    user_id,
                    version,
                    now,
                    now,
                    now,
                    total,
                    band,
                    json.dumps(result),
                    now,
                    agreement.id,
                ),
            )
            if cursor.rowcount != 1:
                return None
            agreed_id = cursor.lastrowid
            db.executemany(
                "INSERT INTO answers (assessment_id, item_key, option, points, answered_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [(agreed_id, key, option, points, now) for key, option, points in answers],
            )
            db.execute(
                "UPDATE agreements SET agreed_at = ?, agreed_id = ? WHERE id = ?",
                (now, agreed_id, agreement.id),
            )
            return agreed_id

        return await self._atomic(work)

    async def agreement_pending(self, assessment_id: int) -> bool:
        """Whether this assessment waits in an agreement not yet reached."""
        row = await self._one(
            "SELECT 1 FROM agreement_members m JOIN agreements g ON g.id = m.agreement_id "
            "WHERE m.assessment_id = ? AND g.agreed_at IS NULL",
            (assessment_id,),
        )
        return row is not None

    async def assessment_changes(self, network_id: int) -> list[AssessmentChange]:
        """Re-scores of the network's completed assessments, oldest first."""
        rows = await self._all(
            "SELECT c.* FROM assessment_changes c JOIN assessments a ON a.id = c.assessment_id "
            "WHERE a.network_id = ? ORDER BY c.changed_at, c.id",
            (network_id,),
        )
        return [
            AssessmentChange(
                assessment_id=row["assessment_id"],
                changed_at=parse(row["changed_at"]),
                total_before=row["total_before"],
                band_before=row["band_before"],
                total_after=row["total_after"],
                band_after=row["band_after"],
            )
            for row in rows
        ]

    async def touch(self, assessment_id: int, *, version: str, to: Step) -> None:
        """Bring a resumed assessment up to the current content version and step."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE assessments SET content_version = ?, position = ?, "
                "awaiting_evidence = ?, updated_at = ? WHERE id = ? AND status = 'in_progress'",
                (version, to.position, to.awaiting_evidence, self._now(), assessment_id),
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

    async def completed_assessments(self, network_id: int) -> list[CompletedAssessment]:
        """The network's completed assessments, oldest first."""
        rows = await self._all(
            "SELECT * FROM assessments WHERE network_id = ? AND status = 'completed' "
            "ORDER BY completed_at, id",
            (network_id,),
        )
        return [_completed(row) for row in rows]

    async def network_history(self, user_id: int) -> NetworkHistory | None:
        """The network this user leads, with its completed assessments (oldest first)."""
        rows = await self._all(
            "SELECT n.id AS n_id, n.organisation, n.name, n.region, n.age, n.invite_code, "
            "n.created_at AS n_created_at, a.* FROM leads l "
            "JOIN networks n ON n.id = l.network_id "
            "LEFT JOIN assessments a ON a.network_id = n.id AND a.status = 'completed' "
            "WHERE l.user_id = ? ORDER BY a.completed_at, a.id",
            (user_id,),
        )
        if not rows:
            return None
        first = rows[0]
        network = Network(
            id=first["n_id"],
            organisation=first["organisation"],
            name=first["name"],
            region=first["region"],
            age=first["age"],
            invite_code=first["invite_code"],
            created_at=parse(first["n_created_at"]),
        )
        completed = tuple(_completed(row) for row in rows if row["id"] is not None)
        return NetworkHistory(network, completed)

    # -- WRES indicators -------------------------------------------------------------------------

    async def save_wres(self, row: WresRow, user_id: int, *, replace: bool) -> bool:
        """Record a quarter's figures; an existing quarter is only overwritten with `replace`.
        False (nothing changed) if the quarter was there and `replace` is not set."""
        values = (
            row.network_id,
            row.indicator,
            row.quarter,
            row.label,
            row.white_size,
            row.white_count,
            row.bme_size,
            row.bme_count,
            user_id,
            self._now(),
        )
        async with self._transaction() as db:
            cursor = await db.execute(_SAVE_WRES_REPLACING if replace else _SAVE_WRES, values)
            return cursor.rowcount == 1

    async def wres_quarter(
        self, network_id: int, indicator: int, quarter: str, label: str
    ) -> WresRow | None:
        row = await self._one(
            "SELECT * FROM wres_quarters WHERE network_id = ? AND indicator = ? AND quarter = ? "
            "AND label = ?",
            (network_id, indicator, quarter, label),
        )
        return _wres(row) if row else None

    async def wres_rows(self, network_id: int) -> list[WresRow]:
        """Every quarter the network recorded: by indicator, latest quarter first, then label."""
        rows = await self._all(
            "SELECT * FROM wres_quarters WHERE network_id = ? "
            "ORDER BY indicator, quarter DESC, label",
            (network_id,),
        )
        return [_wres(row) for row in rows]

    async def wres_latest_in_region(self, region: str, since_quarter: str) -> list[WresRow]:
        """Each network's latest whole-organisation figures (no label) per indicator, for
        networks of the region whose latest is `since_quarter` or later."""
        rows = await self._all(
            "SELECT w.* FROM wres_quarters w JOIN networks n ON n.id = w.network_id "
            "WHERE n.region = ? AND w.label = '' AND w.quarter >= ? AND w.quarter = ("
            "  SELECT MAX(quarter) FROM wres_quarters l WHERE l.network_id = w.network_id "
            "  AND l.indicator = w.indicator AND l.label = ''"
            ") ORDER BY w.indicator, w.network_id",
            (region, since_quarter),
        )
        return [_wres(row) for row in rows]

    async def wres_leads(self) -> list[int]:
        """Active leads of networks that track at least one WRES indicator."""
        rows = await self._all(
            "SELECT l.user_id FROM leads l JOIN users u ON u.id = l.user_id AND u.active = 1 "
            "WHERE EXISTS (SELECT 1 FROM wres_quarters w WHERE w.network_id = l.network_id) "
            "ORDER BY l.user_id"
        )
        return [row["user_id"] for row in rows]

    # -- the action plan -------------------------------------------------------------------------

    async def add_plan_step(
        self,
        network_id: int,
        user_id: int,
        *,
        text: str,
        owner: str,
        due: date,
        source: str,
        open_limit: int,
    ) -> int | None:
        """Add an open step; None (nothing added) if the network already has `open_limit` open."""
        now = self._now()
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO plan_steps (network_id, text, owner, due, status, source, "
                "created_by, created_at, updated_at) "
                "SELECT ?, ?, ?, ?, 'todo', ?, ?, ?, ? WHERE (SELECT COUNT(*) FROM plan_steps "
                "WHERE network_id = ? AND status IN ('todo', 'doing')) < ?",
                (
                    network_id,
                    text,
                    owner,
                    due.isoformat(),
                    source,
                    user_id,
                    now,
                    now,
                    network_id,
                    open_limit,
                ),
            )
            return cursor.lastrowid if cursor.rowcount == 1 else None

    async def plan_steps(self, network_id: int) -> list[PlanStep]:
        """The network's steps: open ones first by due date, then the rest, newest first."""
        rows = await self._all(
            "SELECT * FROM plan_steps WHERE network_id = ? "
            "ORDER BY status IN ('done', 'dropped'), "
            "CASE WHEN status IN ('todo', 'doing') THEN due END, updated_at DESC, id",
            (network_id,),
        )
        return [_plan_step(row) for row in rows]

    async def plan_step(self, step_id: int, network_id: int) -> PlanStep | None:
        row = await self._one(
            "SELECT * FROM plan_steps WHERE id = ? AND network_id = ?", (step_id, network_id)
        )
        return _plan_step(row) if row else None

    async def set_plan_status(
        self, step_id: int, network_id: int, status: str, *, open_limit: int
    ) -> bool:
        """Change a step's status; reopening one is refused (False) at `open_limit` open steps."""
        now = self._now()
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE plan_steps SET status = ?, updated_at = ?, "
                "done_at = CASE WHEN ? = 'done' THEN ? ELSE done_at END "
                "WHERE id = ? AND network_id = ? AND (? NOT IN ('todo', 'doing') "
                "OR status IN ('todo', 'doing') OR (SELECT COUNT(*) FROM plan_steps "
                "WHERE network_id = ? AND status IN ('todo', 'doing')) < ?)",
                (status, now, status, now, step_id, network_id, status, network_id, open_limit),
            )
            return cursor.rowcount == 1

    async def edit_plan_step(
        self,
        step_id: int,
        network_id: int,
        *,
        text: str | None = None,
        owner: str | None = None,
        due: date | None = None,
    ) -> bool:
        """Change a step's text, owner or due date (whichever is given); False if it is gone."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE plan_steps SET text = COALESCE(?, text), owner = COALESCE(?, owner), "
                "due = COALESCE(?, due), updated_at = ? WHERE id = ? AND network_id = ?",
                (
                    text,
                    owner,
                    due.isoformat() if due else None,
                    self._now(),
                    step_id,
                    network_id,
                ),
            )
            return cursor.rowcount == 1

    async def remove_plan_step(self, step_id: int, network_id: int) -> bool:
        async with self._transaction() as db:
            cursor = await db.execute(
                "DELETE FROM plan_steps WHERE id = ? AND network_id = ?", (step_id, network_id)
            )
            return cursor.rowcount == 1

    async def plan_steps_due(self, first: date, last: date) -> list[tuple[PlanStep, int]]:
        """Open steps due between `first` and `last` (local dates), each with every active lead
        of its network."""
        rows = await self._all(
            "SELECT s.*, l.user_id AS lead_id FROM plan_steps s "
            "JOIN leads l ON l.network_id = s.network_id "
            "JOIN users u ON u.id = l.user_id AND u.active = 1 "
            "WHERE s.status IN ('todo', 'doing') AND s.due BETWEEN ? AND ? "
            "ORDER BY s.due, s.id, l.user_id",
            (first.isoformat(), last.isoformat()),
        )
        return [(_plan_step(row), row["lead_id"]) for row in rows]

    async def plan_leads(self) -> list[int]:
        """Active leads of networks with at least one open plan step."""
        rows = await self._all(
            "SELECT l.user_id FROM leads l JOIN users u ON u.id = l.user_id AND u.active = 1 "
            "WHERE EXISTS (SELECT 1 FROM plan_steps s WHERE s.network_id = l.network_id "
            "AND s.status IN ('todo', 'doing')) ORDER BY l.user_id"
        )
        return [row["user_id"] for row in rows]

    async def plan_done_since_previous(
        self, assessment_id: int
    ) -> tuple[CompletedAssessment, list[PlanStep]] | None:
        """The network's completed assessment before this one, with the plan steps marked done
        since it; None if there is no earlier one or the network has no plan."""
        previous = await self._one(
            "SELECT p.* FROM assessments a JOIN assessments p ON p.network_id = a.network_id "
            "AND p.status = 'completed' AND p.id != a.id AND p.completed_at <= a.completed_at "
            "WHERE a.id = ? AND EXISTS (SELECT 1 FROM plan_steps s "
            "WHERE s.network_id = a.network_id) ORDER BY p.completed_at DESC, p.id DESC LIMIT 1",
            (assessment_id,),
        )
        if previous is None:
            return None
        rows = await self._all(
            "SELECT * FROM plan_steps WHERE network_id = ? AND status = 'done' "
            "AND done_at > ? ORDER BY done_at, id",
            (previous["network_id"], previous["completed_at"]),
        )
        return _completed(previous), [_plan_step(row) for row in rows]

    async def assessment_points(self, assessment_id: int) -> dict[str, int]:
        """Points per answered item of an assessment."""
        rows = await self._all(
            "SELECT item_key, points FROM answers WHERE assessment_id = ?", (assessment_id,)
        )
        return {row["item_key"]: row["points"] for row in rows}

    async def evidence_notes(self, assessment_id: int) -> list[tuple[str, str]]:
        """(item key, note) for each evidence note given in an assessment."""
        rows = await self._all(
            "SELECT item_key, evidence FROM answers WHERE assessment_id = ? "
            "AND evidence IS NOT NULL AND evidence != '' ORDER BY item_key",
            (assessment_id,),
        )
        return [(row["item_key"], row["evidence"]) for row in rows]

    # -- operators -----------------------------------------------------------------------------

    async def known_users(self, user_ids: Sequence[int]) -> set[int]:
        """Which of `user_ids` have a row in users, i.e. have opened a private chat."""
        if not user_ids:
            return set()
        rows = await self._all(
            "SELECT id FROM users WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(user_ids)),),
        )
        return {row["id"] for row in rows}

    async def pending_practices(self) -> list[PendingPractice]:
        """Practices awaiting review, oldest first."""
        rows = await self._all(
            "SELECT id, region, submitted_at FROM practices WHERE status = 'pending' "
            "ORDER BY submitted_at, id"
        )
        return [
            PendingPractice(row["id"], row["region"], parse(row["submitted_at"])) for row in rows
        ]

    async def delivery_problems(self, since: datetime) -> list[DeliveryProblem]:
        """Deliveries skipped or failed since `since`, counted by kind and status."""
        rows = await self._all(
            "SELECT kind, status, COUNT(*) AS n FROM deliveries "
            "WHERE status IN ('skipped', 'failed') AND created_at >= ? "
            "GROUP BY kind, status ORDER BY kind, status",
            (iso(since),),
        )
        return [DeliveryProblem(row["kind"], row["status"], row["n"]) for row in rows]

    async def database_bytes(self) -> int:
        """The database's size: its pages, whether or not they are still in the WAL."""
        row = await self._one(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
        )
        return int(row[0]) if row else 0

    # -- write health --------------------------------------------------------------------------

    async def check_writable(self) -> None:
        """Commit a write that changes nothing (the schema version, rewritten as it is); raise
        sqlite3.Error if the database cannot be written (read-only, disk full, I/O error)."""
        async with self._transaction() as db:
            [(version,)] = await db.execute_fetchall("PRAGMA user_version")
            # PRAGMA cannot take parameters; the version is SQLite's own integer.
            await db.execute(f"PRAGMA user_version = {int(version)}")

    # -- review cards --------------------------------------------------------------------------

    async def add_review_card(self, practice_id: int, chat_id: int, message_id: int) -> None:
        async with self._transaction() as db:
            await db.execute(
                "INSERT OR IGNORE INTO review_cards (practice_id, chat_id, message_id) "
                "VALUES (?, ?, ?)",
                (practice_id, chat_id, message_id),
            )

    async def pending_review_cards(self, user_id: int) -> list[ReviewCard]:
        """Every review card still awaiting a decision on the user's practices."""
        rows = await self._all(
            "SELECT c.chat_id, c.message_id FROM review_cards c "
            "JOIN practices p ON p.id = c.practice_id "
            "WHERE p.user_id = ? AND p.status = 'pending' ORDER BY c.practice_id, c.chat_id",
            (user_id,),
        )
        return [ReviewCard(row["chat_id"], row["message_id"]) for row in rows]

    # -- leads ---------------------------------------------------------------------------------

    async def leads(self, network_id: int) -> list[Lead]:
        """(user id, joined at) of the network's leads, first joined first."""
        rows = await self._all(
            "SELECT user_id, joined_at FROM leads WHERE network_id = ? ORDER BY joined_at, user_id",
            (network_id,),
        )
        return [Lead(row["user_id"], parse(row["joined_at"])) for row in rows]

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
            # No longer a lead: out of the next buddy pairing.
            await db.execute("DELETE FROM buddies WHERE user_id = ?", (user_id,))
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

    async def undelivered_result(self, user_id: int) -> CompletedAssessment | None:
        """The user's latest completed assessment whose result never reached them, if any."""
        row = await self._one(
            "SELECT * FROM assessments WHERE user_id = ? AND status = 'completed' "
            "AND result_sent_at IS NULL ORDER BY completed_at DESC, id DESC LIMIT 1",
            (user_id,),
        )
        return _completed(row) if row else None

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

    # -- meeting RSVPs and announcements -------------------------------------------------------

    async def set_announcement(self, meeting_id: int, message_id: int) -> None:
        async with self._transaction() as db:
            await db.execute(
                "UPDATE meetings SET announcement_id = ? WHERE id = ?", (message_id, meeting_id)
            )

    async def answer_rsvp(self, meeting_id: int, user_id: int, going: bool) -> bool:
        """Record (or change) a member's answer; False if the meeting is cancelled or gone."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO rsvps (meeting_id, user_id, going, answered_at) "
                "SELECT id, ?, ?, ? FROM meetings WHERE id = ? AND cancelled = 0 "
                "ON CONFLICT (meeting_id, user_id) DO UPDATE SET going = excluded.going, "
                "answered_at = excluded.answered_at",
                (user_id, int(going), self._now(), meeting_id),
            )
            return cursor.rowcount == 1

    async def rsvps(self, meeting_id: int) -> Rsvps:
        rows = await self._all(
            "SELECT user_id, going FROM rsvps WHERE meeting_id = ? ORDER BY answered_at, user_id",
            (meeting_id,),
        )
        return Rsvps(
            going=tuple(row["user_id"] for row in rows if row["going"]),
            not_going=tuple(row["user_id"] for row in rows if not row["going"]),
        )

    async def going_with_chat(self, meeting_id: int) -> list[int]:
        """Those going who have opened the bot (a users row) and not blocked it."""
        rows = await self._all(
            "SELECT r.user_id FROM rsvps r JOIN users u ON u.id = r.user_id AND u.active = 1 "
            "WHERE r.meeting_id = ? AND r.going = 1 ORDER BY r.user_id",
            (meeting_id,),
        )
        return [row["user_id"] for row in rows]

    # -- buddy pairing ---------------------------------------------------------------------------

    async def set_buddy(self, user_id: int, wants: str, offers: str, share: bool) -> None:
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO buddies (user_id, wants, offers, share, joined_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
                "wants = excluded.wants, offers = excluded.offers, share = excluded.share",
                (user_id, wants, offers, int(share), self._now()),
            )

    async def buddy(self, user_id: int) -> BuddyChoice | None:
        row = await self._one(
            "SELECT user_id, wants, offers, share FROM buddies WHERE user_id = ?", (user_id,)
        )
        return _buddy(row) if row else None

    async def leave_buddies(self, user_id: int) -> bool:
        async with self._transaction() as db:
            cursor = await db.execute("DELETE FROM buddies WHERE user_id = ?", (user_id,))
            return cursor.rowcount == 1

    async def buddy_candidates(self) -> list[BuddyCandidate]:
        """Opted-in leads who are still leads and still reachable, with their network's region
        and latest completed result."""
        rows = await self._all(
            "SELECT b.user_id, b.wants, b.offers, b.share, b.waited, n.id AS network_id, "
            "n.region, (SELECT a.result FROM assessments a WHERE a.network_id = n.id "
            "  AND a.status = 'completed' ORDER BY a.completed_at DESC, a.id DESC LIMIT 1"
            ") AS result "
            "FROM buddies b JOIN users u ON u.id = b.user_id AND u.active = 1 "
            "JOIN leads l ON l.user_id = b.user_id JOIN networks n ON n.id = l.network_id "
            "ORDER BY b.user_id"
        )
        return [
            BuddyCandidate(
                choice=_buddy(row),
                network_id=row["network_id"],
                region=row["region"],
                waited=row["waited"],
                result=json.loads(row["result"]) if row["result"] else None,
            )
            for row in rows
        ]

    async def buddy_groups(self, month: str) -> list[list[int]]:
        """The month's groups, each as its members' user ids."""
        rows = await self._all(
            "SELECT group_no, user_id FROM buddy_groups WHERE month = ? ORDER BY group_no, user_id",
            (month,),
        )
        groups: dict[int, list[int]] = {}
        for row in rows:
            groups.setdefault(row["group_no"], []).append(row["user_id"])
        return list(groups.values())

    async def buddy_round_done(self, month: str) -> bool:
        row = await self._one("SELECT 1 FROM buddy_rounds WHERE month = ?", (month,))
        return row is not None

    async def save_buddy_round(
        self, month: str, groups: Sequence[tuple[str, Sequence[int]]], waiting: Sequence[int]
    ) -> bool:
        """Store the month's groups (region, members) and mark who waits, once per month;
        False (nothing written) if the month was paired already."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO buddy_rounds (month, paired_at) VALUES (?, ?) "
                "ON CONFLICT (month) DO NOTHING",
                (month, self._now()),
            )
            if cursor.rowcount != 1:
                return False
            await db.executemany(
                "INSERT INTO buddy_groups (month, group_no, user_id, region) VALUES (?, ?, ?, ?)",
                [
                    (month, number, user_id, region)
                    for number, (region, members) in enumerate(groups, start=1)
                    for user_id in members
                ],
            )
            await db.executemany(
                "UPDATE buddies SET waited = ? WHERE user_id = ?",
                [(month, user_id) for user_id in waiting],
            )
            return True

    async def buddy_waiting(self, month: str) -> list[int]:
        rows = await self._all(
            "SELECT user_id FROM buddies WHERE waited = ? ORDER BY user_id", (month,)
        )
        return [row["user_id"] for row in rows]

    # -- the monthly digest ----------------------------------------------------------------------

    async def practices_approved_between(
        self, region: str, start: datetime, end: datetime
    ) -> list[Practice]:
        rows = await self._all(
            "SELECT * FROM practices WHERE region = ? AND status = 'approved' "
            "AND decided_at >= ? AND decided_at <= ? ORDER BY decided_at, id",
            (region, iso(start), iso(end)),
        )
        return [_practice(row) for row in rows]

    async def networks_assessed_between(self, region: str, start: datetime, end: datetime) -> int:
        """How many of the region's networks completed an assessment in [start, end)."""
        row = await self._one(
            "SELECT COUNT(DISTINCT a.network_id) FROM assessments a "
            "JOIN networks n ON n.id = a.network_id WHERE n.region = ? "
            "AND a.status = 'completed' AND a.completed_at >= ? AND a.completed_at <= ?",
            (region, iso(start), iso(end)),
        )
        return int(row[0]) if row else 0

    # -- information governance (issue 26) ---------------------------------------------------

    async def audit(self, actor: int | None, action: str, subject: int | None) -> None:
        """Record a sensitive action: who (a Telegram id; None for the bot or the server), what
        (an action name from handlers/audit.ACTIONS), on what (an id), and when. Never content."""
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO audit (at, actor, action, subject) VALUES (?, ?, ?, ?)",
                (self._now(), actor, action, subject),
            )

    async def audit_entries(self, limit: int = -1, offset: int = 0) -> list[AuditEntry]:
        """The audit trail, newest first (`limit` -1: all of it)."""
        rows = await self._all(
            "SELECT id, at, actor, action, subject FROM audit ORDER BY at DESC, id DESC "
            "LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [
            AuditEntry(row["id"], parse(row["at"]), row["actor"], row["action"], row["subject"])
            for row in rows
        ]

    async def audit_by(self, actor: int) -> list[AuditEntry]:
        """What this person did that the trail records, oldest first (for their /export)."""
        rows = await self._all(
            "SELECT id, at, actor, action, subject FROM audit WHERE actor = ? ORDER BY at, id",
            (actor,),
        )
        return [
            AuditEntry(row["id"], parse(row["at"]), row["actor"], row["action"], row["subject"])
            for row in rows
        ]

    async def audit_count(self) -> int:
        row = await self._one("SELECT COUNT(*) FROM audit")
        return int(row[0]) if row else 0

    async def touch_user(self, user_id: int) -> bool:
        """Record that the user pressed or sent something now (lead activity, for retention);
        False if the bot does not know them (yet)."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE users SET last_seen = ? WHERE id = ?", (self._now(), user_id)
            )
            return cursor.rowcount == 1

    async def network_activity(self) -> list[NetworkActivity]:
        """Every network with its latest lead activity: registration, a lead joining, a lead's
        last command or press, a change to one of its assessments (whichever is latest)."""
        rows = await self._all(
            "SELECT n.id, n.retention_warned_at, ("
            "  SELECT MAX(t) FROM ("
            "    SELECT n.created_at AS t"
            "    UNION ALL SELECT l.joined_at FROM leads l WHERE l.network_id = n.id"
            "    UNION ALL SELECT u.last_seen FROM leads l JOIN users u ON u.id = l.user_id"
            "      WHERE l.network_id = n.id"
            "    UNION ALL SELECT a.updated_at FROM assessments a WHERE a.network_id = n.id"
            "  )"
            ") AS last_activity, ("
            "  SELECT group_concat(l.user_id) FROM leads l WHERE l.network_id = n.id"
            ") AS lead_ids FROM networks n ORDER BY n.id"
        )
        return [
            NetworkActivity(
                network_id=row["id"],
                last_activity=parse(row["last_activity"]),
                warned_at=parse(row["retention_warned_at"]) if row["retention_warned_at"] else None,
                lead_ids=tuple(int(i) for i in (row["lead_ids"] or "").split(",") if i),
            )
            for row in rows
        ]

    async def mark_retention_warned(self, network_id: int) -> None:
        async with self._transaction() as db:
            await db.execute(
                "UPDATE networks SET retention_warned_at = ? WHERE id = ?",
                (self._now(), network_id),
            )

    async def erase_network(self, network_id: int) -> list[int]:
        """Erase a network as /forget erases: each lead forgotten in turn, then the network
        (with everything that hangs off it). The leads it had."""
        leads = await self.lead_ids(network_id)
        for user_id in leads:
            await self.forget_user(user_id)
        async with self._transaction() as db:
            await db.execute("DELETE FROM networks WHERE id = ?", (network_id,))
        await self.checkpoint()
        return leads

    async def prune(self, cutoffs: Cutoffs, keep_kinds: Sequence[str]) -> Pruned:
        """Delete what the retention schedule no longer keeps: ledger rows (except of
        `keep_kinds`, which still stop a reminder repeating), finished buddy months, replies to
        past meetings, old audit entries. Counts of what went."""
        async with self._transaction() as db:
            deliveries = await db.execute(
                "DELETE FROM deliveries WHERE created_at < ? "
                "AND kind NOT IN (SELECT value FROM json_each(?))",
                (iso(cutoffs.deliveries_before), json.dumps(list(keep_kinds))),
            )
            rounds = await db.execute(
                "SELECT COUNT(*) FROM buddy_groups WHERE month < ?", (cutoffs.pairings_before,)
            )
            pairings = (await rounds.fetchone() or (0,))[0]
            await db.execute("DELETE FROM buddy_rounds WHERE month < ?", (cutoffs.pairings_before,))
            await db.execute("DELETE FROM buddy_groups WHERE month < ?", (cutoffs.pairings_before,))
            rsvps = await db.execute(
                "DELETE FROM rsvps WHERE meeting_id IN "
                "(SELECT id FROM meetings WHERE starts_at < ?)",
                (iso(cutoffs.meetings_before),),
            )
            audit = await db.execute("DELETE FROM audit WHERE at < ?", (iso(cutoffs.audit_before),))
            pruned = Pruned(
                deliveries=deliveries.rowcount,
                pairings=int(pairings),
                rsvps=rsvps.rowcount,
                audit=audit.rowcount,
            )
        await self.checkpoint()
        return pruned

    async def retention_reports(self, since: datetime) -> list[str]:
        """What each retention run since `since` recorded in its ledger row (JSON counts)."""
        rows = await self._all(
            "SELECT detail FROM deliveries WHERE kind = 'retention' AND status = 'sent' "
            "AND created_at >= ? AND detail IS NOT NULL ORDER BY created_at",
            (iso(since),),
        )
        return [row["detail"] for row in rows]


_SAVE_WRES = (
    "INSERT INTO wres_quarters (network_id, indicator, quarter, label, white_size, white_count, "
    "bme_size, bme_count, entered_by, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (network_id, indicator, quarter, label) DO NOTHING"
)
_SAVE_WRES_REPLACING = (
    "INSERT INTO wres_quarters (network_id, indicator, quarter, label, white_size, white_count, "
    "bme_size, bme_count, entered_by, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (network_id, indicator, quarter, label) DO UPDATE SET "
    "white_size = excluded.white_size, white_count = excluded.white_count, "
    "bme_size = excluded.bme_size, bme_count = excluded.bme_count, "
    "entered_by = excluded.entered_by, entered_at = excluded.entered_at"
)


def _wres(row: aiosqlite.Row) -> WresRow:
    return WresRow(
        network_id=row["network_id"],
        indicator=row["indicator"],
        quarter=row["quarter"],
        label=row["label"],
        white_size=row["white_size"],
        white_count=row["white_count"],
        bme_size=row["bme_size"],
        bme_count=row["bme_count"],
    )


def _reason(error: BaseException) -> str:
    """An OS or SQLite error in a few words, without the traceback."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return str(error) or type(error).__name__


def _plan_step(row: aiosqlite.Row) -> PlanStep:
    return PlanStep(
        id=row["id"],
        network_id=row["network_id"],
        text=row["text"],
        owner=row["owner"],
        due=date.fromisoformat(row["due"]),
        status=row["status"],
        source=row["source"],
        created_at=parse(row["created_at"]),
        done_at=parse(row["done_at"]) if row["done_at"] else None,
    )


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


def _buddy(row: aiosqlite.Row) -> BuddyChoice:
    return BuddyChoice(
        user_id=row["user_id"], wants=row["wants"], offers=row["offers"], share=bool(row["share"])
    )


def _meeting(row: aiosqlite.Row) -> Meeting:
    return Meeting(
        id=row["id"],
        hub_id=row["hub_id"],
        starts_at=parse(row["starts_at"]),
        topic=row["topic"],
        cancelled=bool(row["cancelled"]),
        sequence=row["sequence"],
        announcement_id=row["announcement_id"],
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


def _move_step(
    db: sqlite3.Connection, assessment_id: int, expected: Step, to: Step, now: str
) -> bool:
    """Move an assessment in progress from `expected` to `to`; False if it is not at `expected`
    any more (a stale or repeated press)."""
    cursor = db.execute(
        "UPDATE assessments SET position = ?, awaiting_evidence = ?, updated_at = ? "
        "WHERE id = ? AND status = 'in_progress' AND position = ? AND awaiting_evidence IS ?",
        (
            to.position,
            to.awaiting_evidence,
            now,
            assessment_id,
            expected.position,
            expected.awaiting_evidence,
        ),
    )
    return cursor.rowcount == 1


def _answer(row: aiosqlite.Row) -> Answer:
    return Answer(row["item_key"], row["option"], row["points"], row["evidence"])


def _open(row: aiosqlite.Row) -> OpenAssessment:
    return OpenAssessment(
        id=row["id"],
        network_id=row["network_id"],
        user_id=row["user_id"],
        content_version=row["content_version"],
        position=row["position"],
        awaiting_evidence=row["awaiting_evidence"],
        started_at=parse(row["started_at"]),
        updated_at=parse(row["updated_at"]),
        revises=row["revises"],
    )


def _completed(row: aiosqlite.Row) -> CompletedAssessment:
    return CompletedAssessment(
        id=row["id"],
        network_id=row["network_id"],
        user_id=row["user_id"],
        content_version=row["content_version"],
        started_at=parse(row["started_at"]),
        completed_at=parse(row["completed_at"]),
        total=row["total"],
        band=row["band"],
        result=json.loads(row["result"]),
        result_sent_at=parse(row["result_sent_at"]) if row["result_sent_at"] else None,
        agreed=bool(row["agreed"]),
    )
