"""UK date and time forms, dates in words, and the working calendar of England."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring import dates

TODAY = date(2027, 3, 1)  # a Monday

DATES = [
    ("2027-03-10", date(2027, 3, 10)),
    ("25/12/2027", date(2027, 12, 25)),
    ("25/12/27", date(2027, 12, 25)),
    ("5/4", date(2027, 4, 5)),
    ("1/2", date(2028, 2, 1)),  # already passed this year: next year
    ("25 December", date(2027, 12, 25)),
    ("25th Dec 2028", date(2028, 12, 25)),
    ("December 25", date(2027, 12, 25)),
    ("3 March", date(2027, 3, 3)),
    ("next Tuesday", date(2027, 3, 2)),
    ("tuesday", date(2027, 3, 2)),
    ("next Monday", date(2027, 3, 8)),
    ("tomorrow", date(2027, 3, 2)),
    ("today", TODAY),
    ("30/02/2027", None),
    ("32 March", None),
    ("25 Decembre", None),
    ("next Funday", None),
    ("", None),
    ("12/25/2027", None),  # US order is not a date here
]


@pytest.mark.parametrize(("typed", "expected"), DATES)
def test_parse_date(typed: str, expected: date | None) -> None:
    """Each UK form gives the date meant; anything else gives None."""
    assert dates.parse_date(typed, TODAY) == expected


TIMES = [
    ("18:00", time(18, 0)),
    ("9:05", time(9, 5)),
    ("18.30", time(18, 30)),
    ("6pm", time(18, 0)),
    ("6.30pm", time(18, 30)),
    ("6:30 PM", time(18, 30)),
    ("12am", time(0, 0)),
    ("12pm", time(12, 0)),
    ("noon", time(12, 0)),
    ("13pm", None),
    ("25:00", None),
    ("six", None),
]


@pytest.mark.parametrize(("typed", "expected"), TIMES)
def test_parse_time(typed: str, expected: time | None) -> None:
    """24-hour and am/pm times are read; impossible ones are refused."""
    assert dates.parse_time(typed) == expected


def test_date_in_words() -> None:
    """A date is repeated back in words."""
    assert dates.in_words(date(2026, 12, 25)) == "Friday 25 December 2026"


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["next", "Tuesday", "6pm", "WRES"], dates.When(date(2027, 3, 2), time(18), "6pm", 3)),
        (
            ["tomorrow", "at", "12:30", "Lunch"],
            dates.When(date(2027, 3, 2), time(12, 30), "12:30", 3),
        ),
        (["20", "January", "2028", "9am", "x"], dates.When(date(2028, 1, 20), time(9), "9am", 4)),
        (["tomorrow", "noonish", "x"], dates.When(date(2027, 3, 2), None, "noonish", 2)),
        (["someday", "12:00", "x"], None),
    ],
)
def test_read_when_takes_the_longest_date_then_an_optional_at(
    words: list[str], expected: dates.When | None
) -> None:
    """Leading words make the date, an optional "at", then the time; the rest is the topic's.
    One reader for every command that takes a date and a time."""
    assert dates.read_when(words, TODAY) == expected


CALENDAR = [
    # (year, month, first working day, first working Monday)
    (2027, 3, date(2027, 3, 1), date(2027, 3, 1)),
    (2027, 1, date(2027, 1, 4), date(2027, 1, 4)),  # 1 Jan is a Friday holiday
    (2027, 5, date(2027, 5, 4), date(2027, 5, 10)),  # early May bank holiday on the 3rd
    (2026, 4, date(2026, 4, 1), date(2026, 4, 13)),  # Easter Monday on 6 April
    (2028, 1, date(2028, 1, 4), date(2028, 1, 10)),  # 1 Jan a Saturday: Monday 3rd off
    (2026, 8, date(2026, 8, 3), date(2026, 8, 3)),
]


@pytest.mark.parametrize(("year", "month", "working", "monday"), CALENDAR)
def test_first_working_day_and_monday(year: int, month: int, working: date, monday: date) -> None:
    """Weekends and England's bank holidays are not working days."""
    assert dates.first_working_day(year, month) == working
    assert dates.first_working_monday(year, month) == monday


def test_bank_holidays_of_2026() -> None:
    """2026 has the eight usual England and Wales bank holidays, Boxing Day moved to Monday."""
    assert sorted(dates.bank_holidays(2026)) == [
        date(2026, 1, 1),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 5, 4),
        date(2026, 5, 25),
        date(2026, 8, 31),
        date(2026, 12, 25),
        date(2026, 12, 28),
    ]


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_numeric_forms_agree(day: date) -> None:
    """25/12/2027 and 2027-12-25 always mean the same day."""
    assert dates.parse_date(f"{day.day}/{day.month}/{day.year}", TODAY) == day
    assert dates.parse_date(day.isoformat(), TODAY) == day


@given(st.integers(2000, 2100), st.integers(1, 12))
def test_first_working_monday_is_a_working_monday_in_the_month(year: int, month: int) -> None:
    """The first working Monday is a Monday, a working day, and in its month."""
    day = dates.first_working_monday(year, month)
    assert (day.weekday(), day.month, dates.is_working_day(day)) == (0, month, True)
