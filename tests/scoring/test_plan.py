"""Plan rules: UK due dates, the open-steps limit, movement of related items, board asks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from content import Content
from scoring.plan import (
    DateProblem,
    Levels,
    Move,
    default_due,
    moved,
    organisation_asks,
    parse_due,
)

TODAY = date(2027, 3, 1)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("31/03/2027", date(2027, 3, 31)),
        ("31/3/27", date(2027, 3, 31)),
        ("31.03.2027", date(2027, 3, 31)),
        ("31 March 2027", date(2027, 3, 31)),
        ("31st March 2027", date(2027, 3, 31)),
        ("1 Sept 2027", date(2027, 9, 1)),
        ("2027-06-30", date(2027, 6, 30)),
        ("end of March", date(2027, 3, 31)),
        ("End of February", date(2028, 2, 29)),
        ("end of june 2028", date(2028, 6, 30)),
        ("15 January", date(2028, 1, 15)),
        ("01/03/2027", date(2027, 3, 1)),
        ("31/02/2027", DateProblem.IMPOSSIBLE),
        ("28/02/2027", DateProblem.PAST),
        ("next Tuesday", DateProblem.UNREADABLE),
        ("end of Smarch", DateProblem.UNREADABLE),
        ("31/03/2040", DateProblem.TOO_FAR),
        ("", DateProblem.UNREADABLE),
    ],
)
def test_parse_due(typed: str, expected: date | DateProblem) -> None:
    """Each typed form reads as the UK date, or the reason it cannot be used."""
    assert parse_due(typed, TODAY) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2027, 3, 1), date(2027, 6, 30)),
        (date(2027, 3, 31), date(2027, 6, 30)),
        (date(2027, 4, 1), date(2027, 9, 30)),
        (date(2027, 11, 15), date(2028, 3, 31)),
    ],
)
def test_default_due_is_end_of_next_quarter(today: date, expected: date) -> None:
    """By default a step is due at the end of the next calendar quarter."""
    assert default_due(today) == expected


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)))
def test_a_parsed_date_is_never_past(today: date) -> None:
    """Whatever today is, a date read back from its own UK form is today or a problem-free date."""
    typed = (today + timedelta(days=10)).strftime("%d/%m/%Y")
    assert parse_due(typed, today) == today + timedelta(days=10)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.integers(1, 800))
def test_past_dates_are_refused(today: date, back: int) -> None:
    """Any date before today is refused as past."""
    typed = (today - timedelta(days=back)).strftime("%d %B %Y")
    assert parse_due(typed, today) == DateProblem.PAST


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)))
def test_default_due_is_after_today_and_a_quarter_end(today: date) -> None:
    """The default due date lies ahead, on the last day of March, June, September or December."""
    due = default_due(today)
    assert due > today
    assert (due.month, (due + timedelta(days=1)).day) in {(3, 1), (6, 1), (9, 1), (12, 1)}


EARLIER = Levels({"a": 1, "b": 3}, {"C": 40.0})
LATER = Levels({"a": 3, "b": 3}, {"C": 30.0})


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("item:a", Move.UP),
        ("item:b", Move.SAME),
        ("enabler:C", Move.DOWN),
        ("item:zzz", Move.UNKNOWN),
        ("", Move.UNKNOWN),
        ("nonsense", Move.UNKNOWN),
    ],
)
def test_moved(source: str, expected: Move) -> None:
    """A step's item or enabler moved up, down, not at all, or cannot be compared."""
    assert moved(source, EARLIER, LATER) == expected


def test_asks_pick_the_lowest_organisation_items(content: Content) -> None:
    """With every item at zero, the asks are the first organisation items in model order."""
    model = content.model
    asks = organisation_asks(model, {})
    expected = [i.key for i in model.items if i.organisation_ask][:3]
    assert asks == expected


def test_asks_leave_out_met_items(content: Content) -> None:
    """Items answered at agree or higher are not asked for."""
    model = content.model
    points = {i.key: i.maximum for i in model.items}
    assert organisation_asks(model, points) == []


def test_asks_lowest_share_first(content: Content) -> None:
    """An organisation item at zero comes before one half met."""
    model = content.model
    keys = [i.key for i in model.items if i.organisation_ask]
    points = {i.key: i.maximum for i in model.items}
    points[keys[0]] = 1
    points[keys[-1]] = 0
    assert organisation_asks(model, points)[:2] == [keys[-1], keys[0]]
