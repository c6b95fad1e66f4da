"""/buddy: monthly peer pairing of leads within a region (opt in, choose, leave), and the
monthly run that pairs them and introduces each group in private."""

from __future__ import annotations

import html
import logging
from datetime import datetime, time, timedelta
from typing import Any

from telegram import Update
from telegram.error import TelegramError

from bot import scheduling
from bot.context import BotContext
from bot.feature import Buttons, Command, Feature
from bot.rows import BuddyCandidate
from bot.scheduling import Kind, Repeating, Send, message_sender
from content.strings import Safe
from handlers import callbacks
from handlers.common import answer_query, keyboard, private_sender, read_press, show
from scoring import dates, timing
from scoring.engine import Result
from scoring.pairing import Candidate, pair_leads, previous_pairs

log = logging.getLogger(__name__)

# Scheduled and once-only messages this feature sends (job and ledger slot names).
BUDDY_INTRO = Kind("buddy")  # a buddy introduction (or "you wait"): slot per month and lead
BUDDY_PAIRING = Kind("buddy-pairing")  # the quarter-hourly check that pairs once a month

CHECK_EVERY = timedelta(minutes=15)
PAIRING_TIME = time(10, 0)  # on the first working Monday of the month, local time


# -- what a lead can choose --------------------------------------------------------------------


def focuses(context: BotContext) -> list[tuple[str, str]]:
    """(focus key, name) for every choice: the CRAFT enablers, then the model's themes."""
    model = context.content.model
    chosen = [(f"enabler:{e.key}", e.name) for e in model.enablers]
    chosen += [(f"theme:{s.key}", s.title) for s in model.sections]
    return chosen


def focus_name(context: BotContext, key: str) -> str:
    return dict(focuses(context)).get(key, key)


def profile(result: Result | None) -> dict[str, float]:
    """Percent per focus from a stored result (enablers and sections)."""
    if result is None:
        return {}
    scores = {f"enabler:{e.key}": (e.points, e.maximum) for e in result.enablers}
    scores |= {f"theme:{s.key}": (s.points, s.maximum) for s in result.sections}
    return {key: 100.0 * p / m for key, (p, m) in scores.items() if m}


def _focus_keyboard(context: BotContext, kind: str, *before: int) -> Any:
    rows = [
        [(name, callbacks.encode(kind, *before, index))]
        for index, (_, name) in enumerate(focuses(context))
    ]
    return keyboard(rows)


# -- /buddy ------------------------------------------------------------------------------------


async def buddy_command(update: Update, context: BotContext) -> None:
    """Opt in to monthly buddy pairing (or change choices), or leave with /buddy off."""
    found = await private_sender(update, context)
    if found is None:
        return
    message, user = found
    strings, storage = context.strings, context.storage
    args = [a.lower() for a in context.args or []]
    if args == ["off"]:
        left = await storage.leave_buddies(user.id)
        await message.reply_text(strings("buddy.left" if left else "buddy.not_in"))
        return
    if args:
        await message.reply_text(strings("buddy.usage"))
        return
    if await storage.network_of(user.id) is None:
        await message.reply_text(strings("buddy.not_a_lead"))
        return
    current = await storage.buddy(user.id)
    intro = strings("buddy.ask_wants")
    if current is not None:
        intro = Safe(
            strings(
                "buddy.current",
                wants=focus_name(context, current.wants),
                offers=focus_name(context, current.offers),
                share=strings("buddy.sharing" if current.share else "buddy.not_sharing"),
            )
            + "\n\n"
            + intro
        )
    await message.reply_text(intro, reply_markup=_focus_keyboard(context, "bw"))


async def choice_pressed(update: Update, context: BotContext) -> None:
    """Step through the opt-in: what they want help with, what they offer, whether to share."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    strings, storage = context.strings, context.storage
    count = len(focuses(context))
    indexes = press.args[:2] if press.kind == "bs" else press.args
    if any(index >= count for index in indexes) or (press.kind == "bs" and press.args[2] > 1):
        await answer_query(query, strings("errors.button_expired"))
        return
    if await storage.network_of(query.from_user.id) is None:
        await answer_query(query, strings("buddy.not_a_lead_short"))
        return
    await answer_query(query)
    chat = message.chat.id
    if press.kind == "bw":
        text = strings("buddy.ask_offers", wants=focuses(context)[press.args[0]][1])
        await show(
            context, chat, text, _focus_keyboard(context, "bo", *press.args), replace=message
        )
        return
    if press.kind == "bo":
        wants, offers = press.args
        buttons = keyboard(
            [
                [
                    (strings("buddy.share_yes"), callbacks.encode("bs", wants, offers, 1)),
                    (strings("buddy.share_no"), callbacks.encode("bs", wants, offers, 0)),
                ]
            ]
        )
        await show(context, chat, strings("buddy.ask_share"), buttons, replace=message)
        return
    wants, offers, share = press.args
    keys = focuses(context)
    await storage.ensure_user(query.from_user.id)
    await storage.set_buddy(query.from_user.id, keys[wants][0], keys[offers][0], bool(share))
    text = strings(
        "buddy.joined",
        wants=keys[wants][1],
        offers=keys[offers][1],
        share=strings("buddy.sharing" if share else "buddy.not_sharing"),
        next=dates.in_words(await _next_pairing_day(context)),
    )
    await show(context, chat, text, None, replace=message)


async def _next_pairing_day(context: BotContext) -> Any:
    now = context.services.clock.now()
    today = now.astimezone(context.settings.timezone).date()
    run_day = dates.first_working_monday(today.year, today.month)
    if run_day >= today and not await context.storage.buddy_round_done(dates.month_key(today)):
        return run_day
    following = today.replace(day=1) + timedelta(days=32)
    return dates.first_working_monday(following.year, following.month)


# -- the monthly run ---------------------------------------------------------------------------


def pairing_due(now: datetime, zone: Any) -> str | None:
    """The month to pair now (at or after 10:00 on its first working Monday), or None."""
    today = now.astimezone(zone).date()
    run_day = dates.first_working_monday(today.year, today.month)
    if now < timing.local(run_day, PAIRING_TIME, zone):
        return None
    return dates.month_key(today)


async def buddy_pairing_job(context: BotContext) -> None:
    """Pair the month's opted-in leads once (late if the bot was down), then introduce each
    group in private during working hours, once per lead."""
    zone = context.settings.timezone
    now = context.services.clock.now()
    month = pairing_due(now, zone)
    if month is None:
        return
    storage = context.storage
    if not await storage.buddy_round_done(month):
        await run_pairing(context, month)
    if timing.in_working_hours(now, zone):
        await introduce(context, month)


async def run_pairing(context: BotContext, month: str) -> None:
    storage = context.storage
    today = context.services.clock.now().astimezone(context.settings.timezone).date()
    last_month = dates.previous_month_key(today)
    candidates = [
        Candidate(
            user_id=c.choice.user_id,
            region=c.region,
            network_id=c.network_id,
            wants=c.choice.wants,
            offers=c.choice.offers,
            profile=profile(c.result),
            waited=c.waited == last_month,
        )
        for c in await storage.buddy_candidates()
    ]
    previous = previous_pairs(await storage.buddy_groups(last_month))
    pairing = pair_leads(candidates, previous)
    groups = [(g.region, g.members) for g in pairing.groups]
    if await storage.save_buddy_round(month, groups, pairing.waiting):
        log.info(
            "buddy pairing %s: %d groups, %d waiting", month, len(groups), len(pairing.waiting)
        )


async def introduce(context: BotContext, month: str) -> None:
    """Each member of the month's groups hears who their buddies are; each lead who waits
    hears that too. Leads who left or were removed since the pairing are left out."""
    storage = context.storage
    current = {c.choice.user_id: c for c in await storage.buddy_candidates()}
    due: dict[str, tuple[int, list[int]]] = {}
    for group in await storage.buddy_groups(month):
        for member in group:
            if member in current:
                partners = [p for p in group if p != member and p in current]
                due[BUDDY_INTRO.slot(month, member)] = (member, partners)
    for user_id in await storage.buddy_waiting(month):
        if user_id in current:
            due.setdefault(BUDDY_INTRO.slot(month, user_id), (user_id, []))

    async def make(subject: tuple[int, list[int]]) -> tuple[int, Send] | None:
        user_id, partners = subject
        text = await _introduction(context, current, user_id, partners)
        return user_id, message_sender(context, text)

    await scheduling.deliver_due(context, BUDDY_INTRO, due, make)


async def _introduction(
    context: BotContext,
    current: dict[int, BuddyCandidate],
    user_id: int,
    partners: list[int],
) -> Safe:
    strings = context.strings
    if not partners:
        return strings("buddy.waiting")
    me = current[user_id]
    parts = []
    for partner_id in partners:
        partner = current[partner_id]
        block = strings(
            "buddy.partner",
            who=Safe(await _mention(context, partner_id)),
            region=context.content.directory.region(partner.region).name,
            offers=focus_name(context, partner.choice.offers),
            wants=focus_name(context, partner.choice.wants),
        )
        if me.choice.share and partner.choice.share and partner.result:
            result = partner.result
            block = Safe(
                block
                + "\n"
                + strings(
                    "buddy.partner_scores",
                    band=result.band.value.capitalize(),
                    total=result.total,
                    maximum=result.maximum,
                )
            )
        parts.append(block)
    return strings(
        "buddy.introduction",
        partners=Safe("\n\n".join(parts)),
        topic=focus_name(context, me.choice.wants),
    )


async def _mention(context: BotContext, user_id: int) -> str:
    """A link to the person, named as Telegram has them now (never stored)."""
    name: str = context.strings("buddy.a_lead")
    try:
        chat = await context.bot.get_chat(user_id)
        name = chat.full_name or chat.username or name
    except TelegramError as error:
        log.info("could not look up buddy %s: %s", user_id, error)
    return f'<a href="tg://user?id={int(user_id)}">{html.escape(str(name))}</a>'


FEATURE = Feature(
    name="buddy",
    commands=(Command("buddy", buddy_command, ("private",)),),
    buttons=(
        Buttons(
            choice_pressed,
            {
                "bw": 1,  # what the lead wants help with (focus index)
                "bo": 2,  # what they offer: wants, offers (focus indexes)
                "bs": 3,  # share band and scores with a partner: wants, offers, 1 share / 0 not
            },
        ),
    ),
    kinds=(BUDDY_INTRO, BUDDY_PAIRING),
    repeating=(Repeating(BUDDY_PAIRING, buddy_pairing_job, every=CHECK_EVERY),),
)
