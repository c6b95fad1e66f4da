"""The daily snapshot of anonymised aggregates that /compare, hubs and nudges read.

Each day has one snapshot per scope (all networks, each region, and each region's WRES
indicators), taken by the nightly job or
by the first request of the day, under a lock so a burst of requests takes it once, and kept in
memory for the rest of the day. What a scope shows changes only as `scoring.publication` allows,
so asking before and after one network's assessment never tells its result.
"""

from __future__ import annotations

import asyncio
from datetime import time
from typing import TYPE_CHECKING, Any

from bot.scheduling import Kind
from scoring import Summary
from scoring.publication import RESULTS_WINDOW, Published, WresPublished, publish, publish_wres
from scoring.records import (
    published_from_dict,
    published_to_dict,
    summary_of,
    wres_published_from_dict,
    wres_published_to_dict,
)
from scoring.standing import counting
from scoring.wres import Figures, recent_quarters

if TYPE_CHECKING:
    from bot.context import BotContext

ALL = "all"
WRES_PREFIX = "wres:"  # a region's WRES picture is stored as the scope "wres:<region>"
SNAPSHOT = Kind("snapshot")  # the nightly snapshot of anonymised aggregates
SNAPSHOT_TIME = time(0, 5)


class Snapshots:
    """Today's publication per scope; one per application."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._day: str | None = None
        self._published: dict[str, Published | None] = {}
        self._wres: dict[str, WresPublished] = {}

    async def get(self, context: BotContext, scope: str) -> Published | None:
        """Today's publication for `scope` (ALL or a region key); None if none exists."""
        await self._today(context)
        return self._published.get(scope)

    async def wres(self, context: BotContext, region: str) -> WresPublished | None:
        """Today's WRES picture for a region; None if none exists."""
        await self._today(context)
        return self._wres.get(region)

    async def _today(self, context: BotContext) -> None:
        day = today(context)
        if self._day != day:
            async with self._lock:
                if self._day != day:  # another request may have loaded it meanwhile
                    await self._load(context, day)

    async def take(self, context: BotContext) -> None:
        """Take today's snapshot now, unless it was taken already (the nightly job)."""
        async with self._lock:
            await self._load(context, today(context))

    async def _load(self, context: BotContext, day: str) -> None:
        storage = context.storage
        stored = await storage.snapshots(day)
        if not stored:
            await storage.save_snapshots(day, await _take(context, day))
            stored = await storage.snapshots(day)
        self._published = {
            scope: published_from_dict(data)
            for scope, data in stored.items()
            if not scope.startswith(WRES_PREFIX)
        }
        self._wres = {
            scope.removeprefix(WRES_PREFIX): wres_published_from_dict(data)
            for scope, data in stored.items()
            if scope.startswith(WRES_PREFIX)
        }
        self._day = day


def today(context: BotContext) -> str:
    return context.services.clock.now().astimezone(context.settings.timezone).date().isoformat()


async def _take(context: BotContext, day: str) -> dict[str, dict[str, Any]]:
    """Each scope's publication for `day`, from every network's latest result (last 12 months)
    and the scope's previous publication."""
    since = context.services.clock.now() - RESULTS_WINDOW
    # Only verified networks count in a figure beyond themselves (scoring.standing).
    rows = counting(await context.storage.latest_results(since))
    scopes: dict[str, list[tuple[int, int, Summary]]] = {ALL: []}
    scopes.update({region.key: [] for region in context.content.directory.regions})
    for row in rows:
        entry = (row.network_id, row.assessment_id, summary_of(row.result))
        scopes[ALL].append(entry)
        scopes.setdefault(row.region, []).append(entry)
    minimum = context.settings.min_group_size
    data = {}
    for scope, results in scopes.items():
        stored = await context.storage.previous_snapshot(scope, day)
        previous = published_from_dict(stored) if stored else None
        data[scope] = published_to_dict(publish(previous, results, minimum, day))
    data.update(await _take_wres(context, day))
    return data


async def _take_wres(context: BotContext, day: str) -> dict[str, dict[str, Any]]:
    """Each region's WRES picture for `day`: each network's latest whole-organisation figures
    of the last five quarters, under the same rule of change as the other figures."""
    local = context.services.clock.now().astimezone(context.settings.timezone).date()
    since = str(recent_quarters(local, 5)[-1])
    first, minimum = context.content.wres.first_groups(), context.settings.min_group_size
    data = {}
    for region in context.content.directory.regions:
        rows = await context.storage.wres_latest_in_region(region.key, since)
        latest = [
            (
                row.network_id,
                row.indicator,
                row.quarter,
                Figures.of(row.white_size, row.white_count, row.bme_size, row.bme_count),
            )
            for row in rows
        ]
        stored = await context.storage.previous_snapshot(WRES_PREFIX + region.key, day)
        previous = wres_published_from_dict(stored) if stored else None
        published = publish_wres(previous, latest, first, minimum, day)
        data[WRES_PREFIX + region.key] = wres_published_to_dict(published)
    return data


async def snapshot_job(context: BotContext) -> None:
    """Take the day's snapshot just after midnight."""
    await context.services.snapshots.take(context)
