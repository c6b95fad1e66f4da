"""Quarters read in calendar or financial-year form and named by the financial year."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.quarters import (
    Quarter,
    Reading,
    label_of,
    of_financial_year,
    quarter_of,
    read_quarter,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026Q3", Quarter(2026, 3)),
        ("2026/27Q2", Quarter(2026, 3)),
        ("2026/27 Q2", Quarter(2026, 3)),
        ("Q2 2026/27", Quarter(2026, 3)),
        ("q2 2026/2027", Quarter(2026, 3)),
        ("2026-27 Q3", Quarter(2026, 4)),
        ("Q4 2026/27", Quarter(2027, 1)),
        ("2099/00 Q1", Quarter(2099, 2)),
        ("Q3 2026", Reading.AMBIGUOUS),
        ("2026/28 Q2", Reading.BAD_YEARS),
        ("2026/27 Q5", Reading.UNREADABLE),
        ("next quarter", Reading.UNREADABLE),
    ],
)
def test_read_quarter(text: str, expected: Quarter | Reading) -> None:
    """Every accepted form names the same months; a lone year after Q is not guessed."""
    assert read_quarter(text) == expected


@pytest.mark.parametrize(
    ("quarter", "label"),
    [
        (Quarter(2026, 3), "Q2 2026/27 (July–September 2026)"),
        (Quarter(2026, 4), "Q3 2026/27 (October–December 2026)"),
        (Quarter(2027, 1), "Q4 2026/27 (January–March 2027)"),
        (Quarter(2026, 2), "Q1 2026/27 (April–June 2026)"),
        (Quarter(2026, 1), "Q4 2025/26 (January–March 2026)"),
        (Quarter(2099, 4), "Q3 2099/00 (October–December 2099)"),
    ],
)
def test_labels_name_the_financial_year_and_the_months(quarter: Quarter, label: str) -> None:
    assert quarter.label() == label
    assert label_of(str(quarter)) == label


@given(st.integers(min_value=1990, max_value=2200), st.integers(min_value=1, max_value=4))
def test_every_form_round_trips(year: int, number: int) -> None:
    """The calendar code, the short label and both financial-year forms read back the same."""
    quarter = Quarter(year, number)
    assert read_quarter(str(quarter)) == quarter
    assert read_quarter(quarter.short_label()) == quarter
    start, fq = quarter.financial_year, quarter.financial_number
    assert of_financial_year(start, fq) == quarter
    assert read_quarter(f"{start}/{(start + 1) % 100:02d}Q{fq}") == quarter
    assert quarter.first_day <= quarter.last_day
    assert quarter_of(quarter.first_day) == quarter_of(quarter.last_day) == quarter
    assert quarter.next().previous() == quarter
