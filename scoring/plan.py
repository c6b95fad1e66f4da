"""Rules for a network's action plan: due dates typed the UK way, the open-steps limit, whether
the items behind finished steps moved, and what a network asks of its board and sponsor."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from scoring.dates import plan_date_allowed, years_on
from scoring.model import Model

OPEN_LIMIT = 12  # at most this many steps open (to do or doing) at once
TEXT_LIMIT = 300
OWNER_LIMIT = 60
FURTHEST_YEARS = 5  # a due date further ahead than this is a typing slip
REMIND_BEFORE = timedelta(days=7)
ASKS = 3  # how many asks of the board and sponsor the pack names
# A step done or dropped this long ago leaves /plan (it stays in the pack's history and /export).
ARCHIVE_AFTER = timedelta(days=92)


class Status(StrEnum):
    TODO = "todo"
    DOING = "doing"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def open(self) -> bool:
        return self in (Status.TODO, Status.DOING)


class DateProblem(StrEnum):
    UNREADABLE = "unreadable"
    IMPOSSIBLE = "impossible"  # e.g. 31/02/2027
    PAST = "past"
    TOO_FAR = "too_far"


class Move(StrEnum):
    UP = "up"
    DOWN = "down"
    SAME = "same"
    UNKNOWN = "unknown"  # no related item, or not answered both times


MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name} | {
    name.lower(): n for n, name in enumerate(calendar.month_abbr) if name
}
MONTHS["sept"] = 9

_NUMERIC = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_WORDS = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)\.?(?:,?\s+(\d{4}))?")
_END_OF = re.compile(r"(?:the\s+)?end\s+of\s+([a-z]+)\.?(?:\s+(\d{4}))?")


def quarter_end(day: date) -> date:
    """The last day of the calendar quarter holding `day`."""
    month = (day.month - 1) // 3 * 3 + 3
    return date(day.year, month, calendar.monthrange(day.year, month)[1])


def default_due(today: date) -> date:
    """The end of the next calendar quarter."""
    return quarter_end(quarter_end(today) + timedelta(days=1))


def parse_due(text: str, today: date) -> date | DateProblem:
    """A due date typed as 31/03/2027, 31 March 2027, 2027-03-31, "31 March" or "end of March"
    (the next such day on or after today); a problem for anything unreadable, impossible, past
    or more than five years ahead."""
    typed = " ".join(text.strip().lower().split())
    found = _read(typed, today)
    if isinstance(found, DateProblem):
        return found
    if not plan_date_allowed(found):
        return DateProblem.PAST if found < today else DateProblem.TOO_FAR
    if found < today:
        return DateProblem.PAST
    if found > years_on(today, FURTHEST_YEARS):
        return DateProblem.TOO_FAR
    return found


def _read(typed: str, today: date) -> date | DateProblem:
    if match := _NUMERIC.fullmatch(typed):
        year = int(match[3]) + (2000 if len(match[3]) == 2 else 0)
        return _make(year, int(match[2]), int(match[1]))
    if match := _ISO.fullmatch(typed):
        return _make(int(match[1]), int(match[2]), int(match[3]))
    if match := _END_OF.fullmatch(typed):
        month = MONTHS.get(match[1])
        if month is None:
            return DateProblem.UNREADABLE
        if match[2]:
            year = int(match[2])
            if not 1 <= year <= 9999:
                return DateProblem.IMPOSSIBLE
            return _make(year, month, calendar.monthrange(year, month)[1])
        return _next(today, month, None)
    if match := _WORDS.fullmatch(typed):
        month = MONTHS.get(match[2])
        if month is None:
            return DateProblem.UNREADABLE
        if match[3]:
            return _make(int(match[3]), month, int(match[1]))
        return _next(today, month, int(match[1]))
    return DateProblem.UNREADABLE


def _make(year: int, month: int, day: int) -> date | DateProblem:
    try:
        return date(year, month, day)
    except ValueError:
        return DateProblem.IMPOSSIBLE


def _next(today: date, month: int, day: int | None) -> date | DateProblem:
    """That day (or the month's last day) this year, or next year if it has passed."""
    for year in (today.year, today.year + 1):
        last = calendar.monthrange(year, month)[1]
        if day is not None and day > last:
            if month == 2 and day == 29:
                continue  # 29 February: the next leap year may be further on; keep it simple
            return DateProblem.IMPOSSIBLE
        candidate = date(year, month, last if day is None else day)
        if candidate >= today:
            return candidate
    return DateProblem.IMPOSSIBLE


@dataclass(frozen=True)
class Levels:
    """Where a result stood: points per answered item, percentage per CRAFT enabler."""

    items: Mapping[str, int]
    enablers: Mapping[str, float]


def source_of(kind: str, key: str) -> str:
    """How a step records what it came from: an item's next step or an enabler's tip."""
    return f"{kind}:{key}"


def moved(source: str, earlier: Levels, later: Levels) -> Move:
    """Whether the item (or enabler) a step came from went up, down or stayed, between two
    results."""
    kind, _, key = source.partition(":")
    table: Mapping[str, float]
    if kind == "item":
        table = {k: float(v) for k, v in earlier.items.items()}
        after: Mapping[str, float] = {k: float(v) for k, v in later.items.items()}
    elif kind == "enabler":
        table, after = earlier.enablers, later.enablers
    else:
        return Move.UNKNOWN
    if key not in table or key not in after:
        return Move.UNKNOWN
    if after[key] > table[key]:
        return Move.UP
    if after[key] < table[key]:
        return Move.DOWN
    return Move.SAME


def organisation_asks(model: Model, points: Mapping[str, int], limit: int = ASKS) -> list[str]:
    """Keys of the items that depend on the organisation (they carry an ask) and are not yet
    met, lowest share of their points first, in model order among equals."""
    asking = [
        (points.get(item.key, 0) / item.maximum, index, item.key)
        for index, item in enumerate(model.items)
        if item.organisation_ask and not _met(model, item.key, points.get(item.key, 0))
    ]
    return [key for _, _, key in sorted(asking)[:limit]]


def _met(model: Model, key: str, points: int) -> bool:
    """At the options that count as demonstrating (agree/yes or higher)."""
    item = model.item(key)
    demonstrating = [o.points for o in item.scale.options if o.demonstrates]
    return bool(demonstrating) and points >= min(demonstrating)


def archived(status: Status, changed: datetime | None, now: datetime) -> bool:
    """Whether a step has left the working plan: finished (done or dropped) over a quarter ago."""
    return not status.open and changed is not None and now - changed > ARCHIVE_AFTER


def clean_text(typed: str) -> str:
    """A typed step: control characters dropped, runs of spaces and line breaks made one space."""
    return " ".join("".join(c if c.isprintable() else " " for c in typed).split())


def same_step(text: str, other: str) -> bool:
    """Whether two steps say the same thing, whatever their case, spacing or closing full stop."""

    def key(value: str) -> str:
        return clean_text(value).casefold().rstrip(" .!")

    return key(text) == key(other)


def duplicate(text: str, open_steps: Iterable[str]) -> bool:
    """Whether `text` is already an open step of the plan (so adding it again is refused)."""
    return any(same_step(text, step) for step in open_steps)
