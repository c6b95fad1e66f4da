"""WRES arithmetic: relative likelihoods, their 95% interval, quarters, counts and the region
median, by table and by property."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.wres import (
    Counts,
    Entry,
    Figures,
    Problem,
    Quarter,
    check_counts,
    estimate,
    interval,
    parse_count,
    parse_entry,
    parse_quarter,
    recent_quarters,
    region_figures,
    relative_likelihood,
)

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("white", "bme", "first", "expected"),
    [
        # The format example in /wres's help (made-up figures, not from the NELFT case study,
        # which gives shares, not counts): 490 of 1,000 white staff, 190 of 500 BME.
        (Counts(1000, 490), Counts(500, 190), "white", "1.29"),
        # Published by a trust for indicator 2: white 46.99% and BME 14.65% appointed from
        # shortlisting, "3.2 times more likely".
        (Counts(10000, 4699), Counts(10000, 1465), "white", "3.21"),
        # Published by a trust for indicator 3: white 0.7%, BME 1.2%, "1.7 times more likely".
        (Counts(1000, 7), Counts(1000, 12), "bme", "1.71"),
        # Equal rates are parity, whichever group comes first.
        (Counts(200, 50), Counts(100, 25), "white", "1.00"),
        (Counts(200, 50), Counts(100, 25), "bme", "1.00"),
        # Indicator 3 puts BME first: the same figures read the other way up.
        (Counts(1000, 490), Counts(500, 190), "bme", "0.78"),
    ],
)
def test_relative_likelihood_table(white: Counts, bme: Counts, first: str, expected: str) -> None:
    """The first-named group's rate over the second's, to two decimals."""
    ratio = estimate(Figures(white, bme), first).ratio
    assert ratio is not None
    assert f"{ratio:.2f}" == expected


def test_interval_matches_the_log_method_on_a_worked_trial() -> None:
    """13 of 180 against 40 of 183 (the ACTG 076 trial's counts) gives 0.33, 0.18 to 0.60."""
    first, second = Counts(180, 13), Counts(183, 40)
    ratio = relative_likelihood(first, second)
    lower, upper = interval(first, second)
    assert (f"{ratio:.2f}", f"{lower:.2f}", f"{upper:.2f}") == ("0.33", "0.18", "0.60")


def test_worked_example_interval_is_narrow_and_above_parity() -> None:
    """1,000/490 against 500/190: the interval is 1.13 to 1.47, so not too few to tell."""
    found = estimate(Figures(Counts(1000, 490), Counts(500, 190)), "white")
    assert (f"{found.lower:.2f}", f"{found.upper:.2f}") == ("1.13", "1.47")
    assert found.too_few_to_tell is False
    assert found.small_groups is False


@pytest.mark.parametrize(
    ("white", "bme", "too_few"),
    [
        (Counts(10, 3), Counts(10, 2), True),  # small groups, interval wide across 1
        (Counts(25, 10), Counts(20, 6), True),
        (Counts(5000, 2500), Counts(5000, 2450), False),  # spans 1 but narrow: a real parity
        (Counts(1000, 600), Counts(1000, 200), False),  # clearly above 1
    ],
)
def test_too_few_to_tell_when_the_interval_is_wide_and_spans_parity(
    white: Counts, bme: Counts, too_few: bool
) -> None:
    """Only a wide interval that includes 1 counts as too few to tell."""
    assert estimate(Figures(white, bme), "white").too_few_to_tell is too_few


def test_groups_under_thirty_are_flagged_small() -> None:
    """A group of 29 is small; 30 is not."""
    assert estimate(Figures(Counts(29, 10), Counts(100, 30)), "white").small_groups is True
    assert estimate(Figures(Counts(30, 10), Counts(100, 30)), "white").small_groups is False


def test_second_group_with_none_counted_has_no_ratio() -> None:
    """A zero rate to divide by leaves the ratio undefined, but the interval still exists."""
    found = estimate(Figures(Counts(100, 10), Counts(50, 0)), "white")
    assert found.ratio is None
    assert 0 < found.lower < found.upper


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026Q3", Quarter(2026, 3)),
        ("2026q4", Quarter(2026, 4)),
        ("2026 Q1", Quarter(2026, 1)),
        ("2026-Q2", Quarter(2026, 2)),
        ("2027Q1", Problem.FUTURE_QUARTER),
        ("2026Q5", Problem.BAD_QUARTER),
        ("Q3 2026", Problem.AMBIGUOUS_QUARTER),
        ("2026/27Q2", Quarter(2026, 3)),
        ("2026/27 Q2", Quarter(2026, 3)),
        ("Q2 2026/27", Quarter(2026, 3)),
        ("q4 2025/2026", Quarter(2026, 1)),
        ("2026/27 Q4", Problem.FUTURE_QUARTER),
        ("2026/28 Q1", Problem.BAD_QUARTER),
        ("26Q3", Problem.BAD_QUARTER),
        ("last quarter", Problem.BAD_QUARTER),
        ("2014Q4", Problem.EARLY_QUARTER),
    ],
)
def test_parse_quarter(text: str, expected: Quarter | Problem) -> None:
    """Year and quarter, begun by today (30 November 2026, in 2026Q4)."""
    assert parse_quarter(text, TODAY) == expected


def test_recent_quarters_are_latest_first() -> None:
    """The current quarter and the three before it, across a year boundary."""
    assert [str(q) for q in recent_quarters(date(2027, 2, 1))] == [
        "2027Q1",
        "2026Q4",
        "2026Q3",
        "2026Q2",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("490", 490),
        ("1,000", 1000),
        (" 0 ", 0),
        ("-3", Problem.NEGATIVE),
        ("abc", Problem.NOT_A_NUMBER),
        ("1.5", Problem.NOT_A_NUMBER),
        ("", Problem.NOT_A_NUMBER),
        ("9999999999", Problem.NOT_A_NUMBER),
    ],
)
def test_parse_count(text: str, expected: int | Problem) -> None:
    """Whole non-negative numbers, with thousands separators allowed."""
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    ("size", "count", "expected"),
    [
        (10, 5, None),
        (10, 10, None),
        (10, 0, None),
        (0, 0, Problem.ZERO_GROUP),
        (10, 11, Problem.MORE_THAN_GROUP),
        (-1, 0, Problem.NEGATIVE),
    ],
)
def test_check_counts(size: int, count: int, expected: Problem | None) -> None:
    """A group must have people in it and cannot count more than it holds."""
    assert check_counts(size, count) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "4 2026Q3 white 1000 490 bme 500 190",
            Entry(4, Quarter(2026, 3), Figures(Counts(1000, 490), Counts(500, 190)), ""),
        ),
        (
            "2 2026Q1 bme 50 5 white 80 20 band 5",
            Entry(2, Quarter(2026, 1), Figures(Counts(80, 20), Counts(50, 5)), "band 5"),
        ),
        (
            "4 2026/27 Q2 white 1000 490 bme 500 190 nursing",
            Entry(4, Quarter(2026, 3), Figures(Counts(1000, 490), Counts(500, 190)), "nursing"),
        ),
        (
            "4 Q2 2026/27 white 1000 490 bme 500 190",
            Entry(4, Quarter(2026, 3), Figures(Counts(1000, 490), Counts(500, 190)), ""),
        ),
        (
            "4 2026/27Q2 white 1000 490 bme 500 190",
            Entry(4, Quarter(2026, 3), Figures(Counts(1000, 490), Counts(500, 190)), ""),
        ),
        ("4 Q3 2026 white 1000 490 bme 500 190", Problem.AMBIGUOUS_QUARTER),
        ("5 2026Q3 white 1000 490 bme 500 190", Problem.BAD_INDICATOR),
        ("1 2026Q3 white 1000 490 bme 500 190", Problem.BAD_INDICATOR),
        ("4 2026Q9 white 1000 490 bme 500 190", Problem.BAD_QUARTER),
        ("4 2027Q2 white 1000 490 bme 500 190", Problem.FUTURE_QUARTER),
        ("4 2026Q3 white 0 0 bme 500 190", Problem.ZERO_GROUP),
        ("4 2026Q3 white 100 490 bme 500 190", Problem.MORE_THAN_GROUP),
        ("4 2026Q3 white lots 490 bme 500 190", Problem.NOT_A_NUMBER),
        ("4 2026Q3 white 1000 -4 bme 500 190", Problem.NEGATIVE),
        ("4 2026Q3 white 1000 490 white 500 190", Problem.BAD_FORM),
        ("4 2026Q3 white 1000 490", Problem.BAD_FORM),
        ("4 2026Q3 white 1000 490 bme 500 190 " + "x" * 41, Problem.LABEL_TOO_LONG),
    ],
)
def test_parse_entry(text: str, expected: Entry | Problem) -> None:
    """The one-message form, and the problem named for each kind of bad input."""
    assert parse_entry(text.split(), TODAY) == expected


def _figures(ratio_white: int) -> Figures:
    return Figures(Counts(100, ratio_white), Counts(100, 20))


def test_region_median_only_from_the_minimum_group_size() -> None:
    """Four networks tracking an indicator show nothing; five show their count and median."""
    first = {2: "white", 3: "bme", 4: "white"}
    rows = [(network, 4, _figures(20 + 2 * network)) for network in range(1, 5)]
    [_, _, four] = region_figures(rows, first, 5)
    assert (four.networks, four.median) == (None, None)
    rows.append((5, 4, _figures(30)))
    [two, _, five] = region_figures(rows, first, 5)
    assert five.networks == 5
    assert five.median is not None
    assert f"{five.median:.2f}" == "1.30"
    assert (two.networks, two.median) == (None, None)


counts = st.integers(min_value=1, max_value=100_000).flatmap(
    lambda size: st.tuples(st.just(size), st.integers(min_value=0, max_value=size))
)


@given(counts, counts)
def test_ratio_lies_within_its_interval(white: tuple[int, int], bme: tuple[int, int]) -> None:
    """Whenever the ratio exists (and no count is zero), the interval contains it."""
    found = estimate(Figures(Counts(*white), Counts(*bme)), "white")
    assert found.lower <= found.upper
    if found.ratio is not None and white[1] > 0:
        assert found.lower * (1 - 1e-9) <= found.ratio <= found.upper * (1 + 1e-9)


@given(counts, counts)
def test_reading_the_other_way_up_inverts_the_ratio(
    white: tuple[int, int], bme: tuple[int, int]
) -> None:
    """white-over-BME times BME-over-white is 1 whenever both exist."""
    figures = Figures(Counts(*white), Counts(*bme))
    one, other = estimate(figures, "white").ratio, estimate(figures, "bme").ratio
    if one is not None and other is not None:
        assert math.isclose(one * other, 1.0, rel_tol=1e-9)


@given(st.integers(min_value=2015, max_value=2200), st.integers(min_value=1, max_value=4))
def test_quarters_round_trip(year: int, number: int) -> None:
    """A quarter survives being written out and read back, and its callback code."""
    quarter = Quarter(year, number)
    assert parse_quarter(str(quarter), date(2201, 1, 1)) == quarter
    assert Quarter.from_code(quarter.code()) == quarter


# -- issue 21: the zero-cell correction, zero width, tiny groups, commas -------------------------


@pytest.mark.parametrize(
    ("white", "bme", "ratio", "lower", "upper"),
    [
        # white 5 0 bme 5 5 once gave 0.00 with 0.01-1.28: a ratio outside its own interval.
        (Counts(5, 0), Counts(5, 5), "0.09", "0.01", "1.31"),
        # white 40 40 bme 40 40 once gave a zero-width "1.00 to 1.00".
        (Counts(40, 40), Counts(40, 40), "1.00", "0.95", "1.05"),
    ],
)
def test_zero_cells_are_corrected_for_ratio_and_interval_alike(
    white: Counts, bme: Counts, ratio: str, lower: str, upper: str
) -> None:
    found = estimate(Figures(white, bme), "white")
    assert found.ratio is not None
    assert (f"{found.ratio:.2f}", f"{found.lower:.2f}", f"{found.upper:.2f}") == (
        ratio,
        lower,
        upper,
    )


def test_one_and_one_is_too_few_to_tell() -> None:
    """Groups of one (once not flagged) and any group under five are too few to tell."""
    assert estimate(Figures(Counts(1, 1), Counts(1, 1)), "white").too_few_to_tell is True
    assert estimate(Figures(Counts(4, 4), Counts(900, 10)), "white").too_few_to_tell is True


@given(counts, counts)
def test_ratio_is_strictly_inside_an_interval_of_some_width(
    white: tuple[int, int], bme: tuple[int, int]
) -> None:
    """For any counts, zero cells included: never a point outside its interval, never a
    zero-width interval."""
    found = estimate(Figures(Counts(*white), Counts(*bme)), "white")
    assert 0 < found.lower < found.upper
    if found.ratio is not None:
        assert found.lower < found.ratio < found.upper


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1,000", 1000),
        ("12,345", 12345),
        ("1,234,567", 1234567),
        ("1000", 1000),
        ("10,5", Problem.NOT_A_NUMBER),
        ("1,0,0,0", Problem.NOT_A_NUMBER),
        ("1,00", Problem.NOT_A_NUMBER),
        (",100", Problem.NOT_A_NUMBER),
        ("100,", Problem.NOT_A_NUMBER),
        ("-1,000", Problem.NEGATIVE),
    ],
)
def test_commas_are_read_only_as_thousands_separators(typed: str, expected: int | Problem) -> None:
    assert parse_count(typed) == expected


@given(st.integers(min_value=0, max_value=999_999_999))
def test_a_count_written_with_thousands_separators_reads_back(value: int) -> None:
    assert parse_count(f"{value:,}") == value
    assert parse_count(str(value)) == value


def test_none_counted_in_the_first_group_is_flagged() -> None:
    """With none of the first group counted, the estimate says so (the point is then only the
    zero-cell correction's); with some counted, it does not."""
    none = Figures(Counts(100, 0), Counts(100, 20))
    some = Figures(Counts(100, 1), Counts(100, 20))
    assert estimate(none, "white").first_none is True
    assert estimate(some, "white").first_none is False
