"""When the bot may message people and when scheduled messages fall: working hours (weekdays
that are not bank holidays, 09:00-18:00 local time), weekly slots, the catch-up rule for a
missed message, and the intervals that pace a network's year. Pure: the caller passes the
moment and the time zone. Parsing typed dates and times, and the bank holidays, are in
scoring/dates.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from scoring.dates import is_working_day

WORKDAY_START = time(9, 0)
WORKDAY_END = time(18, 0)
# A scheduled message missed (the bot was down, or the loop was busy) goes out late only within
# this long of its time; after that it is skipped, since it would no longer be timely.
CATCH_UP_LIMIT = timedelta(hours=12)
# A network re-assesses each quarter: its leads are invited this long after its latest result,
# and the board pack names this as the next review.
REASSESS_AFTER = timedelta(days=90)
# Quarterly messages (the plan check-in, the WRES reminder) go out in a quarter's first week.
QUARTER_WINDOW_DAYS = 7


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
    """A working day (Monday to Friday, not a bank holiday), 09:00 to 18:00 local time: when
    people may be messaged."""
    here = moment.astimezone(zone)
    return is_working_day(here.date()) and WORKDAY_START <= here.time() < WORKDAY_END


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


def in_first_week_of_quarter(day: date) -> bool:
    """Whether `day` falls within the first QUARTER_WINDOW_DAYS days of a calendar quarter."""
    start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return (day - start).days < QUARTER_WINDOW_DAYS
