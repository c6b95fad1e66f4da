"""The audit trail: who did which sensitive action to what, and when (never any content);
operators read it with /audit (issue 26)."""

from __future__ import annotations

from typing import Any

import aiosqlite

from bot.clock import parse
from bot.db.core import Core, Privacy
from bot.rows import AuditEntry


class AuditStore(Core):
    """Sensitive actions, kept 24 months."""

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

    async def audit_count(self) -> int:
        row = await self._one("SELECT COUNT(*) FROM audit")
        return int(row[0]) if row else 0


# Actions whose subject is a person (their Telegram id); the others name a hub or a network.
PERSON_ACTIONS = ("lead_removed", "lead_restored", "user_forgotten")


async def _export(store: Core, user_id: int) -> dict[str, Any]:
    rows = await store._all(
        "SELECT at, action, subject FROM audit WHERE actor = ? ORDER BY id", (user_id,)
    )
    return {"audit_actions": [dict(row) for row in rows]}


async def _forget(db: aiosqlite.Connection, user_id: int) -> bool:
    """The trail keeps what happened and when, but no longer who did it or to whom."""
    await db.execute("UPDATE audit SET actor = NULL WHERE actor = ?", (user_id,))
    await db.execute(
        "UPDATE audit SET subject = NULL WHERE subject = ? AND action IN (?, ?, ?)",
        (user_id, *PERSON_ACTIONS),
    )
    return False


PRIVACY = Privacy(
    columns=(("audit", "actor"), ("audit", "subject")), export=_export, forget=_forget
)
