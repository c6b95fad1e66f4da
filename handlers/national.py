"""/national (issue 25): the 2017 review's tables rebuilt from today's verified networks.

Operators get a tagged PDF and a CSV of the same tables, on demand and each quarter on its
first working day (once, through the delivery ledger); an approved hub gets its region's row
beside England's, with a chart. The rules are in scoring/national.py; the reads in
bot/db/national.py; building runs off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InputFile, Update

from bot import charts
from bot.clock import iso
from bot.context import BotContext
from bot.feature import Command, Feature
from bot.scheduling import Kind, Repeating, Send, deliver_due
from content.strings import Safe
from handlers.common import is_group, is_operator
from handlers.national_doc import Built, Words, compute, files, in_worker, shutdown
from scoring import national, timing
from scoring.dates import first_working_day
from scoring.model import Band
from scoring.publication import RESULTS_WINDOW
from scoring.wres import quarter_of, recent_quarters

log = logging.getLogger(__name__)

NATIONAL = Kind("national")  # a quarter's picture to one operator: slot per quarter and operator
NATIONAL_CHECKS = Kind("national-check")  # the quarter-hourly check behind NATIONAL
CHECK_EVERY = timedelta(minutes=15)
SEND_AT = time(9, 0)  # on the quarter's first working day, local time
LOCK_KEY = "national_lock"


# -- building --------------------------------------------------------------------------------


def _setting(context: BotContext) -> national.Setting:
    content = context.content
    return national.Setting(
        regions=[region.key for region in content.directory.regions],
        ages=_ages(context),
        enablers=[enabler.key for enabler in content.model.enablers],
        figures=content.baseline.figures,
        first=content.wres.first_groups(),
        minimum=context.settings.min_group_size,
        statements=[statement.key for statement in content.pulse.statements],
    )


def _ages(context: BotContext) -> list[str]:
    return [k.split(".", 1)[1] for k in context.strings.templates if k.startswith("ages.")]


def _local_today(context: BotContext) -> str:
    return context.services.clock.now().astimezone(context.settings.timezone).date().isoformat()


async def build(context: BotContext, quarter: str | None = None) -> Built:
    """Today's picture, published if the publication rule allows, else the last one standing;
    `quarter`: record it as that quarter's picture (the first one recorded stands)."""
    lock = context.application.bot_data.setdefault(LOCK_KEY, asyncio.Lock())
    async with lock:
        if quarter is not None and (stored := await context.storage.quarter_picture(quarter)):
            return await _with_before(context, stored.data, False, quarter)
        now = context.services.clock.now()
        content, setting = context.content, _setting(context)
        items = [f.item for f in content.baseline.figures if f.item is not None]
        demonstrates = {
            key: [option.demonstrates for option in content.model.item(key).scale.options]
            for key in items
            if content.model.has_item(key)
        }
        local = now.astimezone(context.settings.timezone).date()
        today = _local_today(context)
        members, data = await in_worker(
            content,
            compute,
            context.settings.db_path,
            iso(now - RESULTS_WINDOW),
            items,
            str(recent_quarters(local, 5)[-1]),
            setting,
            demonstrates,
            today,
        )
        if data is not None:
            await context.storage.save_picture(quarter, today, members, data)
            return await _with_before(context, data, False, quarter)
        last = await context.storage.latest_picture()
        assert last is not None  # only a picture published before can hold a new one back
        if quarter is not None:
            await context.storage.picture_for_quarter(last[0], quarter)
        return await _with_before(context, last[1], True, quarter)


async def _with_before(
    context: BotContext, data: dict[str, Any], held: bool, quarter: str | None
) -> Built:
    """The picture with the last quarter's picture before it (not `quarter`'s own)."""
    before = await context.storage.quarter_before(quarter)
    if before is None:
        return Built(data, held, None, None)
    return Built(data, held, before[1], before[0])


# -- commands --------------------------------------------------------------------------------


async def national_command(update: Update, context: BotContext) -> None:
    """Operators (private chat): the PDF and the CSV. An approved hub: its region beside
    England. Anyone else: what it is and where it works."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    strings = context.strings
    if is_group(message.chat):
        await _in_hub(context, message.chat_id)
        return
    if not is_operator(context, user.id):
        await message.reply_text(strings("national.operators_only"))
        return
    await message.reply_text(strings("national.building"))
    try:
        pdf, table, as_of = await files(context.content, await build(context))
    except Exception:  # a worker that died, a database busy for too long: say so, log it
        log.exception("the national picture could not be built")
        await message.reply_text(strings("national.failed"))
        return
    minimum = context.settings.min_group_size
    await message.reply_document(
        InputFile(pdf, filename=f"national-picture-{as_of}.pdf"),
        caption=strings("national.pdf_caption", as_of=as_of, minimum=minimum),
    )
    await message.reply_document(
        InputFile(table, filename=f"national-picture-{as_of}.csv"),
        caption=strings("national.csv_caption"),
    )


async def _in_hub(context: BotContext, chat_id: int) -> None:
    """The region's published row beside England's, and a chart of their CRAFT medians."""
    strings = context.strings
    hub = await context.storage.hub_by_chat(chat_id)
    if hub is None or not hub.live:
        await context.bot.send_message(chat_id, strings("national.not_a_hub"))
        return
    try:
        built = await build(context)
    except Exception:
        log.exception("the national picture could not be built for hub %s", hub.id)
        await context.bot.send_message(chat_id, strings("national.failed"))
        return
    view = national.hub_view(built.data, hub.region)
    w = Words(context.content, int(built.data["minimum"]))
    region = w.regions.get(hub.region, hub.region)
    lines = [strings("national.hub_title", region=region, as_of=view["as_of"])]
    england, ours = view["england"], view["region"]
    if england is None:
        lines.append(strings("national.hub_none"))
        await context.bot.send_message(chat_id, Safe("\n".join(lines)))
        return
    counts = view["counts"] or {}
    lines.append(
        strings(
            "national.hub_counts",
            networks=w.count(counts.get("networks")),
            assessed=w.count(counts.get("assessed")),
        )
    )
    maximum = context.content.baseline.max_total
    for scope, row, bands in (
        (region, ours, view["region_bands"]),
        (w("total_row"), england, england["bands"]),
    ):
        if row is None:
            lines.append(strings("national.hub_row_hidden", scope=scope))
            continue
        lines.append(
            strings(
                "national.hub_row",
                scope=scope,
                n=row["n"],
                mean=row["mean"],
                maximum=maximum,
                median=f"{row['median']:g}",
            )
        )
        if bands is None:
            lines.append(strings("national.hub_bands_hidden", scope=scope))
        else:
            split = ", ".join(f"{w.bands[b]} {bands[b.value]['percent']}%" for b in Band)
            lines.append(strings("national.hub_bands", scope=scope, bands=split))
    for number, block in view["wres"].items():
        for scope, cell in ((region, block["region"]), (w("total_row"), block["england"])):
            if cell is not None and cell["median"] is not None:
                lines.append(
                    strings(
                        "national.hub_wres",
                        number=number,
                        scope=scope,
                        networks=cell["networks"],
                        median=f"{cell['median']:.2f}",
                    )
                )
    lines.extend(_hub_pulse_lines(context, w, view["pulses"]))
    await context.bot.send_message(chat_id, Safe("\n".join(lines)))
    if ours is None:
        return
    keys = [key for key in w.enablers if key in ours["craft"] and key in england["craft"]]
    figures = "; ".join(
        f"{w.enablers[k]} {region} {ours['craft'][k]}%, England {england['craft'][k]}%"
        for k in keys
    )
    png = await asyncio.to_thread(
        charts.region_beside_england_chart,
        region,
        [w.enablers[k] for k in keys],
        [float(ours["craft"][k]) for k in keys],
        [float(england["craft"][k]) for k in keys],
    )
    # The alternative text of a Telegram photo is its caption.
    await context.bot.send_photo(
        chat_id,
        InputFile(png, filename="national.png"),
        caption=strings("national.hub_chart_caption", region=region, figures=figures),
    )


def _hub_pulse_lines(context: BotContext, w: Words, block: dict[str, Any] | None) -> list[Safe]:
    """England's member pulse figures for the hub: how many ran one, and the shares shown."""
    if block is None:
        return []
    strings = context.strings
    lines = [strings("national.hub_pulses", networks=w.count(block["networks"]))]
    shorts = {s.key: s.short for s in context.content.pulse.statements}
    for row in block["statements"]:
        if row["share"] is not None:
            short = shorts.get(row["key"], row["key"])
            lines.append(strings("national.hub_pulse_share", share=row["share"], short=short))
    return lines


# -- each quarter ----------------------------------------------------------------------------


def quarter_due(now: datetime, timezone: ZoneInfo) -> str | None:
    """The quarter (e.g. 2027Q1) whose picture is due: from its first working day at 09:00,
    as long as a missed message may still be caught up; otherwise None."""
    local = now.astimezone(timezone).date()
    quarter = quarter_of(local)
    start = quarter.first_day
    at = timing.local(first_working_day(start.year, start.month), SEND_AT, timezone)
    if timing.catch_up(at, now, delivered=False) is not timing.CatchUp.SEND:
        return None
    return str(quarter)


async def national_job(context: BotContext) -> None:
    """Send each operator the quarter's picture once (checked every 15 minutes)."""
    operators = context.settings.admin_ids
    quarter = quarter_due(context.services.clock.now(), context.settings.timezone)
    if quarter is None or not operators:
        return
    made: list[tuple[bytes, bytes, str]] = []  # built once, and only if someone needs it

    async def message(operator: int) -> tuple[int, Send]:
        if not made:
            made.append(await files(context.content, await build(context, quarter)))
        pdf, table, as_of = made[0]

        async def send(chat_id: int) -> object:
            strings = context.strings
            await context.bot.send_message(chat_id, strings("national.quarterly", quarter=quarter))
            await context.bot.send_document(
                chat_id,
                InputFile(pdf, filename=f"national-picture-{quarter}.pdf"),
                caption=strings(
                    "national.pdf_caption", as_of=as_of, minimum=context.settings.min_group_size
                ),
            )
            return await context.bot.send_document(
                chat_id,
                InputFile(table, filename=f"national-picture-{quarter}.csv"),
                caption=strings("national.csv_caption"),
            )

        return operator, send

    slots = {NATIONAL.slot(quarter, operator): operator for operator in sorted(operators)}
    await deliver_due(context, NATIONAL, slots, message)


FEATURE = Feature(
    name="national",
    commands=(Command("national", national_command, ("operator", "group", "group_admin")),),
    kinds=(NATIONAL, NATIONAL_CHECKS),
    repeating=(Repeating(NATIONAL_CHECKS, national_job, every=CHECK_EVERY),),
    on_shutdown=(shutdown,),
)
