"""Shared practices: drafts, review by operators, the review cards sent for them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiosqlite

from bot.clock import iso, parse
from bot.db.core import Core, Privacy
from bot.rows import (
    PendingPractice,
    Practice,
    ReviewCard,
)


class PracticeStore(Core):
    """Shared practices and their review cards."""

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

    async def pending_practices(self) -> list[PendingPractice]:
        """Practices awaiting review, oldest first."""
        rows = await self._all(
            "SELECT id, region, submitted_at FROM practices WHERE status = 'pending' "
            "ORDER BY submitted_at, id"
        )
        return [
            PendingPractice(row["id"], row["region"], parse(row["submitted_at"])) for row in rows
        ]

    async def practices_approved_between(
        self, region: str, start: datetime, end: datetime
    ) -> list[Practice]:
        rows = await self._all(
            "SELECT * FROM practices WHERE region = ? AND status = 'approved' "
            "AND decided_at >= ? AND decided_at <= ? ORDER BY decided_at, id",
            (region, iso(start), iso(end)),
        )
        return [_practice(row) for row in rows]

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

    async def practices_submitted_since(self, user_id: int, since: datetime) -> int:
        """How many practices the user sent for review since `since`."""
        row = await self._one(
            "SELECT COUNT(*) FROM practices WHERE user_id = ? AND status != 'draft' "
            "AND submitted_at >= ?",
            (user_id, iso(since)),
        )
        return int(row[0]) if row else 0


def _practice(row: aiosqlite.Row) -> Practice:
    return Practice(
        id=row["id"],
        user_id=row["user_id"],
        region=row["region"],
        text=row["text"],
        credit=row["credit"],
        status=row["status"],
    )


async def _export(store: Core, user_id: int) -> dict[str, Any]:
    practices = await store._all(
        "SELECT id, region, text, credit, status, submitted_at FROM practices "
        "WHERE user_id = ? ORDER BY id",
        (user_id,),
    )
    decided = await store._all(
        "SELECT id, status, decided_at FROM practices WHERE decided_by = ? ORDER BY id",
        (user_id,),
    )
    return {
        "shared_practices": [dict(practice) for practice in practices],
        "practices_decided": [dict(row) for row in decided],
    }


async def _forget(db: aiosqlite.Connection, user_id: int) -> bool:
    await db.execute("DELETE FROM practices WHERE user_id = ?", (user_id,))
    # Decisions they made as an operator stay, without saying who; the review cards sent to
    # their private chat are forgotten.
    await db.execute("UPDATE practices SET decided_by = NULL WHERE decided_by = ?", (user_id,))
    await db.execute("DELETE FROM review_cards WHERE chat_id = ?", (user_id,))
    return False


PRIVACY = Privacy(
    columns=(("practices", "user_id"), ("practices", "decided_by"), ("review_cards", "chat_id")),
    export=_export,
    forget=_forget,
)
