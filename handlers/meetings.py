"""Hub meetings: /meeting to schedule, /meetings to list (and cancel), reminders before each."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from telegram import Update

from bot import scheduling, timing
from bot.clock import iso
from bot.context import BotContext
from bot.rows import Hub, Meeting
from bot.scheduling import MEETING, deliver, message_sender
from content.strings import Safe
from handlers import callbacks
from handlers.common import (
    admin_hub,
    answer_query,
    clip,
    is_admin,
    is_group,
    keyboard,
    read_press,
    refused,
    show,
)

log = logging.getLogger(__name__)

TOPIC_LIMIT = 200
# Reminder name -> how long before the meeting it goes out.
REMINDERS = {"day": timedelta(days=1), "hour": timedelta(hours=1)}


def _local(context: BotContext, moment: datetime) -> datetime:
    return moment.astimezone(context.settings.timezone)


async def meeting_command(update: Update, context: BotContext) -> None:
    """Schedule a hub meeting: /meeting YYYY-MM-DD HH:MM topic (admins only)."""
    message = update.effective_message
    hub = await admin_hub(update, context)
    if message is None or hub is None:
        return
    strings = context.strings
    args = context.args or []
    if len(args) < 3:
        await message.reply_text(strings("meeting.usage"))
        return
    day, at = timing.parse_date(args[0]), timing.parse_time(args[1])
    # The topic as typed (line breaks included), after the date and time.
    typed = (message.text or "").split(maxsplit=3)
    topic = typed[3].strip() if len(typed) == 4 else " ".join(args[2:]).strip()
    if day is None:
        await message.reply_text(strings("meeting.bad_date", typed=clip(args[0])))
        return
    if at is None:
        await message.reply_text(strings("hub.bad_time", typed=clip(args[1])))
        return
    if len(topic) > TOPIC_LIMIT:
        await message.reply_text(strings("meeting.topic_too_long", limit=TOPIC_LIMIT))
        return
    if why := refused(context, topic):
        await message.reply_text(why)
        return
    starts = timing.local(day, at, context.settings.timezone)
    if starts <= context.services.clock.now():
        await message.reply_text(strings("meeting.in_the_past"))
        return
    user_id = message.from_user.id if message.from_user else message.chat_id
    meeting = await context.storage.add_meeting(hub.id, starts, topic, user_id)
    schedule_meeting(context, meeting)
    await message.reply_text(
        strings("meeting.scheduled", when=_when(context, meeting), topic=topic)
    )


def _when(context: BotContext, meeting: Meeting) -> str:
    return _local(context, meeting.starts_at).strftime("%a %-d %b %Y, %H:%M")


async def meetings_command(update: Update, context: BotContext) -> None:
    """List the hub's upcoming meetings, each with a Cancel button for admins."""
    message = update.effective_message
    if message is None:
        return
    strings = context.strings
    hub = await context.storage.hub_by_chat(message.chat_id) if is_group(message.chat) else None
    if hub is None or not hub.live:
        await message.reply_text(
            strings("hub.not_a_hub") if is_group(message.chat) else strings("hub.group_only")
        )
        return
    upcoming = await context.storage.upcoming_meetings(context.services.clock.now(), hub.id)
    if not upcoming:
        await message.reply_text(strings("meeting.none"))
        return
    lines = [strings("meeting.list_title")]
    rows = []
    for meeting in upcoming[:10]:
        lines.append(
            strings("meeting.list_line", when=_when(context, meeting), topic=meeting.topic)
        )
        label = strings(
            "meeting.cancel_button",
            when=_local(context, meeting.starts_at).strftime("%-d %b %H:%M"),
        )
        rows.append([(label, callbacks.encode("mc", meeting.id))])
    await message.reply_text(Safe("\n".join(lines)), reply_markup=keyboard(rows))


async def cancel_pressed(update: Update, context: BotContext) -> None:
    """Cancel a meeting from /meetings, if the presser administers the hub's group."""
    pressed = await read_press(update, context)
    if pressed is None:
        return
    query, press, message = pressed
    strings = context.strings
    meeting = await context.storage.meeting(press.args[0])
    hub = await context.storage.hub(meeting.hub_id) if meeting else None
    if meeting is None or hub is None or hub.chat_id != message.chat.id:
        await answer_query(query, strings("errors.button_expired"))
        return
    if not await is_admin(context, message.chat.id, query.from_user.id):
        await answer_query(query, strings("hub.admins_only_short"))
        return
    if not await context.storage.cancel_meeting(meeting.id):
        await answer_query(query, strings("meeting.already_cancelled"))
        return
    unschedule_meeting(context, meeting.id)
    await answer_query(query)
    text = strings("meeting.cancelled", when=_when(context, meeting), topic=meeting.topic)
    await show(context, message.chat.id, text, None, replace=message)


# -- reminders ---------------------------------------------------------------------------------


def schedule_meeting(context: BotContext, meeting: Meeting, now: datetime | None = None) -> None:
    """Create the day-before and hour-before reminder jobs that are still in the future."""
    moment = now or context.services.clock.now()
    for reminder, before in REMINDERS.items():
        name = MEETING.job(meeting.id, reminder)
        at = meeting.starts_at - before
        if at > moment and not meeting.cancelled:
            data = {"meeting": meeting.id, "reminder": reminder}
            scheduling.schedule(context, name, at, meeting_reminder_job, data)
        else:
            scheduling.unschedule(context, name)


def unschedule_meeting(context: BotContext, meeting_id: int) -> None:
    for reminder in REMINDERS:
        scheduling.unschedule(context, MEETING.job(meeting_id, reminder))


async def upcoming(context: BotContext, now: datetime) -> list[Meeting]:
    return await context.storage.upcoming_meetings(now)


async def rebuild_meeting(context: BotContext, meeting: Meeting, now: datetime) -> None:
    """At start-up: schedule each reminder still ahead; send one missed by under 12 hours if
    the meeting has not started, or record it skipped."""
    hub = await context.storage.hub(meeting.hub_id)
    if hub is None or not hub.live:
        return
    for reminder, before in REMINDERS.items():
        await scheduling.arrange(
            context,
            kind=MEETING,
            job=MEETING.job(meeting.id, reminder),
            slot=MEETING.slot(meeting.id, reminder),
            at=meeting.starts_at - before,
            chat_id=hub.chat_id,
            callback=meeting_reminder_job,
            data={"meeting": meeting.id, "reminder": reminder},
            send_now=partial(send_reminder, context, hub, meeting, reminder),
            now=now,
            until=meeting.starts_at,
        )


async def meeting_reminder_job(context: BotContext) -> None:
    job = context.job
    if job is None or not isinstance(job.data, dict):
        return
    meeting = await context.storage.meeting(int(job.data["meeting"]))
    if meeting is None or meeting.cancelled:
        return
    hub = await context.storage.hub(meeting.hub_id)
    if hub is None or not hub.live:
        return
    await send_reminder(context, hub, meeting, str(job.data["reminder"]))


async def send_reminder(context: BotContext, hub: Hub, meeting: Meeting, reminder: str) -> str:
    text = context.strings(
        f"meeting.reminder_{reminder}",
        time=_local(context, meeting.starts_at).strftime("%H:%M"),
        when=_when(context, meeting),
        topic=meeting.topic,
    )
    return await deliver(
        context,
        kind=MEETING,
        slot=MEETING.slot(meeting.id, reminder),
        chat_id=hub.chat_id,
        detail=iso(meeting.starts_at),
        send=message_sender(context, text),
    )
