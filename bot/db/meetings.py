"""Hub meetings and members' replies to them (RSVPs), and the announcement carrying buttons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiosqlite

from bot.clock import iso, parse
from bot.db.core import Core, Privacy
from bot.rows import (
    Meeting,
    Rsvps,
)


class MeetingStore(Core):
    """Meetings and RSVPs."""

    async def add_meeting(
        self,
        hub_id: int,
        starts_at: datetime,
        topic: str,
        user_id: int,
        *,
        join_url: str | None = None,
        minutes: int = 60,
    ) -> Meeting:
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO meetings (hub_id, starts_at, topic, created_by, created_at, "
                "join_url, minutes) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (hub_id, iso(starts_at), topic, user_id, self._now(), join_url, minutes),
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


def _meeting(row: aiosqlite.Row) -> Meeting:
    return Meeting(
        id=row["id"],
        hub_id=row["hub_id"],
        starts_at=parse(row["starts_at"]),
        topic=row["topic"],
        cancelled=bool(row["cancelled"]),
        sequence=row["sequence"],
        announcement_id=row["announcement_id"],
        join_url=row["join_url"],
        minutes=row["minutes"],
    )


async def _export(store: Core, user_id: int) -> dict[str, Any]:
    meetings = await store._all(
        "SELECT starts_at, topic, created_at, cancelled FROM meetings WHERE created_by = ? "
        "ORDER BY id",
        (user_id,),
    )
    rsvps = await store._all(
        "SELECT r.going, r.answered_at, m.starts_at, m.topic FROM rsvps r "
        "JOIN meetings m ON m.id = r.meeting_id WHERE r.user_id = ? ORDER BY m.starts_at",
        (user_id,),
    )
    return {
        "meeting_replies": [dict(row) for row in rsvps],
        "meetings_scheduled": [dict(meeting) for meeting in meetings],
    }


async def _forget(db: aiosqlite.Connection, user_id: int) -> bool:
    await db.execute("DELETE FROM rsvps WHERE user_id = ?", (user_id,))
    # The meeting stays for its hub, without saying who set it up.
    await db.execute("UPDATE meetings SET created_by = 0 WHERE created_by = ?", (user_id,))
    return False


PRIVACY = Privacy(
    columns=(("meetings", "created_by"), ("rsvps", "user_id")), export=_export, forget=_forget
)
