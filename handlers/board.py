"""The board pack's sections fed by other records: WRES quarters in words and what members say
(part of the report feature)."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import date

from bot.context import BotContext
from bot.pack import Section
from bot.rows import Network, WresRow
from handlers import readings
from scoring.quarters import Quarter, read_quarter
from scoring.wres import Figures

TAG = re.compile(r"<[^>]+>")
WRES_QUARTERS = 4  # a year of quarters per indicator


def plain(text: str) -> str:
    """Content strings are Telegram HTML; the pack wants the words only."""
    return html.unescape(TAG.sub("", text))


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def wres_sections(context: BotContext, rows: Sequence[WresRow]) -> list[Section]:
    """The WRES monitor in words: for each indicator, each of the last four quarters recorded
    (latest first) as a sentence with its direction, interval and "too few to tell" flag, the
    breakdowns after the whole-organisation figure, and a quarter with nothing recorded said so.
    Nothing at all when the network records no WRES figures."""
    strings, content = context.strings, context.content
    recorded = [q for q in (read_quarter(r.quarter) for r in rows) if isinstance(q, Quarter)]
    if not recorded:
        return []
    span = [max(recorded)]
    while len(span) < WRES_QUARTERS:
        span.append(span[-1].previous())
    parts = [
        Section(
            plain(strings("report.wres_title")),
            paragraphs=[plain(strings("report.wres_intro"))],
        )
    ]
    for indicator in content.wres.indicators:
        mine = [r for r in rows if r.indicator == indicator.number]
        lines: list[str] = []
        empty: list[str] = []  # quarters in a row with nothing recorded, said in one line
        for quarter in span:
            here = sorted(
                (r for r in mine if r.quarter == str(quarter)),
                key=lambda r: (bool(r.label), r.label),
            )
            if not here:
                empty.append(quarter.label())
                continue
            if empty:
                lines.append(_nothing_for(context, empty))
                empty = []
            if here[0].label:
                lines.append(plain(strings("report.wres_no_whole", quarter=quarter.label())))
            for row in here:
                figures = Figures.of(row.white_size, row.white_count, row.bme_size, row.bme_count)
                reading = readings.wres_reading(
                    content, indicator, figures, row.quarter, row.label, brief=True
                )
                # the intro says once what 1.00 means; each figure keeps the rest
                lines.append(" ".join(plain(x) for i, x in enumerate(reading) if i != 1))
        if empty:
            lines.append(_nothing_for(context, empty))
        if all(not any(r.quarter == str(q) for r in mine) for q in span):
            lines = [plain(strings("report.wres_nothing"))]
        heading = strings("report.wres_indicator", number=indicator.number, title=indicator.title)
        parts.append(Section(plain(heading), bullets=lines, level=3))
    return parts


def _nothing_for(context: BotContext, quarters: list[str]) -> str:
    joined = plain(context.strings("report.wres_or")).join(quarters)
    return plain(context.strings("report.wres_none", quarters=joined))


# -- what members say (issue 24) ----------------------------------------------------------------


async def members_say(context: BotContext, network: Network) -> Section:
    """The pack's "what members say": the latest closed member pulse with enough answers, each
    statement's share agreeing beside the leads' own answers, widest gaps first (the free text
    stays out of the pack: it is for the leads)."""
    strings, zone, minimum = (
        context.strings,
        context.settings.timezone,
        context.settings.min_group_size,
    )
    title = plain(strings("pulse.pack_title"))
    latest = (await context.storage.latest_pulse_figures([network.id], minimum)).get(network.id)
    if latest is None:
        return Section(title, paragraphs=[plain(strings("pulse.pack_none"))])
    completed = await context.storage.completed_assessments(network.id)
    answers = await context.storage.answers(completed[-1].id) if completed else {}
    lead_options = {key: answer.option for key, answer in answers.items()}
    lines = readings.pulse_lines(
        context.content, latest.counts, lead_options, minimum, "pulse.pack_line"
    )
    pulse = latest.pulse
    intro = strings(
        "pulse.pack_intro",
        count=pulse.answers,
        opened=_day(pulse.opened_at.astimezone(zone).date()),
        closed=_day((pulse.closed_at or pulse.closes_at).astimezone(zone).date()),
    )
    return Section(title, paragraphs=[plain(intro)], bullets=[plain(line) for _, line in lines])
