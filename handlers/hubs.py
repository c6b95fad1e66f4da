"""Regional hub groups: /hub, /nudges, /nudge, the weekly nudge job, and group housekeeping."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram import Message, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import ChatMemberHandler, MessageHandler, filters

from bot import audit, scheduling
from bot.clock import iso, parse
from bot.context import BotContext
from bot.feature import Buttons, Command, Feature
from bot.rows import Hub
from bot.scheduling import Kind, Rebuild, deliver, message_sender
from content.strings import Safe
from handlers import callbacks
from handlers.common import (
    PRACTICE_PREFIX,
    admin_hub,
    answer_query,
    clip,
    is_group,
    is_operator,
    keyboard,
    log_unreachable_operator,
    nudge_library,
    read_press,
    sender_is_admin,
    show,
)
from scoring import dates, timing
from scoring.rotation import next_entry

log = logging.getLogger(__name__)

# Scheduled and once-only messages this feature sends (job and ledger slot names).
NUDGE = Kind("nudge")  # a hub's weekly nudge: job per hub, slot per hub and week
NUDGE_NOW = Kind("nudge-now", "nudge")  # an admin's /nudge: slot per command message

ASK_AGAIN_AFTER = timedelta(days=7)  # a rejected group may ask to be a hub again after this


# -- commands ----------------------------------------------------------------------------------


async def hub_command(update: Update, context: BotContext) -> None:
    """Ask for this group to be a region's hub (admins; operators' requests are approved at
    once), end it with /hub off, or show its settings."""
    message = update.effective_message
    if message is None:
        return
    strings = context.strings
    if not is_group(message.chat):
        await message.reply_text(strings("hub.group_only"))
        return
    hub = await context.storage.hub_by_chat(message.chat_id)
    if not context.args:
        await message.reply_text(_settings_text(context, hub))
        return
    typed = " ".join(context.args)
    sender = message.from_user.id if message.from_user else None
    operator = is_operator(context, sender) and message.sender_chat is None
    if typed.lower() == "off":
        await _end_hub(context, message, hub, operator)
        return
    region = context.content.directory.match_region(typed)
    if region is None:
        names = ", ".join(r.name for r in context.content.directory.regions)
        await message.reply_text(strings("hub.unknown_region", typed=clip(typed), regions=names))
        return
    if not operator and not await sender_is_admin(context, message):
        await message.reply_text(strings("hub.admins_only"))
        return
    if not operator and not context.settings.admin_ids:
        await message.reply_text(strings("hub.needs_operator"))
        return
    if not operator and hub is not None and hub.active:
        # One pending request per group; a group turned down waits 7 days to ask again.
        if hub.status == "pending" and hub.region == region.key:
            await message.reply_text(strings("gov.hub_already_pending"))
            return
        decided = await context.storage.hub_decided_at(message.chat_id)
        if hub.status == "rejected" and decided is not None:
            again = decided + ASK_AGAIN_AFTER
            if context.services.clock.now() < again:
                zone = context.settings.timezone
                await message.reply_text(
                    strings(
                        "gov.hub_wait_after_reject",
                        date=decided.astimezone(zone).strftime("%-d %B %Y"),
                        again=again.astimezone(zone).strftime("%-d %B %Y"),
                    )
                )
                return
    user_id = sender if sender is not None else message.chat_id
    hub = await context.storage.register_hub(
        message.chat_id, region.key, user_id, approved=operator
    )
    schedule_hub(context, hub)
    if operator:
        await context.storage.audit(user_id, audit.HUB_APPROVED, hub.id)
    if hub.live:
        await message.reply_text(
            strings("hub.registered", region=region.name) + "\n\n" + _settings_text(context, hub)
        )
        return
    await message.reply_text(strings("hub.pending", region=region.name))
    anonymous = message.sender_chat is not None  # an anonymous admin posts as the group
    await _ask_operators(context, hub, message.chat.title or str(message.chat_id), anonymous)


async def _end_hub(context: BotContext, message: Message, hub: Hub | None, operator: bool) -> None:
    """/hub off: the group stops being a hub (admins and operators); its jobs go."""
    strings = context.strings
    if hub is None or not hub.active:
        await message.reply_text(strings("hub.not_a_hub"))
        return
    if not operator and not await sender_is_admin(context, message):
        await message.reply_text(strings("hub.admins_only"))
        return
    await context.storage.end_hub(hub.id)
    sender = message.from_user.id if message.from_user else message.chat_id
    await context.storage.audit(sender, audit.HUB_ENDED, hub.id)
    schedule_hub(context, await context.storage.hub(hub.id) or hub)
    log.info("hub %s (chat %s) ended with /hub off", hub.id, hub.chat_id)
    await message.reply_text(strings("hub.ended"))


def _settings_text(context: BotContext, hub: Hub | None) -> Safe:
    strings = context.strings
    if hub is None or not hub.active or hub.status == "rejected":
        return strings("hub.not_a_hub")
    region = context.content.directory.region(hub.region).name
    if not hub.live:
        return strings("hub.awaiting_approval", region=region)
    if hub.nudges_on and hub.nudge_weekday is not None:
        day = dates.WEEKDAYS[hub.nudge_weekday].capitalize()
        nudges = strings(
            "hub.nudges_on", day=day, time=hub.nudge_time, zone=context.settings.timezone.key
        )
    else:
        nudges = strings("hub.nudges_off")
    return strings("hub.settings", region=region, nudges=nudges)


# -- approval by an operator -------------------------------------------------------------------


def _region_index(context: BotContext, key: str) -> int:
    return [r.key for r in context.content.directory.regions].index(key)


async def _ask_operators(
    context: BotContext, hub: Hub, title: str, anonymous: bool = False
) -> None:
    """Send each operator a private card with Approve and Reject for the hub request, saying
    who asked as far as the bot knows it (no names are stored: an admin of the group)."""
    strings = context.strings
    region = context.content.directory.region(hub.region).name
    who = strings("hub22.asker_anonymous" if anonymous else "hub22.asker", group=clip(title))
    text = strings("hub22.approval_card", who=who, group=clip(title), region=region)
    index = _region_index(context, hub.region)
    buttons = keyboard(
        [
            [
                (strings("hub.approve"), callbacks.encode("ha", hub.id, index, 1)),
                (strings("hub.reject"), callbacks.encode("ha", hub.id, index, 0)),
            ]
        ]
    )
    for operator in sorted(context.settings.admin_ids):
        try:
            await context.bot.send_message(operator, text, reply_markup=buttons)
        except TelegramError as error:
            log_unreachable_operator(operator, f"hub {hub.id} approval card", error)


async def approval_pressed(update: Update, context: BotContext) -> None:
    """An operator approves or rejects a hub request; the group is told either way."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    strings, storage = context.strings, context.storage
    hub_id, index, approve = press.args
    if not is_operator(context, query.from_user.id):
        await answer_query(query, strings("hub.operators_only"))
        return
    regions = context.content.directory.regions
    hub = await storage.hub(hub_id)
    if hub is None or index >= len(regions):
        await answer_query(query, strings("errors.button_expired"))
        return
    region = regions[index]
    if not await storage.decide_hub(hub.id, region.key, bool(approve), query.from_user.id):
        await answer_query(query, strings("hub.already_decided"))
        return
    action = audit.HUB_APPROVED if approve else audit.HUB_REJECTED
    await storage.audit(query.from_user.id, action, hub.id)
    await answer_query(query)
    outcome = "hub.card_approved" if approve else "hub.card_rejected"
    await show(
        context, message.chat.id, strings(outcome, region=region.name), None, replace=message
    )
    decided = await storage.hub(hub.id) or hub
    schedule_hub(context, decided)
    if approve:
        told = (
            strings("hub.approved", region=region.name) + "\n\n" + _settings_text(context, decided)
        )
    else:
        told = strings("hub.rejected", region=region.name)
    try:
        await context.bot.send_message(decided.chat_id, told)
    except TelegramError as error:
        log.info("could not tell chat %s about its hub decision: %s", decided.chat_id, error)


async def nudges_command(update: Update, context: BotContext) -> None:
    """Set the weekly nudge's day and time, or turn nudges off (admins only)."""
    message = update.effective_message
    if message is None:
        return
    strings = context.strings
    hub = await admin_hub(update, context)
    if hub is None:
        return
    typed = context.args or []
    args = [a.lower() for a in typed]
    if args == ["off"]:
        await context.storage.set_nudge_schedule(hub.id, None, None)
        await message.reply_text(strings("hub.nudges_turned_off"))
    elif len(args) == 2:
        weekday, at = dates.parse_weekday(args[0]), dates.parse_time(args[1])
        if weekday is None:
            await message.reply_text(strings("hub.bad_day", typed=clip(typed[0])))
            return
        if at is None:
            await message.reply_text(strings("hub.bad_time", typed=clip(typed[1])))
            return
        text_time = at.strftime("%H:%M")
        await context.storage.set_nudge_schedule(hub.id, weekday, text_time)
        await message.reply_text(
            strings(
                "hub.nudges_set",
                day=dates.WEEKDAYS[weekday].capitalize(),
                time=text_time,
                zone=context.settings.timezone.key,
            )
        )
    else:
        await message.reply_text(strings("hub.nudges_usage"))
        return
    updated = await context.storage.hub(hub.id)
    if updated is not None:
        schedule_hub(context, updated)


async def nudge_now_command(update: Update, context: BotContext) -> None:
    """Send the hub's next nudge straight away (admins only)."""
    message = update.effective_message
    hub = await admin_hub(update, context)
    if message is None or hub is None:
        return
    await send_nudge(context, hub, kind=NUDGE_NOW, slot=NUDGE_NOW.slot(hub.id, message.message_id))


# -- the weekly nudge --------------------------------------------------------------------------


def schedule_hub(context: BotContext, hub: Hub, now: datetime | None = None) -> None:
    """(Re)create the hub's one nudge job for its next slot, or none if nudges are off."""
    name = NUDGE.job(hub.id)
    at = dates.parse_time(hub.nudge_time or "")
    if not hub.live or hub.nudge_weekday is None or at is None:
        scheduling.unschedule(context, name)
        return
    moment = now or context.services.clock.now()
    slot = timing.weekly_slot_after(hub.nudge_weekday, at, context.settings.timezone, moment)
    scheduling.schedule(context, name, slot, nudge_job, {"hub": hub.id, "slot": iso(slot)})


async def active_hubs(context: BotContext, now: datetime) -> list[Hub]:
    return await context.storage.active_hubs()


async def rebuild_hub(context: BotContext, hub: Hub, now: datetime) -> None:
    """At start-up: catch up on the hub's last slot (or skip it), then schedule the next."""
    at = dates.parse_time(hub.nudge_time or "")
    if hub.live and hub.nudge_weekday is not None and at is not None:
        zone = context.settings.timezone
        last = timing.weekly_slot_at_or_before(hub.nudge_weekday, at, zone, now)
        if last >= hub.schedule_since:
            slot = NUDGE.slot(hub.id, last)
            await scheduling.arrange(
                context,
                kind=NUDGE,
                job=NUDGE.job(hub.id),
                slot=slot,
                at=last,
                chat_id=hub.chat_id,
                callback=nudge_job,
                data={"hub": hub.id, "slot": iso(last)},
                send_now=lambda: send_nudge(context, hub, kind=NUDGE, slot=slot),
                now=now,
            )
    # Read again: an admin may have changed the schedule during the catch-up.
    refreshed = await context.storage.hub(hub.id)
    if refreshed is not None:
        schedule_hub(context, refreshed, now)


async def nudge_job(context: BotContext) -> None:
    """Send the hub's nudge for this slot, then schedule the next slot."""
    job = context.job
    if job is None or not isinstance(job.data, dict):
        return
    hub = await context.storage.hub(int(job.data["hub"]))
    if hub is None or not hub.live or not hub.nudges_on:
        return
    slot = parse(str(job.data["slot"]))
    if not _on_schedule(context, hub, slot):
        # The schedule changed after this job was made; the current one has its own job.
        log.info("hub %s: slot %s is no longer on its schedule", hub.id, iso(slot))
        return
    try:
        await send_nudge(context, hub, kind=NUDGE, slot=NUDGE.slot(hub.id, slot))
    finally:
        refreshed = await context.storage.hub(hub.id)
        if refreshed is not None:
            schedule_hub(context, refreshed, now=max(slot, context.services.clock.now()))


def _on_schedule(context: BotContext, hub: Hub, slot: datetime) -> bool:
    """Whether `slot` is one of the hub's current weekly slots."""
    at = dates.parse_time(hub.nudge_time or "")
    if hub.nudge_weekday is None or at is None or slot < hub.schedule_since:
        return False
    zone = context.settings.timezone
    return timing.weekly_slot_at_or_before(hub.nudge_weekday, at, zone, slot) == slot


async def send_nudge(context: BotContext, hub: Hub, *, kind: scheduling.Kind, slot: str) -> str:
    """Pick the hub's next nudge, deliver it once for `slot`, and record it in the rotation."""
    storage, content = context.storage, context.content
    library, practices = await nudge_library(context, hub)
    state = await storage.nudge_state(hub.id)
    pick = next_entry(
        library,
        cycle=state.cycle,
        used=state.used,
        last_enabler=state.last_enabler,
        favour=await weakest_enabler(context, hub.region),
    )
    nudge = content.nudge(pick.key)
    strings = context.strings
    if nudge is not None:
        enabler = content.model.enabler(nudge.enabler)
        text = strings(
            "nudge.message",
            title=nudge.title,
            body=nudge.body,
            enabler=enabler.name,
            source=nudge.source.label,
        )
    else:
        practice = practices[int(pick.key.removeprefix(PRACTICE_PREFIX))]
        region = content.directory.region(hub.region).name
        credit = (
            strings("nudge.credited", network=practice.credit)
            if practice.credit
            else strings("nudge.anonymous")
        )
        text = strings("nudge.practice", body=practice.text, credit=credit, region=region)
    outcome = await deliver(
        context,
        kind=kind,
        slot=slot,
        chat_id=hub.chat_id,
        detail=pick.key,
        send=message_sender(context, text),
    )
    if outcome in ("sent", "unknown"):
        await storage.record_nudge(hub.id, pick.cycle, pick.key, nudge.enabler if nudge else None)
    return outcome


async def weakest_enabler(context: BotContext, region: str) -> str | None:
    """The CRAFT enabler the region's networks score lowest on, from the day's snapshot (the
    same figures /compare shows, so nothing when too few networks have results)."""
    published = await context.services.snapshots.get(context, region)
    distribution = published.distribution if published else None
    return distribution.weakest_enabler if distribution else None


# -- group housekeeping ------------------------------------------------------------------------


async def chat_migrated(update: Update, context: BotContext) -> None:
    """A group became a supergroup: keep its hub, schedule and history under the new id."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old, new = message.chat_id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat_id
    else:
        return
    hub = await context.storage.migrate_chat(old, new)
    if hub is not None:
        log.info("hub %s moved from chat %s to %s", hub.id, old, new)
        schedule_hub(context, hub)


async def membership_changed(update: Update, context: BotContext) -> None:
    """The bot was removed from a group: mark its hub inactive and stop its jobs."""
    change = update.my_chat_member
    if change is None or change.new_chat_member.status not in (
        ChatMemberStatus.LEFT,
        ChatMemberStatus.BANNED,
    ):
        return
    hub = await context.storage.hub_by_chat(change.chat.id)
    if hub is not None:
        await context.storage.set_hub_active(hub.id, False)
        schedule_hub(context, await context.storage.hub(hub.id) or hub)
        log.info("hub %s marked inactive: the bot left chat %s", hub.id, change.chat.id)


FEATURE = Feature(
    name="hubs",
    commands=(
        Command("hub", hub_command, ("group_admin",)),
        Command("nudges", nudges_command, ("group_admin",)),
        Command("nudge", nudge_now_command, ("group_admin",)),
    ),
    # hub request, operator's decision: hub, region index, 1 approve / 0 reject
    buttons=(Buttons(approval_pressed, {"ha": 3}),),
    kinds=(NUDGE, NUDGE_NOW),
    rebuilds=(Rebuild("hubs", active_hubs, rebuild_hub),),
    handlers=(
        # Group housekeeping: migration to a supergroup, the bot being removed.
        MessageHandler(filters.StatusUpdate.MIGRATE, chat_migrated),
        ChatMemberHandler(membership_changed, ChatMemberHandler.MY_CHAT_MEMBER),
    ),
)
