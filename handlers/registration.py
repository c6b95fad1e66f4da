"""Registering a network: organisation, region, age and name, one step at a time.

The step lives in `users.state` and the answers so far in `users.draft`, so registration survives
restarts like everything else. Button presses are checked against the current step.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot import audit
from bot.context import BotContext
from bot.rows import Network, User
from content.strings import Safe
from handlers import callbacks, questions, render
from handlers.common import (
    Button,
    answer_query,
    clip,
    deep_link,
    keyboard,
    log_unreachable_operator,
    may_review_region,
    read_press,
    refused,
    region_reviewers,
    show,
)

log = logging.getLogger(__name__)

ORGANISATION = "reg:organisation"
ORGANISATION_PICK = "reg:organisation-pick"
REGION = "reg:region"
AGE = "reg:age"
NAME = "reg:name"
SAME_ORGANISATION = "reg:same-org"  # the organisation has a network: join it, or a separate one?
REASON = "reg:reason"  # why a separate network
REASON_LIMIT = 200

AGE_KEYS = ("lt1", "y1-3", "y3-5", "y5-10", "y10")
NAME_LIMIT = 120


def is_registering(user: User) -> bool:
    return bool(user.state and user.state.startswith("reg:"))


async def text_route(update: Update, context: BotContext, user: User) -> bool:
    """Take free text as the answer to the registration step, if one is under way."""
    if not is_registering(user):
        return False
    await text_received(update, context, user)
    return True


async def waiting(context: BotContext, user: User) -> str | None:
    return "registration.use_buttons" if is_registering(user) else None


async def begin(context: BotContext, chat_id: int, user: User) -> None:
    """Ask for the organisation, or re-ask whichever step the user stopped at."""
    if not is_registering(user):
        await context.storage.set_state(user.id, ORGANISATION, {})
        user = User(user.id, ORGANISATION, {}, user.active)
    text, markup = _prompt(context, user)
    await context.bot.send_message(chat_id, text, reply_markup=markup)


def _prompt(context: BotContext, user: User) -> tuple[Safe, InlineKeyboardMarkup | None]:
    strings, draft = context.strings, user.draft
    if user.state == ORGANISATION_PICK:
        return _matches(context, draft)
    if user.state == REGION:
        return _region_prompt(context, draft)
    if user.state == AGE:
        return _age_prompt(context)
    if user.state == NAME:
        return _name_prompt(context)
    if user.state == SAME_ORGANISATION:
        return _same_organisation(context, draft)
    if user.state == REASON:
        return strings("gov.ask_reason"), None
    return strings("registration.ask_organisation"), None


def _same_organisation(
    context: BotContext, draft: dict[str, Any]
) -> tuple[Safe, InlineKeyboardMarkup]:
    strings = context.strings
    existing = int(draft.get("existing", 0))
    rows = [
        [(strings("gov.ask_to_join_button"), callbacks.encode("jo", existing))],
        [(strings("gov.separate_button"), callbacks.encode("js"))],
    ]
    text = strings(
        "gov.organisation_taken",
        organisation=str(draft.get("organisation", "")),
        network=str(draft.get("existing_name", "")),
    )
    return text, keyboard(rows)


def _names(draft: dict[str, Any]) -> list[str]:
    matches = draft.get("matches")
    return [str(name) for name in matches] if isinstance(matches, list) else []


def _matches(context: BotContext, draft: dict[str, Any]) -> tuple[Safe, InlineKeyboardMarkup]:
    strings = context.strings
    names = _names(draft)
    typed = str(draft.get("typed", ""))
    rows: list[list[Button]] = [[(name, callbacks.encode("o", i))] for i, name in enumerate(names)]
    rows.append([(strings("registration.use_typed", typed=_short(typed)), callbacks.encode("t"))])
    if not names:
        key = "registration.organisation_none"
    elif len(names) == 1:
        key = "registration.organisation_match"
    else:
        key = "registration.organisation_matches"
    return strings(key, typed=clip(typed)), keyboard(rows)


def _region_prompt(context: BotContext, draft: dict[str, Any]) -> tuple[Safe, InlineKeyboardMarkup]:
    strings, directory = context.strings, context.content.directory
    suggested = draft.get("suggested_region")
    buttons: list[Button] = []
    for index, region in enumerate(directory.regions):
        label = (
            strings("assess.marked", label=region.name) if region.key == suggested else region.name
        )
        button = (label, callbacks.encode("r", index))
        buttons.insert(0, button) if region.key == suggested else buttons.append(button)
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    organisation = strings("registration.organisation_chosen", organisation=draft["organisation"])
    if isinstance(suggested, str):
        ask = strings("registration.ask_region_suggested", region=directory.region(suggested).name)
    else:
        ask = strings("registration.ask_region")
    return Safe(f"{organisation}\n\n{ask}"), keyboard(rows)


def _age_prompt(context: BotContext) -> tuple[Safe, InlineKeyboardMarkup]:
    strings = context.strings
    rows = [[(strings(f"ages.{key}"), callbacks.encode("g", i))] for i, key in enumerate(AGE_KEYS)]
    return strings("registration.ask_age"), keyboard(rows)


def _name_prompt(context: BotContext) -> tuple[Safe, InlineKeyboardMarkup]:
    strings = context.strings
    label = strings("registration.use_default_name", name=strings("registration.default_name"))
    return strings("registration.ask_name"), keyboard([[(label, callbacks.encode("n"))]])


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def text_received(update: Update, context: BotContext, user: User) -> None:
    """Take typed text for the organisation or network name; hint at buttons elsewhere."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    text = " ".join(message.text.split())
    strings = context.strings
    if user.state in (ORGANISATION, ORGANISATION_PICK, NAME) and len(text) > NAME_LIMIT:
        await message.reply_text(strings("registration.too_long", limit=NAME_LIMIT))
        return
    # Checked on the text as sent: a line break is lost once the words are re-joined.
    if user.state in (ORGANISATION, ORGANISATION_PICK, NAME) and (
        why := refused(context, message.text.strip())
    ):
        await message.reply_text(why)
        return
    if user.state == REASON:
        if not text or len(text) > REASON_LIMIT:
            await message.reply_text(strings("gov.reason_length", limit=REASON_LIMIT))
            return
        if why := refused(context, message.text.strip()):
            await message.reply_text(why)
            return
        reasoned = {**user.draft, "separate_reason": text}
        await context.storage.set_state(user.id, REGION, reasoned)
        prompt, markup = _region_prompt(context, reasoned)
        await message.reply_text(prompt, reply_markup=markup)
        return
    if user.state in (ORGANISATION, ORGANISATION_PICK):
        found = context.content.directory.match_organisations(text)
        draft: dict[str, Any] = {"typed": text, "matches": [org.name for org in found]}
        await context.storage.set_state(user.id, ORGANISATION_PICK, draft)
        prompt, markup = _matches(context, draft)
        await message.reply_text(prompt, reply_markup=markup)
    elif user.state == REGION and (region := context.content.directory.match_region(text)):
        await _region_chosen(context, message.chat_id, user, region.key, None)
    elif user.state == NAME and text:
        await _finish(context, message.chat_id, user, text)
    else:
        await message.reply_text(strings("registration.use_buttons"))


async def button_pressed(update: Update, context: BotContext) -> None:
    """Handle a registration button, if it belongs to the step the user is on."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    user = await context.storage.user(query.from_user.id)
    step = _step_for(press.kind)
    if user is None or user.state != step:
        await answer_query(query, context.strings("errors.button_expired"))
        return
    draft, strings = dict(user.draft), context.strings
    chat_id = message.chat.id
    if press.kind in ("o", "t"):
        names = _names(draft)
        if press.kind == "o" and press.args[0] >= len(names):
            await answer_query(query, strings("errors.button_expired"))
            return
        organisation = names[press.args[0]] if press.kind == "o" else str(draft.get("typed", ""))
        org = next(
            (o for o in context.content.directory.organisations if o.name == organisation), None
        )
        draft = {"organisation": organisation, "suggested_region": org.region if org else None}
        await answer_query(query)
        existing = await context.storage.networks_at(organisation)
        if existing:
            # One network per organisation by default: offer to ask its owner first.
            draft.update(existing=existing[0].id, existing_name=existing[0].name)
            await context.storage.set_state(user.id, SAME_ORGANISATION, draft)
            text, markup = _same_organisation(context, draft)
        else:
            await context.storage.set_state(user.id, REGION, draft)
            text, markup = _region_prompt(context, draft)
        await show(context, chat_id, text, markup, replace=message)
    elif press.kind == "js":
        await context.storage.set_state(user.id, REASON, draft)
        await answer_query(query)
        await show(context, chat_id, strings("gov.ask_reason"), None, replace=message)
    elif press.kind == "r":
        regions = context.content.directory.regions
        if press.args[0] >= len(regions):
            await answer_query(query, strings("errors.button_expired"))
            return
        await answer_query(query)
        await _region_chosen(context, chat_id, user, regions[press.args[0]].key, message)
    elif press.kind == "g":
        if press.args[0] >= len(AGE_KEYS):
            await answer_query(query, strings("errors.button_expired"))
            return
        draft["age"] = AGE_KEYS[press.args[0]]
        await context.storage.set_state(user.id, NAME, draft)
        await answer_query(query)
        chosen = strings("registration.age_chosen", age=strings(f"ages.{draft['age']}"))
        text, markup = _name_prompt(context)
        await show(context, chat_id, Safe(f"{chosen}\n\n{text}"), markup, replace=message)
    elif press.kind == "n":
        await answer_query(query)
        await _finish(context, chat_id, user, strings("registration.default_name"), message)


def _step_for(kind: str) -> str:
    return {
        "o": ORGANISATION_PICK,
        "t": ORGANISATION_PICK,
        "r": REGION,
        "g": AGE,
        "n": NAME,
        "js": SAME_ORGANISATION,
    }[kind]


async def _region_chosen(
    context: BotContext, chat_id: int, user: User, region: str, message: Message | None
) -> None:
    draft = {**user.draft, "region": region}
    await context.storage.set_state(user.id, AGE, draft)
    strings = context.strings
    chosen = strings(
        "registration.region_chosen", region=context.content.directory.region(region).name
    )
    text, markup = _age_prompt(context)
    await show(context, chat_id, Safe(f"{chosen}\n\n{text}"), markup, replace=message)


async def _finish(
    context: BotContext, chat_id: int, user: User, name: str, message: Message | None = None
) -> None:
    """Create the network with this user as lead, then ask the first question."""
    draft = user.draft
    if not all(isinstance(draft.get(k), str) for k in ("organisation", "region", "age")):
        await context.storage.set_state(user.id, ORGANISATION, {})
        await context.bot.send_message(chat_id, context.strings("registration.ask_organisation"))
        return
    network = await context.storage.create_network(
        user.id,
        organisation=str(draft["organisation"]),
        name=name,
        region=str(draft["region"]),
        age=str(draft["age"]),
        separate_reason=str(draft["separate_reason"]) if draft.get("separate_reason") else None,
    )
    if message is not None:
        chosen = context.strings("registration.name_chosen", name=network.name)
        await show(context, chat_id, chosen, None, replace=message)
    invite = deep_link(context, f"join_{network.invite_code}")
    done = context.strings("registration.done", network=network.name, invite=invite)
    await context.bot.send_message(chat_id, Safe(f"{done}\n\n{context.strings('gov.unverified')}"))
    await send_verify_cards(context, network)
    assessment = await context.storage.start_assessment(
        user.id, network.id, context.content.model.version
    )
    await questions.present(context, chat_id, assessment)


# -- verification ------------------------------------------------------------------------------


async def send_verify_cards(context: BotContext, network: Network) -> int:
    """Send the Verify card privately to the operators and the admins of the region's approved
    hubs; how many got it."""
    text = render.verify_card(context.content, network)
    button = keyboard(
        [[(context.strings("gov.verify_button"), callbacks.encode("nv", network.id))]]
    )
    reached = 0
    for person in await region_reviewers(context, network.region):
        try:
            await context.bot.send_message(person, text, reply_markup=button)
        except TelegramError as error:
            if person in context.settings.admin_ids:
                log_unreachable_operator(person, f"network {network.id} verify card", error)
            else:
                log.info("could not send a verify card to a hub admin: %s", error)
            continue
        reached += 1
    return reached


async def verify_pressed(update: Update, context: BotContext) -> None:
    """Verify: an operator or an admin of an approved hub of the network's region."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    strings, storage = context.strings, context.storage
    network = await storage.network(press.args[0])
    if network is None:
        await answer_query(query, strings("errors.button_expired"))
        return
    if not await may_review_region(context, network.region, query.from_user.id):
        await answer_query(query, strings("gov.verify_not_allowed"))
        return
    if not await storage.verify_network(network.id, query.from_user.id):
        await answer_query(query, strings("gov.verify_already"))
        return
    await answer_query(query)
    log.info("network %s was verified", network.id)
    await storage.audit(query.from_user.id, audit.NETWORK_VERIFIED, network.id)
    card = Safe(f"{render.verify_card(context.content, network)}\n\n{strings('gov.verified_mark')}")
    await show(context, message.chat.id, card, None, replace=message)
    for lead in await storage.lead_ids(network.id):
        try:
            await context.bot.send_message(lead, strings("gov.verified", network=network.name))
        except TelegramError as error:
            log.info("could not tell a lead their network was verified: %s", error)
