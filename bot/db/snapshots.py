"""Aggregates: daily snapshots, the latest result of each network, operator statistics."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.clock import iso
from bot.db.assessments import decode_result
from bot.db.core import Core
from bot.rows import (
    LatestResult,
    RegionStatistics,
)


class SnapshotStore(Core):
    """Snapshots and statistics."""

    async def snapshots(self, day: str) -> dict[str, dict[str, Any]]:
        """The day's snapshot of every scope, by scope."""
        rows = await self._all("SELECT scope, data FROM snapshots WHERE day = ?", (day,))
        return {row["scope"]: json.loads(row["data"]) for row in rows}

    async def previous_snapshot(self, scope: str, before_day: str) -> dict[str, Any] | None:
        """The latest snapshot of `scope` from a day before `before_day`."""
        row = await self._one(
            "SELECT data FROM snapshots WHERE scope = ? AND day < ? ORDER BY day DESC LIMIT 1",
            (scope, before_day),
        )
        return json.loads(row["data"]) if row else None

    async def save_snapshots(self, day: str, data: dict[str, dict[str, Any]]) -> None:
        """Store the day's snapshot for each scope; the first one written for a day stands."""
        now = self._now()
        async with self._transaction() as db:
            await db.executemany(
                "INSERT OR IGNORE INTO snapshots (day, scope, data, created_at) "
                "VALUES (?, ?, ?, ?)",
                [(day, scope, json.dumps(value), now) for scope, value in data.items()],
            )

    async def latest_results(
        self, since: datetime, region: str | None = None
    ) -> list[LatestResult]:
        """Each network's latest completed assessment, for networks whose latest was completed
        at or after `since`."""
        rows = await self._all(
            "SELECT n.id, n.region, n.verified_at, a.id AS assessment_id, a.result FROM networks n "
            "JOIN assessments a ON a.id = ("
            "  SELECT id FROM assessments WHERE network_id = n.id AND status = 'completed' "
            "  AND view = 'network' ORDER BY completed_at DESC, id DESC LIMIT 1"
            ") WHERE a.completed_at >= ? AND (? IS NULL OR n.region = ?) ORDER BY n.id",
            (iso(since), region, region),
        )
        return [
            LatestResult(
                row["id"],
                row["region"],
                row["assessment_id"],
                decode_result(row["result"]),
                row["verified_at"] is not None,
            )
            for row in rows
        ]

    async def region_statistics(self, since: datetime) -> list[RegionStatistics]:
        """Per region: networks, assessments started and completed, and the latest band of each
        network whose latest completed assessment is at or after `since`."""
        rows = await self._all(
            "SELECT n.region AS region, COUNT(DISTINCT n.id) AS networks, "
            "  (SELECT COUNT(*) FROM assessments a JOIN networks m ON m.id = a.network_id "
            "   WHERE m.region = n.region AND m.verified_at IS NOT NULL) AS started, "
            "  (SELECT COUNT(*) FROM assessments a JOIN networks m ON m.id = a.network_id "
            "   WHERE m.region = n.region AND m.verified_at IS NOT NULL "
            "   AND a.status = 'completed') AS completed "
            "FROM networks n WHERE n.verified_at IS NOT NULL GROUP BY n.region ORDER BY n.region"
        )
        bands = await self._all(
            "SELECT n.region AS region, a.band AS band, COUNT(*) AS count FROM networks n "
            "JOIN assessments a ON a.id = ("
            "  SELECT id FROM assessments WHERE network_id = n.id AND status = 'completed' "
            "  AND view = 'network' ORDER BY completed_at DESC, id DESC LIMIT 1"
            ") WHERE a.completed_at >= ? AND n.verified_at IS NOT NULL GROUP BY n.region, a.band",
            (iso(since),),
        )
        by_region: dict[str, dict[str, int]] = {row["region"]: {} for row in rows}
        for row in bands:
            by_region[row["region"]][row["band"]] = row["count"]
        return [
            RegionStatistics(
                region=row["region"],
                networks=row["networks"],
                started=row["started"],
                completed=row["completed"],
                bands=by_region[row["region"]],
            )
            for row in rows
        ]

    async def database_bytes(self) -> int:
        """The database's size: its pages, whether or not they are still in the WAL."""
        row = await self._one(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
        )
        return int(row[0]) if row else 0
