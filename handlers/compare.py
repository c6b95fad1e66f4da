"""/compare: against the previous result, the region, all networks and the 2017 baseline.

Region and national figures come from the daily snapshot (bot.snapshots), which changes only once
enough networks have new results, so a network completing an assessment cannot be read off by
asking before and after. A scope with fewer than BOT_MIN_GROUP_SIZE networks shows nothing, and a
band holding fewer than that many networks is not counted out.
"""

from __future__ import annotations

import asyncio
from datetime import date

from telegram import InputFile, Update

from bot import charts
from bot.context import BotContext
from bot.feature import Buttons, Command, Feature
from bot.rows import CompletedAssessment
from bot.scheduling import Kind, deliver, message_sender
from bot.snapshots import ALL
from content.strings import Safe
from handlers import render
from handlers.common import (
    answer_query,
    drop_buttons,
    is_group,
    is_private,
    read_press,
    remove_buttons,
)
from scoring import Band, Comparison, Result, compare
from scoring.baseline import Figure, contrasts
from scoring.engine import is_rise
from scoring.publication import Published
from scoring.suppression import Shown

# Scheduled and once-only messages this feature sends (job and ledger slot names).
SHARE = Kind("share")  # a band shared with a hub: slot per result and hub

QUARTERS = {1: "bottom", 2: "second", 3: "third", 4: "top"}


# -- rendering ---------------------------------------------------------------------------------


def _signed(value: float) -> str:
    return f"{value:+.0f}"


def _band_line(context: BotContext, published: Published) -> str:
    """Each band's share, except those of too few networks to show (see scoring.suppression)."""
    strings, minimum = context.strings, context.settings.min_group_size
    percents = published.band_percents()
    parts = []
    for band, cell in published.band_cells(minimum).items():
        name = render.band_name(context.content, band)
        if cell.shown is Shown.COUNT:
            parts.append(strings("compare.band_share", band=name, percent=percents[band]))
        elif cell.shown is Shown.FEW:
            parts.append(strings("compare.band_few", band=name, minimum=minimum))
        else:
            parts.append(strings("compare.band_hidden", band=name))
    return " · ".join(parts)


def _distribution_lines(context: BotContext, published: Published) -> list[str]:
    distribution = published.distribution
    assert distribution is not None
    as_of = render.local_day(date.fromisoformat(published.as_of))
    return [
        context.strings(
            "compare.distribution",
            count=distribution.count,
            maximum=context.content.model.max_total,
            median=round(distribution.median),
            lower=round(distribution.lower_quartile),
            upper=round(distribution.upper_quartile),
            date=as_of,
            minimum=context.settings.min_group_size,
        ),
        _band_line(context, published),
    ]


def _scope_section(
    context: BotContext, title: Safe, published: Published | None, total: int | None
) -> list[str]:

    strings = context.strings
    if published is None or published.distribution is None:
        return [title, strings("compare.not_enough", minimum=context.settings.min_group_size)]
    distribution = published.distribution
    lines = [title, *_distribution_lines(context, published)]
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
        lines.append(
            strings(
                "compare.figure_yes" if contrast.positive else "compare.figure_no",
                year=baseline.year,
                share=_share(context, figure),
                text=figure.text,
            )
        )
    # Figures no item asks about: context only, never set against the network's answers.
    for figure in (f for f in baseline.figures if f.item is None):
        lines.append(
            strings(
                "compare.figure_plain",
                year=baseline.year,
                share=_share(context, figure),
                text=figure.text,
            )
        )
    return lines


def _share(context: BotContext, figure: Figure) -> Safe:
    key = "compare.over" if figure.at_least else "compare.exactly"
    return context.strings(key, percent=figure.percent)


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
    record = await storage.network_history(user.id)
    if record is None or record.latest is None:
        await message.reply_text(strings("compare.no_result"))
        return
    network, newest = record.network, record.latest
    latest = newest.result
    region = content.directory.region(network.region).name
    lines: list[str] = [
        strings("compare.title", network=network.name),
        strings(
            "compare.latest",
            total=latest.total,
            maximum=latest.maximum,
            band=render.band_name(content, latest.band),
            date=_date(context, newest),
        ),
        strings("compare.dont_know", count=len(latest.find_out)),
        "",
    ]
    previous = record.previous
    before = previous.result if previous else None
    comparison = compare(before, latest) if before else None
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
        await context.services.snapshots.get(context, network.region),
        latest.total,
    )
    lines.append("")
    lines += _scope_section(
        context,
        strings("compare.all_title"),
        await context.services.snapshots.get(context, ALL),
        latest.total,
    )
    lines.append("")
    answers = {k: a.option for k, a in (await storage.answers(newest.id)).items()}
    lines += _baseline_lines(context, latest, answers)
    await message.reply_text(Safe("\n".join(lines)))
    if comparison is not None and before is not None:
        png = await asyncio.to_thread(charts.comparison_chart, content.model, before, latest)
        caption = strings("compare.chart_caption")
        await message.reply_photo(InputFile(png, filename="compare.png"), caption=caption)


def _date(context: BotContext, assessment: CompletedAssessment) -> str:
    return render.completed_on(assessment, context.settings.timezone)


async def _compare_in_group(context: BotContext, chat_id: int) -> None:
    """The region's distribution and weakest enabler; never a network's name or score."""
    strings = context.strings
    hub = await context.storage.hub_by_chat(chat_id)
    if hub is None or not hub.live:
        await context.bot.send_message(chat_id, strings("hub.not_a_hub"))
        return
    region = context.content.directory.region(hub.region).name
    published = await context.services.snapshots.get(context, hub.region)
    lines = _scope_section(context, strings("compare.region_title", region=region), published, None)
    distribution = published.distribution if published else None
    if distribution is not None and distribution.weakest_enabler is not None:
        enabler = context.content.model.enabler(distribution.weakest_enabler)
        lines.append(strings("compare.weakest", enabler=enabler.name))
    lines += ["", *await _wres_lines(context, hub.region)]
    await context.bot.send_message(chat_id, Safe("\n".join(lines)))


async def _wres_lines(context: BotContext, region: str) -> list[str]:
    """Per WRES indicator: how many of the region's networks track it and their median latest
    ratio, only from the minimum group size, from the day's snapshot (bot.snapshots)."""
    strings, minimum = context.strings, context.settings.min_group_size
    published = await context.services.snapshots.wres(context, region)
    titles = {indicator.number: indicator.title for indicator in context.content.wres.indicators}
    lines: list[str] = [strings("compare.wres_title")]
    for figure in published.figures if published else ():
        key = "compare.wres_too_few" if figure.median is None else "compare.wres_line"
        median = f"{figure.median:.2f}" if figure.median is not None else ""
        values = {"number": figure.indicator, "title": titles[figure.indicator]}
        lines.append(
            strings(key, networks=figure.networks, median=median, minimum=minimum, **values)
        )
    return lines


async def share_band_pressed(update: Update, context: BotContext) -> None:
    """Post the network's name and band (nothing else) to its region's hub groups, once; it is
    celebrated only when the band is higher than the network's last."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    storage, strings = context.storage, context.strings
    record = await storage.network_history(query.from_user.id)
    completed = list(record.completed) if record else []
    position = next((i for i, a in enumerate(completed) if a.id == press.args[0]), None)
    if record is not None and any(a.id == press.args[0] for a in record.pending):
        await answer_query(query, strings("gov.share_pending"))
        return
    if record is None or position is None:
        await answer_query(query, strings("errors.button_expired"))
        return
    network, assessment = record.network, completed[position]
    if position != len(completed) - 1:
        await answer_query(query, strings("share_band.not_latest"))
        await remove_buttons(message)
        return
    hubs = await storage.active_hubs(network.region)
    if not hubs:
        await answer_query(query, strings("share_band.no_hub"))
        return
    band = Band(assessment.band)
    previous = Band(completed[position - 1].band) if position > 0 else None
    # Shown as plain text; the directory's name, when the organisation is one of its entries.
    known = {org.name for org in context.content.directory.organisations}
    by_organisation = network.organisation in known
    key = "share_band.message" if is_rise(band, previous) else "share_band.message_steady"
    text = strings(
        f"{key}_organisation" if by_organisation else key,
        network=network.name,
        organisation=network.organisation,
        band=render.band_name(context.content, band),
    )
    outcomes = [
        await deliver(
            context,
            kind=SHARE,
            slot=SHARE.slot(assessment.id, hub.id),
            chat_id=hub.chat_id,
            send=message_sender(context, text),
        )
        for hub in hubs
    ]
    # A second press (before the buttons went) posts nothing again, and says so.
    posted = outcomes.count("sent")
    if posted == 0 and "duplicate" in outcomes:
        await answer_query(query, strings("share_band.already"))
    elif posted == 0:
        await answer_query(query, strings("share_band.not_sent"))
    elif posted == 1:
        await answer_query(query, strings("share_band.done_one"))
    else:
        await answer_query(query, strings("share_band.done", count=posted))
    await drop_buttons(message, "sh")  # "Add to plan" stays


FEATURE = Feature(
    name="compare",
    commands=(Command("compare", compare_command, ("private", "group", "group_admin")),),
    # share the band of a completed assessment with the region's hubs: assessment
    buttons=(Buttons(share_band_pressed, {"sh": 1}),),
    kinds=(SHARE,),
)
