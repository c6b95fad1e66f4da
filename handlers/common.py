"""Small helpers every feature module shares: chat checks, links, keyboards, safe edits."""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence

from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, TelegramError

from bot.context import BotContext
from bot.rows import Hub, Network, Practice
from content.strings import Safe
from handlers import callbacks
from scoring.paging import Page, clamp, paginate
from scoring.rotation import Entry
from scoring.text import refusal as text_refusal

log = logging.getLogger(__name__)

Button = tuple[str, str]  # (label, callback data)

PRACTICE_PREFIX = "practice:"


async def nudge_library(context: BotContext, hub: Hub) -> tuple[list[Entry], dict[int, Practice]]:
    """The hub's rotation: the content's nudges, then the region's approved practices (oldest
    first), each marked waiting until it has been sent to this hub; and the practices by id."""
    practices = {p.id: p for p in await context.storage.approved_practices(hub.region)}
    sent = {n.nudge_key for n in await context.storage.nudge_history(hub.id)}
    library = [Entry(n.key, n.enabler) for n in context.content.nudges]
    for practice_id in practices:
        key = f"{PRACTICE_PREFIX}{practice_id}"
        library.append(Entry(key, None, waiting=key not in sent))
    return library, practices


ECHO_LIMIT = 60  # characters of a typed argument the bot repeats back


def clip(typed: str, limit: int = ECHO_LIMIT) -> str:
    """A typed argument cut to about `limit` characters (with an ellipsis) for echoing back."""
    typed = " ".join(typed.split())
    return typed if len(typed) <= limit else typed[: limit - 1].rstrip() + "…"


def refused(context: BotContext, text: str) -> Safe | None:
    """Why typed text that others will see is refused (a link, an @mention, a line break),
    as a message asking for it again; None when it may be used."""
    reason = text_refusal(text)
    return context.strings(f"refused.{reason.value}") if reason else None


def is_operator(context: BotContext, user_id: int | None) -> bool:
    """Whether the user is one of the bot's operators (BOT_ADMIN_IDS)."""
    return user_id is not None and user_id in context.settings.admin_ids


def log_unreachable_operator(operator: int, what: str, error: TelegramError) -> None:
    """Log a card an operator could not get; one who never opened the bot must /start it."""
    if "chat not found" in str(error).lower():
        log.warning(
            "could not send the %s to operator %s: they have not opened the bot yet; "
            "ask them to send /start to the bot in a private chat",
            what,
            operator,
        )
    else:
        log.warning("could not send the %s to operator %s: %s", what, operator, error)


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def is_group(chat: Chat | None) -> bool:
    return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


def deep_link(context: BotContext, payload: str) -> str:
    """A t.me link opening a private chat with the bot and sending /start <payload>."""
    return f"https://t.me/{context.bot.username}?start={payload}"


def plain(text: str) -> str:
    """Text for where Telegram shows no HTML (button labels, callback answers): rendered
    strings (Safe, escaped) are unescaped; raw text is already plain."""
    return html.unescape(text) if isinstance(text, Safe) else text


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(plain(label), callback_data=data) for label, data in row]
            for row in rows
        ]
    )


def link_keyboard(label: str, url: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(plain(label), url=url)]])


async def private_sender(update: Update, context: BotContext) -> tuple[Message, User] | None:
    """The message and its sender for a private-only command; elsewhere, say so and None."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return None
    if not is_private(update):
        await message.reply_text(context.strings("errors.private_only"))
        return None
    return message, user


async def lead_sender(
    update: Update, context: BotContext, not_a_lead: str
) -> tuple[Message, User, Network] | None:
    """The message, its sender and the network they lead, for a private-only command of a
    lead's; elsewhere, or from someone who leads no network, say so (`not_a_lead`: the strings
    key) and None."""
    sender = await private_sender(update, context)
    if sender is None:
        return None
    message, user = sender
    network = await context.storage.network_of(user.id)
    if network is None:
        await message.reply_text(context.strings(not_a_lead))
        return None
    return message, user, network


async def point_to_private(message: Message, context: BotContext, feature: str) -> None:
    """Answer in a group with a button opening the private chat at `feature` (deep link)."""
    strings = context.strings
    markup = link_keyboard(strings(f"{feature}.group_button"), deep_link(context, feature))
    await message.reply_text(strings(f"{feature}.group"), reply_markup=markup)


async def answer_query(query: CallbackQuery, text: str | None = None) -> None:
    """Stop the button's spinner; an expired query is not worth failing the update for."""
    try:
        await query.answer(plain(text) if text is not None else None)
    except BadRequest as error:
        log.debug("could not answer callback query: %s", error)


async def show(
    context: BotContext,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    replace: Message | None = None,
) -> Message | None:
    """Edit `replace` to show `text`, or send a new message if there is none or it cannot be
    edited any more. Returns the message now showing the text (None if it was unchanged)."""
    if replace is not None:
        try:
            edited = await context.bot.edit_message_text(
                text, chat_id=chat_id, message_id=replace.message_id, reply_markup=markup
            )
        except BadRequest as error:
            if "not modified" in error.message.lower():
                return None
            log.info("could not edit message %s, sending anew: %s", replace.message_id, error)
        else:
            return edited if isinstance(edited, Message) else None
    return await context.bot.send_message(chat_id, text, reply_markup=markup)


async def read_press(
    update: Update, context: BotContext, *, private: bool = False
) -> tuple[CallbackQuery, callbacks.Press, Message] | None:
    """The pressed button's query, parsed data and message; None (answered) if unusable.

    With `private`, the press must come from the presser's own private chat: a modified client
    could otherwise send a private flow's data from a group message and get its replies there.
    """
    query = update.callback_query
    if query is None:
        return None
    press, message = callbacks.decode(query.data), query.message
    if (
        press is None
        or not isinstance(message, Message)
        or (private and message.chat.id != query.from_user.id)
    ):
        await answer_query(query, context.strings("errors.button_expired"))
        return None
    return query, press, message


ADMIN_STATUSES = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


async def is_admin(context: BotContext, chat_id: int, user_id: int) -> bool:
    """Whether the user is an administrator of the chat right now (asked of the Bot API)."""
    member = await context.bot.get_chat_member(chat_id, user_id)
    return member.status in ADMIN_STATUSES


async def sender_is_admin(context: BotContext, message: Message) -> bool:
    """Whether whoever sent `message` administers its group, anonymous admins included.

    An anonymous admin posts as the group itself (sender_chat is the chat); only admins can, and
    the Bot API confirms the group has an anonymous one.
    """
    chat = message.chat
    if message.sender_chat is not None:
        if message.sender_chat.id != chat.id:
            return False  # a linked channel posting into the group is not an admin
        admins = await context.bot.get_chat_administrators(chat.id)
        return any(getattr(admin, "is_anonymous", False) for admin in admins)
    if message.from_user is None:
        return False
    return await is_admin(context, chat.id, message.from_user.id)


async def remove_buttons(message: Message) -> None:
    """Take the keyboard off a message; one already without buttons is fine."""
    try:
        await message.edit_reply_markup(None)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


async def admin_hub(
    update: Update, context: BotContext, *, not_admin: str = "hub.admins_only"
) -> Hub | None:
    """The group's hub when it is approved and the sender is one of its admins; otherwise say
    why not (not a hub, waiting for an operator's approval, or, with the string `not_admin`,
    not an admin)."""
    message = update.effective_message
    if message is None:
        return None
    strings = context.strings
    if not is_group(message.chat):
        await message.reply_text(strings("hub.group_only"))
        return None
    hub = await context.storage.hub_by_chat(message.chat_id)
    if hub is None or not hub.active or hub.status == "rejected":
        await message.reply_text(strings("hub.not_a_hub"))
        return None
    if not hub.live:
        region = context.content.directory.region(hub.region).name
        await message.reply_text(strings("hub.awaiting_approval", region=region))
        return None
    if not await sender_is_admin(context, message):
        await message.reply_text(strings(not_admin))
        return None
    return hub


async def region_reviewers(context: BotContext, region: str) -> list[int]:
    """Who reviews privately for a region: the operators, then the administrators (people, not
    bots or anonymous admins) of its approved hub groups, as the Bot API lists them now."""
    people = sorted(context.settings.admin_ids)
    for hub in await context.storage.active_hubs(region):
        if not hub.live:
            continue
        try:
            admins = await context.bot.get_chat_administrators(hub.chat_id)
        except TelegramError as error:
            log.info("could not list the admins of hub %s: %s", hub.id, error)
            continue
        for admin in admins:
            user = admin.user
            if user.is_bot or getattr(admin, "is_anonymous", False) or user.id in people:
                continue
            people.append(user.id)
    return people


async def may_review_region(context: BotContext, region: str, user_id: int) -> bool:
    """An operator, or an administrator of an approved hub group of the region right now."""
    if is_operator(context, user_id):
        return True
    for hub in await context.storage.active_hubs(region):
        if not hub.live:
            continue
        try:
            if await is_admin(context, hub.chat_id, user_id):
                return True
        except TelegramError as error:
            log.info("could not check an admin of hub %s: %s", hub.id, error)
    return False


# -- listings in pages (issue 21) ----------------------------------------------------------------


def paged(
    context: BotContext,
    items: Sequence[str],
    *,
    page: int,
    kind: str,
    args: Sequence[int] = (),
    header: str = "",
    footer: str = "",
) -> tuple[Safe, list[Button], Page]:
    """Page `page` of a listing (clamped to the pages there are), its "◀ Previous"/"Next ▶"
    row (empty on a one-page listing; the buttons send `kind` with `args` and the page), and
    the page, whose `start`/`stop` say which items it shows."""
    strings = context.strings

    def marker(number: int, pages: int) -> str:
        return strings("paging.marker", page=number, pages=pages)

    pages = paginate(items, header=header, footer=footer, marker=marker)
    shown = pages[clamp(page, len(pages)) - 1]
    nav: list[Button] = []
    if shown.number > 1:
        nav.append((strings("paging.previous"), callbacks.encode(kind, *args, shown.number - 1)))
    if shown.number < shown.pages:
        nav.append((strings("paging.next"), callbacks.encode(kind, *args, shown.number + 1)))
    return Safe(shown.text), nav, shown


async def drop_buttons(message: Message, *kinds: str) -> None:
    """Take the buttons of the given callback kinds off a message, keeping the others (the
    result's "Add to plan" after "Share my band"); none left, no keyboard."""
    markup = message.reply_markup
    rows = [
        [b for b in row if not ((p := callbacks.decode(b.callback_data)) and p.kind in kinds)]
        for row in (markup.inline_keyboard if markup else ())
    ]
    kept = [row for row in rows if row]
    try:
        await message.edit_reply_markup(InlineKeyboardMarkup(kept) if kept else None)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


# -- information governance (issue 26) --


def privacy_fields(context: BotContext) -> dict[str, object]:
    """The values of every privacy notice string (`notice.*`): who runs the bot (from
    BOT_CONTROLLER_NAME and friends, or "not filled in yet"), the lawful basis, the minimum
    group size and the retention periods. A pulse renders `notice.short` with these."""
    settings, strings = context.settings, context.strings
    unset = strings("notice.unset")
    policy = settings.retention
    return {
        "controller": settings.controller_name or strings("notice.unset_controller"),
        "controller_contact": settings.controller_contact or unset,
        "dpo": settings.dpo_contact or unset,
        "basis": settings.lawful_basis or unset,
        "minimum": settings.min_group_size,
        "network_months": policy.network_months,
        "warn_days": policy.warn_days,
        "delivery_months": policy.delivery_months,
        "pairing_months": policy.pairing_months,
        "rsvp_days": policy.rsvp_days,
        "audit_months": policy.audit_months,
        "backups": policy.backups_kept,
    }
