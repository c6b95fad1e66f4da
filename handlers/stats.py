"""/stats and /stats csv: anonymised counts for operators, small cells suppressed."""

from __future__ import annotations

import csv
import io
from typing import Any

from telegram import InputFile, Update

from bot.context import BotContext
from content.strings import Safe
from handlers.common import RESULTS_WINDOW, private_sender
from scoring import Band

SUPPRESSED = "suppressed"
COLUMNS = (
    "region",
    "networks",
    "assessments_started",
    "assessments_completed",
    "completion_rate_percent",
    "pathfinder",
    "cultivator",
    "activator",
)


def _cell(count: int, minimum: int) -> int | str:
    """A count, or "suppressed" when it is small enough to point at particular networks."""
    return SUPPRESSED if 0 < count < minimum else count


def suppressed_rows(
    stats: list[dict[str, Any]], names: dict[str, str], minimum: int
) -> list[list[Any]]:
    """One row per region and a total row, every small cell suppressed (rates too)."""
    totals: dict[str, Any] = {"networks": 0, "started": 0, "completed": 0, "bands": {}}
    rows = []
    for entry in sorted(stats, key=lambda e: names.get(e["region"], e["region"])):
        rows.append(_row(names.get(entry["region"], entry["region"]), entry, minimum))
        for key in ("networks", "started", "completed"):
            totals[key] += entry[key]
        for band, count in entry["bands"].items():
            totals["bands"][band] = totals["bands"].get(band, 0) + count
    total = _row("England (all regions)", totals, minimum)
    # A total next to one hidden region cell would give that cell away by subtraction: hide it.
    for column in range(1, len(total)):
        if any(row[column] == SUPPRESSED for row in rows):
            total[column] = SUPPRESSED
    rows.append(total)
    return rows


def _row(name: str, entry: dict[str, Any], minimum: int) -> list[Any]:
    started, completed = entry["started"], entry["completed"]
    rate: int | str = SUPPRESSED
    if started >= minimum and (completed == 0 or completed >= minimum):
        rate = round(100 * completed / started)
    return [
        name,
        _cell(entry["networks"], minimum),
        _cell(started, minimum),
        _cell(completed, minimum),
        rate,
        *(_cell(entry["bands"].get(band.value, 0), minimum) for band in Band),
    ]


async def stats_command(update: Update, context: BotContext) -> None:
    """Counts by region and band and completion rates, as text or (`/stats csv`) a CSV file."""
    sender = await private_sender(update, context)  # never in a group, even for operators
    if sender is None:
        return
    message, user = sender
    strings = context.strings
    if user.id not in context.settings.admin_ids:
        await message.reply_text(strings("stats.operators_only"))
        return
    since = context.services.clock.now() - RESULTS_WINDOW
    stats = await context.storage.region_statistics(since)
    names = {region.key: region.name for region in context.content.directory.regions}
    minimum = context.settings.min_group_size
    rows = suppressed_rows(stats, names, minimum)
    if context.args and context.args[0].lower() == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        day = context.services.clock.now().astimezone(context.settings.timezone).date()
        await message.reply_document(
            InputFile(buffer.getvalue().encode(), filename=f"staff-network-stats-{day}.csv"),
            caption=strings("stats.csv_caption", minimum=minimum),
        )
        return
    lines = [strings("stats.title", minimum=minimum)]
    for row in rows:
        lines.append(
            strings(
                "stats.line",
                region=row[0],
                networks=row[1],
                started=row[2],
                completed=row[3],
                rate=row[4] if row[4] == SUPPRESSED else f"{row[4]}%",
                pathfinder=row[5],
                cultivator=row[6],
                activator=row[7],
            )
        )
    await message.reply_text(Safe("\n".join(lines)))
