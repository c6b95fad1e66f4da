"""Calendar arithmetic for schedules, in the bot's time zone; pure functions, no clock."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WORKDAY_START = time(9, 0)
WORKDAY_END = time(18, 0)
# A scheduled message missed (the bot was down, or the loop was busy) goes out late only within
# this long of its time; after that it is skipped, since it would no longer be timely.
CATCH_UP_LIMIT = timedelta(hours=12)

_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_weekday(text: str) -> int | None:
    """0 for Monday .. 6 for Sunday, from a full name or its first three letters."""
    word = text.strip().lower()
    for index, name in enumerate(WEEKDAYS):
        if word == name or (len(word) >= 3 and name.startswith(word)):
            return index
    return None


def parse_time(text: str) -> time | None:
    match = _TIME.fullmatch(text.strip())
    return time(int(match[1]), int(match[2])) if match else None


def parse_date(text: str) -> date | None:
    match = _DATE.fullmatch(text.strip())
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A wall-clock time in `zone`, as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def weekly_slot_at_or_before(weekday: int, at: time, zone: ZoneInfo, moment: datetime) -> datetime:
    """The most recent weekly slot (weekday at local time) not after `moment`."""
    today = moment.astimezone(zone).date()
    day = today - timedelta(days=(today.weekday() - weekday) % 7)
    slot = local(day, at, zone)
    return slot if slot <= moment else local(day - timedelta(days=7), at, zone)


def weekly_slot_after(weekday: int, at: time, zone: ZoneInfo, moment: datetime) -> datetime:
    """The first weekly slot strictly after `moment`."""
    today = moment.astimezone(zone).date()
    day = today + timedelta(days=(weekday - today.weekday()) % 7)
    slot = local(day, at, zone)
    return slot if slot > moment else local(day + timedelta(days=7), at, zone)


def in_working_hours(moment: datetime, zone: ZoneInfo) -> bool:
    """Monday to Friday, 09:00 to 18:00 local time: when people may be messaged."""
    here = moment.astimezone(zone)
    return here.weekday() < 5 and WORKDAY_START <= here.time() < WORKDAY_END


def next_working_moment(moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment` itself if within working hours, else the start of the next working period."""
    if in_working_hours(moment, zone):
        return moment
    day = moment.astimezone(zone).date()
    for offset in range(8):
        candidate = local(day + timedelta(days=offset), WORKDAY_START, zone)
        if candidate > moment and in_working_hours(candidate, zone):
            return candidate
    raise AssertionError("a working day always comes within a week")


class CatchUp(Enum):
    SCHEDULE = "schedule"  # ahead: run it at its time
    SEND = "send"  # missed by under CATCH_UP_LIMIT (and before any deadline): send it now
    SKIP = "skip"  # missed by too much: record it as skipped
    DONE = "done"  # the ledger already has it: nothing to do


def catch_up(
    at: datetime, now: datetime, *, delivered: bool, until: datetime | None = None
) -> CatchUp:
    """What to do about a message due at `at`, seen at `now`: schedule it, send it now, skip it,
    or nothing (`delivered`: the ledger holds its slot). `until` is a deadline after which a
    late send makes no sense (a reminder for a meeting that has started)."""
    if at > now:
        return CatchUp.SCHEDULE
    if delivered:
        return CatchUp.DONE
    if now - at < CATCH_UP_LIMIT and (until is None or now < until):
        return CatchUp.SEND
    return CatchUp.SKIP
