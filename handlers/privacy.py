"""/privacy, /export and /forget: what is kept, a copy of it, and deleting it."""

from __future__ import annotations

import json
import logging

from telegram import InputFile, Update
from telegram.error import TelegramError

from bot.context import BotContext
from handlers import callbacks
from handlers.common import answer_query, keyboard, private_sender, read_press, show

log = logging.getLogger(__name__)


async def privacy_command(update: Update, context: BotContext) -> None:
    """Say in plain words what is stored, why, who sees it, and how to get or delete it."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            context.strings("privacy.text", minimum=context.settings.min_group_size)
        )


async def export_command(update: Update, context: BotContext) -> None:
    """Send the user a JSON file of everything stored about them."""
    sender = await private_sender(update, context)
    if sender is None:
        return
    message, user = sender
    data = await context.storage.export_user(user.id)
    if not any(data.values()):
        await message.reply_text(context.strings("privacy.nothing_stored"))
        return
    payload = json.dumps(data, indent=2, ensure_ascii=False).encode()
    await message.reply_document(
        InputFile(payload, filename="my-staff-network-data.json"),
        caption=context.strings("privacy.export_caption"),
    )


async def forget_command(update: Update, context: BotContext) -> None:
    """Ask for confirmation before deleting everything about the user."""
    sender = await private_sender(update, context)
    if sender is None:
        return
    message, _ = sender
    strings = context.strings
    rows = [
        [(strings("privacy.forget_yes"), callbacks.encode("fg", 1))],
        [(strings("privacy.forget_no"), callbacks.encode("fg", 0))],
    ]
    await message.reply_text(strings("privacy.forget_confirm"), reply_markup=keyboard(rows))


async def forget_pressed(update: Update, context: BotContext) -> None:
    """Delete (or keep) on the user's confirmation."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    strings = context.strings
    await answer_query(query)
    if not press.args[0]:
        await show(context, message.chat.id, strings("privacy.forget_kept"), None, replace=message)
        return
    cards = await context.storage.pending_review_cards(query.from_user.id)
    network_gone = await context.storage.forget_user(query.from_user.id)
    key = "privacy.forgotten_with_network" if network_gone else "privacy.forgotten"
    await show(context, message.chat.id, strings(key), None, replace=message)
    for card in cards:  # the practices are gone: nothing left to decide
        try:
            await context.bot.edit_message_text(
                strings("share.withdrawn"), chat_id=card.chat_id, message_id=card.message_id
            )
        except TelegramError as error:
            log.info(
                "could not withdraw review card %s in %s: %s", card.message_id, card.chat_id, error
            )
