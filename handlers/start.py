"""/start (with its deep-link payloads) and /help."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import BotContext
from content.strings import Safe
from handlers import callbacks
from handlers.common import is_private, keyboard
from scoring.progress import first_unanswered

log = logging.getLogger(__name__)

JOIN_PREFIX = "join_"


async def start_command(update: Update, context: BotContext) -> None:
    """Greet the user, or act on a deep link: join a network, assess, or see the score."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    strings = context.strings
    if not is_private(update):
        await message.reply_text(strings("start.group"))
        return
    payload = context.args[0] if context.args else ""
    routed = context.services.routes.start.get(payload)
    if payload.startswith(JOIN_PREFIX):
        await _join(update, context, payload.removeprefix(JOIN_PREFIX))
    elif routed is not None:
        await routed(context, message.chat_id, user.id)
    else:
        await context.storage.ensure_user(user.id)
        assessment = await context.storage.open_assessment(user.id)
        if assessment is not None:
            # Partway through: no welcome again, just where they are and a way back in.
            answers = await context.storage.answers(assessment.id)
            count = len(context.content.model.items)
            number = min(first_unanswered(context.content.model, answers), count - 1) + 1
            button = keyboard(
                [[(strings("start22.carry_on"), callbacks.encode("c", assessment.id))]]
            )
            text = strings("start22.mid_assessment", number=number, count=count)
            await message.reply_text(text, reply_markup=button)
            return
        button = keyboard([[(strings("start.private_button"), callbacks.encode("go"))]])
        await message.reply_text(strings("start.private"), reply_markup=button)


async def _join(update: Update, context: BotContext, code: str) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    storage, strings = context.storage, context.strings
    await storage.ensure_user(user.id)
    network = await storage.network_by_invite(code) if code.isascii() and code else None
    if network is None:
        await message.reply_text(strings("start.join_unknown"))
        return
    current = await storage.network_of(user.id)
    if current is not None:
        key = "start.join_same" if current.id == network.id else "start.join_already"
        await message.reply_text(strings(key, network=current.name))
        return
    if not await storage.join_network(user.id, network.id):
        await message.reply_text(strings("start.join_unknown"))
        return
    await message.reply_text(
        strings("start.joined", network=network.name, organisation=network.organisation)
    )
    # Anyone holding the link can join, so the other leads hear of it and can replace the link.
    notice = strings("start.co_lead_joined", network=network.name)
    for lead in await storage.lead_ids(network.id):
        if lead != user.id:
            try:
                await context.bot.send_message(lead, notice)
            except TelegramError as error:
                log.info("could not tell lead %s about a new co-lead: %s", lead, error)


async def help_command(update: Update, context: BotContext) -> None:
    """List the commands that fit the chat this is asked in."""
    message = update.effective_message
    if message is None:
        return
    if is_private(update):
        await message.reply_text(context.strings("help.private", bands=_bands(context)))
    else:
        await message.reply_text(context.strings("help.group"))


async def about_command(update: Update, context: BotContext) -> None:
    """Credit the model and CRAFT, and say where the band cut-offs come from."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(context.strings("about.text", bands=_bands(context)))


def _bands(context: BotContext) -> Safe:
    """The bands with their cut-offs, as the content defines them."""
    strings = context.strings
    return Safe(
        ", ".join(
            strings(
                "report.footer_band", band=rule.name, minimum=rule.minimum, maximum=rule.maximum
            )
            for rule in context.content.model.bands
        )
    )


async def glossary_command(update: Update, context: BotContext) -> None:
    """The words the assessment uses, in plain English (any chat: it shows nothing private)."""
    message = update.effective_message
    if message is None:
        return
    await message.reply_text(context.strings("glossary.text"))
