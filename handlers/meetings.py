"""Hub meetings: /meeting to schedule (announced with Going / Can't make it buttons and a
calendar file), /meetings to list (calendar files for all; replies and Cancel for admins), and
reminders before each, to the group and privately to those going."""

from __future__ import annotations

import html
import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.error import TelegramError

from bot import scheduling
from bot.clock import iso
from bot.context import BotContext
from bot.feature import Buttons, Command, Feature
from bot.rows import Hub, Meeting
from bot.scheduling import Kind, Rebuild, deliver, message_sender
from content.strings import Safe
from handlers import callbacks
from handlers.common import (
    Button,
    admin_hub,
    answer_query,
    clip,
    is_admin,
    is_group,
    keyboard,
    paged,
    plain,
    read_press,
    refused,
    sender_is_admin,
    show,
)
from scoring import dates, joining, timing
from scoring.ics import CalendarEvent, calendar
from scoring.text import clean

log = logging.getLogger(__name__)

# Scheduled and once-only messages this feature sends (job and ledger slot names).
MEETING = Kind("meeting")  # a meeting reminder: job and slot per meeting and reminder
MEETING_GOING = Kind("meetgoing")  # a meeting reminder to one member going: slot per reminder

TOPIC_LIMIT = 200
# Reminder name -> how long before the meeting it goes out.
REMINDERS = {"day": timedelta(days=1), "hour": timedelta(hours=1)}
NAMES_SHOWN = 30  # people named per answer in an admin's list of replies


def _local(context: BotContext, moment: datetime) -> datetime:
    return moment.astimezone(context.settings.timezone)


async def meeting_command(update: Update, context: BotContext) -> None:
    """Schedule a hub meeting: /meeting <date> [at] <time> <topic> (admins only); the date as
    2027-01-20, 20/01/2027, 20 January, tomorrow or next Tuesday, the time as 18:00 or 6pm."""
    message = update.effective_message
    hub = await admin_hub(update, context)
    if message is None or hub is None:
        return
    strings = context.strings
    args = context.args or []
    if len(args) < 3:
        await message.reply_text(strings("meeting.usage"))
        return
    today = _local(context, context.services.clock.now()).date()
    when = dates.read_when(args, today)
    if when is None:
        await message.reply_text(strings("meeting.bad_date", typed=clip(args[0])))
        return
    day, at, used = when.day, when.at, when.used
    if at is None:
        await message.reply_text(strings("hub.bad_time", typed=clip(when.time_word)))
        return
    if not dates.meeting_date_allowed(day, today):
        key = "meeting.in_the_past" if day < today else "meeting.too_far"
        await message.reply_text(strings(key, years=dates.MEETING_YEARS_AHEAD))
        return
    # The rest as typed (line breaks included): an optional length, the topic, an optional link.
    typed = (message.text or "").split(maxsplit=used + 1)
    rest = typed[used + 1].strip() if len(typed) == used + 2 else ""
    details = _details(context, rest)
    if isinstance(details, str):
        await message.reply_text(details)
        return
    topic, length, link = details
    starts = timing.local(day, at, context.settings.timezone)
    if starts <= context.services.clock.now():
        await message.reply_text(strings("meeting.in_the_past"))
        return
    user_id = message.from_user.id if message.from_user else message.chat_id
    meeting = await context.storage.add_meeting(
        hub.id, starts, topic, user_id, join_url=link, minutes=length // timedelta(minutes=1)
    )
    schedule_meeting(context, meeting)
    sent = await context.bot.send_document(
        message.chat_id,
        _calendar_file(context, hub, meeting),
        caption=await _announcement(context, meeting),
        reply_markup=_rsvp_buttons(context, meeting),
        reply_to_message_id=message.message_id,
        allow_sending_without_reply=True,
    )
    await context.storage.set_announcement(meeting.id, sent.message_id)


def _details(context: BotContext, rest: str) -> tuple[str, timedelta, str | None] | Safe:
    """The topic, length and joining link from what follows the time: `[length] topic [link]`
    (the length as 90m or 1h30, the link an https address on an allowed meeting service); or
    why they cannot be used."""
    strings = context.strings
    topic = rest
    length = joining.DEFAULT_LENGTH
    first = topic.split(maxsplit=1)
    if first and joining.is_length_word(first[0]):
        found = joining.parse_length(first[0])
        if found is None:
            return strings("meeting.bad_length", typed=clip(first[0]))
        length = found
        topic = first[1] if len(first) == 2 else ""
    link = None
    last = topic.rsplit(maxsplit=1)
    if last and joining.looks_like_url(last[-1]):
        link = joining.joining_link(last[-1])
        if link is None:
            return strings("meeting.link_not_allowed")
        topic = last[0] if len(last) == 2 else ""
    topic = topic.strip()
    if not topic:
        return strings("meeting.usage")
    if len(topic) > TOPIC_LIMIT:
        return strings("meeting.topic_too_long", limit=TOPIC_LIMIT)
    if why := refused(context, topic):
        return why
    return topic, length, link


def _when(context: BotContext, meeting: Meeting) -> str:
    return _local(context, meeting.starts_at).strftime("%a %-d %b %Y, %H:%M")


def _in_words(context: BotContext, meeting: Meeting) -> str:
    local = _local(context, meeting.starts_at)
    return f"{dates.in_words(local.date())}, {local.strftime('%H:%M')}"


async def _announcement(context: BotContext, meeting: Meeting) -> Safe:
    replies = await context.storage.rsvps(meeting.id)
    return context.strings(
        "meeting.announcement",
        when=_in_words(context, meeting),
        zone=context.settings.timezone.key,
        topic=meeting.topic,
        going=len(replies.going),
        not_going=len(replies.not_going),
    )


def _rsvp_buttons(context: BotContext, meeting: Meeting) -> InlineKeyboardMarkup:
    strings = context.strings
    markup = keyboard(
        [
            [
                (strings("meeting.going"), callbacks.encode("mr", meeting.id, 1)),
                (strings("meeting.not_going"), callbacks.encode("mr", meeting.id, 0)),
            ]
        ]
    )
    join = _join_button(context, meeting)
    if join is None:
        return markup
    return InlineKeyboardMarkup([*markup.inline_keyboard, *join.inline_keyboard])


def _join_button(context: BotContext, meeting: Meeting) -> InlineKeyboardMarkup | None:
    """A URL button opening the meeting's joining link, if it has one."""
    if meeting.join_url is None:
        return None
    label = plain(context.strings("meeting.join_button"))
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, url=meeting.join_url)]])


def _calendar_file(context: BotContext, hub: Hub, meeting: Meeting) -> InputFile:
    """The meeting's .ics in the bot's time zone; a cancellation once it is cancelled."""
    region = context.content.directory.region(hub.region).name
    event = CalendarEvent(
        uid=f"meeting-{meeting.id}-hub-{hub.id}@{context.bot.username}",
        starts_at=meeting.starts_at,
        duration=timedelta(minutes=meeting.minutes),
        summary=meeting.topic,
        url=meeting.join_url,
        description=context.strings("meeting.calendar_description", region=region),
        sequence=meeting.sequence,
        cancelled=meeting.cancelled,
    )
    data = calendar(event, context.settings.timezone, context.services.clock.now())
    name = f"hub-meeting-{meeting.id}{'-cancelled' if meeting.cancelled else ''}.ics"
    return InputFile(data, filename=name)


async def rsvp_pressed(update: Update, context: BotContext) -> None:
    """A member answers Going or Can't make it; the announcement shows the new counts."""
    pressed = await read_press(update, context)
    if pressed is None:
        return
    query, press, message = pressed
    strings = context.strings
    meeting_id, going = press.args
    meeting = await context.storage.meeting(meeting_id)
    hub = await context.storage.hub(meeting.hub_id) if meeting else None
    if meeting is None or hub is None or hub.chat_id != message.chat.id or going > 1:
        await answer_query(query, strings("errors.button_expired"))
        return
    if meeting.cancelled or meeting.starts_at <= context.services.clock.now():
        await answer_query(query, strings("meeting.closed"))
        return
    before = await context.storage.rsvps(meeting.id)
    if query.from_user.id in (before.going if going else before.not_going):
        # The same answer again: nothing changes, so the announcement is left as it is.
        await answer_query(query, strings("meeting.noted_going" if going else "meeting.noted_not"))
        return
    if not await context.storage.answer_rsvp(meeting.id, query.from_user.id, bool(going)):
        await answer_query(query, strings("meeting.closed"))
        return
    await answer_query(query, strings("meeting.noted_going" if going else "meeting.noted_not"))
    await _refresh_announcement(context, meeting, message)


async def _refresh_announcement(context: BotContext, meeting: Meeting, message: Message) -> None:
    try:
        await context.bot.edit_message_caption(
            chat_id=message.chat.id,
            message_id=message.message_id,
            caption=await _announcement(context, meeting),
            reply_markup=_rsvp_buttons(context, meeting),
        )
    except TelegramError as error:  # not modified, or too old to edit: the counts are stored
        log.info("could not update meeting %s announcement: %s", meeting.id, error)


async def meetings_command(update: Update, context: BotContext) -> None:
    """List the hub's upcoming meetings with their counts and a calendar-file button; admins
    also get who replied and Cancel."""
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
    admin = await sender_is_admin(context, message)
    text, markup = await _meetings_page(context, hub, admin, 1)
    await message.reply_text(text, reply_markup=markup)


async def _meetings_page(context: BotContext, hub: Hub, admin: bool, page: int) -> tuple[Safe, Any]:
    """A page of the hub's upcoming meetings, each with its buttons (admins' too for an admin),
    and Previous/Next."""
    strings = context.strings
    upcoming = await context.storage.upcoming_meetings(context.services.clock.now(), hub.id)
    if not upcoming:
        return strings("meeting.none"), None
    lines: list[str] = []
    for meeting in upcoming:
        replies = await context.storage.rsvps(meeting.id)
        lines.append(
            strings(
                "meeting.list_line",
                when=_when(context, meeting),
                topic=meeting.topic,
                going=len(replies.going),
                not_going=len(replies.not_going),
            )
        )
    text, nav, shown = paged(
        context, lines, page=page, kind="mp", header=strings("meeting.list_title")
    )
    rows: list[list[Button]] = []
    for meeting in upcoming[shown.start : shown.stop]:
        short = _local(context, meeting.starts_at).strftime("%-d %b %H:%M")
        row: list[Button] = [
            (strings("meeting.file_button", when=short), callbacks.encode("mf", meeting.id))
        ]
        if admin:
            row.append((strings("meeting.who_button"), callbacks.encode("mw", meeting.id)))
            row.append(
                (strings("meeting.cancel_button", when=short), callbacks.encode("mc", meeting.id))
            )
        rows.append(row)
    if nav:
        rows.append(nav)
    return text, keyboard(rows)


async def page_pressed(update: Update, context: BotContext) -> None:
    """Show another page of the hub's upcoming meetings (with admins' buttons for an admin)."""
    pressed = await read_press(update, context)
    if pressed is None:
        return
    query, press, message = pressed
    hub = await context.storage.hub_by_chat(message.chat.id) if is_group(message.chat) else None
    if hub is None or not hub.live:
        await answer_query(query, context.strings("errors.button_expired"))
        return
    await answer_query(query)
    admin = await is_admin(context, message.chat.id, query.from_user.id)
    text, markup = await _meetings_page(context, hub, admin, press.args[0])
    await show(context, message.chat.id, text, markup, replace=message)


async def _pressed_meeting(
    update: Update, context: BotContext, *, admins_only: bool = False
) -> tuple[CallbackQuery, Meeting, Hub, Message] | None:
    """The meeting a button in its hub's group is about, and who pressed; None (with an answer
    saying why) for an expired button, or a non-admin pressing an admin's button."""
    pressed = await read_press(update, context)
    if pressed is None:
        return None
    query, press, message = pressed
    meeting = await context.storage.meeting(press.args[0])
    hub = await context.storage.hub(meeting.hub_id) if meeting else None
    if meeting is None or hub is None or hub.chat_id != message.chat.id:
        await answer_query(query, context.strings("errors.button_expired"))
        return None
    if admins_only and not await is_admin(context, message.chat.id, query.from_user.id):
        await answer_query(query, context.strings("hub.admins_only_short"))
        return None
    return query, meeting, hub, message


async def file_pressed(update: Update, context: BotContext) -> None:
    """Send the meeting's calendar file: privately to whoever pressed, or to the group if they
    have not opened a private chat with the bot."""
    found = await _pressed_meeting(update, context)
    if found is None:
        return
    query, meeting, hub, message = found
    caption = context.strings(
        "meeting.file_caption", when=_in_words(context, meeting), topic=meeting.topic
    )
    if await context.storage.user(query.from_user.id) is not None:
        try:
            await context.bot.send_document(
                query.from_user.id, _calendar_file(context, hub, meeting), caption=caption
            )
        except TelegramError as error:
            log.info("could not send a calendar file to %s: %s", query.from_user.id, error)
        else:
            await answer_query(query, context.strings("meeting.file_sent"))
            return
    await answer_query(query)
    await context.bot.send_document(
        message.chat.id, _calendar_file(context, hub, meeting), caption=caption
    )


async def who_pressed(update: Update, context: BotContext) -> None:
    """Tell an admin, privately, who said Going and who cannot come (names looked up now,
    never stored)."""
    found = await _pressed_meeting(update, context, admins_only=True)
    if found is None:
        return
    query, meeting, hub, _ = found
    strings = context.strings
    replies = await context.storage.rsvps(meeting.id)
    text = strings(
        "meeting.who",
        when=_in_words(context, meeting),
        topic=meeting.topic,
        going=Safe(await _names(context, hub.chat_id, replies.going)),
        not_going=Safe(await _names(context, hub.chat_id, replies.not_going)),
    )
    try:
        await context.bot.send_message(query.from_user.id, text)
    except TelegramError as error:
        log.info("could not send meeting replies to admin %s: %s", query.from_user.id, error)
        await answer_query(query, strings("meeting.who_needs_private"))
        return
    await answer_query(query, strings("meeting.who_sent"))


async def _names(context: BotContext, chat_id: int, user_ids: tuple[int, ...]) -> str:
    """Mentions of these members (first names asked of Telegram now), or a dash for nobody."""
    if not user_ids:
        return "–"
    named = []
    for user_id in user_ids[:NAMES_SHOWN]:
        try:
            member = await context.bot.get_chat_member(chat_id, user_id)
            name = clean(member.user.full_name) or str(user_id)
        except TelegramError:
            name = str(user_id)
        named.append(f'<a href="tg://user?id={int(user_id)}">{html.escape(name)}</a>')
    more = len(user_ids) - NAMES_SHOWN
    if more > 0:
        named.append(html.escape(context.strings("meeting.and_more", count=more)))
    return ", ".join(named)


async def cancel_pressed(update: Update, context: BotContext) -> None:
    """Cancel a meeting from /meetings, if the presser administers the hub's group: the group
    gets a cancellation calendar file and the announcement loses its buttons."""
    found = await _pressed_meeting(update, context, admins_only=True)
    if found is None:
        return
    query, meeting, hub, message = found
    strings = context.strings
    if not await context.storage.cancel_meeting(meeting.id):
        await answer_query(query, strings("meeting.already_cancelled"))
        return
    unschedule_meeting(context, meeting.id)
    await answer_query(query)
    text = strings("meeting.cancelled", when=_when(context, meeting), topic=meeting.topic)
    await show(context, message.chat.id, text, None, replace=message)
    cancelled = await context.storage.meeting(meeting.id) or meeting
    try:
        await context.bot.send_document(
            hub.chat_id,
            _calendar_file(context, hub, cancelled),
            caption=strings("meeting.cancel_file", when=_in_words(context, cancelled)),
        )
        if cancelled.announcement_id is not None:
            await context.bot.edit_message_caption(
                chat_id=hub.chat_id,
                message_id=cancelled.announcement_id,
                caption=text,
                reply_markup=None,
            )
    except TelegramError as error:
        log.info("meeting %s: could not send its cancellation: %s", meeting.id, error)


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
    """Remind the group, then privately each member going who has opened the bot (within
    working hours, like every message to a person)."""
    text = context.strings(
        f"meeting.reminder_{reminder}",
        time=_local(context, meeting.starts_at).strftime("%H:%M"),
        when=_when(context, meeting),
        topic=meeting.topic,
    )
    outcome = await deliver(
        context,
        kind=MEETING,
        slot=MEETING.slot(meeting.id, reminder),
        chat_id=hub.chat_id,
        detail=iso(meeting.starts_at),
        send=message_sender(context, text, _join_button(context, meeting)),
    )
    now = context.services.clock.now()
    if not timing.in_working_hours(now, context.settings.timezone):
        log.info(
            "meeting %s: %s reminder not sent privately outside working hours", meeting.id, reminder
        )
        return outcome
    private = context.strings(
        "meeting.reminder_private", when=_in_words(context, meeting), topic=meeting.topic
    )
    for user_id in await context.storage.going_with_chat(meeting.id):
        await deliver(
            context,
            kind=MEETING_GOING,
            slot=MEETING_GOING.slot(meeting.id, reminder, user_id),
            chat_id=user_id,
            send=message_sender(context, private, _join_button(context, meeting)),
        )
    return outcome


FEATURE = Feature(
    name="meetings",
    commands=(
        Command("meeting", meeting_command, ("group_admin",)),
        Command("meetings", meetings_command, ("group", "group_admin")),
    ),
    buttons=(
        Buttons(cancel_pressed, {"mc": 1}),  # cancel a meeting: meeting
        Buttons(rsvp_pressed, {"mr": 2}),  # answer a meeting: meeting, 1 going / 0 can't make it
        Buttons(file_pressed, {"mf": 1}),  # send a meeting's calendar file: meeting
        Buttons(who_pressed, {"mw": 1}),  # tell an admin who answered: meeting
        Buttons(page_pressed, {"mp": 1}),  # a page of the hub's upcoming meetings: page (from 1)
    ),
    kinds=(MEETING, MEETING_GOING),
    rebuilds=(Rebuild("upcoming meetings", upcoming, rebuild_meeting),),
)
