"""The one calendar: working hours with bank holidays, weekly slots, quarters, typed times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from scoring import dates, timing

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("text", "day"),
    [("monday", 0), ("Mon", 0), ("TUESDAY", 1), ("wed", 2), ("sun", 6), ("fr", None), ("x", None)],
)
def test_parse_weekday(text: str, day: int | None) -> None:
    """Weekdays are read from full names or three-letter starts, any case."""
    assert dates.parse_weekday(text) == day


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00", time(9)),
        ("9:05", time(9, 5)),
        ("23:59", time(23, 59)),
        ("24:00", None),
        ("12:60", None),
        ("9am", time(9)),
        ("6.30pm", time(18, 30)),
        ("18.00", time(18)),
        ("", None),
    ],
)
def test_parse_time(text: str, expected: time | None) -> None:
    """Times are 24-hour HH:MM, or 12-hour with am/pm: one parser for every command."""
    assert dates.parse_time(text) == expected


def test_weekly_slot_follows_british_summer_time() -> None:
    """Monday 09:00 London is 09:00 UTC in winter and 08:00 UTC in summer."""
    winter = timing.weekly_slot_after(0, time(9), LONDON, datetime(2027, 1, 6, tzinfo=UTC))
    summer = timing.weekly_slot_after(0, time(9), LONDON, datetime(2027, 7, 1, tzinfo=UTC))
    assert winter == datetime(2027, 1, 11, 9, tzinfo=UTC)
    assert summer == datetime(2027, 7, 5, 8, tzinfo=UTC)


def test_slot_across_the_clocks_going_forward() -> None:
    """The Monday after the clocks change (28 March 2027) is at 08:00 UTC."""
    slot = timing.weekly_slot_after(0, time(9), LONDON, datetime(2027, 3, 23, tzinfo=UTC))
    assert slot == datetime(2027, 3, 29, 8, tzinfo=UTC)


def test_slot_at_or_before_includes_the_exact_moment() -> None:
    """A slot exactly at `moment` is the latest one at or before it, not the one after."""
    moment = datetime(2027, 3, 8, 9, tzinfo=UTC)
    assert timing.weekly_slot_at_or_before(0, time(9), LONDON, moment) == moment
    assert timing.weekly_slot_after(0, time(9), LONDON, moment) == datetime(
        2027, 3, 15, 9, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("moment", "working"),
    [
        (datetime(2027, 3, 8, 9, 0, tzinfo=UTC), True),  # Monday 09:00 GMT
        (datetime(2027, 3, 8, 8, 59, tzinfo=UTC), False),
        (datetime(2027, 3, 8, 17, 59, tzinfo=UTC), True),
        (datetime(2027, 3, 8, 18, 0, tzinfo=UTC), False),
        (datetime(2027, 3, 6, 12, 0, tzinfo=UTC), False),  # Saturday
        (datetime(2027, 7, 5, 8, 0, tzinfo=UTC), True),  # Monday 09:00 BST
        (datetime(2027, 7, 5, 17, 0, tzinfo=UTC), False),  # Monday 18:00 BST
    ],
)
def test_working_hours(moment: datetime, working: bool) -> None:
    """People are messaged only Monday to Friday, 09:00 to 18:00 local time."""
    assert timing.in_working_hours(moment, LONDON) == working


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2027, 1, 1), True),
        (date(2027, 1, 7), True),
        (date(2027, 1, 8), False),
        (date(2027, 4, 3), True),
        (date(2027, 6, 30), False),
    ],
)
def test_first_week_of_a_quarter(day: date, expected: bool) -> None:
    """Quarterly messages go out in the first seven days of a calendar quarter."""
    assert timing.in_first_week_of_quarter(day) == expected


def test_a_bank_holiday_is_not_working_hours() -> None:
    """Easter Monday 2027 (29 March) at 10:00 is outside working hours; the Tuesday is not."""
    assert timing.in_working_hours(datetime(2027, 3, 29, 9, 0, tzinfo=UTC), LONDON) is False
    assert timing.in_working_hours(datetime(2027, 3, 30, 9, 0, tzinfo=UTC), LONDON) is True
