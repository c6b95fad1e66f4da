"""/report: the board pack — a 2–4 page accessible PDF of the network's latest result, written
to its board and sponsor, with the plan, the asks, the evidence notes and the WRES monitor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from telegram import InputFile, Message, Update

from bot import charts
from bot.context import BotContext
from bot.feature import Command, Feature
from bot.pack import Cover, Figure, PackText, Section, Table
from bot.rows import CompletedAssessment, Network, PlanStep
from content.strings import Safe
from handlers import board, render
from handlers.common import private_sender
from scoring import Result, timing
from scoring.board import (
    CLEAR,
    HIGH_IMPACT_ACTIONS,
    MEETING_LIMIT,
    CoverChoices,
    parse_actions,
    parse_meeting,
)
from scoring.dates import parse_date
from scoring.engine import band_position
from scoring.plan import Status, organisation_asks

HISTORY_ROWS = 5  # the latest five; the trend chart and its caption give every total
NOTES = 12  # evidence notes shown in full; the rest are in /export
NOTE_LIMIT = 300


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
    if context.args and not await _set_cover(context, message, record.network, context.args):
        return
    latest = record.latest
    result = latest.result
    text = await pack_text(context, record.network, record.completed, result)
    # Drawn in a worker process that is recycled (bot/packer.py), so its memory is returned;
    # its charts are SVG, in `text`.
    pdf = await context.services.packer.build(text)
    last = latest.completed_at.astimezone(context.settings.timezone)
    filename = f"staff-network-board-pack-{last.date().isoformat()}.pdf"
    cover = await context.storage.board_cover(record.network.id)
    caption = context.strings("report.caption")
    if not cover.complete:
        caption = Safe(f"{caption}\n\n{context.strings('report.cover_hint')}")
    await message.reply_document(InputFile(pdf, filename=filename), caption=caption)


async def _set_cover(
    context: BotContext, message: Message, network: Network, args: Sequence[str]
) -> bool:
    """Remember one of the cover's choices (`/report meeting|date|actions <value>`) and say
    so; on bad input, say what to type and change nothing (False: no pack follows)."""
    strings, storage = context.strings, context.storage
    cover = await storage.board_cover(network.id)
    what, typed = args[0].lower(), " ".join(args[1:])
    today = context.services.clock.now().astimezone(context.settings.timezone).date()
    said: Safe
    if what == "meeting" and (meeting := parse_meeting(typed)) is not None:
        cover = replace(cover, meeting=meeting)
        said = (
            strings("report.cover_saved_meeting", meeting=meeting)
            if meeting
            else strings("report.cover_cleared_meeting")
        )
    elif what == "meeting":
        await message.reply_text(strings("report.cover_meeting_bad", limit=MEETING_LIMIT))
        return False
    elif what == "date" and typed.strip().lower() in CLEAR:
        cover = replace(cover, meeting_on=None)
        said = strings("report.cover_cleared_date")
    elif what == "date":
        day = parse_date(typed, today)
        if day is None or day < today:
            key = "report.cover_date_bad" if day is None else "report.cover_date_past"
            await message.reply_text(strings(key, typed=typed))
            return False
        cover = replace(cover, meeting_on=day)
        said = strings("report.cover_saved_date", date=_day(day))
    elif what == "actions" and (actions := parse_actions(typed)) is not None:
        cover = replace(cover, actions=actions)
        said = (
            strings("report.cover_saved_actions", actions=", ".join(map(str, actions)))
            if actions
            else strings("report.cover_cleared_actions")
        )
    else:
        key = "report.cover_actions_bad" if what == "actions" else "report.cover_usage"
        listed = [strings(f"report.hia_{number}") for number in HIGH_IMPACT_ACTIONS]
        lines = [strings(key), "", strings("report.cover_actions_list"), *listed]
        await message.reply_text(Safe("\n".join(lines)))
        return False
    await storage.save_board_cover(network.id, cover)
    await message.reply_text(said)
    return True


async def pack_text(
    context: BotContext,
    network: Network,
    completed: tuple[CompletedAssessment, ...],
    result: Result,
) -> PackText:
    """Everything the pack says, from storage and content (the PDF itself is drawn elsewhere).

    A cover sheet in the form NHS boards use comes first (what the Board is asked to do), then
    the report, written about the network in the third person throughout."""
    strings, content = context.strings, context.content
    model, zone = content.model, context.settings.timezone
    latest = completed[-1]
    last = latest.completed_at.astimezone(zone)
    today = context.services.clock.now().astimezone(zone).date()
    points = await context.storage.assessment_points(latest.id)
    notes = await context.storage.evidence_notes(latest.id)
    steps = await context.storage.plan_steps(network.id)
    wres_rows = await context.storage.wres_rows(network.id)
    band = board.plain(render.band_name(content, result.band))
    review = max(last.date() + timing.REASSESS_AFTER, today)
    asks = organisation_asks(model, points)

    def s(key: str, **values: object) -> str:
        return board.plain(strings(key, **values))

    summary = [
        s(
            "report.summary",
            network=network.name,
            total=result.total,
            maximum=result.maximum,
            band=band,
        ),
        " ".join([board.plain(render.band_summary(content, result)), *_position(context, result)]),
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
            board.plain(render.band_name(content, a.band)),
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
    open_steps = [x for x in steps if Status(x.status) in (Status.TODO, Status.DOING)]
    plan = Section(
        s("report.plan_title"),
        paragraphs=[s("report.plan_intro") if steps else s("report.plan_empty")],
        tables=[_plan_table(context, steps)] if steps else [],
    )
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
    sections = [
        Section(s("report.summary_title"), paragraphs=summary),
        held,
        Section(s("report.scores_title"), tables=[sections_table]),
        history,
        plan,
        ask_section,
        notes_section,
        *board.wres_sections(context, wres_rows),
    ]
    sections.append(await board.members_say(context, network))
    sections += [
        Section(s("report.review_title"), paragraphs=[s("report.review", date=_day(review))]),
        Section(s("report.bands_title"), paragraphs=_bands(context)),
    ]
    chart_caption = _chart_caption(context, result)
    figures = [
        Figure(
            charts.result_svg(model, result),
            chart_caption,
            chart_caption,
            after=3,
            kind="image/svg+xml",
        )
    ]
    if len(completed) >= 2:
        trend = charts.trend_svg(
            [(render.completed_on(a, zone), a.total) for a in completed],
            model.max_total,
            content.baseline,
        )
        caption = s(
            "report.trend_caption",
            count=len(completed),
            points="; ".join(
                s("report.trend_point", date=render.completed_on(a, zone), total=a.total)
                for a in completed
            ),
            year=content.baseline.year,
            mean=content.baseline.mean_total,
        )
        figures.append(Figure(trend, caption, caption, after=4, kind="image/svg+xml"))
    line = s("report.cover_line")
    choices = await context.storage.board_cover(network.id)
    meeting_on = choices.date_to_show(today)
    asked = [
        s(
            "report.board_note_result",
            network=network.name,
            total=result.total,
            maximum=result.maximum,
            date=_day(last.date()),
            band=band,
        )
    ]
    if result.holding_back:
        asked.append(s("report.board_note_held", band=band))
    if open_steps:
        asked.append(s("report.board_note_plan"))
    asked += [
        s("report.board_support", ask=_lower_first(model.item(key).organisation_ask).rstrip("."))
        for key in asks
    ]
    if wres_rows:
        asked.append(s("report.board_note_wres"))
    asked.append(s("report.board_receive", date=_day(review)))
    cover = Cover(
        caption=s("report.cover_caption"),
        rows=[
            (s("report.cover_meeting"), choices.meeting or line),
            (s("report.cover_date"), _day(meeting_on) if meeting_on else line),
            (s("report.cover_item"), line),
            (
                s("report.cover_title"),
                s(
                    "report.cover_title_wres" if wres_rows else "report.cover_title_value",
                    network=network.name,
                ),
            ),
            (
                s("report.cover_report_of"),
                s("report.cover_report_of_value", line=line, network=network.name),
            ),
            (s("report.cover_exec"), s("report.cover_exec_value", line=line)),
            (
                s("report.cover_purpose"),
                s("report.purpose_support") if asks else s("report.purpose_assurance"),
            ),
        ],
        asks_heading=s("report.board_asked"),
        asks=asked,
        sections=[
            _links(context, choices),
            Section(s("report.equality_title"), paragraphs=[s("report.equality")]),
        ],
    )
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
        footer=(s("report.credit"), s("report.made_by")),
        cover=cover,
        figures=figures,
    )


def _links(context: BotContext, choices: CoverChoices) -> Section:
    """The board assurance framework line, and the EDI high impact actions: those the lead
    picked, or all six with a box to tick by hand."""

    def s(key: str, **values: object) -> str:
        return board.plain(context.strings(key, **values))

    baf = s("report.baf_line", line=s("report.cover_line"))
    every = [s(f"report.hia_{number}") for number in HIGH_IMPACT_ACTIONS]
    if choices.actions:
        return Section(
            s("report.links_title"),
            paragraphs=[baf, s("report.hia_picked")],
            bullets=[s(f"report.hia_{number}") for number in choices.actions],
        )
    return Section(s("report.links_title"), paragraphs=[baf, s("report.hia_intro")], boxes=every)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _position(context: BotContext, result: Result) -> list[str]:
    """Where the total sits within its band, said of the network; nothing when the gate holds
    the band lower."""
    rule = context.content.model.band_rule(result.band)
    where = band_position(rule, result.total)
    if where == "above":
        return []
    return [
        board.plain(
            context.strings(
                f"report.position_{where}",
                total=result.total,
                band=render.band_name(context.content, result.band),
                minimum=rule.minimum,
                maximum=rule.maximum,
            )
        )
    ]


def _chart_caption(context: BotContext, result: Result) -> str:
    """The result chart's caption and alternative text: the figures it shows, in words."""
    strings, model = context.strings, context.content.model
    titles = {section.key: section.title for section in model.sections}
    sections = ", ".join(
        board.plain(
            strings("result.chart_section", name=titles[x.key], points=x.points, maximum=x.maximum)
        )
        for x in result.sections
        if x.key in titles
    )
    enablers = ", ".join(
        board.plain(
            strings("result.chart_figure", name=model.enabler(e.key).name, percent=round(e.percent))
        )
        for e in result.enablers
    )
    return board.plain(strings("report.chart_caption", sections=sections, enablers=enablers))


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
        return board.plain(strings("report.trend_first"))
    first, previous = completed[0], completed[-2]
    zone = context.settings.timezone
    change = result.total - previous.total
    return board.plain(
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
        board.plain(strings("report.plan_caption")),
        (
            board.plain(strings("report.col_step")),
            board.plain(strings("report.col_owner")),
            board.plain(strings("report.col_due")),
            board.plain(strings("report.col_status")),
        ),
        [
            (
                step.text,
                step.owner or board.plain(strings("plan.no_owner")),
                _day(step.due),
                board.plain(strings(f"plan.status_{step.status}")),
            )
            for step in shown
        ],
    )


def _bands(context: BotContext) -> list[str]:
    """What the bands mean, as this project calibrates them."""
    strings, model = context.strings, context.content.model
    lines = [board.plain(strings("report.bands_intro", maximum=model.max_total))]
    for rule in model.bands:
        lines.append(
            board.plain(
                strings(
                    "report.band_line",
                    band=rule.name,
                    minimum=rule.minimum,
                    maximum=rule.maximum,
                    summary=rule.summary,
                )
            )
        )
    lines.append(board.plain(strings("report.bands_gate")))
    return lines


def _held_back(context: BotContext, result: Result) -> list[str]:
    strings = context.strings
    if result.holding_back:
        score_band = render.band_name(context.content, result.score_band)
        return [
            board.plain(
                strings(
                    "report.held_intro",
                    score_band=score_band,
                    band=render.band_name(context.content, result.band),
                )
            ),
            *[board.plain(strings("report.missing", text=a.text)) for a in result.holding_back],
        ]
    if result.next_band is None:
        return [board.plain(strings("report.top"))]
    lines = []
    band = render.band_name(context.content, result.next_band)
    if result.points_to_next:
        lines.append(
            board.plain(strings("report.points_to_next", points=result.points_to_next, band=band))
        )
    if result.missing_for_next:
        lines.append(board.plain(strings("report.next_intro", band=band)))
        lines += [
            board.plain(strings("report.missing", text=a.text)) for a in result.missing_for_next
        ]
    return lines


FEATURE = Feature(
    name="report",
    commands=(Command("report", report_command, ("private",)),),
)
