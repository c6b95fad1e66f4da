"""WRES indicators 2, 3 and 4, quarter by quarter, per network."""

from __future__ import annotations

from typing import Any

import aiosqlite

from bot.db.core import Core, Privacy
from bot.rows import (
    WresRow,
)


class WresStore(Core):
    """WRES quarters."""

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
            "WHERE n.region = ? AND n.verified_at IS NOT NULL "
            "AND w.label = '' AND w.quarter >= ? AND w.quarter = ("
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


async def _export(store: Core, user_id: int) -> dict[str, Any]:
    wres = await store._all(
        "SELECT w.indicator, w.quarter, w.label, w.white_size, w.white_count, w.bme_size, "
        "w.bme_count, w.entered_at, w.entered_by IS ? AS entered_by_you "
        "FROM wres_quarters w JOIN leads l ON l.network_id = w.network_id "
        "WHERE l.user_id = ? ORDER BY w.indicator, w.quarter, w.label",
        (user_id, user_id),
    )
    return {"wres_quarters": [dict(row) for row in wres]}


async def _forget(db: aiosqlite.Connection, user_id: int) -> bool:
    # The network's figures stay (with its other leads), without saying who entered them.
    await db.execute("UPDATE wres_quarters SET entered_by = NULL WHERE entered_by = ?", (user_id,))
    return False


PRIVACY = Privacy(columns=(("wres_quarters", "entered_by"),), export=_export, forget=_forget)
