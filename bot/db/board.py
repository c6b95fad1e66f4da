"""The board paper's cover, remembered per network: the meeting, its date, and the high impact
actions the leads picked (issue 22). No person's name is kept."""

from __future__ import annotations

from datetime import date

from bot.db.core import Core
from scoring.board import CoverChoices, actions_from_text, actions_text


class BoardStore(Core):
    """The cover choices of each network's board paper."""

    async def board_cover(self, network_id: int) -> CoverChoices:
        """What the network's leads chose for the board paper's cover; nothing chosen yet is
        the default (lines to fill)."""
        row = await self._one(
            "SELECT meeting, meeting_on, actions FROM board_covers WHERE network_id = ?",
            (network_id,),
        )
        if row is None:
            return CoverChoices()
        return CoverChoices(
            meeting=row["meeting"],
            meeting_on=date.fromisoformat(row["meeting_on"]) if row["meeting_on"] else None,
            actions=actions_from_text(row["actions"]),
        )

    async def save_board_cover(self, network_id: int, cover: CoverChoices) -> None:
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO board_covers (network_id, meeting, meeting_on, actions, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (network_id) DO UPDATE SET "
                "meeting = excluded.meeting, meeting_on = excluded.meeting_on, "
                "actions = excluded.actions, updated_at = excluded.updated_at",
                (
                    network_id,
                    cover.meeting,
                    cover.meeting_on.isoformat() if cover.meeting_on else None,
                    actions_text(cover.actions),
                    self._now(),
                ),
            )
