"""/report: the board pack — a 2–4 page accessible PDF of the network's latest result, written
to its board and sponsor, with the plan, the asks, the evidence notes and the WRES monitor."""

from __future__ import annotations

import html
import re
from datetime import date

from telegram import InputFile, Update

from bot.context import BotContext
from bot.feature import Command, Feature
from bot.pack import PackText, Section, Table
from bot.rows import CompletedAssessment, Network, PlanStep
from handlers import render
from handlers.common import private_sender
from scoring import Result, timing
from scoring.plan import Status, organisation_asks
from scoring.wres import Figures, estimate

TAG = re.compile(r"<[^>]+>")
HISTORY_ROWS = 8
NOTES = 12  # evidence notes shown in full; the rest are in /export
NOTE_LIMIT = 300
WRES_QUARTERS = 4  # a year of quarters per indicator


def _plain(text: str) -> str:
    """Content strings are Telegram HTML; the pack wants the words only."""
    return html.unescape(TAG.sub("", text))


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


async def report_command(update: Update, context: BotContext) -> None:
    """Send the latest result as a board pack (PDF), built off the event loop."""
    sender = await private_sender(update, context)
    if sender is None:
        return
    message, user = sender
    record = await context.storage.network_history(user.id)
    if record is None or record.latest is None:
        await message.reply_text(context.strings("compare.no_result"))
        return
    latest = record.latest
    result = latest.result
    text = await pack_text(context, record.network, record.completed, result)
    # Drawn in a worker process that is recycled (bot/packer.py), so its memory is returned.
    pdf = await context.services.packer.build(text, context.content.model, result)
    last = latest.completed_at.astimezone(context.settings.timezone)
    filename = f"staff-network-board-pack-{last.date().isoformat()}.pdf"
    await message.reply_document(
        InputFile(pdf, filename=filename), caption=context.strings("report.caption")
    )


async def pack_text(
    context: BotContext,
    network: Network,
    completed: tuple[CompletedAssessment, ...],
    result: Result,
) -> PackText:
    """Everything the pack says, from storage and content (the PDF itself is drawn elsewhere)."""
    strings, content = context.strings, context.content
    model, zone = content.model, context.settings.timezone
    latest = completed[-1]
    last = latest.completed_at.astimezone(zone)
    today = context.services.clock.now().astimezone(zone).date()
    points = await context.storage.assessment_points(latest.id)
    notes = await context.storage.evidence_notes(latest.id)
    steps = await context.storage.plan_steps(network.id)
    band = _plain(render.band_name(content, result.band))

    def s(key: str, **values: object) -> str:
        return _plain(strings(key, **values))

    summary = [
        s(
            "report.summary",
            network=network.name,
            total=result.total,
            maximum=result.maximum,
            band=band,
        ),
        _plain(
            " ".join(
                [
                    render.band_summary(context.content, result),
                    *render.position(context.content, result),
                ]
            )
        ),
    ]
    held = Section(
        s("report.held_back_title" if result.holding_back else "report.next_title"),
        bullets=_held_back(context, result),
    )
    sections_table = Table(
        s("report.scores_caption"),
        (s("report.col_area"), s("report.col_points"), s("report.col_percent")),
        [
            (
                model.section(x.key).title,
                f"{x.points}/{x.maximum}",
                f"{_percent(x.points, x.maximum)}%",
            )
            for x in result.sections
            if any(sec.key == x.key for sec in model.sections)
        ]
        + [
            (
                s("report.enabler", name=model.enabler(e.key).name),
                f"{e.points}/{e.maximum}",
                f"{round(e.percent)}%",
            )
            for e in result.enablers
        ],
    )
    history_rows = [
        (
            render.completed_on(a, zone),
            f"{a.total}/{result.maximum}",
            _plain(render.band_name(content, a.band)),
        )
        for a in reversed(completed[-HISTORY_ROWS:])
    ]
    history = Section(
        s("report.history_title"),
        paragraphs=[
            _trend(context, completed, result),
            s("report.baseline_line", **_baseline(context, result)),
        ],
        tables=[
            Table(
                s("report.history_caption"),
                (s("report.history_date"), s("report.history_total"), s("report.history_band")),
                history_rows,
            )
        ],
    )
    plan = Section(
        s("report.plan_title"),
        paragraphs=[s("report.plan_intro") if steps else s("report.plan_empty")],
        tables=[_plan_table(context, steps)] if steps else [],
        new_page=True,
    )
    asks = organisation_asks(model, points)
    ask_section = Section(
        s("report.asks_title"),
        paragraphs=[s("report.asks_intro") if asks else s("report.asks_none")],
        bullets=[
            s(
                "report.ask_line",
                ask=model.item(key).organisation_ask,
                item=model.item(key).text,
                points=points.get(key, 0),
                maximum=model.item(key).maximum,
            )
            for key in asks
        ],
    )
    shown_notes = [
        s(
            "report.note_line",
            item=model.item(key).text if model.has_item(key) else key,
            note=note if len(note) <= NOTE_LIMIT else note[: NOTE_LIMIT - 1] + "…",
        )
        for key, note in notes[:NOTES]
    ]
    if len(notes) > NOTES:
        shown_notes.append(s("report.notes_more", count=len(notes) - NOTES))
    notes_section = Section(
        s("report.notes_title"),
        paragraphs=[] if notes else [s("report.notes_none")],
        bullets=shown_notes,
    )
    review = max(last.date() + timing.REASSESS_AFTER, today)
    sections = [
        Section(s("report.summary_title"), paragraphs=summary),
        held,
        Section(s("report.scores_title"), tables=[sections_table]),
        history,
        plan,
        ask_section,
        notes_section,
    ]
    wres = await _wres_table(context, network.id)
    if wres is not None:
        sections.append(
            Section(s("report.wres_title"), paragraphs=[s("report.wres_intro")], tables=[wres])
        )
    sections.append(await members_say(context, network))
    sections += [
        Section(s("report.review_title"), paragraphs=[s("report.review", date=_day(review))]),
        Section(s("report.bands_title"), paragraphs=_bands(context)),
    ]
    return PackText(
        title=s("report.title", network=network.name),
        subtitle=s(
            "report.subtitle",
            organisation=network.organisation,
            region=content.directory.region(network.region).name,
            date=_day(last.date()),
            today=_day(today),
        ),
        headline=s(
            "report.headline",
            total=result.total,
            maximum=result.maximum,
            band=render.band_name(content, result.band),
        ),
        sections=sections,
        chart_alt=_plain(render.chart_caption(content, result)),
        chart_caption=_plain(render.chart_caption(content, result)),
        chart_after=3,
        footer=(s("report.credit"), s("report.made_by")),
    )


def _percent(points: int, maximum: int) -> int:
    return round(100 * points / maximum) if maximum else 0


def _baseline(context: BotContext, result: Result) -> dict[str, object]:
    baseline = context.content.baseline
    difference = result.total - baseline.mean_total
    return {
        "year": baseline.year,
        "count": baseline.networks_assessed,
        "mean": baseline.mean_total,
        "maximum": baseline.max_total,
        "points": abs(difference),
        "side": "above" if difference >= 0 else "below",
    }


def _trend(context: BotContext, completed: tuple[CompletedAssessment, ...], result: Result) -> str:
    strings = context.strings
    if len(completed) < 2:
        return _plain(strings("report.trend_first"))
    first, previous = completed[0], completed[-2]
    zone = context.settings.timezone
    change = result.total - previous.total
    return _plain(
        strings(
            "report.trend",
            change=f"{change:+d}",
            previous=render.completed_on(previous, zone),
            count=len(completed),
            first=render.completed_on(first, zone),
            first_total=first.total,
            total=result.total,
        )
    )


def _plan_table(context: BotContext, steps: list[PlanStep]) -> Table:
    strings = context.strings
    shown = [s for s in steps if Status(s.status) is not Status.DROPPED][:16]
    return Table(
        _plain(strings("report.plan_caption")),
        (
            _plain(strings("report.col_step")),
            _plain(strings("report.col_owner")),
            _plain(strings("report.col_due")),
            _plain(strings("report.col_status")),
        ),
        [
            (
                step.text,
                step.owner or _plain(strings("plan.no_owner")),
                _day(step.due),
                _plain(strings(f"plan.status_{step.status}")),
            )
            for step in shown
        ],
    )


async def _wres_table(context: BotContext, network_id: int) -> Table | None:
    """The last year of whole-organisation quarters of each WRES indicator the network records."""
    rows = await context.storage.wres_rows(network_id)  # latest quarter first per indicator
    strings = context.strings
    body = []
    for indicator in context.content.wres.indicators:
        mine = [r for r in rows if r.indicator == indicator.number and not r.label]
        for row in mine[:WRES_QUARTERS]:
            figures = Figures.of(row.white_size, row.white_count, row.bme_size, row.bme_count)
            ratio = estimate(figures, indicator.first).ratio
            shown = f"{ratio:.2f}" if ratio is not None else _plain(strings("wres.undefined_ratio"))
            body.append((f"{indicator.number}: {indicator.title}", row.quarter, shown))
    if not body:
        return None
    return Table(
        _plain(strings("report.wres_caption")),
        (
            _plain(strings("report.col_indicator")),
            _plain(strings("report.col_quarter")),
            _plain(strings("report.col_ratio")),
        ),
        body,
    )


def _bands(context: BotContext) -> list[str]:
    """What the bands mean, as this project calibrates them."""
    strings, model = context.strings, context.content.model
    lines = [_plain(strings("report.bands_intro", maximum=model.max_total))]
    for rule in model.bands:
        lines.append(
            _plain(
                strings(
                    "report.band_line",
                    band=rule.name,
                    minimum=rule.minimum,
                    maximum=rule.maximum,
                    summary=rule.summary,
                )
            )
        )
    lines.append(_plain(strings("report.bands_gate")))
    return lines


def _held_back(context: BotContext, result: Result) -> list[str]:
    strings = context.strings
    if result.holding_back:
        score_band = render.band_name(context.content, result.score_band)
        return [
            _plain(
                strings(
                    "report.held_intro",
                    score_band=score_band,
                    band=render.band_name(context.content, result.band),
                )
            ),
            *[_plain(strings("report.missing", text=a.text)) for a in result.holding_back],
        ]
    if result.next_band is None:
        return [_plain(strings("report.top"))]
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
    title = _plain(strings("pulse.pack_title"))
    latest = (await context.storage.latest_pulse_figures([network.id], minimum)).get(network.id)
    if latest is None:
        return Section(title, paragraphs=[_plain(strings("pulse.pack_none"))])
    completed = await context.storage.completed_assessments(network.id)
    answers = await context.storage.answers(completed[-1].id) if completed else {}
    lead_options = {key: answer.option for key, answer in answers.items()}
    lines = render.pulse_lines(
        context.content, latest.counts, lead_options, minimum, "pulse.pack_line"
    )
    pulse = latest.pulse
    intro = strings(
        "pulse.pack_intro",
        count=pulse.answers,
        opened=_day(pulse.opened_at.astimezone(zone).date()),
        closed=_day((pulse.closed_at or pulse.closes_at).astimezone(zone).date()),
    )
    return Section(title, paragraphs=[_plain(intro)], bullets=[_plain(line) for _, line in lines])


FEATURE = Feature(
    name="report",
    commands=(Command("report", report_command, ("private",)),),
)
