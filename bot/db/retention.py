"""Retention: lead activity, the warning before a quiet network is erased, and pruning what the
schedule no longer keeps (issue 26)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from bot.clock import iso, parse
from bot.db.core import Core
from bot.rows import NetworkActivity, Pruned
from scoring.retention import Cutoffs


class RetentionStore(Core):
    """What the daily retention run reads and deletes."""

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
