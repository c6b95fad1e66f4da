"""/share: a lead offers a practice to their region; a hub admin or operator approves it."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.feature import Buttons, Command, Feature
from bot.rows import Practice
from content.strings import Safe
from handlers import callbacks
from handlers.common import (
    PRACTICE_PREFIX,
    answer_query,
    keyboard,
    lead_sender,
    log_unreachable_operator,
    may_review_region,
    nudge_library,
    read_press,
    refused,
    region_reviewers,
    show,
)
from scoring import dates, timing
from scoring.rotation import turn

log = logging.getLogger(__name__)

PRACTICE_LIMIT = 1000
SHARES_PER_DAY = 3  # practices a lead may send for review in any 24 hours


async def share_command(update: Update, context: BotContext) -> None:
    """Take the practice text and ask whether to credit the network or share anonymously."""
    found = await lead_sender(update, context, "share.not_a_lead")
    if found is None:
        return
    message, user, network = found
    strings = context.strings
    # Everything after the command, line breaks included.
    parts = (message.text or "").split(maxsplit=1)
    text = parts[1].strip() if len(parts) == 2 else ""
    if not text:
        await message.reply_text(strings("share.usage"))
        return
    if len(text) > PRACTICE_LIMIT:
        await message.reply_text(strings("share.too_long", limit=PRACTICE_LIMIT))
        return
    if why := refused(context, text):
        await message.reply_text(why)
        return
    since = context.services.clock.now() - timedelta(days=1)
    if await context.storage.practices_submitted_since(user.id, since) >= SHARES_PER_DAY:
        await message.reply_text(strings("gov.share_limit", limit=SHARES_PER_DAY))
        return
    practice = await context.storage.add_practice(user.id, network.region, text)
    rows = [
        [(strings("share.credit", network=network.name), callbacks.encode("sc", practice.id, 1))],
        [(strings("share.anonymous"), callbacks.encode("sc", practice.id, 0))],
    ]
    await message.reply_text(strings("share.ask_credit", text=text), reply_markup=keyboard(rows))


async def credit_pressed(update: Update, context: BotContext) -> None:
    """Submit the draft, credited or anonymous, and send it for review."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    practice_id, credited = press.args
    strings, storage = context.strings, context.storage
    network = await storage.network_of(query.from_user.id)
    credit = network.name if network and credited else None
    since = context.services.clock.now() - timedelta(days=1)
    if await storage.practices_submitted_since(query.from_user.id, since) >= SHARES_PER_DAY:
        await answer_query(query, strings("gov.share_limit", limit=SHARES_PER_DAY))
        return
    if network is None or not await storage.submit_practice(
        practice_id, query.from_user.id, credit
    ):
        await answer_query(query, strings("errors.button_expired"))
        return
    await answer_query(query)
    practice = await storage.practice(practice_id)
    assert practice is not None
    reviewers = await _send_for_review(context, practice)
    key = "share.submitted" if reviewers else "share.submitted_no_reviewer"
    await show(context, message.chat.id, strings(key, text=practice.text), None, replace=message)


async def _send_for_review(context: BotContext, practice: Practice) -> int:
    """Send the review card privately to the operators and the admins of the region's approved
    hub groups (never into a group, where members would see unapproved text); how many got it."""
    strings = context.strings
    text = _review_text(context, practice)
    buttons = keyboard(
        [
            [
                (strings("share.approve"), callbacks.encode("pa", practice.id, 1)),
                (strings("share.reject"), callbacks.encode("pa", practice.id, 0)),
            ]
        ]
    )
    operators = sorted(context.settings.admin_ids)
    reached = 0
    for chat_id in await region_reviewers(context, practice.region):
        try:
            card = await context.bot.send_message(chat_id, text, reply_markup=buttons)
        except TelegramError as error:
            if chat_id in operators:
                log_unreachable_operator(chat_id, f"practice {practice.id} review card", error)
            else:
                log.warning(
                    "could not send practice %s for review to %s: %s", practice.id, chat_id, error
                )
            continue
        reached += 1
        # Remembered so the card can say "withdrawn" if the author uses /forget.
        await context.storage.add_review_card(practice.id, chat_id, card.message_id)
    return reached


def _review_text(context: BotContext, practice: Practice) -> Safe:
    strings = context.strings
    region = context.content.directory.region(practice.region).name
    credit = (
        strings("nudge.credited", network=practice.credit)
        if practice.credit
        else strings("nudge.anonymous")
    )
    return strings("share.review", region=region, text=practice.text, credit=credit)


async def review_pressed(update: Update, context: BotContext) -> None:
    """Approve or reject: a hub admin of the practice's region (in its group) or an operator."""
    pressed = await read_press(update, context)
    if pressed is None:
        return
    query, press, message = pressed
    practice_id, approve = press.args
    strings, storage = context.strings, context.storage
    practice = await storage.practice(practice_id)
    if practice is None:
        await answer_query(query, strings("errors.button_expired"))
        return
    if not await _may_review(context, practice, message.chat.id, query.from_user.id):
        await answer_query(query, strings("share.not_allowed"))
        return
    if not await storage.decide_practice(practice.id, bool(approve), query.from_user.id):
        await answer_query(query, strings("share.already_decided"))
        return
    await answer_query(query)
    outcome = strings("share.approved" if approve else "share.rejected")
    card = Safe(f"{_review_text(context, practice)}\n\n{outcome}")
    await show(context, message.chat.id, card, None, replace=message)
    if practice.user_id is not None:
        if approve:
            text = await _approved_notice(context, practice)
        else:
            text = strings("share.author_rejected", text=practice.text)
        try:
            await context.bot.send_message(practice.user_id, text)
        except TelegramError as error:
            log.info("could not tell the author of practice %s: %s", practice.id, error)


async def _approved_notice(context: BotContext, practice: Practice) -> Safe:
    """Tell the author the date their practice goes out: the earliest of the region's hubs'
    nudges that will carry it (waiting practices go out one a week, oldest first)."""
    strings, zone = context.strings, context.settings.timezone
    now = context.services.clock.now()
    moments = []
    for hub in await context.storage.active_hubs(practice.region):
        at = dates.parse_time(hub.nudge_time or "")
        if hub.nudge_weekday is None or at is None:
            continue
        library, _ = await nudge_library(context, hub)
        ahead = turn(library, f"{PRACTICE_PREFIX}{practice.id}")
        if ahead is None:
            continue
        slot = timing.weekly_slot_after(hub.nudge_weekday, at, zone, now)
        moments.append(slot + timedelta(weeks=ahead))
    if not moments:
        return strings("share.author_approved", text=practice.text)
    when = min(moments).astimezone(zone)
    return strings(
        "share.author_approved_on", date=when.strftime("%A %-d %B %Y"), text=practice.text
    )


async def _may_review(context: BotContext, practice: Practice, chat_id: int, user_id: int) -> bool:
    if chat_id != user_id:
        return False  # cards are private: a press in a group decides nothing
    return await may_review_region(context, practice.region, user_id)


FEATURE = Feature(
    name="share",
    commands=(Command("share", share_command, ("private",)),),
    buttons=(
        # credit choice: practice, 1 credited / 0 anonymous
        Buttons(credit_pressed, {"sc": 2}),
        # review: practice, 1 approve / 0 reject
        Buttons(review_pressed, {"pa": 2}),
    ),
)
