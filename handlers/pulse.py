"""/pulse: a network's members say, anonymously, how the network works for them (issue 24).

A lead opens a pulse and shares its link (`start=pulse_<code>`); members answer in a private
chat, one tap per statement, and are known to storage only by a keyed hash that goes when the
pulse closes. Leads see a count while it is open, and figures only as scoring/pulse.py allows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from telegram import InlineKeyboardMarkup, Message, Update

from bot import scheduling
from bot.context import BotContext
from bot.conversation import Entry
from bot.db.pulse import PULSE_COMMENT_STATE
from bot.feature import Buttons, Command, Feature
from bot.routes import TextRoute
from bot.rows import Network, Pulse, User
from bot.scheduling import Kind, Repeating, Send, message_sender
from content.strings import Safe
from handlers import callbacks
from handlers.common import (
    Button,
    answer_query,
    deep_link,
    keyboard,
    lead_sender,
    privacy_fields,
    read_press,
    refused,
    show,
)
from handlers.readings import pulse_lines
from handlers.render import local_date
from scoring import pulse as rules
from scoring.plan import OPEN_LIMIT, default_due

log = logging.getLogger(__name__)

# Scheduled and once-only messages this feature sends (job and ledger slot names).
PULSE_CLOSED = Kind("pulseclosed")  # "your pulse closed" to a lead: slot per pulse and lead
PULSE_CLOSING = Kind("pulse-closing")  # the quarter-hourly check closing pulses whose time is up

CHECK_EVERY = timedelta(minutes=15)
PREFIX = "pulse_"
COMMENT_LIMIT = 300
PLAN_BUTTONS = 3  # suggested plan steps offered under the results, widest gaps first
MESSAGE_BUDGET = 3800  # characters per message of results, under Telegram's 4,096


def _state(pulse: Pulse) -> rules.PulseState:
    return rules.PulseState(pulse.opened_at, pulse.closes_at, pulse.closed, pulse.answers)


def _minimum(context: BotContext) -> int:
    return context.settings.min_group_size


# -- leads -------------------------------------------------------------------------------------


async def pulse_command(update: Update, context: BotContext) -> None:
    """The open pulse's card; with none open, past pulses (or a first pulse, opened now)."""
    found = await lead_sender(update, context, "pulse.not_a_lead")
    if found is None:
        return
    message, user, network = found
    pulses = await _settled(context, network)
    current = next((p for p in pulses if not p.closed), None)
    if current is None and not pulses:
        current = await context.storage.open_pulse(
            network.id, user.id, context.services.clock.now() + rules.PULSE_LENGTH
        )
        if current is None:  # a co-lead opened one at the same moment
            current = next((p for p in await context.storage.pulses(network.id)), None)
        if current is None:
            return
        await message.reply_text(context.strings("pulse.opened", network=network.name))
    if current is not None and not current.closed:
        text, markup = _card(context, network, current)
        await message.reply_text(text, reply_markup=markup)
        link = deep_link(context, f"{PREFIX}{current.code}")
        await message.reply_text(context.strings("pulse.forward", network=network.name, link=link))
        return
    text, markup = _past(context, network, pulses)
    await message.reply_text(text, reply_markup=markup)


async def _settled(context: BotContext, network: Network) -> list[Pulse]:
    """The network's pulses, newest first, after closing one whose time is up."""
    pulses = await context.storage.pulses(network.id)
    now = context.services.clock.now()
    if any(rules.due_to_close(_state(p), now) for p in pulses):
        for pulse in pulses:
            if rules.due_to_close(_state(pulse), now):
                await close(context, pulse, notify=False)
        pulses = await context.storage.pulses(network.id)
    return pulses


def _card(context: BotContext, network: Network, pulse: Pulse) -> tuple[Safe, InlineKeyboardMarkup]:
    strings, zone = context.strings, context.settings.timezone
    text = strings(
        "pulse.card",
        network=network.name,
        opened=local_date(pulse.opened_at, zone),
        closes=local_date(pulse.closes_at, zone),
        count=pulse.answers,
        link=deep_link(context, f"{PREFIX}{pulse.code}"),
        minimum=_minimum(context),
    )
    rows = [
        [(strings("pulse.refresh_button"), callbacks.encode("qf", pulse.id))],
        [(strings("pulse.extend_button"), callbacks.encode("qe", pulse.id))],
        [(strings("pulse.close_button"), callbacks.encode("qc", pulse.id))],
    ]
    return text, keyboard(rows)


def _past(
    context: BotContext, network: Network, pulses: list[Pulse]
) -> tuple[Safe, InlineKeyboardMarkup]:
    strings, zone, minimum = context.strings, context.settings.timezone, _minimum(context)
    rows: list[list[Button]] = []
    if not pulses:
        text = strings(
            "pulse.none_yet",
            network=network.name,
            statements=len(context.content.pulse.statements),
            minimum=minimum,
        )
    else:
        lines = [strings("pulse.past_title", network=network.name)]
        for pulse in pulses:
            closed = local_date(pulse.closed_at or pulse.closes_at, zone)
            values = {"opened": local_date(pulse.opened_at, zone), "closed": closed}
            if rules.may_show(_state(pulse), minimum):
                lines.append(strings("pulse.past_line", count=pulse.answers, **values))
            else:
                lines.append(strings("pulse.past_line_few", minimum=minimum, **values))
        text = Safe("\n".join(lines))
        shown = next((p for p in pulses if rules.may_show(_state(p), minimum)), None)
        if shown is not None:
            rows.append([(strings("pulse.results_button"), callbacks.encode("qr", shown.id))])
    rows.append([(strings("pulse.new_button"), callbacks.encode("qo"))])
    return text, keyboard(rows)


async def close(context: BotContext, pulse: Pulse, *, notify: bool) -> bool:
    """Close the pulse (dropping its key and every member's marker); with `notify`, tell each
    lead once. False if it was already closed."""
    if not await context.storage.close_pulse(pulse.id, _minimum(context)):
        return False
    log.info("pulse %s of network %s closed", pulse.id, pulse.network_id)
    if notify:
        network = await context.storage.network(pulse.network_id)
        if network is not None:
            text = context.strings("pulse.auto_closed", network=network.name)
            due = {
                PULSE_CLOSED.slot(pulse.id, lead): lead
                for lead in await context.storage.lead_ids(network.id)
            }

            async def make(lead: int) -> tuple[int, Send] | None:
                return lead, message_sender(context, text)

            await scheduling.deliver_due(context, PULSE_CLOSED, due, make)
    return True


async def pulse_closing_job(context: BotContext) -> None:
    """Close every pulse whose 14 days (or extension) are up, and tell its leads."""
    now = context.services.clock.now()
    for pulse in await context.storage.pulses_due(now):
        await close(context, pulse, notify=True)


async def lead_pressed(update: Update, context: BotContext) -> None:
    """A lead's pulse buttons: new, close, extend, refresh, results, a gap's plan step."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    strings, storage = context.strings, context.storage
    network = await storage.network_of(query.from_user.id)
    if network is None:
        await answer_query(query, strings("pulse.not_a_lead"))
        return
    if press.kind == "qo":
        await answer_query(query)
        pulses = await _settled(context, network)
        pulse = next((p for p in pulses if not p.closed), None)
        if pulse is None:
            pulse = await storage.open_pulse(
                network.id, query.from_user.id, context.services.clock.now() + rules.PULSE_LENGTH
            )
        if pulse is None:
            return
        text, markup = _card(context, network, pulse)
        await show(context, message.chat.id, text, markup, replace=message)
        link = deep_link(context, f"{PREFIX}{pulse.code}")
        await context.bot.send_message(
            message.chat.id, strings("pulse.forward", network=network.name, link=link)
        )
        return
    pulse = await storage.pulse(press.args[0])
    if pulse is None or pulse.network_id != network.id:
        # Another network's pulse (a forged or foreign button) looks like any unknown one.
        await answer_query(query, strings("pulse.not_yours"))
        return
    if press.kind in ("qc", "qe", "qf"):
        await _manage(context, press.kind, network, pulse, message)
        await answer_query(query)
        return
    if not rules.may_show(_state(pulse), _minimum(context)):
        await answer_query(query, strings("pulse.no_figures"))
        return
    await answer_query(query)
    if press.kind == "qr":
        await _results(context, message.chat.id, network, pulse)
    else:
        await _plan_step(context, message.chat.id, query.from_user.id, network, press.args[1])


async def _manage(
    context: BotContext, kind: str, network: Network, pulse: Pulse, message: Message
) -> None:
    strings, storage, now = context.strings, context.storage, context.services.clock.now()
    chat_id = message.chat.id
    if pulse.closed or rules.due_to_close(_state(pulse), now):
        if not pulse.closed:
            await close(context, pulse, notify=False)
        closed = await storage.pulse(pulse.id)
        assert closed is not None
        await _show_closed(context, chat_id, closed, message)
        return
    if kind == "qc":
        await close(context, pulse, notify=False)
        closed = await storage.pulse(pulse.id)
        assert closed is not None
        await _show_closed(context, chat_id, closed, message)
        return
    if kind == "qe":
        later = rules.extended(_state(pulse), now)
        if later is None or not await storage.extend_pulse(pulse.id, later):
            await context.bot.send_message(chat_id, strings("pulse.not_extended"))
            return
        await context.bot.send_message(
            chat_id,
            strings("pulse.extended", closes=local_date(later, context.settings.timezone)),
        )
    fresh = await storage.pulse(pulse.id)
    assert fresh is not None
    text, markup = _card(context, network, fresh)
    await show(context, chat_id, text, markup, replace=message)


async def _show_closed(context: BotContext, chat_id: int, pulse: Pulse, message: Message) -> None:
    strings, minimum = context.strings, _minimum(context)
    if rules.may_show(_state(pulse), minimum):
        text = strings("pulse.closed_enough", count=pulse.answers)
        markup = keyboard([[(strings("pulse.results_button"), callbacks.encode("qr", pulse.id))]])
    else:
        text, markup = strings("pulse.closed_few", minimum=minimum), None
    await show(context, chat_id, text, markup, replace=message)


async def _lead_options(context: BotContext, network: Network) -> dict[str, int]:
    """The leads' answers (option per item) in the network's latest result."""
    completed = await context.storage.completed_assessments(network.id)
    if not completed:
        return {}
    answers = await context.storage.answers(completed[-1].id)
    return {key: answer.option for key, answer in answers.items()}


async def _results(context: BotContext, chat_id: int, network: Network, pulse: Pulse) -> None:
    """Per statement the share agreeing and the spread beside the leads' answers, widest gaps
    first; a plan button for the widest; then the free texts, unlinked, in further messages."""
    strings, zone, minimum = context.strings, context.settings.timezone, _minimum(context)
    figures = await context.storage.pulse_figures(pulse.id)
    if figures is None:
        return
    lines = pulse_lines(
        context.content,
        figures.counts,
        await _lead_options(context, network),
        minimum,
        "pulse.result_line",
    )
    head = strings(
        "pulse.results_title",
        network=network.name,
        count=pulse.answers,
        opened=local_date(pulse.opened_at, zone),
        closed=local_date(pulse.closed_at or pulse.closes_at, zone),
    )
    shown = any(gap is not None for gap, _ in lines)
    gaps_title = [strings("pulse.results_gaps")] if shown else []
    body = [head, *gaps_title, *(line for _, line in lines)]
    keys = [s.key for s in context.content.pulse.statements]
    shorts = {s.key: s.short for s in context.content.pulse.statements}
    wide = [gap for gap, _ in lines if gap is not None and rules.worth_talking_about(gap)]
    rows = [
        [
            (
                strings("pulse.plan_button", short=shorts[gap.statement]),
                callbacks.encode("qp", pulse.id, keys.index(gap.statement)),
            )
        ]
        for gap in wide[:PLAN_BUTTONS]
    ]
    await context.bot.send_message(
        chat_id, Safe("\n".join(body)), reply_markup=keyboard(rows) if rows else None
    )
    if figures.comments:
        chunk = [strings("pulse.comments_title")]
        for comment in figures.comments:
            line = strings("pulse.comment_line", text=comment)
            if sum(len(part) + 1 for part in chunk) + len(line) > MESSAGE_BUDGET:
                await context.bot.send_message(chat_id, Safe("\n".join(chunk)))
                chunk = []
            chunk.append(line)
        await context.bot.send_message(chat_id, Safe("\n".join(chunk)))


async def _plan_step(
    context: BotContext, chat_id: int, user_id: int, network: Network, index: int
) -> None:
    strings = context.strings
    statements = context.content.pulse.statements
    if not 0 <= index < len(statements):
        await context.bot.send_message(chat_id, strings("errors.button_expired"))
        return
    statement = statements[index]
    today = context.services.clock.now().astimezone(context.settings.timezone).date()
    added = await context.storage.add_plan_step(
        network.id,
        user_id,
        text=statement.plan_step,
        owner=strings("pulse.plan_owner"),
        due=default_due(today),
        source=f"pulse:{statement.key}",
        open_limit=OPEN_LIMIT,
    )
    key = "pulse.plan_added" if added is not None else "pulse.plan_full"
    await context.bot.send_message(chat_id, strings(key))


# -- members -----------------------------------------------------------------------------------


async def link_opened(context: BotContext, chat_id: int, user_id: int, code: str) -> None:
    """`/start pulse_<code>`: the network's name and the promise of anonymity, then Begin; or
    where the member left off; or why not (unknown link, closed, already answered)."""
    strings, storage = context.strings, context.storage
    pulse = await storage.pulse_by_code(code) if code.isascii() and code else None
    if pulse is None:
        await context.bot.send_message(chat_id, strings("pulse.link_unknown"))
        return
    now = context.services.clock.now()
    if not rules.is_open(_state(pulse), now):
        if rules.due_to_close(_state(pulse), now):
            await close(context, pulse, notify=True)
        await context.bot.send_message(chat_id, strings("pulse.link_closed"))
        return
    taker = await storage.pulse_taker(pulse.id, user_id)
    if taker is not None and taker.done:
        await context.bot.send_message(chat_id, strings("pulse.already_answered"))
        return
    if taker is not None and taker.position > 0:
        await _ask(context, chat_id, pulse, taker.position, None)
        return
    network = await storage.network(pulse.network_id)
    if network is None:
        await context.bot.send_message(chat_id, strings("pulse.link_unknown"))
        return
    text = strings(
        "pulse.intro",
        network=network.name,
        statements=len(context.content.pulse.statements),
        minimum=_minimum(context),
    )
    # The privacy notice in short comes before the first question (the full one is /privacy).
    text = Safe(f"{text}\n\n{strings('notice.short', **privacy_fields(context))}")
    rows = [[(strings("pulse.begin_button"), callbacks.encode("qb", pulse.id))]]
    await context.bot.send_message(chat_id, text, reply_markup=keyboard(rows))


async def _ask(
    context: BotContext, chat_id: int, pulse: Pulse, position: int, replace: Message | None
) -> None:
    """The statement at `position`, or the optional free text after the last."""
    strings = context.strings
    guide = context.content.pulse
    replacing = replace
    stop: list[Button] = [(strings("pulse.stop_button"), callbacks.encode("qx", pulse.id))]
    if position >= len(guide.statements):
        last: list[list[Button]] = [
            [(strings("pulse.skip_button"), callbacks.encode("qs", pulse.id))],
            stop,
        ]
        await show(context, chat_id, strings("pulse.comment"), keyboard(last), replace=replacing)
        return
    statement = guide.statements[position]
    rows: list[list[Button]] = [
        [(label, callbacks.encode("qa", pulse.id, position, option))]
        for option, label in enumerate(guide.options)
    ]
    rows.append(stop)
    text = strings(
        "pulse.question", number=position + 1, total=len(guide.statements), text=statement.text
    )
    await show(context, chat_id, text, keyboard(rows), replace=replacing)


async def member_pressed(update: Update, context: BotContext) -> None:
    """A member's taps: Begin, an answer, Stop, Skip (which finishes)."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    strings, storage = context.strings, context.storage
    user_id, chat_id = query.from_user.id, message.chat.id
    pulse = await storage.pulse(press.args[0])
    if pulse is None:
        await answer_query(query, strings("errors.button_expired"))
        return
    if press.kind == "qx":
        await answer_query(query)
        await storage.stop_pulse(pulse.id, user_id)
        await show(context, chat_id, strings("pulse.stopped"), None, replace=message)
        return
    if not rules.is_open(_state(pulse), context.services.clock.now()):
        await answer_query(query)
        await storage.stop_pulse(pulse.id, user_id)
        await show(context, chat_id, strings("pulse.too_late"), None, replace=message)
        return
    if press.kind == "qb":
        await answer_query(query)
        if not await storage.begin_pulse(pulse.id, user_id):
            await show(context, chat_id, strings("pulse.already_answered"), None, replace=message)
            return
        await _ask(context, chat_id, pulse, 0, message)
        return
    if press.kind == "qa":
        _, position, option = press.args
        statements = context.content.pulse.statements
        if option >= rules.OPTIONS or position >= len(statements):
            await answer_query(query, strings("errors.button_expired"))
            return
        if not await storage.answer_pulse(pulse.id, user_id, position, option):
            await answer_query(query, strings("errors.button_expired"))
            return
        await answer_query(query)
        if position + 1 >= len(statements):
            await storage.ensure_user(user_id)
            now = context.services.clock.now()
            await storage.set_entry(user_id, PulseComment(now, pulse.id))
        await _ask(context, chat_id, pulse, position + 1, message)
        return
    await answer_query(query)  # "qs": skip the free text and finish
    await _finish(context, chat_id, user_id, pulse, None, message)


async def _finish(
    context: BotContext,
    chat_id: int,
    user_id: int,
    pulse: Pulse,
    comment: str | None,
    replacing: Message | None,
) -> None:
    strings, storage = context.strings, context.storage
    keys = [statement.key for statement in context.content.pulse.statements]
    if await storage.finish_pulse(pulse.id, user_id, keys, comment):
        await show(context, chat_id, strings("pulse.thanks"), None, replace=replacing)
        return
    taker = await storage.pulse_taker(pulse.id, user_id)
    if taker is not None and taker.done:
        await show(context, chat_id, strings("pulse.already_answered"), None, replace=replacing)
        return
    await storage.stop_pulse(pulse.id, user_id)
    await show(context, chat_id, strings("pulse.too_late"), None, replace=replacing)


@dataclass(frozen=True)
class PulseComment(Entry, state=PULSE_COMMENT_STATE):
    """A member who has answered every statement and may type their one thing: the pulse.
    (The pulse store ends it by this state and `pulse` when the pulse closes.)"""

    pulse: int


async def waiting(context: BotContext, user: User) -> str | None:
    """The hint while a member may type their one thing for the network."""
    return "pulse.waiting_hint" if isinstance(user.entry, PulseComment) else None


async def text_received(update: Update, context: BotContext, user: User) -> bool:
    """The member's optional one thing: checked, then their answers are counted with it."""
    message = update.effective_message
    entry = user.entry
    if not isinstance(entry, PulseComment) or message is None or message.text is None:
        return False
    pulse = await context.storage.pulse(entry.pulse)
    if pulse is None:
        await context.storage.set_entry(user.id, None)
        return False
    text = " ".join(message.text.split()) if "\n" not in message.text else message.text
    if len(text) > COMMENT_LIMIT:
        await message.reply_text(context.strings("pulse.comment_too_long", length=len(text)))
        return True
    if refused(context, text) is not None:
        await message.reply_text(context.strings("pulse.comment_refused"))
        return True
    await _finish(context, message.chat_id, user.id, pulse, text, None)
    return True


FEATURE = Feature(
    name="pulse",
    commands=(Command("pulse", pulse_command, ("private",)),),
    buttons=(
        Buttons(
            lead_pressed,
            {
                "qo": 0,  # start a new pulse
                "qc": 1,  # close it: pulse
                "qe": 1,  # extend it by a week: pulse
                "qf": 1,  # refresh the answer count: pulse
                "qr": 1,  # what members said (a closed pulse with enough answers): pulse
                "qp": 2,  # a gap's suggested plan step: pulse, statement index
            },
        ),
        Buttons(
            member_pressed,
            {
                "qb": 1,  # member: begin: pulse
                "qa": 3,  # member: answer: pulse, statement index, option
                "qx": 1,  # member: stop (nothing counted): pulse
                "qs": 1,  # member: skip the optional free text and finish: pulse
            },
        ),
    ),
    text_routes=(TextRoute(text_received, waiting),),
    entries=(PulseComment,),
    start_prefixed={PREFIX: link_opened},
    kinds=(PULSE_CLOSED, PULSE_CLOSING),
    repeating=(Repeating(PULSE_CLOSING, pulse_closing_job, every=CHECK_EVERY),),
)
