"""Registering a network: organisation, region, age and name, one step at a time.

The step and the answers so far are a `Registering` entry, stored with the user, so registration
survives restarts like everything else. Button presses are checked against the current step.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot import audit
from bot.context import BotContext
from bot.conversation import Entry
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

ORGANISATION = "organisation"
ORGANISATION_PICK = "organisation-pick"
REGION = "region"
AGE = "age"
NAME = "name"
SAME_ORGANISATION = "same-org"  # the organisation has a network: join it, or a separate one?
REASON = "reason"  # why a separate network
STEPS = (ORGANISATION, ORGANISATION_PICK, REGION, AGE, NAME, SAME_ORGANISATION, REASON)
REASON_LIMIT = 200

AGE_KEYS = ("lt1", "y1-3", "y3-5", "y5-10", "y10")
NAME_LIMIT = 120


@dataclass(frozen=True)
class Registering(Entry, state="reg", stepped=True):
    """A registration under way: the step it is on and the answers so far."""

    step: str = ORGANISATION
    typed: str = ""  # the organisation as typed
    matches: tuple[str, ...] = ()  # the directory's organisations that match it
    organisation: str | None = None
    suggested_region: str | None = None
    existing: int = 0  # the network already at that organisation, if any
    existing_name: str = ""
    separate_reason: str | None = None
    region: str | None = None
    age: str | None = None

    def __post_init__(self) -> None:
        if self.step not in STEPS:
            raise ValueError(f"no registration step {self.step!r}")


def registering(user: User) -> Registering | None:
    return user.entry if isinstance(user.entry, Registering) else None


def is_registering(user: User) -> bool:
    return registering(user) is not None


async def text_route(update: Update, context: BotContext, user: User) -> bool:
    """Take free text as the answer to the registration step, if one is under way."""
    entry = registering(user)
    if entry is None:
        return False
    await text_received(update, context, user.id, entry)
    return True


async def waiting(context: BotContext, user: User) -> str | None:
    return "registration.use_buttons" if is_registering(user) else None


async def begin(context: BotContext, chat_id: int, user: User) -> None:
    """Ask for the organisation, or re-ask whichever step the user stopped at."""
    entry = registering(user)
    if entry is None:
        entry = Registering(context.services.clock.now())
        await context.storage.set_entry(user.id, entry)
    text, markup = _prompt(context, entry)
    await context.bot.send_message(chat_id, text, reply_markup=markup)


def _prompt(context: BotContext, entry: Registering) -> tuple[Safe, InlineKeyboardMarkup | None]:
    strings = context.strings
    if entry.step == ORGANISATION_PICK:
        return _matches(context, entry)
    if entry.step == REGION:
        return _region_prompt(context, entry)
    if entry.step == AGE:
        return _age_prompt(context)
    if entry.step == NAME:
        return _name_prompt(context)
    if entry.step == SAME_ORGANISATION:
        return _same_organisation(context, entry)
    if entry.step == REASON:
        return strings("gov.ask_reason"), None
    return strings("registration.ask_organisation"), None


def _same_organisation(
    context: BotContext, entry: Registering
) -> tuple[Safe, InlineKeyboardMarkup]:
    strings = context.strings
    rows = [
        [(strings("gov.ask_to_join_button"), callbacks.encode("jo", entry.existing))],
        [(strings("gov.separate_button"), callbacks.encode("js"))],
    ]
    text = strings(
        "gov.organisation_taken",
        organisation=entry.organisation or "",
        network=entry.existing_name,
    )
    return text, keyboard(rows)


def _matches(context: BotContext, entry: Registering) -> tuple[Safe, InlineKeyboardMarkup]:
    strings = context.strings
    names, typed = entry.matches, entry.typed
    rows: list[list[Button]] = [[(name, callbacks.encode("o", i))] for i, name in enumerate(names)]
    rows.append([(strings("registration.use_typed", typed=_short(typed)), callbacks.encode("t"))])
    if not names:
        key = "registration.organisation_none"
    elif len(names) == 1:
        key = "registration.organisation_match"
    else:
        key = "registration.organisation_matches"
    return strings(key, typed=clip(typed)), keyboard(rows)


def _region_prompt(context: BotContext, entry: Registering) -> tuple[Safe, InlineKeyboardMarkup]:
    strings, directory = context.strings, context.content.directory
    suggested = entry.suggested_region
    buttons: list[Button] = []
    for index, region in enumerate(directory.regions):
        label = (
            strings("assess.marked", label=region.name) if region.key == suggested else region.name
        )
        button = (label, callbacks.encode("r", index))
        buttons.insert(0, button) if region.key == suggested else buttons.append(button)
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    organisation = strings(
        "registration.organisation_chosen", organisation=entry.organisation or ""
    )
    if suggested is not None:
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


async def text_received(
    update: Update, context: BotContext, user_id: int, entry: Registering
) -> None:
    """Take typed text for the organisation or network name; hint at buttons elsewhere."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    text = " ".join(message.text.split())
    strings = context.strings
    if entry.step in (ORGANISATION, ORGANISATION_PICK, NAME) and len(text) > NAME_LIMIT:
        await message.reply_text(strings("registration.too_long", limit=NAME_LIMIT))
        return
    # Checked on the text as sent: a line break is lost once the words are re-joined.
    if entry.step in (ORGANISATION, ORGANISATION_PICK, NAME) and (
        why := refused(context, message.text.strip())
    ):
        await message.reply_text(why)
        return
    if entry.step == REASON:
        if not text or len(text) > REASON_LIMIT:
            await message.reply_text(strings("gov.reason_length", limit=REASON_LIMIT))
            return
        if why := refused(context, message.text.strip()):
            await message.reply_text(why)
            return
        reasoned = replace(entry, step=REGION, separate_reason=text)
        await context.storage.set_entry(user_id, reasoned)
        prompt, markup = _region_prompt(context, reasoned)
        await message.reply_text(prompt, reply_markup=markup)
        return
    if entry.step in (ORGANISATION, ORGANISATION_PICK):
        found = context.content.directory.match_organisations(text)
        matches = tuple(org.name for org in found)
        picking = Registering(entry.began, ORGANISATION_PICK, typed=text, matches=matches)
        await context.storage.set_entry(user_id, picking)
        prompt, markup = _matches(context, picking)
        await message.reply_text(prompt, reply_markup=markup)
    elif entry.step == REGION and (region := context.content.directory.match_region(text)):
        await _region_chosen(context, message.chat_id, user_id, entry, region.key, None)
    elif entry.step == NAME and text:
        await _finish(context, message.chat_id, user_id, entry, text)
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
    entry = registering(user) if user is not None else None
    if user is None or entry is None or entry.step != step:
        await answer_query(query, context.strings("errors.button_expired"))
        return
    strings = context.strings
    chat_id = message.chat.id
    if press.kind in ("o", "t"):
        names = entry.matches
        if press.kind == "o" and press.args[0] >= len(names):
            await answer_query(query, strings("errors.button_expired"))
            return
        organisation = names[press.args[0]] if press.kind == "o" else entry.typed
        org = next(
            (o for o in context.content.directory.organisations if o.name == organisation), None
        )
        picked = Registering(
            entry.began,
            REGION,
            organisation=organisation,
            suggested_region=org.region if org else None,
        )
        await answer_query(query)
        existing = await context.storage.networks_at(organisation)
        if existing:
            # One network per organisation by default: offer to ask its owner first.
            picked = replace(
                picked,
                step=SAME_ORGANISATION,
                existing=existing[0].id,
                existing_name=existing[0].name,
            )
            await context.storage.set_entry(user.id, picked)
            text, markup = _same_organisation(context, picked)
        else:
            await context.storage.set_entry(user.id, picked)
            text, markup = _region_prompt(context, picked)
        await show(context, chat_id, text, markup, replace=message)
    elif press.kind == "js":
        await context.storage.set_entry(user.id, replace(entry, step=REASON))
        await answer_query(query)
        await show(context, chat_id, strings("gov.ask_reason"), None, replace=message)
    elif press.kind == "r":
        regions = context.content.directory.regions
        if press.args[0] >= len(regions):
            await answer_query(query, strings("errors.button_expired"))
            return
        await answer_query(query)
        await _region_chosen(context, chat_id, user.id, entry, regions[press.args[0]].key, message)
    elif press.kind == "g":
        if press.args[0] >= len(AGE_KEYS):
            await answer_query(query, strings("errors.button_expired"))
            return
        age = AGE_KEYS[press.args[0]]
        await context.storage.set_entry(user.id, replace(entry, step=NAME, age=age))
        await answer_query(query)
        chosen = strings("registration.age_chosen", age=strings(f"ages.{age}"))
        text, markup = _name_prompt(context)
        await show(context, chat_id, Safe(f"{chosen}\n\n{text}"), markup, replace=message)
    elif press.kind == "n":
        await answer_query(query)
        name = strings("registration.default_name")
        await _finish(context, chat_id, user.id, entry, name, message)


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
    context: BotContext,
    chat_id: int,
    user_id: int,
    entry: Registering,
    region: str,
    message: Message | None,
) -> None:
    await context.storage.set_entry(user_id, replace(entry, step=AGE, region=region))
    strings = context.strings
    chosen = strings(
        "registration.region_chosen", region=context.content.directory.region(region).name
    )
    text, markup = _age_prompt(context)
    await show(context, chat_id, Safe(f"{chosen}\n\n{text}"), markup, replace=message)


async def _finish(
    context: BotContext,
    chat_id: int,
    user_id: int,
    entry: Registering,
    name: str,
    message: Message | None = None,
) -> None:
    """Create the network with this user as lead, then ask the first question."""
    organisation, region, age = entry.organisation, entry.region, entry.age
    if organisation is None or region is None or age is None:
        await context.storage.set_entry(user_id, Registering(context.services.clock.now()))
        await context.bot.send_message(chat_id, context.strings("registration.ask_organisation"))
        return
    network = await context.storage.create_network(
        user_id,
        organisation=organisation,
        name=name,
        region=region,
        age=age,
        separate_reason=entry.separate_reason or None,
    )
    if message is not None:
        chosen = context.strings("registration.name_chosen", name=network.name)
        await show(context, chat_id, chosen, None, replace=message)
    invite = deep_link(context, f"join_{network.invite_code}")
    done = context.strings("registration.done", network=network.name, invite=invite)
    await context.bot.send_message(chat_id, Safe(f"{done}\n\n{context.strings('gov.unverified')}"))
    await send_verify_cards(context, network)
    assessment = await context.storage.start_assessment(
        user_id, network.id, context.content.model.version
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
