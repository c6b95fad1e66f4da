"""Data rights: /export and /forget, assembled from each store's part (its `PRIVACY`)."""

from __future__ import annotations

from typing import Any

from bot.db import (
    agreement,
    assessments,
    buddies,
    hubs,
    ledger,
    meetings,
    national,
    networks,
    plan,
    practices,
    wres,
)
from bot.db.core import Core, Privacy

# Every store that keeps a user's id. The networks store comes first in an export (who they
# are, their network) and goes last in /forget: it deletes the user, whom the others' rows
# refer to, and the network if no lead is left.
PARTS: tuple[Privacy, ...] = (
    networks.PRIVACY,
    buddies.PRIVACY,
    meetings.PRIVACY,
    assessments.PRIVACY,
    agreement.PRIVACY,
    practices.PRIVACY,
    hubs.PRIVACY,
    ledger.PRIVACY,
    wres.PRIVACY,
    plan.PRIVACY,
    national.PRIVACY,
)


class PrivacyStore(Core):
    """Export and forget a user, across every store."""

    async def export_user(self, user_id: int) -> dict[str, Any]:
        """Everything stored about the user: their record, their network, the assessments
        they answered (with every answer and note), the practices they shared, and every other
        store's rows that name them."""
        exported: dict[str, Any] = {}
        for part in PARTS:
            exported.update(await part.export(self, user_id))
        return exported

    async def forget_user(self, user_id: int) -> bool:
        """Delete every row about the user (or, where a record stays for others, the user's id
        in it), and their network if no lead is left; then checkpoint so nothing deleted
        lingers in the WAL. True if the network went too."""
        network_gone = False
        async with self._transaction() as db:
            for part in (*PARTS[1:], PARTS[0]):
                network_gone = await part.forget(db, user_id) or network_gone
        await self.checkpoint()
        return network_gone
