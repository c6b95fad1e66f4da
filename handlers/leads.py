"""/leads: a lead sees the network's leads and who owns it. The owner can remove another lead
(after confirming) and offer ownership to a co-lead, who accepts it.

No names are stored (only Telegram ids), so leads are told apart by when they joined.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot import audit
from bot.context import BotContext
from bot.feature import Buttons, Command, Feature
from content.strings import Safe
from handlers import callbacks
from handlers.common import (
    Button,
    answer_query,
    keyboard,
    paged,
    private_sender,
    read_press,
    show,
)
from handlers.render import local_date
from scoring.standing import may_remove

log = logging.getLogger(__name__)

ASK, CONFIRM, CANCEL = 0, 1, 2  # the third argument of an "lr" press


async def leads_command(update: Update, context: BotContext) -> None:
    """List the network's leads with a Remove button for each of the others."""
    sender = await private_sender(update, context)
    if sender is None:
        return
    message, user = sender
    text, markup = await _listing(context, user.id)
    await message.reply_text(text, reply_markup=markup)


async def _listing(
    context: BotContext, user_id: int, page: int = 1
) -> tuple[Safe, InlineKeyboardMarkup | None]:
    strings, storage = context.strings, context.storage
    network = await storage.network_of(user_id)
    if network is None:
        return strings("leads.not_a_lead"), None
    zone = context.settings.timezone
    lines = []
    buttons: list[tuple[int, list[Button]]] = []  # (line index, that lead's buttons)
    owner = network.owner_id == user_id
    leads = await storage.leads(network.id)
    for number, lead in enumerate(leads, start=1):
        lead_id, date = lead.user_id, local_date(lead.joined_at, zone)
        line = strings(
            "leads.line_you" if lead_id == user_id else "leads.line", number=number, date=date
        )
        if lead_id == network.owner_id:
            line = Safe(f"{line} {strings('gov.owner_mark')}")
        lines.append(line)
        ids = [other.user_id for other in leads]
        if not may_remove(presser=user_id, target=lead_id, owner=network.owner_id, leads=ids):
            continue
        label = strings("leads.remove_button", number=number, date=date)
        handover = strings("gov.offer_button", number=number)
        buttons.append(
            (
                number - 1,
                [
                    (label, callbacks.encode("lr", network.id, lead_id, ASK)),
                    (handover, callbacks.encode("lo", network.id, lead_id)),
                ],
            )
        )
    if len(leads) == 1:
        footer = strings("leads.footer_alone")
    elif owner:
        footer = strings("leads.footer")
    else:
        footer = strings("gov.footer_co_lead")
    if network.owner_offer == user_id:
        footer = Safe(f"{footer}\n{strings('gov.offer_waiting')}")
    text, nav, shown = paged(
        context,
        lines,
        page=page,
        kind="lp",
        header=strings("leads.title", network=network.name),
        footer=footer,
    )
    rows = [[b] for index, pair in buttons if shown.start <= index < shown.stop for b in pair]
    if network.owner_offer == user_id:
        rows.append([(strings("gov.accept_button"), callbacks.encode("la", network.id))])
    if nav:
        rows.append(nav)
    return text, keyboard(rows) if rows else None


async def page_pressed(update: Update, context: BotContext) -> None:
    """Show another page of the network's leads."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    await answer_query(query)
    text, markup = await _listing(context, query.from_user.id, press.args[0])
    await show(context, message.chat.id, text, markup, replace=message)


async def remove_pressed(update: Update, context: BotContext) -> None:
    """Remove: ask to confirm; confirmed, remove the lead and tell them and the others."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    strings, storage = context.strings, context.storage
    network_id, target, step = press.args
    presser = query.from_user.id
    network = await storage.network_of(presser)
    leads = await storage.leads(network.id) if network else []
    joined = {lead.user_id: lead.joined_at for lead in leads}
    if network is None or network.id != network_id or target == presser or step > CANCEL:
        await answer_query(query, strings("errors.button_expired"))
        return
    if network.owner_id != presser:
        await answer_query(query, strings("gov.owner_only"))
        return
    if target not in joined:
        await answer_query(query, strings("leads.already_gone"))
        return
    date = local_date(joined[target], context.settings.timezone)
    if step == ASK:
        await answer_query(query)
        rows = [
            [(strings("leads.confirm_yes"), callbacks.encode("lr", network.id, target, CONFIRM))],
            [(strings("leads.confirm_no"), callbacks.encode("lr", network.id, target, CANCEL))],
        ]
        text = strings("leads.confirm", date=date, network=network.name)
        await show(context, message.chat.id, text, keyboard(rows), replace=message)
        return
    if step == CANCEL:
        await answer_query(query)
        text, markup = await _listing(context, presser)
        await show(context, message.chat.id, text, markup, replace=message)
        return
    if not await storage.remove_lead(network.id, target, presser):
        await answer_query(query, strings("leads.already_gone"))
        return
    await storage.audit(presser, audit.LEAD_REMOVED, target)
    await answer_query(query)
    log.info("a lead of network %s was removed by its owner", network.id)
    await show(context, message.chat.id, strings("leads.removed", date=date), None, replace=message)
    await _tell(context, target, strings("leads.you_were_removed", network=network.name))
    for lead in await storage.leads(network.id):
        if lead.user_id != presser:
            await _tell(context, lead.user_id, strings("leads.others_told", date=date))


async def _tell(context: BotContext, user_id: int, text: Safe) -> None:
    try:
        await context.bot.send_message(user_id, text)
    except TelegramError as error:
        log.info("could not tell lead %s about a removal: %s", user_id, error)


async def offer_pressed(update: Update, context: BotContext) -> None:
    """The owner offers ownership to a co-lead; the co-lead is asked to accept."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    strings, storage = context.strings, context.storage
    network_id, target = press.args
    presser = query.from_user.id
    network = await storage.network_of(presser)
    if network is None or network.id != network_id:
        await answer_query(query, strings("errors.button_expired"))
        return
    if not await storage.offer_ownership(network.id, presser, target):
        await answer_query(query, strings("gov.owner_only"))
        return
    await answer_query(query)
    await show(context, message.chat.id, strings("gov.offer_sent"), None, replace=message)
    button = keyboard([[(strings("gov.accept_button"), callbacks.encode("la", network.id))]])
    try:
        await context.bot.send_message(
            target, strings("gov.offer_card", network=network.name), reply_markup=button
        )
    except TelegramError as error:
        log.info("could not offer ownership to lead %s: %s", target, error)


async def accept_pressed(update: Update, context: BotContext) -> None:
    """The co-lead accepts the ownership offered to them; both are told."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    strings, storage = context.strings, context.storage
    (network_id,) = press.args
    presser = query.from_user.id
    previous = await storage.accept_ownership(network_id, presser)
    network = await storage.network(network_id)
    if previous is None or network is None:
        await answer_query(query, strings("errors.button_expired"))
        return
    await storage.audit(presser, audit.OWNER_TRANSFERRED, network_id)
    await answer_query(query)
    log.info("ownership of network %s passed to a co-lead who accepted it", network.id)
    text = strings("gov.now_owner", network=network.name)
    await show(context, message.chat.id, text, None, replace=message)
    if previous:
        await _tell(context, previous, strings("gov.handed_over", network=network.name))


FEATURE = Feature(
    name="leads",
    commands=(Command("leads", leads_command, ("private",)),),
    # remove a lead: network, lead, 0 ask / 1 confirm / 2 cancel
    buttons=(
        Buttons(remove_pressed, {"lr": 3}),
        # the owner offers ownership to a co-lead: network, lead
        Buttons(offer_pressed, {"lo": 2}),
        Buttons(accept_pressed, {"la": 1}),  # the co-lead accepts ownership: network
        Buttons(page_pressed, {"lp": 1}),  # a page of the network's leads: page (from 1)
    ),
)
