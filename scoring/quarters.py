"""Quarters, as NHS staff count them: read in calendar or financial-year form, named by the
financial year. Pure functions.

A quarter is kept as a calendar quarter (2026Q3 is July to September 2026, the form stored and
used in callback data). The NHS financial year runs April to March, so the same months are the
second quarter of 2026/27: "Q2 2026/27 (July–September 2026)".

Accepted forms (any case, spaces optional): the calendar `2026Q3` (also `2026 q3`, `2026-Q3`)
and the financial-year `2026/27Q2`, `2026/27 Q2`, `Q2 2026/27` (the second year may be written
in full, `2026/2027`). `Q3 2026`, with a single year after the quarter, could be either and is
refused as ambiguous rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
CALENDAR = re.compile(r"(\d{4})\s*-?\s*q([1-4])")
_YEARS = r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})"
FINANCIAL_YEAR_FIRST = re.compile(_YEARS + r"\s*-?\s*q([1-4])")
QUARTER_FIRST = re.compile(r"q([1-4])\s*-?\s*" + _YEARS)
AMBIGUOUS = re.compile(r"q([1-4])\s*-?\s*(\d{4})")


class Reading(StrEnum):
    """Why a piece of text is not a quarter."""

    UNREADABLE = "unreadable"
    AMBIGUOUS = "ambiguous"  # "Q3 2026": calendar or financial year?
    BAD_YEARS = "bad_years"  # "2026/28": not one financial year


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter: 2026Q3 is July to September 2026 (Q2 of the financial year
    2026/27)."""

    year: int
    number: int

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    @property
    def financial_year(self) -> int:
        """The year the quarter's financial year starts in (April): 2026 for 2026/27."""
        return self.year if self.number >= 2 else self.year - 1

    @property
    def financial_number(self) -> int:
        """The quarter's number within its financial year: April–June is Q1."""
        return self.number - 1 if self.number >= 2 else 4

    def short_label(self) -> str:
        """The financial-year name: "Q2 2026/27"."""
        start = self.financial_year
        return f"Q{self.financial_number} {start}/{(start + 1) % 100:02d}"

    def months(self) -> str:
        """The months it covers: "July–September 2026"."""
        first, last = MONTHS[3 * self.number - 3], MONTHS[3 * self.number - 1]
        return f"{first}–{last} {self.year}"

    def label(self) -> str:
        """Both names: "Q2 2026/27 (July–September 2026)"."""
        return f"{self.short_label()} ({self.months()})"

    def code(self) -> int:
        """A small integer for callback data: 20263 for 2026Q3."""
        return self.year * 10 + self.number

    @classmethod
    def from_code(cls, code: int) -> Quarter | None:
        """The quarter a callback's code names, or None (a modified client sends anything)."""
        year, number = divmod(code, 10)
        return cls(year, number) if 1 <= number <= 4 and 1 <= year <= 9999 else None


def of_financial_year(start: int, number: int) -> Quarter:
    """Quarter `number` (1–4) of the financial year starting in April of `start`."""
    return Quarter(start, number + 1) if number <= 3 else Quarter(start + 1, 1)


def quarter_of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def _financial(start: str, end: str, number: str) -> Quarter | Reading:
    first = int(start)
    second = int(end)
    expected = first + 1 if len(end) == 4 else (first + 1) % 100
    if second != expected:
        return Reading.BAD_YEARS
    return of_financial_year(first, int(number))


def read_quarter(text: str) -> Quarter | Reading:
    """The quarter `text` names, in any accepted form (see the module's docstring)."""
    cleaned = text.strip().lower()
    match = CALENDAR.fullmatch(cleaned)
    if match is not None:
        return Quarter(int(match[1]), int(match[2]))
    match = FINANCIAL_YEAR_FIRST.fullmatch(cleaned)
    if match is not None:
        return _financial(match[1], match[2], match[3])
    match = QUARTER_FIRST.fullmatch(cleaned)
    if match is not None:
        return _financial(match[2], match[3], match[1])
    if AMBIGUOUS.fullmatch(cleaned):
        return Reading.AMBIGUOUS
    return Reading.UNREADABLE


def label_of(stored: str) -> str:
    """The financial-year label of a stored quarter ("2026Q3"); the text itself if it is not
    one (never expected, but a label must not fail)."""
    quarter = read_quarter(stored)
    return quarter.label() if isinstance(quarter, Quarter) else stored


def short_label_of(stored: str) -> str:
    quarter = read_quarter(stored)
    return quarter.short_label() if isinstance(quarter, Quarter) else stored


def ended_quarters(today: date, count: int = 4) -> tuple[Quarter, ...]:
    """The last `count` quarters that have ended by `today`, latest first."""
    quarters = [quarter_of(today).previous()]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return tuple(quarters)
