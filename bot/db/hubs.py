"""Hub groups: registration, operator approval, the weekly nudge schedule and its rotation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiosqlite

from bot.clock import parse
from bot.db.core import Core, Privacy
from bot.rows import (
    Hub,
    NudgeState,
    SentNudge,
)

DEFAULT_NUDGE_WEEKDAY = 0  # Monday
DEFAULT_NUDGE_TIME = "09:00"


class HubStore(Core):
    """Hub groups, their approval and their nudges."""

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

    async def hub_decided_at(self, chat_id: int) -> datetime | None:
        """When the group's last hub request was decided, if it was."""
        row = await self._one("SELECT decided_at FROM hubs WHERE chat_id = ?", (chat_id,))
        return parse(row["decided_at"]) if row and row["decided_at"] else None


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


async def _export(store: Core, user_id: int) -> dict[str, Any]:
    hubs = await store._all(
        "SELECT region, registered_at FROM hubs WHERE registered_by = ? ORDER BY id", (user_id,)
    )
    return {"hubs_registered": [dict(hub) for hub in hubs]}


async def _forget(db: aiosqlite.Connection, user_id: int) -> bool:
    # Records of what they did in hub groups stay, without saying who did it.
    await db.execute("UPDATE hubs SET registered_by = 0 WHERE registered_by = ?", (user_id,))
    await db.execute("UPDATE hubs SET decided_by = NULL WHERE decided_by = ?", (user_id,))
    return False


PRIVACY = Privacy(
    columns=(("hubs", "registered_by"), ("hubs", "decided_by")), export=_export, forget=_forget
)
