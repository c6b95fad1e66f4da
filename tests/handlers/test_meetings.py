"""Hub meetings: scheduling, listing, cancelling, and reminders a day and an hour before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from content import Content
from tests.fakebot import FakeBotApi
from tests.harness import OPERATOR, FakeClock, Harness, running

ADMIN = 901
MEMBER = 902
GROUP = -1009001


async def _hub(bot: Harness) -> None:
    bot.fake.set_admins(GROUP, [ADMIN])
    await bot.send(OPERATOR, "/hub London", chat_id=GROUP)


async def _meeting(bot: Harness, when: str = "2027-03-10 13:00", topic: str = "WRES plans") -> int:
    await bot.send(ADMIN, f"/meeting {when} {topic}", chat_id=GROUP)
    upcoming = await bot.storage.upcoming_meetings(bot.clock.now())
    return max(meeting.id for meeting in upcoming)


async def test_meeting_is_scheduled_with_two_reminders(bot: Harness) -> None:
    """/meeting stores the meeting and schedules reminders 24 h and 1 h before."""
    await _hub(bot)
    meeting_id = await _meeting(bot)
    assert "Wednesday 10 March 2027, 13:00" in bot.fake.sent(GROUP)[-1].text
    starts = datetime(2027, 3, 10, 13, 0, tzinfo=UTC)
    assert bot.job_time(f"meeting:{meeting_id}:day") == starts - timedelta(days=1)
    assert bot.job_time(f"meeting:{meeting_id}:hour") == starts - timedelta(hours=1)


async def test_meeting_time_is_local_time(bot: Harness) -> None:
    """A summer meeting at 13:00 London time is 12:00 UTC."""
    await _hub(bot)
    meeting_id = await _meeting(bot, "2027-07-14 13:00")
    meeting = await bot.storage.meeting(meeting_id)
    assert meeting is not None
    assert meeting.starts_at == datetime(2027, 7, 14, 12, 0, tzinfo=UTC)


async def test_meeting_validation(bot: Harness) -> None:
    """Past dates, impossible dates, bad times, missing topics and long topics are refused."""
    await _hub(bot)
    cases = {
        "/meeting 2027-02-01 13:00 Too late": "already passed",
        "/meeting 2027-02-30 13:00 No such day": "not a date",
        "/meeting 32/03/2027 13:00 No such day": "not a date",
        "/meeting 2027-03-10 13pm Bad time": "not a time",
        "/meeting 2027-03-10 13:00": "Use <code>/meeting",
        "/meeting 2027-03-10 13:00 " + "x" * 201: "200 characters",
    }
    for text, expected in cases.items():
        calls = await bot.send(ADMIN, text, chat_id=GROUP)
        assert expected in calls[-1].text, text
    assert await bot.storage.upcoming_meetings(bot.clock.now()) == []


async def test_meeting_by_a_non_admin_is_refused(bot: Harness) -> None:
    """Only group admins schedule meetings."""
    await _hub(bot)
    calls = await bot.send(MEMBER, "/meeting 2027-03-10 13:00 Topic", chat_id=GROUP)
    assert "Only an admin" in calls[-1].text
    assert await bot.storage.upcoming_meetings(bot.clock.now()) == []


async def test_meetings_lists_upcoming_with_calendar_buttons_for_members(bot: Harness) -> None:
    """/meetings lists what is ahead, soonest first; a member sees calendar files, no Cancel."""
    await _hub(bot)
    await _meeting(bot, "2027-03-20 10:00", "Later")
    await _meeting(bot, "2027-03-10 13:00", "Sooner")
    calls = await bot.send(MEMBER, "/meetings", chat_id=GROUP)
    text = calls[-1].text
    assert text.index("Sooner") < text.index("Later")
    assert bot.buttons(GROUP) == ["📅 10 Mar 13:00", "📅 20 Mar 10:00"]


async def test_admin_gets_replies_and_cancel_in_meetings(bot: Harness) -> None:
    """An admin's /meetings adds Who replied and Cancel to each meeting."""
    await _hub(bot)
    await _meeting(bot, "2027-03-10 13:00", "Sooner")
    await bot.send(ADMIN, "/meetings", chat_id=GROUP)
    assert bot.buttons(GROUP) == ["📅 10 Mar 13:00", "Who replied", "Cancel 10 Mar 13:00"]


async def test_admin_cancels_and_reminders_are_dropped(bot: Harness) -> None:
    """An admin's Cancel marks the meeting cancelled and removes its reminder jobs."""
    await _hub(bot)
    meeting_id = await _meeting(bot)
    await bot.send(ADMIN, "/meetings", chat_id=GROUP)
    await bot.tap(ADMIN, "Cancel", chat_id=GROUP)
    meeting = await bot.storage.meeting(meeting_id)
    assert meeting is not None
    assert meeting.cancelled
    assert bot.jobs(f"meeting:{meeting_id}:day") == []
    assert "Cancelled" in bot.fake.shown(GROUP)[-1].text


async def test_member_cannot_cancel(bot: Harness) -> None:
    """A member's (forged) press on Cancel is refused and the meeting stands."""
    await _hub(bot)
    meeting_id = await _meeting(bot)
    await bot.send(MEMBER, "/meetings", chat_id=GROUP)
    calls = await bot.press(MEMBER, f"1:mc:{meeting_id}", chat_id=GROUP)
    assert "Only an admin" in calls[-1].params["text"]
    meeting = await bot.storage.meeting(meeting_id)
    assert meeting is not None
    assert not meeting.cancelled


async def test_reminders_are_sent_once_each(bot: Harness) -> None:
    """The day-before and hour-before reminders each reach the group once."""
    await _hub(bot)
    meeting_id = await _meeting(bot)
    for reminder in ("day", "hour", "day", "hour"):
        await bot.run_job(f"meeting:{meeting_id}:{reminder}")
    texts = [c.text for c in bot.fake.sent(GROUP)]
    assert len([t for t in texts if "tomorrow" in t]) == 1
    assert len([t for t in texts if "in an hour" in t]) == 1


async def test_missed_reminder_is_caught_up_within_twelve_hours(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """Down when the day-before reminder was due, up 3 hours later: it is sent then, once."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, content, db, clock) as bot:
        await _hub(bot)
        await _meeting(bot)
    later = FakeClock(datetime(2027, 3, 9, 16, 0, tzinfo=UTC))
    for _ in range(2):
        async with running(fake, content, db, later) as bot:
            await bot.run_job("startup")
    assert len([c for c in fake.sent(GROUP) if "tomorrow" in c.text]) == 1


async def test_meeting_too_soon_for_a_day_reminder_gets_only_the_hour(bot: Harness) -> None:
    """A meeting set for later today schedules only the hour-before reminder."""
    await _hub(bot)
    meeting_id = await _meeting(bot, "2027-03-01 15:00")
    assert bot.jobs(f"meeting:{meeting_id}:day") == []
    assert len(bot.jobs(f"meeting:{meeting_id}:hour")) == 1


async def test_meeting_topic_with_a_link_mention_or_line_break_is_refused(bot: Harness) -> None:
    """A topic holding a web address, an @mention or a line break is refused, saying why."""
    await _hub(bot)
    for topic, why in (
        ("Plans https://evil.example/login", "link"),
        ("Plans at www.example", "link"),
        ("Plans with @someone", "@mention"),
        ("Plans\nand more", "one line"),
    ):
        calls = await bot.send(ADMIN, f"/meeting 2027-03-10 13:00 {topic}", chat_id=GROUP)
        assert why in calls[-1].text, topic
    assert await bot.storage.upcoming_meetings(bot.clock.now()) == []


async def test_long_typed_arguments_are_echoed_cut_short(bot: Harness) -> None:
    """A 4,000-character date or region is echoed back cut to about 60 characters."""
    await _hub(bot)
    calls = await bot.send(ADMIN, f"/meeting {'x' * 4000} 13:00 Plans", chat_id=GROUP)
    assert "x" * 59 + "…" in calls[-1].text
    assert len(calls[-1].text) < 400
    calls = await bot.send(ADMIN, f"/hub {'y' * 4000}", chat_id=GROUP)
    assert "y" * 59 + "…" in calls[-1].text
    assert len(calls[-1].text) < 600
    calls = await bot.send(ADMIN, f"/nudges {'z' * 4000} 12:00", chat_id=GROUP)
    assert "z" * 59 + "…" in calls[-1].text


# -- UK dates, RSVPs and calendar files --------------------------------------------------------


async def test_uk_date_forms_and_pm_times_are_accepted(bot: Harness) -> None:
    """25/12/2027 6pm, 10 March, next Tuesday and "tomorrow at 12:30" are read; the reply says
    the date in words."""
    await _hub(bot)
    cases = {
        "25/12/2027 6pm": ("Saturday 25 December 2027, 18:00", datetime(2027, 12, 25, 18, 0)),
        "10 March 1.30pm": ("Wednesday 10 March 2027, 13:30", datetime(2027, 3, 10, 13, 30)),
        "next Tuesday 18:00": ("Tuesday 2 March 2027, 18:00", datetime(2027, 3, 2, 18, 0)),
        "tomorrow at 12:30": ("Tuesday 2 March 2027, 12:30", datetime(2027, 3, 2, 12, 30)),
    }
    for typed, (words, starts) in cases.items():
        meeting_id = await _meeting(bot, typed, "Mentoring")
        assert words in bot.fake.sent(GROUP)[-1].text, typed
        meeting = await bot.storage.meeting(meeting_id)
        assert meeting is not None
        assert meeting.starts_at == starts.replace(tzinfo=UTC), typed


async def test_announcement_carries_a_calendar_file_in_the_hubs_zone(bot: Harness) -> None:
    """The announcement is a document: an .ics with the meeting in Europe/London time."""
    await _hub(bot)
    await _meeting(bot, "2027-07-14 13:00")
    [document] = bot.fake.calls_to("sendDocument", GROUP)
    ics = document.files["document"].decode()
    assert "DTSTART;TZID=Europe/London:20270714T130000" in ics
    assert "BEGIN:VTIMEZONE" in ics
    assert "METHOD:PUBLISH" in ics


async def test_going_and_cant_make_it_update_the_counts(bot: Harness) -> None:
    """Presses are stored per person; the announcement shows the counts, a change of mind moves."""
    await _hub(bot)
    meeting_id = await _meeting(bot)
    await bot.tap(MEMBER, "✅ Going", chat_id=GROUP)
    await bot.tap(ADMIN, "✅ Going", chat_id=GROUP)
    await bot.tap(MEMBER, "❌ Can't make it", chat_id=GROUP)
    replies = await bot.storage.rsvps(meeting_id)
    assert (replies.going, replies.not_going) == ((ADMIN,), (MEMBER,))
    _, message_id = next(
        k for k in bot.fake.messages if k[0] == GROUP and "document" in bot.fake.messages[k]
    )
    assert "Going: 1 · ❌ Can't make it: 1" in bot.fake.messages[(GROUP, message_id)]["caption"]


async def test_no_answers_once_a_meeting_is_cancelled(bot: Harness) -> None:
    """Going on a cancelled meeting is refused and stores nothing."""
    await _hub(bot)
    meeting_id = await _meeting(bot)
    await bot.storage.cancel_meeting(meeting_id)
    calls = await bot.press(MEMBER, f"1:mr:{meeting_id}:1", chat_id=GROUP)
    assert "cancelled" in calls[-1].params["text"]
    assert (await bot.storage.rsvps(meeting_id)).going == ()


async def test_reminder_goes_privately_to_those_going_who_opened_the_bot(bot: Harness) -> None:
    """The hour reminder reaches the group and, privately, only members going with a chat."""
    await _hub(bot)
    meeting_id = await _meeting(bot)
    stranger = 903
    await bot.send(MEMBER, "/start")
    await bot.tap(MEMBER, "✅ Going", chat_id=GROUP)
    await bot.tap(stranger, "✅ Going", chat_id=GROUP)
    await bot.tap(ADMIN, "❌ Can't make it", chat_id=GROUP)
    for _ in range(2):
        await bot.run_job(f"meeting:{meeting_id}:hour")
    assert len([c for c in bot.fake.sent(MEMBER) if "You said you are going" in c.text]) == 1
    assert bot.fake.sent(stranger) == []
    assert not any("You said you are going" in c.text for c in bot.fake.sent(ADMIN))


async def test_admin_sees_who_replied_privately_as_mentions(bot: Harness) -> None:
    """Who replied sends the admin, privately, links to those going (ids, names looked up)."""
    await _hub(bot)
    await _meeting(bot)
    await bot.send(ADMIN, "/start")
    await bot.tap(MEMBER, "✅ Going", chat_id=GROUP)
    await bot.send(ADMIN, "/meetings", chat_id=GROUP)
    await bot.tap(ADMIN, "Who replied", chat_id=GROUP)
    text = bot.fake.sent(ADMIN)[-1].text
    assert f'href="tg://user?id={MEMBER}"' in text
    assert not any(f"tg://user?id={MEMBER}" in c.text for c in bot.fake.sent(GROUP))


async def test_member_cannot_see_who_replied(bot: Harness) -> None:
    """A member's forged Who replied press is refused."""
    await _hub(bot)
    meeting_id = await _meeting(bot)
    calls = await bot.press(MEMBER, f"1:mw:{meeting_id}", chat_id=GROUP)
    assert "Only an admin" in calls[-1].params["text"]


async def test_calendar_button_sends_the_file_privately(bot: Harness) -> None:
    """A member who opened the bot gets the .ics from /meetings in their private chat."""
    await _hub(bot)
    await _meeting(bot)
    await bot.send(MEMBER, "/start")
    await bot.send(MEMBER, "/meetings", chat_id=GROUP)
    await bot.tap(MEMBER, "📅", chat_id=GROUP)
    [document] = bot.fake.calls_to("sendDocument", MEMBER)
    assert b"BEGIN:VEVENT" in document.files["document"]


async def test_cancelling_sends_a_cancellation_file(bot: Harness) -> None:
    """Cancel posts an .ics with METHOD:CANCEL and a higher sequence, and the announcement
    loses its buttons."""
    await _hub(bot)
    await _meeting(bot)
    await bot.send(ADMIN, "/meetings", chat_id=GROUP)
    await bot.tap(ADMIN, "Cancel", chat_id=GROUP)
    cancellation = bot.fake.calls_to("sendDocument", GROUP)[-1].files["document"].decode()
    assert "METHOD:CANCEL" in cancellation
    assert "SEQUENCE:1" in cancellation
    announcement = next(
        m for k, m in bot.fake.messages.items() if k[0] == GROUP and "document" in m
    )
    assert not (announcement.get("reply_markup") or {}).get("inline_keyboard")


async def test_export_and_forget_cover_meeting_replies(bot: Harness) -> None:
    """/export lists a member's replies; /forget deletes them."""
    await _hub(bot)
    meeting_id = await _meeting(bot)
    await bot.send(MEMBER, "/start")
    await bot.tap(MEMBER, "✅ Going", chat_id=GROUP)
    exported = await bot.storage.export_user(MEMBER)
    assert [(r["topic"], r["going"]) for r in exported["meeting_replies"]] == [("WRES plans", 1)]
    await bot.storage.forget_user(MEMBER)
    assert (await bot.storage.rsvps(meeting_id)).going == ()


# -- issue 21: joining links, lengths, dates at the edges, control characters -------------------

TEAMS = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=x"


async def test_meeting_with_a_joining_link_and_a_length(bot: Harness) -> None:
    """An admin's Teams link becomes a URL button and the .ics's URL and LOCATION; 90m makes
    the calendar entry ninety minutes long."""
    await _hub(bot)
    meeting_id = await _meeting(bot, "12/03/2027 18:00", f"90m Mentoring {TEAMS}")
    meeting = await bot.storage.meeting(meeting_id)
    assert meeting is not None
    assert (meeting.topic, meeting.join_url, meeting.minutes) == ("Mentoring", TEAMS, 90)
    [document] = bot.fake.calls_to("sendDocument", GROUP)
    buttons = [b for row in document.params["reply_markup"]["inline_keyboard"] for b in row]
    assert {"text": "🔗 Join the meeting", "url": TEAMS} in buttons
    ics = document.files["document"].decode().replace("\r\n ", "")
    assert f"URL:{TEAMS}" in ics
    assert "LOCATION:https://teams.microsoft.com/" in ics
    assert "DTSTART;TZID=Europe/London:20270312T180000" in ics
    assert "DTEND;TZID=Europe/London:20270312T193000" in ics


async def test_meeting_without_length_lasts_an_hour_and_has_no_link(bot: Harness) -> None:
    await _hub(bot)
    await _meeting(bot, "12/03/2027 18:00", "Mentoring")
    ics = bot.fake.calls_to("sendDocument", GROUP)[-1].files["document"].decode()
    assert "DTEND;TZID=Europe/London:20270312T190000" in ics
    assert "URL:" not in ics
    assert "LOCATION:" not in ics


async def test_meeting_links_off_the_allow_list_and_bad_lengths_are_refused(bot: Harness) -> None:
    """A link elsewhere (or plain http, or a look-alike host) and a length out of range store
    nothing and say why."""
    await _hub(bot)
    cases = {
        "Mentoring https://evil.example/teams": "only add a joining link",
        "Mentoring http://meet.google.com/abc-defg-hij": "only add a joining link",
        "Mentoring https://zoom.us.evil.example/j/1": "only add a joining link",
        "Mentoring https://user@zoom.us/j/1": "only add a joining link",
        "10m Mentoring": "not a length",
        "9h Mentoring": "not a length",
        "Mentoring at zoom.us": "link",
    }
    for rest, expected in cases.items():
        calls = await bot.send(ADMIN, f"/meeting 12/03/2027 18:00 {rest}", chat_id=GROUP)
        assert expected in calls[-1].text, rest
    assert await bot.storage.upcoming_meetings(bot.clock.now()) == []


async def test_meeting_dates_beyond_two_years_are_refused_without_a_trace(bot: Harness) -> None:
    """9999-12-31 23:59 once crashed after storing a meeting and its reminder jobs; 2099 was
    accepted. Both are now refused and nothing is stored or scheduled."""
    await _hub(bot)
    for when in ("9999-12-31 23:59", "2099-01-01 10:00", "31/12/9999 23:59"):
        calls = await bot.send(ADMIN, f"/meeting {when} End of time", chat_id=GROUP)
        assert "up to 2 years ahead" in calls[-1].text, when
    assert bot.errors == []
    assert await bot.storage.upcoming_meetings(bot.clock.now()) == []
    assert bot.app.job_queue is not None
    assert not [j for j in bot.app.job_queue.jobs() if (j.name or "").startswith("meeting:")]
    await _meeting(bot, "2029-02-28 10:00", "Just inside two years")
    assert len(await bot.storage.upcoming_meetings(bot.clock.now())) == 1


async def test_control_characters_never_reach_the_calendar_file(bot: Harness) -> None:
    """A topic typed with NUL and ESC is stored and sent without them (RFC 5545 forbids them)."""
    await _hub(bot)
    meeting_id = await _meeting(bot, "2027-03-10 13:00", "WRES\x00 plans \x1b[31mred")
    meeting = await bot.storage.meeting(meeting_id)
    assert meeting is not None
    assert meeting.topic == "WRES plans [31mred"
    ics = bot.fake.calls_to("sendDocument", GROUP)[-1].files["document"]
    assert b"\x00" not in ics
    assert b"\x1b" not in ics
    assert "\x1b" not in bot.fake.calls_to("sendDocument", GROUP)[-1].text


async def test_second_press_of_going_changes_nothing(bot: Harness) -> None:
    """Pressing Going twice answers the same way and does not try to edit the announcement
    again (which Telegram refuses as not modified)."""
    await _hub(bot)
    await _meeting(bot)
    await bot.tap(MEMBER, "✅ Going", chat_id=GROUP)
    edits = len(bot.fake.calls_to("editMessageCaption", GROUP))
    calls = await bot.tap(MEMBER, "✅ Going", chat_id=GROUP)
    assert "you are going" in calls[-1].params["text"]
    assert len(bot.fake.calls_to("editMessageCaption", GROUP)) == edits
    assert not [c for c in bot.fake.calls if c.outcome != "ok"]


async def test_a_joining_link_on_its_own_line_is_still_read(bot: Harness) -> None:
    """The link may follow the topic on a new line; a line break inside the topic is still
    refused."""
    await _hub(bot)
    meeting_id = await _meeting(bot, "12/03/2027 18:00", f"Mentoring\n{TEAMS}")
    meeting = await bot.storage.meeting(meeting_id)
    assert meeting is not None
    assert (meeting.topic, meeting.join_url) == ("Mentoring", TEAMS)
    calls = await bot.send(ADMIN, "/meeting 12/03/2027 18:00 Two\nlines", chat_id=GROUP)
    assert "line" in calls[-1].text


async def test_reminders_carry_the_joining_link(bot: Harness) -> None:
    """The hour-before reminder, in the group and privately, has the Join button."""
    await _hub(bot)
    meeting_id = await _meeting(bot, "2027-03-10 13:00", f"WRES plans {TEAMS}")
    await bot.send(MEMBER, "/start")
    await bot.tap(MEMBER, "✅ Going", chat_id=GROUP)
    await bot.run_job(f"meeting:{meeting_id}:hour")
    for chat in (GROUP, MEMBER):
        reminder = bot.fake.sent(chat)[-1]
        buttons = [b for row in reminder.params["reply_markup"]["inline_keyboard"] for b in row]
        assert {"text": "🔗 Join the meeting", "url": TEAMS} in buttons, chat
