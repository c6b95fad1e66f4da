"""Dates and times as people in the UK type them, and the working-day calendar of England.

Pure: the caller passes today's date. Accepted dates: 2026-12-25, 25/12/2026, 25/12 (this
year, or next year once the day has passed), 25 December [2026], 25 Dec, December 25,
"today", "tomorrow", "Tuesday" and "next Tuesday" (the next Tuesday after today). Times:
18:00, 18.00, 6pm, 6.30pm, 6:30 pm, noon, midday.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SLASHED = re.compile(r"(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2}|\d{4}))?")
_DAY_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)\.?(?:,?\s+(\d{4}))?")
_MONTH_DAY = re.compile(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?")
_WEEKDAY = re.compile(r"(?:(next|this|on)\s+)?([a-z]+)")
_CLOCK = re.compile(r"([01]?\d|2[0-3])[:.]([0-5]\d)")
_MERIDIEM = re.compile(r"(1[0-2]|0?[1-9])(?:[:.]([0-5]\d))?\s*([ap])\.?m\.?")


def _month(word: str) -> int | None:
    word = word.lower()
    for index, name in enumerate(MONTHS, start=1):
        if word == name or (len(word) >= 3 and name.startswith(word)):
            return index
    return None


def parse_weekday(word: str) -> int | None:
    """0 for Monday .. 6 for Sunday, from a full name or its first three letters or more."""
    word = word.strip().lower()
    for index, name in enumerate(WEEKDAYS):
        if word == name or (len(word) >= 3 and name.startswith(word)):
            return index
    return None


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _yearless(today: date, month: int, day: int) -> date | None:
    """The day this year, or next year if it has already passed (29 February: the next one)."""
    for year in range(today.year, today.year + 8):
        candidate = _make(year, month, day)
        if candidate is not None and candidate >= today:
            return candidate
        if candidate is None and not (month == 2 and day == 29):
            return None
    return None


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    return int(text) + 2000 if len(text) == 2 else int(text)


def parse_date(text: str, today: date) -> date | None:
    """The date meant by `text` (UK order: day before month), or None."""
    typed = " ".join(text.strip().lower().split())
    if not typed:
        return None
    if typed == "today":
        return today
    if typed == "tomorrow":
        return today + timedelta(days=1)
    if match := _ISO.fullmatch(typed):
        return _make(int(match[1]), int(match[2]), int(match[3]))
    if match := _SLASHED.fullmatch(typed):
        day, month, year = int(match[1]), int(match[2]), _year(match[3])
        return _make(year, month, day) if year else _yearless(today, month, day)
    for pattern, day_group, month_group in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        if match := pattern.fullmatch(typed):
            named = _month(match[month_group])
            if named is None:
                return None
            day, year = int(match[day_group]), _year(match[3])
            return _make(year, named, day) if year else _yearless(today, named, day)
    if match := _WEEKDAY.fullmatch(typed):
        weekday = parse_weekday(match[2])
        if weekday is None:
            return None
        ahead = (weekday - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    return None


# -- the guard every typed date passes -------------------------------------------------------

# Years a plan's due date may fall in, whatever else its rules say.
PLAN_YEARS = (2000, 2100)
# How far ahead a meeting may be scheduled.
MEETING_YEARS_AHEAD = 2


def years_on(day: date, years: int) -> date:
    """The same day `years` later (28 February for 29 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def within(day: date, earliest: date, latest: date) -> bool:
    """The one check of a typed date's range: on or after `earliest`, on or before `latest`."""
    return earliest <= day <= latest


def plan_date_allowed(day: date) -> bool:
    return within(day, date(PLAN_YEARS[0], 1, 1), date(PLAN_YEARS[1], 12, 31))


def meeting_date_allowed(day: date, today: date) -> bool:
    return within(day, today, years_on(today, MEETING_YEARS_AHEAD))


def parse_time(text: str) -> time | None:
    """The time meant by `text` (18:00, 18.00, 6pm, 6.30 pm, noon, midday), or None."""
    typed = "".join(text.strip().lower().split())
    if typed in ("noon", "midday", "12noon"):
        return time(12, 0)
    if match := _CLOCK.fullmatch(typed):
        return time(int(match[1]), int(match[2]))
    if match := _MERIDIEM.fullmatch(typed):
        hour = int(match[1]) % 12 + (12 if match[3] == "p" else 0)
        return time(hour, int(match[2] or 0))
    return None


@dataclass(frozen=True)
class When:
    """A date and time read from the start of a command's words."""

    day: date
    at: time | None  # None: the word after the date is not a time (`time_word` is what it was)
    time_word: str
    used: int  # words taken: the date's, an optional "at", and the time's


def read_when(words: Sequence[str], today: date) -> When | None:
    """The longest run of leading words (up to four) that is a date, then an optional "at", then
    one word for the time ("tomorrow at 12:30", "20 January 6pm"); None if no date leads."""
    for length in range(min(4, len(words) - 1), 0, -1):
        day = parse_date(" ".join(words[:length]), today)
        if day is None:
            continue
        rest = words[length:]
        skip = 1 if len(rest) > 1 and rest[0].lower() == "at" else 0
        word = rest[skip] if len(rest) > skip else ""
        return When(day, parse_time(word), word, length + skip + 1)
    return None


def in_words(day: date) -> str:
    """The date in words, e.g. Tuesday 25 December 2026."""
    weekday, month = WEEKDAYS[day.weekday()].capitalize(), MONTHS[day.month - 1].capitalize()
    return f"{weekday} {day.day} {month} {day.year}"


# -- the working calendar (England and Wales bank holidays) ------------------------------------


def easter_sunday(year: int) -> date:
    """Easter Sunday (the anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def _first_monday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(0 - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=last.weekday())


def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays by the usual rules, with weekend substitutes (one-off
    proclamations, like a coronation, are not known)."""
    easter = easter_sunday(year)
    days = {
        easter - timedelta(days=2),
        easter + timedelta(days=1),
        _first_monday(year, 5),
        _last_monday(year, 5),
        _last_monday(year, 8),
    }
    new_year = date(year, 1, 1)
    days.add(new_year + timedelta(days={5: 2, 6: 1}.get(new_year.weekday(), 0)))
    christmas, boxing = date(year, 12, 25), date(year, 12, 26)
    taken = set()
    for holiday in (christmas, boxing):
        day = holiday
        while day.weekday() >= 5 or day in taken:
            day += timedelta(days=1)
        taken.add(day)
    days |= taken
    return frozenset(days)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def first_working_day(year: int, month: int) -> date:
    day = date(year, month, 1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def first_working_monday(year: int, month: int) -> date:
    day = _first_monday(year, month)
    while not is_working_day(day):
        day += timedelta(days=7)
    return day


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def previous_month_key(day: date) -> str:
    first = date(day.year, day.month, 1) - timedelta(days=1)
    return month_key(first)
