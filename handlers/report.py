"""/report: a one-page PDF of the network's latest result, to take to a sponsor or board."""

from __future__ import annotations

import asyncio
import html
import re

from telegram import InputFile, Update

from bot import charts
from bot.context import BotContext
from bot.report import ReportText, one_page_report
from content.strings import Safe
from handlers import render
from handlers.common import private_sender
from scoring import Result
from scoring.records import result_from_dict
from scoring.wres import Figures, estimate

TAG = re.compile(r"<[^>]+>")


def _plain(text: str) -> str:
    """Content strings are Telegram HTML; the PDF wants the words only."""
    return html.unescape(TAG.sub("", text))


async def report_command(update: Update, context: BotContext) -> None:
    """Send the latest result as a one-page PDF."""
    sender = await private_sender(update, context)
    if sender is None:
        return
    message, user = sender
    strings, content = context.strings, context.content
    record = await context.storage.network_history(user.id)
    if record is None or record.latest is None:
        await message.reply_text(strings("compare.no_result"))
        return
    network, completed = record.network, record.completed
    latest = result_from_dict(record.latest.result)
    zone = context.settings.timezone
    last = record.latest.completed_at.astimezone(zone)
    history = [
        (
            render.completed_on(a, zone),
            f"{a.total}/{latest.maximum}",
            _plain(render.band_name(content, a.band)),
        )
        for a in reversed(completed)
    ]
    text = ReportText(
        title=_plain(strings("report.title", network=network.name)),
        subtitle=_plain(
            strings(
                "report.subtitle",
                organisation=network.organisation,
                region=content.directory.region(network.region).name,
                date=last.strftime("%-d %B %Y"),
            )
        ),
        headline=_plain(
            strings(
                "report.headline",
                total=latest.total,
                maximum=latest.maximum,
                band=render.band_name(content, latest.band),
            )
        ),
        band_summary=_plain(
            " ".join([render.band_summary(content, latest), *render.position(content, latest)])
        ),
        chart_caption=_plain(strings("result.chart_caption")),
        held_back_title=_plain(
            strings("report.held_back_title" if latest.holding_back else "report.next_title")
        ),
        held_back=_held_back(context, latest),
        steps_title=_plain(strings("report.steps_title")),
        steps=[tip.text for tip in latest.tips],
        history_title=_plain(strings("report.history_title")),
        history_header=(
            _plain(strings("report.history_date")),
            _plain(strings("report.history_total")),
            _plain(strings("report.history_band")),
        ),
        history=history,
        baseline_title=_plain(strings("report.baseline_title", year=content.baseline.year)),
        baseline=[_plain(line) for line in render.baseline_summary(content, latest)],
        footer=_plain(_footer(context)),
        wres_title=_plain(strings("report.wres_title")),
        wres=await _wres_lines(context, network.id),
    )
    png = await asyncio.to_thread(charts.result_chart, content.model, latest)
    pdf = await asyncio.to_thread(one_page_report, text, png)
    filename = f"staff-network-report-{last.date().isoformat()}.pdf"
    await message.reply_document(
        InputFile(pdf, filename=filename), caption=strings("report.caption")
    )


async def _wres_lines(context: BotContext, network_id: int) -> list[str]:
    """The latest whole-organisation quarter of each WRES indicator the network records."""
    rows = await context.storage.wres_rows(network_id)  # latest quarter first per indicator
    lines = []
    for indicator in context.content.wres.indicators:
        row = next((r for r in rows if r.indicator == indicator.number and not r.label), None)
        if row is None:
            continue
        figures = Figures.of(row.white_size, row.white_count, row.bme_size, row.bme_count)
        ratio = estimate(figures, indicator.first).ratio
        shown = f"{ratio:.2f}" if ratio is not None else context.strings("wres.undefined_ratio")
        line = context.strings(
            "report.wres_line",
            number=indicator.number,
            title=indicator.title,
            quarter=row.quarter,
            ratio=shown,
        )
        lines.append(_plain(line))
    return lines


def _footer(context: BotContext) -> str:
    """What the model is, with its bands and CRAFT enablers as the content defines them."""
    strings, model = context.strings, context.content.model
    bands = ", ".join(
        strings("report.footer_band", band=rule.name, minimum=rule.minimum, maximum=rule.maximum)
        for rule in model.bands
    )
    craft = ", ".join(enabler.name.lower() for enabler in model.enablers)
    return strings("report.footer", maximum=model.max_total, bands=Safe(bands), craft=craft)


def _held_back(context: BotContext, result: Result) -> list[str]:
    strings = context.strings
    if result.holding_back:
        return [_plain(strings("report.missing", text=a.text)) for a in result.holding_back]
    if result.next_band is None:
        return [_plain(strings("result.top"))]
    lines = []
    band = render.band_name(context.content, result.next_band)
    if result.points_to_next:
        lines.append(
            _plain(strings("report.points_to_next", points=result.points_to_next, band=band))
        )
    lines += [
        _plain(strings("report.missing_for_next", band=band, text=a.text))
        for a in result.missing_for_next
    ]
    return lines
