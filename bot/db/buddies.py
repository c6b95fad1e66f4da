"""Buddy pairing: each lead's choices and each month's groups."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aiosqlite

from bot.db.assessments import decode_result
from bot.db.core import Core, Privacy
from bot.rows import (
    BuddyCandidate,
    BuddyChoice,
)


class BuddyStore(Core):
    """Buddy choices and monthly groups."""

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
                result=decode_result(row["result"]) if row["result"] else None,
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


def _buddy(row: aiosqlite.Row) -> BuddyChoice:
    return BuddyChoice(
        user_id=row["user_id"], wants=row["wants"], offers=row["offers"], share=bool(row["share"])
    )


async def _export(store: Core, user_id: int) -> dict[str, Any]:
    buddy = await store._one(
        "SELECT wants, offers, share, waited, joined_at FROM buddies WHERE user_id = ?",
        (user_id,),
    )
    buddy_months = await store._all(
        "SELECT month, region FROM buddy_groups WHERE user_id = ? ORDER BY month", (user_id,)
    )
    return {
        "buddy": dict(buddy) if buddy else None,
        "buddy_months": [dict(row) for row in buddy_months],
    }


async def _forget(db: aiosqlite.Connection, user_id: int) -> bool:
    await db.execute("DELETE FROM buddies WHERE user_id = ?", (user_id,))
    await db.execute("DELETE FROM buddy_groups WHERE user_id = ?", (user_id,))
    return False


PRIVACY = Privacy(
    columns=(("buddies", "user_id"), ("buddy_groups", "user_id")), export=_export, forget=_forget
)
