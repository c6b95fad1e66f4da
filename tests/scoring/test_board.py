"""The board paper's remembered cover choices: the meeting, its date, the high impact actions."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.board import (
    HIGH_IMPACT_ACTIONS,
    MEETING_LIMIT,
    CoverChoices,
    actions_from_text,
    actions_text,
    parse_actions,
    parse_meeting,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1 2 6", (1, 2, 6)),
        ("6, 2 and 1", (1, 2, 6)),
        ("HIA 3", (3,)),
        ("hia3; hia4", (3, 4)),
        ("2 2", (2,)),
        ("off", ()),
        ("none", ()),
        ("7", None),
        ("0", None),
        ("", None),
        ("all of them", None),
        ("1 two", None),
    ],
)
def test_parse_actions(typed: str, expected: tuple[int, ...] | None) -> None:
    assert parse_actions(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Trust Board", "Trust Board"),
        ("  People  Committee ", "People Committee"),
        ("off", ""),
        ("", None),
        ("x" * (MEETING_LIMIT + 1), None),
    ],
)
def test_parse_meeting(typed: str, expected: str | None) -> None:
    assert parse_meeting(typed) == expected


@given(st.sets(st.sampled_from(HIGH_IMPACT_ACTIONS)))
def test_stored_actions_round_trip(picked: set[int]) -> None:
    actions = tuple(sorted(picked))
    assert actions_from_text(actions_text(actions)) == actions


def test_a_past_meeting_date_is_not_printed() -> None:
    cover = CoverChoices("Trust Board", date(2027, 1, 28), (1,))
    assert cover.date_to_show(date(2027, 1, 28)) == date(2027, 1, 28)
    assert cover.date_to_show(date(2027, 1, 29)) is None
    assert cover.complete
    assert not CoverChoices("Trust Board").complete
