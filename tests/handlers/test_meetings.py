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
    return upcoming[-1].id


async def test_meeting_is_scheduled_with_two_reminders(bot: Harness) -> None:
    """/meeting stores the meeting and schedules reminders 24 h and 1 h before."""
    await _hub(bot)
    meeting_id = await _meeting(bot)
    assert "Wed 10 Mar 2027, 13:00" in bot.fake.sent(GROUP)[-1].text
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
        "/meeting 10/03/2027 13:00 Wrong format": "not a date",
        "/meeting 2027-03-10 1pm Bad time": "not a time",
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


async def test_meetings_lists_upcoming_with_cancel_buttons(bot: Harness) -> None:
    """/meetings lists what is ahead, soonest first, each with a Cancel button."""
    await _hub(bot)
    await _meeting(bot, "2027-03-20 10:00", "Later")
    await _meeting(bot, "2027-03-10 13:00", "Sooner")
    calls = await bot.send(MEMBER, "/meetings", chat_id=GROUP)
    text = calls[-1].text
    assert text.index("Sooner") < text.index("Later")
    assert bot.buttons(GROUP) == ["Cancel 10 Mar 13:00", "Cancel 20 Mar 10:00"]


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
    """A member's press on Cancel is refused and the meeting stands."""
    await _hub(bot)
    meeting_id = await _meeting(bot)
    await bot.send(MEMBER, "/meetings", chat_id=GROUP)
    calls = await bot.tap(MEMBER, "Cancel", chat_id=GROUP)
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
