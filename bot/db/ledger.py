"""The delivery ledger: one row per message that must go out at most once (scheduling's)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import aiosqlite

from bot.clock import iso
from bot.db.core import Core, Privacy
from bot.rows import (
    Delivery,
    DeliveryProblem,
)


class LedgerStore(Core):
    """Delivery slots: claimed before sending, finished after."""

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

    async def delivery_problems(self, since: datetime) -> list[DeliveryProblem]:
        """Deliveries skipped or failed since `since`, counted by kind and status."""
        rows = await self._all(
            "SELECT kind, status, COUNT(*) AS n FROM deliveries "
            "WHERE status IN ('skipped', 'failed') AND created_at >= ? "
            "GROUP BY kind, status ORDER BY kind, status",
            (iso(since),),
        )
        return [DeliveryProblem(row["kind"], row["status"], row["n"]) for row in rows]


async def _export(store: Core, user_id: int) -> dict[str, Any]:
    reminders = await store._all(
        "SELECT kind, status, created_at FROM deliveries WHERE chat_id = ? ORDER BY created_at",
        (user_id,),
    )
    return {"reminders_sent": [dict(row) for row in reminders]}


async def _forget(db: aiosqlite.Connection, user_id: int) -> bool:
    await db.execute("DELETE FROM deliveries WHERE chat_id = ?", (user_id,))
    return False


PRIVACY = Privacy(columns=(("deliveries", "chat_id"),), export=_export, forget=_forget)
