"""/start (with its deep-link payloads) and /help."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.feature import Buttons, Command, Feature
from content.strings import Safe
from handlers import callbacks
from handlers.common import answer_query, is_private, keyboard, read_press, show
from scoring.progress import first_unanswered
from scoring.standing import invite_open

log = logging.getLogger(__name__)

JOIN_PREFIX = "join_"
SAME_ORGANISATION = "reg:same-org"  # registration's step (handlers/registration.py)


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
    routes = context.services.routes
    routed = routes.start.get(payload)
    prefixed = next((p for p in routes.start_prefixed if payload.startswith(p)), None)
    if payload.startswith(JOIN_PREFIX):
        await _join(update, context, payload.removeprefix(JOIN_PREFIX))
    elif routed is not None:
        await routed(context, message.chat_id, user.id)
    elif prefixed is not None:
        rest = payload.removeprefix(prefixed)
        await routes.start_prefixed[prefixed](context, message.chat_id, user.id, rest)
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
    now = context.services.clock.now()
    if network is None or not invite_open(network.invite_issued_at, now):
        await message.reply_text(strings("start.join_unknown"))
        return
    current = await storage.network_of(user.id)
    if current is not None:
        key = "start.join_same" if current.id == network.id else "start.join_already"
        await message.reply_text(strings(key, network=current.name))
        return
    await ask_owner(context, message.chat_id, user.id, user.full_name, network.id, code)


async def ask_owner(
    context: BotContext, chat_id: int, user_id: int, name: str, network_id: int, code: str
) -> None:
    """Ask the network's owner to let the user in: a card with Approve and Decline that shows
    the person's Telegram name (shown only, never stored)."""
    storage, strings = context.storage, context.strings
    network = await storage.network(network_id)
    request_id = await storage.request_join(user_id, network_id, code)
    if network is None or network.owner_id is None or request_id is None:
        await context.bot.send_message(chat_id, strings("start.join_unknown"))
        return
    buttons = keyboard(
        [
            [
                (strings("gov.approve_join"), callbacks.encode("jr", request_id, 1)),
                (strings("gov.decline_join"), callbacks.encode("jr", request_id, 0)),
            ]
        ]
    )
    card = strings("gov.join_card", name=name or "?", network=network.name)
    try:
        await context.bot.send_message(network.owner_id, card, reply_markup=buttons)
    except TelegramError as error:
        log.info("could not ask the owner of network %s about a join: %s", network.id, error)
    await context.bot.send_message(chat_id, strings("gov.join_asked", network=network.name))


async def join_decided(update: Update, context: BotContext) -> None:
    """The owner's Approve or Decline on a join request; the person and the leads are told."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    storage, strings = context.storage, context.strings
    request_id, approve = press.args
    found = await storage.join_request(request_id)
    outcome = await storage.decide_join(request_id, query.from_user.id, bool(approve))
    if found is None or outcome in ("stale", "not_owner"):
        await answer_query(query, strings("gov.join_stale"))
        return
    network_id, joiner = found
    network = await storage.network(network_id)
    await answer_query(query)
    name = network.name if network else ""
    await show(context, message.chat.id, strings(f"gov.join_{outcome}"), None, replace=message)
    if outcome == "joined" and network is not None:
        log.info("the owner of network %s let a co-lead in", network.id)
        text = strings("start.joined", network=network.name, organisation=network.organisation)
        await _tell(context, joiner, text)
        notice = strings("start.co_lead_joined", network=network.name)
        for lead in await storage.lead_ids(network.id):
            if lead not in (joiner, query.from_user.id):
                await _tell(context, lead, notice)
    elif outcome == "declined":
        await _tell(context, joiner, strings("gov.join_refused", network=name))


async def _tell(context: BotContext, user_id: int, text: Safe) -> None:
    try:
        await context.bot.send_message(user_id, text)
    except TelegramError as error:
        log.info("could not tell %s about a join: %s", user_id, error)


async def help_command(update: Update, context: BotContext) -> None:
    """List the commands that fit the chat this is asked in."""
    message = update.effective_message
    if message is None:
        return
    if is_private(update):
        text = context.strings("help.private", bands=_bands(context))
        user = update.effective_user
        if user is not None and user.id in context.settings.admin_ids:
            text = Safe(f"{text}\n{context.strings('gov.help_operators')}")
        await message.reply_text(text)
    else:
        await message.reply_text(context.strings("help.group"))


async def about_command(update: Update, context: BotContext) -> None:
    """Credit the model and CRAFT, and say where the band cut-offs come from."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(
            context.strings(
                "about.text", bands=_bands(context), craft_counts=_craft_counts(context)
            )
        )


def _craft_counts(context: BotContext) -> str:
    """How many questions count towards each CRAFT enabler (this project's own mapping)."""
    model = context.content.model
    return (
        ", ".join(
            f"{enabler.key} {sum(item.enabler == enabler.key for item in model.items)}"
            for enabler in model.enablers
        )
        + " questions"
    )


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


async def join_from_registration(update: Update, context: BotContext) -> None:
    """During registration at an organisation that has a network: ask its owner to let the
    user in, instead of registering a second network there."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    storage, strings = context.storage, context.strings
    user = await storage.user(query.from_user.id)
    network = await storage.network(press.args[0])
    at = user.entry.at if user is not None and user.entry is not None else None
    if user is None or at != SAME_ORGANISATION or network is None:
        await answer_query(query, strings("errors.button_expired"))
        return
    await answer_query(query)
    await storage.set_entry(user.id, None)
    await show(context, message.chat.id, strings("gov.asking_owner"), None, replace=message)
    await ask_owner(
        context,
        message.chat.id,
        user.id,
        query.from_user.full_name,
        network.id,
        network.invite_code,
    )


FEATURE = Feature(
    name="start",
    commands=(
        Command("about", about_command, ("private",)),
        Command("start", start_command, ("private",)),
        Command("glossary", glossary_command, ("private", "group", "group_admin")),
        Command("help", help_command, ("private", "group", "group_admin")),
    ),
    buttons=(
        # the owner's answer to a join request: request, 1 approve / 0 decline
        Buttons(join_decided, {"jr": 2}),
        # registration: ask the owner of the organisation's network to join: network
        Buttons(join_from_registration, {"jo": 1}),
    ),
)
