"""/stats and /stats csv: anonymised counts for operators, small cells suppressed."""

from __future__ import annotations

import csv
import io
from typing import Any

from telegram import InputFile, Update

from bot.context import BotContext
from bot.feature import Buttons, Command, Feature
from bot.rows import RegionStatistics
from content.strings import Safe
from handlers.common import answer_query, keyboard, paged, private_sender, read_press, show
from scoring import Band
from scoring.publication import RESULTS_WINDOW
from scoring.suppression import rate, suppress_table

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


def suppressed_rows(
    stats: list[RegionStatistics], names: dict[str, str], minimum: int
) -> list[list[Any]]:
    """One row per region and a total row, every small cell suppressed (rates too)."""
    table = {
        entry.region: {
            "networks": entry.networks,
            "started": entry.started,
            "completed": entry.completed,
            **{band.value: entry.bands.get(band.value, 0) for band in Band},
        }
        for entry in stats
    }
    shown, totals = suppress_table(table, minimum)
    rows = []
    for entry in sorted(stats, key=lambda e: names.get(e.region, e.region)):
        rate_shown = rate(entry.completed, entry.started, minimum)
        rows.append(_row(names.get(entry.region, entry.region), shown[entry.region], rate_shown))
    started, completed = totals.get("started"), totals.get("completed")
    total_rate = (
        rate(completed, started, minimum) if started is not None and completed is not None else None
    )
    rows.append(_row("England (all regions)", totals, total_rate))
    return rows


def _row(name: str, cells: dict[str, int | None], rate_shown: int | None) -> list[Any]:
    def cell(column: str) -> int | str:
        value = cells.get(column, 0)
        return SUPPRESSED if value is None else value

    return [
        name,
        cell("networks"),
        cell("started"),
        cell("completed"),
        SUPPRESSED if rate_shown is None else rate_shown,
        *(cell(band.value) for band in Band),
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
    text, markup = _stats_page(context, rows, minimum, 1)
    await message.reply_text(text, reply_markup=markup)


def _stats_page(
    context: BotContext, rows: list[list[Any]], minimum: int, page: int
) -> tuple[Safe, Any]:
    strings = context.strings
    lines = []
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
    text, nav, _ = paged(
        context, lines, page=page, kind="tp", header=strings("stats.title", minimum=minimum)
    )
    return text, keyboard([nav]) if nav else None


async def page_pressed(update: Update, context: BotContext) -> None:
    """Show another page of the counts (operators only, as the command)."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    if query.from_user.id not in context.settings.admin_ids:
        await answer_query(query, context.strings("stats.operators_only"))
        return
    await answer_query(query)
    since = context.services.clock.now() - RESULTS_WINDOW
    stats = await context.storage.region_statistics(since)
    names = {region.key: region.name for region in context.content.directory.regions}
    minimum = context.settings.min_group_size
    rows = suppressed_rows(stats, names, minimum)
    text, markup = _stats_page(context, rows, minimum, press.args[0])
    await show(context, message.chat.id, text, markup, replace=message)


FEATURE = Feature(
    name="stats",
    commands=(Command("stats", stats_command, ("operator",)),),
    buttons=(Buttons(page_pressed, {"tp": 1}),),  # a page of the counts by region: page (from 1)
)
