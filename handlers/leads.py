"""/leads: a lead sees the network's leads and can remove another one, after confirming.

No names are stored (only Telegram ids), so leads are told apart by when they joined.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot import audit
from bot.context import BotContext
from content.strings import Safe
from handlers import callbacks
from handlers.common import answer_query, keyboard, private_sender, read_press, show
from handlers.render import local_date

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


async def _listing(context: BotContext, user_id: int) -> tuple[Safe, InlineKeyboardMarkup | None]:
    strings, storage = context.strings, context.storage
    network = await storage.network_of(user_id)
    if network is None:
        return strings("leads.not_a_lead"), None
    zone = context.settings.timezone
    lines = [strings("leads.title", network=network.name)]
    rows = []
    for number, lead in enumerate(await storage.leads(network.id), start=1):
        lead_id, date = lead.user_id, local_date(lead.joined_at, zone)
        if lead_id == user_id:
            lines.append(strings("leads.line_you", number=number, date=date))
            continue
        lines.append(strings("leads.line", number=number, date=date))
        label = strings("leads.remove_button", number=number, date=date)
        rows.append([(label, callbacks.encode("lr", network.id, lead_id, ASK))])
    lines.append(strings("leads.footer" if rows else "leads.footer_alone"))
    return Safe("\n".join(lines)), keyboard(rows) if rows else None


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
    if not await storage.remove_lead(network.id, target):
        await answer_query(query, strings("leads.already_gone"))
        return
    await storage.audit(presser, audit.LEAD_REMOVED, target)
    await answer_query(query)
    log.info("a lead of network %s was removed by another lead", network.id)
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
