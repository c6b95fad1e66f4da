"""/compare: against the previous result, the region, all networks and the 2017 baseline.

Region and national figures come from a daily snapshot, taken the first time they are needed
each day (or by the nightly job), so a network completing an assessment cannot be read off by
asking before and after. A scope with fewer than BOT_MIN_GROUP_SIZE networks shows nothing.
"""

from __future__ import annotations

import asyncio
from datetime import time
from typing import Any

from telegram import InputFile, Update

from bot import charts
from bot.context import BotContext
from bot.delivery import deliver, message_sender
from bot.storage import Assessment
from content.strings import Safe
from handlers import render
from handlers.common import (
    RESULTS_WINDOW,
    answer_query,
    is_group,
    is_private,
    read_press,
    remove_buttons,
)
from scoring import Comparison, Distribution, Result, aggregate, compare, round_to_tens
from scoring.baseline import contrasts
from scoring.records import (
    distribution_from_dict,
    distribution_to_dict,
    result_from_dict,
    summary_from_dict,
)

ALL = "all"
SNAPSHOT_JOB = "snapshot"
SNAPSHOT_TIME = time(0, 5)
QUARTERS = {1: "bottom", 2: "second", 3: "third", 4: "top"}


# -- snapshots ---------------------------------------------------------------------------------


def _today(context: BotContext) -> str:
    return context.services.clock.now().astimezone(context.settings.timezone).date().isoformat()


async def take_snapshot(context: BotContext, day: str) -> None:
    """Aggregate every network's latest result (last 12 months) for all, and for each region."""
    since = context.services.clock.now() - RESULTS_WINDOW
    rows = await context.storage.latest_results(since)
    scopes: dict[str, list[dict[str, Any]]] = {ALL: []}
    scopes.update({region.key: [] for region in context.content.directory.regions})
    for _, region, result in rows:
        scopes[ALL].append(result)
        scopes.setdefault(region, []).append(result)
    minimum = context.settings.min_group_size
    data = {}
    for scope, results in scopes.items():
        distribution = aggregate([summary_from_dict(r) for r in results], minimum)
        data[scope] = distribution_to_dict(distribution) if distribution else {"suppressed": True}
    await context.storage.save_snapshots(day, data)


async def snapshot(context: BotContext, scope: str) -> Distribution | None:
    """Today's distribution for `scope`, or None when too few networks are in it."""
    day = _today(context)
    data = await context.storage.snapshot(day, scope)
    if data is None:
        async with context.services.snapshot_lock:
            data = await context.storage.snapshot(day, scope)  # another request may have taken it
            if data is None:
                await take_snapshot(context, day)
                data = await context.storage.snapshot(day, scope)
    if data is None or data.get("suppressed"):
        return None
    return distribution_from_dict(data)


async def snapshot_job(context: BotContext) -> None:
    """Take the day's snapshot just after midnight."""
    await take_snapshot(context, _today(context))


# -- rendering ---------------------------------------------------------------------------------


def _signed(value: float) -> str:
    return f"{value:+.0f}"


def _distribution_lines(context: BotContext, distribution: Distribution) -> list[str]:
    strings = context.strings
    shares = " · ".join(
        strings(
            "compare.band_share",
            band=render.band_name(context.content, band),
            percent=round_to_tens(share),
        )
        for band, share in distribution.band_shares.items()
    )
    return [
        strings(
            "compare.distribution",
            count=distribution.count,
            maximum=context.content.model.max_total,
            median=round(distribution.median),
            lower=round(distribution.lower_quartile),
            upper=round(distribution.upper_quartile),
        ),
        shares,
    ]


def _scope_section(
    context: BotContext, title: Safe, distribution: Distribution | None, total: int | None
) -> list[str]:
    strings = context.strings
    if distribution is None:
        return [title, strings("compare.not_enough", minimum=context.settings.min_group_size)]
    lines = [title, *_distribution_lines(context, distribution)]
    if total is not None:
        quarter = QUARTERS[distribution.quarter_of(total)]
        lines.append(strings(f"compare.quarter_{quarter}", total=total))
    return lines


def _change_lines(context: BotContext, comparison: Comparison) -> list[str]:
    strings, model = context.strings, context.content.model
    direction = {1: "compare.band_up", -1: "compare.band_down", 0: "compare.band_same"}
    lines: list[str] = [
        strings(
            "compare.total_change",
            before=round(comparison.total.before),
            after=round(comparison.total.after),
            delta=_signed(comparison.total.delta),
        ),
        strings(
            direction[comparison.band_direction],
            before=render.band_name(context.content, comparison.band_before),
            after=render.band_name(context.content, comparison.band_after),
        ),
    ]
    titles = {section.key: section.title for section in model.sections}
    for change in comparison.sections:
        lines.append(
            strings(
                "compare.change_line",
                name=titles.get(change.key, change.key),
                before=round(change.before),
                after=round(change.after),
                delta=_signed(change.delta),
                unit="",
            )
        )
    for change in comparison.enablers:
        lines.append(
            strings(
                "compare.change_line",
                name=model.enabler(change.key).short,
                before=round(change.before),
                after=round(change.after),
                delta=_signed(change.delta),
                unit="%",
            )
        )
    return lines


def _baseline_lines(context: BotContext, result: Result, answers: dict[str, int]) -> list[str]:
    strings, baseline = context.strings, context.content.baseline
    lines: list[str] = [
        strings("compare.baseline_title", year=baseline.year),
        *render.baseline_summary(context.content, result),
    ]
    for contrast in contrasts(context.content.model, baseline, answers):
        figure = contrast.figure
        share = strings(
            "compare.over" if figure.at_least else "compare.exactly", percent=figure.percent
        )
        lines.append(
            strings(
                "compare.figure_yes" if contrast.positive else "compare.figure_no",
                year=baseline.year,
                share=share,
                text=figure.text,
            )
        )
    return lines


# -- handlers ----------------------------------------------------------------------------------


async def compare_command(update: Update, context: BotContext) -> None:
    """Compare privately with the past, the region, everyone and 2017; in a hub group, show
    only the region's anonymised picture."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    if is_group(message.chat):
        await _compare_in_group(context, message.chat_id)
        return
    if not is_private(update):
        return
    storage, strings, content = context.storage, context.strings, context.content
    network = await storage.network_of(user.id)
    completed = await storage.completed_assessments(network.id) if network else []
    if network is None or not completed or completed[-1].result is None:
        await message.reply_text(strings("compare.no_result"))
        return
    latest = result_from_dict(completed[-1].result)
    region = content.directory.region(network.region).name
    lines: list[str] = [
        strings("compare.title", network=network.name),
        strings(
            "compare.latest",
            total=latest.total,
            maximum=latest.maximum,
            band=render.band_name(content, latest.band),
            date=_date(context, completed[-1]),
        ),
        "",
    ]
    previous = _previous(completed)
    comparison = (
        compare(result_from_dict(previous.result), latest) if previous and previous.result else None
    )
    if comparison is not None and previous is not None:
        lines += [
            strings("compare.since", date=_date(context, previous)),
            *_change_lines(context, comparison),
            "",
        ]
    else:
        lines += [strings("compare.first"), ""]
    lines += _scope_section(
        context,
        strings("compare.region_title", region=region),
        await snapshot(context, network.region),
        latest.total,
    )
    lines.append("")
    lines += _scope_section(
        context, strings("compare.all_title"), await snapshot(context, ALL), latest.total
    )
    lines.append("")
    answers = {k: a.option for k, a in (await storage.answers(completed[-1].id)).items()}
    lines += _baseline_lines(context, latest, answers)
    await message.reply_text(Safe("\n".join(lines)))
    if comparison is not None and previous is not None and previous.result is not None:
        png = await asyncio.to_thread(
            charts.comparison_chart, content.model, result_from_dict(previous.result), latest
        )
        caption = strings("compare.chart_caption")
        await message.reply_photo(InputFile(png, filename="compare.png"), caption=caption)


def _previous(completed: list[Assessment]) -> Assessment | None:
    return completed[-2] if len(completed) >= 2 else None


def _date(context: BotContext, assessment: Assessment) -> str:
    return render.completed_on(assessment, context.settings.timezone)


async def _compare_in_group(context: BotContext, chat_id: int) -> None:
    """The region's distribution and weakest enabler; never a network's name or score."""
    strings = context.strings
    hub = await context.storage.hub_by_chat(chat_id)
    if hub is None or not hub.live:
        await context.bot.send_message(chat_id, strings("hub.not_a_hub"))
        return
    region = context.content.directory.region(hub.region).name
    distribution = await snapshot(context, hub.region)
    lines = _scope_section(
        context, strings("compare.region_title", region=region), distribution, None
    )
    if distribution is not None and distribution.weakest_enabler is not None:
        enabler = context.content.model.enabler(distribution.weakest_enabler)
        lines.append(strings("compare.weakest", enabler=enabler.name))
    await context.bot.send_message(chat_id, Safe("\n".join(lines)))


async def share_band_pressed(update: Update, context: BotContext) -> None:
    """Post the network's name and band (nothing else) to its region's hub groups, once."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    storage, strings = context.storage, context.strings
    assessment = await storage.assessment(press.args[0])
    network = await storage.network_of(query.from_user.id)
    if (
        assessment is None
        or network is None
        or assessment.network_id != network.id
        or assessment.status != "completed"
        or assessment.band is None
    ):
        await answer_query(query, strings("errors.button_expired"))
        return
    completed = await storage.completed_assessments(network.id)
    if completed[-1].id != assessment.id:
        await answer_query(query, strings("share_band.not_latest"))
        await remove_buttons(message)
        return
    hubs = await storage.active_hubs(network.region)
    if not hubs:
        await answer_query(query, strings("share_band.no_hub"))
        return
    band = render.band_name(context.content, assessment.band)
    # Shown as plain text; the directory's name, when the organisation is one of its entries.
    known = {org.name for org in context.content.directory.organisations}
    if network.organisation in known:
        text = strings(
            "share_band.message_organisation", organisation=network.organisation, band=band
        )
    else:
        text = strings("share_band.message", network=network.name, band=band)
    for hub in hubs:
        await deliver(
            context,
            slot=f"share:{assessment.id}:{hub.id}",
            chat_id=hub.chat_id,
            kind="share",
            send=message_sender(context, text),
        )
    await answer_query(query, strings("share_band.done", count=len(hubs)))
    await remove_buttons(message)
