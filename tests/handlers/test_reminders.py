"""Reminders to leads: an idle assessment after 3 days, re-assessment after 90 days,
only on weekdays between 09:00 and 18:00 local time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.reminders import lead_reminders_job
from tests.harness import Harness

LEAD = 1101


def _reminders(bot: Harness) -> list[str]:
    return [c.text for c in bot.fake.sent(LEAD) if "waiting where you left it" in c.text]


async def _idle_lead(bot: Harness) -> None:
    await bot.register(LEAD)
    await bot.tap(LEAD, "Agree")


async def test_idle_assessment_gets_one_reminder_with_continue(bot: Harness) -> None:
    """Three days idle (Thursday 10:00): one reminder with a Continue button, never two."""
    await _idle_lead(bot)
    bot.clock.set(datetime(2027, 3, 4, 10, 0, tzinfo=UTC))  # Thursday
    await bot.run_callback(lead_reminders_job)
    await bot.run_callback(lead_reminders_job)
    assert len(_reminders(bot)) == 1
    assert bot.buttons(LEAD) == ["Continue the assessment"]
    await bot.tap(LEAD, "Continue the assessment")
    assert "Question 2 of 50" in bot.fake.sent(LEAD)[-1].text


async def test_not_yet_idle_gets_no_reminder(bot: Harness) -> None:
    """Two days idle is not enough."""
    await _idle_lead(bot)
    bot.clock.advance(timedelta(days=2))
    await bot.run_callback(lead_reminders_job)
    assert _reminders(bot) == []


async def test_reminder_due_at_the_weekend_waits_for_monday_morning(bot: Harness) -> None:
    """Idle three days by Saturday: nothing at the weekend or before 09:00 Monday; then sent."""
    bot.clock.set(datetime(2027, 3, 3, 11, 0, tzinfo=UTC))  # Wednesday
    await _idle_lead(bot)
    for moment in (
        datetime(2027, 3, 6, 12, 0, tzinfo=UTC),  # Saturday noon
        datetime(2027, 3, 7, 12, 0, tzinfo=UTC),  # Sunday
        datetime(2027, 3, 8, 8, 59, tzinfo=UTC),  # Monday 08:59
    ):
        bot.clock.set(moment)
        await bot.run_callback(lead_reminders_job)
        assert _reminders(bot) == [], moment
    bot.clock.set(datetime(2027, 3, 8, 9, 0, tzinfo=UTC))
    await bot.run_callback(lead_reminders_job)
    assert len(_reminders(bot)) == 1


async def test_evening_reminder_waits_for_the_next_morning(bot: Harness) -> None:
    """At 18:00 or later nothing goes out; at 09:00 the next weekday it does (BST aware)."""
    bot.clock.set(datetime(2027, 6, 1, 10, 0, tzinfo=UTC))  # Tuesday, BST
    await _idle_lead(bot)
    bot.clock.set(datetime(2027, 6, 4, 17, 0, tzinfo=UTC))  # Friday 18:00 BST
    await bot.run_callback(lead_reminders_job)
    assert _reminders(bot) == []
    bot.clock.set(datetime(2027, 6, 7, 8, 0, tzinfo=UTC))  # Monday 09:00 BST
    await bot.run_callback(lead_reminders_job)
    assert len(_reminders(bot)) == 1


async def test_reassessment_invitation_after_ninety_days(bot: Harness) -> None:
    """90 days after the last completed assessment, each lead is invited once to re-assess."""
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "lowest")
    bot.clock.advance(timedelta(days=89))
    await bot.run_callback(lead_reminders_job)
    invitations = [c for c in bot.fake.sent(LEAD) if "three months" in c.text]
    assert invitations == []
    # Tuesday, 92 days on (Monday 31 May 2027 is a bank holiday: no messages to people)
    bot.clock.set(datetime(2027, 6, 1, 10, 0, tzinfo=UTC))
    await bot.run_callback(lead_reminders_job)
    await bot.run_callback(lead_reminders_job)
    invitations = [c for c in bot.fake.sent(LEAD) if "three months" in c.text]
    assert len(invitations) == 1
    await bot.tap(LEAD, "Start a new assessment")
    assert "Question 1 of 50" in bot.fake.sent(LEAD)[-1].text


async def test_blocked_lead_is_marked_inactive_and_not_retried(bot: Harness) -> None:
    """A lead who blocked the bot (403) is marked inactive and gets no more attempts."""
    await _idle_lead(bot)
    bot.clock.set(datetime(2027, 3, 4, 10, 0, tzinfo=UTC))
    bot.fake.fail(
        "sendMessage",
        "forbidden",
        chat_id=LEAD,
        description="Forbidden: bot was blocked by the user",
    )
    await bot.run_callback(lead_reminders_job)
    user = await bot.storage.user(LEAD)
    assert user is not None
    assert not user.active
    before = len(bot.fake.calls)
    await bot.run_callback(lead_reminders_job)
    assert [c for c in bot.fake.calls[before:] if c.method == "sendMessage"] == []
