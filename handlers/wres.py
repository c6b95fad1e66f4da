"""/wres: WRES indicators 2, 3 and 4 quarter by quarter, for a network's leads (private chat).

Two ways in: the one-message form (`/wres 4 2026Q3 white 1000 490 bme 500 190 [label]`, which
outside tools rely on) and a guided entry (indicator and quarter by buttons, then each count
typed, one at a time). The guided step and the answers so far are a `WresGuided` entry, stored
with the user like registration's. A quarter already recorded is only replaced on confirmation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from telegram import InputFile, Message, Update

from bot import charts, conversation
from bot.context import BotContext
from bot.feature import Buttons, Command, Feature
from bot.routes import TextRoute
from bot.rows import Network, User, WresRow
from bot.scheduling import Kind, Repeating, Send, deliver_due, message_sender
from content.strings import Safe
from content.wres import WresIndicator
from handlers import callbacks, readings
from handlers.common import (
    Button,
    answer_query,
    keyboard,
    lead_sender,
    paged,
    read_press,
    show,
)
from scoring import timing
from scoring.quarters import ended_quarters, label_of, short_label_of
from scoring.wres import (
    LABEL_LIMIT,
    Entry,
    Figures,
    Problem,
    Quarter,
    check_counts,
    estimate,
    parse_count,
    parse_entry,
    parse_quarter,
    quarter_of,
)

# Scheduled and once-only messages this feature sends (job and ledger slot names).
WRES = Kind("wres")  # a lead's quarterly WRES reminder: slot per quarter and lead
WRES_REMINDERS = Kind("wres-reminders")  # the quarter-hourly check behind WRES

QUARTER = "quarter"
COUNT = "count"
CONFIRM = "confirm"
CHECK_EVERY = timedelta(minutes=15)
# Counts in the order the guided entry asks for them: (group, size or count).
STEPS: tuple[tuple[str, str], ...] = (
    ("white", "size"),
    ("white", "count"),
    ("bme", "size"),
    ("bme", "count"),
)


@dataclass(frozen=True)
class WresGuided(
    conversation.Entry, state="wres", stepped=True, expires=conversation.DRAFT_EXPIRES
):
    """The guided entry: its step, the indicator, then the quarter and the counts so far (and,
    waiting to replace a recorded quarter, the entry's label)."""

    step: str
    indicator: int
    quarter: str = ""
    counts: tuple[int, ...] = ()
    label: str | None = None

    def __post_init__(self) -> None:
        if self.step not in (QUARTER, COUNT, CONFIRM) or len(self.counts) > len(STEPS):
            raise ValueError(f"no WRES entry step {self.step!r} with {len(self.counts)} counts")


def guided(user: User) -> WresGuided | None:
    return user.entry if isinstance(user.entry, WresGuided) else None


async def waiting(context: BotContext, user: User) -> str | None:
    return "wres.use_number" if guided(user) else None


def _today(context: BotContext) -> date:
    return context.services.clock.now().astimezone(context.settings.timezone).date()


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _figures(row: WresRow) -> Figures:
    return Figures.of(row.white_size, row.white_count, row.bme_size, row.bme_count)


def _group_word(context: BotContext) -> str:
    """The word typed for the staff group in a one-message entry: terms.toml's setting."""
    return context.content.staff_group.lower()


def _group_words(args: list[str], staff_group: str) -> list[str]:
    """The typed words with the staff group's name (terms.toml's setting, one word or more, any
    case) read as "bme", the parser's word for that group, which stays accepted too. Only the
    eight words before the label are read, so a label may use the name freely."""
    name = staff_group.lower().split()
    words: list[str] = []
    rest = list(args)
    while rest and len(words) < 8:
        if name and [w.lower() for w in rest[: len(name)]] == name:
            words.append("bme")
            rest = rest[len(name) :]
        else:
            words.append(rest.pop(0))
    return words + rest


def _problem(context: BotContext, problem: Problem, *, guided: bool = False) -> Safe:
    """What is wrong, then what happens next: in the guided entry, which goes on, type the
    number again; otherwise nothing was recorded."""
    strings = context.strings
    text = strings(
        f"wres.problem_{problem.value}", limit=LABEL_LIMIT, group_word=_group_word(context)
    )
    after = strings("wres.type_again" if guided else "wres.nothing_recorded")
    return Safe(f"{text}\n{after}")


# -- the command -------------------------------------------------------------------------------


async def wres_command(update: Update, context: BotContext) -> None:
    """Record a quarter in one message, or show the recorded quarters and offer the guided
    entry."""
    found = await lead_sender(update, context, "wres.no_network")
    if found is None:
        return
    message, _, network = found
    user_id = message.chat.id
    args = list(context.args or [])
    if not args:
        await _overview(context, message, network)
        return
    entry = parse_entry(_group_words(args, context.content.staff_group), _today(context))
    if isinstance(entry, Problem):
        await message.reply_text(_problem(context, entry))
        return
    await _record(context, user_id, network, entry, None)


async def _overview(context: BotContext, message: Message, network: Network) -> None:
    await context.storage.set_entry(message.chat.id, None)
    rows = await context.storage.wres_rows(network.id)
    text, markup = _overview_page(context, network, rows, 1)
    await message.reply_text(text, reply_markup=markup)
    panels = _chart_panels(context, rows)
    if panels:
        png = await asyncio.to_thread(charts.wres_chart, panels)
        await message.reply_photo(
            InputFile(png, filename="wres.png"), caption=context.strings("wres.chart_caption")
        )


async def page_pressed(update: Update, context: BotContext) -> None:
    """Show another page of the recorded quarters (with the guided entry's buttons)."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    network = await context.storage.network_of(query.from_user.id)
    if network is None:
        await answer_query(query, context.strings("wres.no_network"))
        return
    await answer_query(query)
    rows = await context.storage.wres_rows(network.id)
    text, markup = _overview_page(context, network, rows, press.args[0])
    await show(context, message.chat.id, text, markup, replace=message)


def _overview_page(
    context: BotContext, network: Network, rows: Sequence[WresRow], page: int
) -> tuple[Safe, Any]:
    """One page of the recorded quarters, with the indicator buttons and Previous/Next."""
    strings, guide = context.strings, context.content.wres
    lines: list[str] = []
    if not rows:
        lines.append(strings("wres.empty"))
    for indicator in guide.indicators:
        mine = [row for row in rows if row.indicator == indicator.number]
        if not mine:
            continue
        lines.append(
            strings("wres.indicator_heading", number=indicator.number, title=indicator.title)
        )
        for row in mine:
            found = estimate(_figures(row), indicator.first)
            lines.append(
                strings(
                    "wres.history_line",
                    quarter=label_of(row.quarter),
                    label=_label(context, row.label),
                    ratio=_ratio(found.ratio)
                    if found.ratio is not None
                    else strings("wres.undefined_ratio"),
                    flag=strings("wres.flag_too_few") if found.too_few_to_tell else "",
                )
            )
        lines.append("")
    text, nav, _ = paged(
        context,
        lines,
        page=page,
        kind="wp",
        header=f"{strings('wres.title', network=network.name)}\n",
        footer=strings("wres.pick", group_word=_group_word(context)),
    )
    buttons = _indicator_buttons(context)
    return text, keyboard([*buttons, nav] if nav else buttons)


def _chart_panels(
    context: BotContext, rows: Sequence[WresRow]
) -> list[tuple[str, list[str], dict[str, list[float | None]]]]:
    """A panel for each indicator with two or more quarters recorded."""
    panels = []
    for indicator in context.content.wres.indicators:
        mine = [row for row in rows if row.indicator == indicator.number]
        quarters = sorted({row.quarter for row in mine})
        if len(quarters) < 2:
            continue
        lines: dict[str, list[float | None]] = {}
        for label in sorted({row.label for row in mine}):
            by_quarter = {row.quarter: row for row in mine if row.label == label}
            lines[label or "All staff"] = [
                estimate(_figures(by_quarter[q]), indicator.first).ratio
                if q in by_quarter
                else None
                for q in quarters
            ]
        names = [short_label_of(q) for q in quarters]
        panels.append((f"Indicator {indicator.number}: {indicator.title}", names, lines))
    return panels


def _label(context: BotContext, label: str) -> str:
    return context.strings("wres.label", label=label) if label else ""


def _indicator_buttons(context: BotContext) -> list[list[Button]]:
    strings = context.strings
    rows: list[list[Button]] = [
        [
            (
                strings("wres.indicator_button", number=i.number, title=i.title),
                callbacks.encode("wi", i.number),
            )
        ]
        for i in context.content.wres.indicators
    ]
    return rows


# -- recording ---------------------------------------------------------------------------------


def _result_lines(context: BotContext, indicator: WresIndicator, entry: Entry) -> list[str]:
    return list(
        readings.wres_reading(
            context.content, indicator, entry.figures, str(entry.quarter), entry.label
        )
    )


def _row(network: Network, entry: Entry) -> WresRow:
    figures = entry.figures
    return WresRow(
        network_id=network.id,
        indicator=entry.indicator,
        quarter=str(entry.quarter),
        label=entry.label,
        white_size=figures.white.size,
        white_count=figures.white.count,
        bme_size=figures.bme.size,
        bme_count=figures.bme.count,
    )


def _confirming(entry: Entry, now: datetime) -> WresGuided:
    """A complete entry waiting for the lead to confirm it replaces the recorded quarter."""
    white, bme = entry.figures.white, entry.figures.bme
    counts = (white.size, white.count, bme.size, bme.count)
    return WresGuided(now, CONFIRM, entry.indicator, str(entry.quarter), counts, entry.label)


def _complete(guided: WresGuided, today: date) -> Entry | None:
    """The complete entry a guided one holds, re-checked; None if it is not one."""
    counts = guided.counts
    if len(counts) != len(STEPS):
        return None
    words = [
        str(guided.indicator),
        guided.quarter,
        "white",
        str(counts[0]),
        str(counts[1]),
        "bme",
        str(counts[2]),
        str(counts[3]),
    ]
    entry = parse_entry([*words, *(guided.label or "").split()], today)
    return None if isinstance(entry, Problem) else entry


async def _record(
    context: BotContext,
    chat_id: int,
    network: Network,
    entry: Entry,
    replace: Message | None,
) -> None:
    """Save a complete entry, or ask before replacing a quarter already recorded."""
    storage, strings = context.storage, context.strings
    indicator = context.content.wres.indicator(entry.indicator)
    assert indicator is not None
    existing = await storage.wres_quarter(
        network.id, entry.indicator, str(entry.quarter), entry.label
    )
    saved = existing is None and await storage.save_wres(
        _row(network, entry), chat_id, replace=False
    )
    if not saved:
        old = existing or await storage.wres_quarter(
            network.id, entry.indicator, str(entry.quarter), entry.label
        )
        now = context.services.clock.now()
        await storage.set_entry(chat_id, _confirming(entry, now))
        text = strings(
            "wres.replace_ask",
            number=entry.indicator,
            quarter=entry.quarter.label(),
            label=_label(context, entry.label),
            old=_ratio(estimate(_figures(old), indicator.first).ratio) if old else "—",
            new=_ratio(estimate(entry.figures, indicator.first).ratio),
        )
        buttons = keyboard(
            [
                [(strings("wres.replace_yes"), callbacks.encode("wr", 1))],
                [(strings("wres.replace_no"), callbacks.encode("wr", 0))],
            ]
        )
        await show(context, chat_id, text, buttons, replace=replace)
        return
    await storage.set_entry(chat_id, None)
    await _say_recorded(context, chat_id, indicator, entry, "wres.saved", replace)


async def _say_recorded(
    context: BotContext,
    chat_id: int,
    indicator: WresIndicator,
    entry: Entry,
    key: str,
    replace: Message | None,
) -> None:

    done = context.strings(
        key,
        number=entry.indicator,
        quarter=entry.quarter.label(),
        label=_label(context, entry.label),
    )
    lines = [done, "", *_result_lines(context, indicator, entry)]
    await show(context, chat_id, Safe("\n".join(lines)), None, replace=replace)


# -- the guided entry --------------------------------------------------------------------------


def _ask_count(context: BotContext, guided: WresGuided) -> Safe:
    counts = guided.counts
    group, kind = STEPS[len(counts)]
    names = {"white": context.strings("wres.group_white"), "bme": context.strings("wres.group_bme")}
    return context.strings(
        f"wres.i{guided.indicator}.ask_{kind}",
        quarter=label_of(guided.quarter),
        group=names[group],
        size=counts[-1] if counts else "",
    )


def _cancel_button(context: BotContext) -> Any:
    return keyboard([[(context.strings("wres.cancel"), callbacks.encode("wx"))]])


async def button_pressed(update: Update, context: BotContext) -> None:
    """Indicator, quarter, replace/keep and cancel buttons of /wres."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    storage, strings = context.storage, context.strings
    user = await storage.user(query.from_user.id)
    network = await storage.network_of(query.from_user.id)
    entry = guided(user) if user is not None else None
    if user is None or network is None or not _press_fits(press.kind, entry):
        await answer_query(query, strings("errors.button_expired"))
        return
    chat_id = message.chat.id
    now = context.services.clock.now()
    indicator = context.content.wres.indicator(press.args[0]) if press.kind == "wi" else None
    if press.kind == "wi" and indicator is None:
        await answer_query(query, strings("errors.button_expired"))
        return
    await answer_query(query)
    if indicator is not None:
        await storage.set_entry(user.id, WresGuided(now, QUARTER, indicator.number))
        # only quarters that have ended: a quarter's figures are not complete before then
        quarters = ended_quarters(_today(context))
        rows: list[list[Button]] = [
            [(q.label(), callbacks.encode("wq", q.code()))] for q in quarters
        ]
        rows.append([(strings("wres.cancel"), callbacks.encode("wx"))])
        text = strings("wres.ask_quarter", number=indicator.number, title=indicator.title)
        await show(context, chat_id, text, keyboard(rows), replace=message)
    elif press.kind == "wq" and entry is not None:
        quarter = Quarter.from_code(press.args[0])
        checked = parse_quarter(str(quarter), _today(context)) if quarter else Problem.BAD_QUARTER
        if isinstance(checked, Problem):
            await show(context, chat_id, _problem(context, checked), None, replace=message)
            return
        counting = replace(entry, began=now, step=COUNT, quarter=str(checked), counts=())
        await storage.set_entry(user.id, counting)
        await show(
            context,
            chat_id,
            _ask_count(context, counting),
            _cancel_button(context),
            replace=message,
        )
    elif press.kind == "wr" and entry is not None:
        complete = _complete(entry, _today(context))
        await storage.set_entry(user.id, None)
        if complete is None or not press.args[0]:
            await show(context, chat_id, strings("wres.kept"), None, replace=message)
            return
        chosen = context.content.wres.indicator(complete.indicator)
        assert chosen is not None
        await storage.save_wres(_row(network, complete), user.id, replace=True)
        await _say_recorded(context, chat_id, chosen, complete, "wres.replaced", message)
    else:
        await storage.set_entry(user.id, None)
        await show(context, chat_id, strings("wres.cancelled"), None, replace=message)


def _press_fits(kind: str, entry: WresGuided | None) -> bool:
    """Whether a press belongs to the step the user is on (an indicator can be picked anew)."""
    if kind == "wi":
        return True
    if entry is None:
        return False
    return kind == "wx" or entry.step == {"wq": QUARTER, "wr": CONFIRM}.get(kind)


async def _evidence_asked_since(context: BotContext, user_id: int, entry: WresGuided) -> bool:
    """Whether the user's assessment asked for an evidence note after this entry began: the
    later question gets the typed text."""
    assessment = await context.storage.open_assessment(user_id)
    if assessment is None or not assessment.awaiting_evidence:
        return False
    return assessment.updated_at > entry.began


async def text_received(update: Update, context: BotContext, user: User) -> bool:
    """Take a typed count in the guided entry; False if the user is not in one (or it went
    stale), so the text goes wherever it otherwise would."""
    message, entry = update.effective_message, guided(user)
    if message is None or message.text is None or entry is None:
        return False
    storage, strings = context.storage, context.strings
    if await _evidence_asked_since(context, user.id, entry):
        await storage.set_entry(user.id, None)
        return False
    if entry.step != COUNT:
        await message.reply_text(strings("wres.use_number"))
        return True
    counts = entry.counts
    value = parse_count(message.text)
    if isinstance(value, Problem):
        await message.reply_text(
            _problem(context, value, guided=True), reply_markup=_cancel_button(context)
        )
        return True
    _, kind = STEPS[len(counts)]
    problem = check_counts(value, 0) if kind == "size" else check_counts(counts[-1], value)
    if problem is not None:
        await message.reply_text(
            _problem(context, problem, guided=True), reply_markup=_cancel_button(context)
        )
        return True
    counted = replace(entry, counts=(*counts, value))
    if len(counted.counts) < len(STEPS):
        await storage.set_entry(user.id, counted)
        await message.reply_text(_ask_count(context, counted), reply_markup=_cancel_button(context))
        return True
    network = await storage.network_of(user.id)
    complete = _complete(counted, _today(context))
    if network is None or complete is None:
        await storage.set_entry(user.id, None)
        await message.reply_text(strings("wres.cancelled"))
        return True
    await _record(context, message.chat_id, network, complete, None)
    return True


# -- the quarterly reminder --------------------------------------------------------------------


async def wres_reminders_job(context: BotContext) -> None:
    """In the first week of each quarter, remind once the leads of networks that track a WRES
    indicator; only in working hours (it runs every quarter hour, so a reminder due at night
    or at the weekend goes out at the next opening within the week)."""
    now = context.services.clock.now()
    zone = context.settings.timezone
    if not timing.in_working_hours(now, zone):
        return
    today = now.astimezone(zone).date()
    if not timing.in_first_week_of_quarter(today):
        return
    quarter = quarter_of(today)
    storage = context.storage

    async def reminder(user_id: int) -> tuple[int, Send] | None:
        network = await storage.network_of(user_id)
        if network is None:
            return None
        text = context.strings(
            "wres.reminder", quarter=quarter.previous().label(), network=network.name
        )
        return user_id, message_sender(context, text)

    leads = {WRES.slot(quarter, user_id): user_id for user_id in await storage.wres_leads()}
    await deliver_due(context, WRES, leads, reminder)


FEATURE = Feature(
    name="wres",
    commands=(Command("wres", wres_command, ("private",)),),
    buttons=(
        Buttons(
            button_pressed,
            {
                "wi": 1,  # guided entry: the indicator (2, 3 or 4)
                "wq": 1,  # guided entry: the quarter (year * 10 + quarter, e.g. 20263)
                "wr": 1,  # replace a recorded quarter: 1 replace / 0 keep
                "wx": 0,  # guided entry: cancel
            },
        ),
        Buttons(page_pressed, {"wp": 1}),  # a page of the recorded quarters: page (from 1)
    ),
    text_routes=(TextRoute(text_received, waiting),),
    entries=(WresGuided,),
    kinds=(WRES, WRES_REMINDERS),
    repeating=(Repeating(WRES_REMINDERS, wres_reminders_job, every=CHECK_EVERY),),
)
