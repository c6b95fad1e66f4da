"""Small-cell suppression and when published figures may change."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from scoring import Band, Summary
from scoring.publication import Published, changed, publish, publish_wres
from scoring.suppression import Cell, Shown, bounds, rate, shares, suppress, suppress_table
from scoring.wres import Figures

BANDS = ("pathfinder", "cultivator", "activator")


def _possible(cells: dict[str, Cell], total: int, minimum: int) -> dict[str, set[int]]:
    """Every count each cell could have, to a reader who knows the cells and the total."""
    ranges = [range(lo, hi + 1) for lo, hi in (bounds(c, total, minimum) for c in cells.values())]
    values: dict[str, set[int]] = {key: set() for key in cells}
    for combination in itertools.product(*ranges):
        if sum(combination) == total:
            for key, value in zip(cells, combination, strict=True):
                values[key].add(value)
    return values


@pytest.mark.parametrize(
    ("counts", "shown"),
    [
        ((10, 0, 0), ("count", "count", "count")),
        ((6, 0, 2), ("count", "hidden", "few")),
        ((5, 3, 2), ("count", "few", "few")),
        ((4, 4, 0), ("few", "few", "hidden")),
        ((5, 5, 5), ("count", "count", "count")),
    ],
)
def test_suppression_table(counts: tuple[int, ...], shown: tuple[str, ...]) -> None:
    """Cells of 1-4 show as few; one more is hidden where subtraction would give one away."""
    cells = suppress(dict(zip(BANDS, counts, strict=True)), 5)
    assert tuple(cell.shown.value for cell in cells.values()) == shown


@given(st.tuples(*[st.integers(0, 25)] * 3), st.integers(3, 6))
def test_no_hidden_cell_can_be_worked_out(counts: tuple[int, int, int], minimum: int) -> None:
    """Whatever the counts, each hidden cell could still have more than one value."""
    total = sum(counts)
    assume(total >= minimum)
    cells = suppress(dict(zip(BANDS, counts, strict=True)), minimum)
    possible = _possible(cells, total, minimum)
    for key, cell in cells.items():
        assert counts[BANDS.index(key)] in possible[key]
        if cell.shown is not Shown.COUNT:
            assert len(possible[key]) > 1, (counts, cells)


@given(st.dictionaries(st.sampled_from(BANDS), st.integers(0, 50), min_size=1))
def test_shares_add_up_to_a_hundred(counts: dict[str, int]) -> None:
    """Whole percentages of any counts add up to 100 (or are all 0 with no counts)."""
    result = shares(counts)
    assert sum(result.values()) == (100 if sum(counts.values()) else 0)
    for key, value in result.items():
        exact = 100 * counts[key] / sum(counts.values()) if sum(counts.values()) else 0
        assert abs(value - exact) < 1


regions = st.dictionaries(
    st.sampled_from(["london", "midlands", "north_east", "north_west", "south_east"]),
    st.fixed_dictionaries({"networks": st.integers(0, 12), "pathfinder": st.integers(0, 12)}),
    min_size=1,
)


@given(regions, st.integers(3, 6))
def test_no_table_total_gives_a_hidden_cell_away(
    rows: dict[str, dict[str, int]], minimum: int
) -> None:
    """In a table with column totals, each hidden cell could still have more than one value,
    to a reader who knows the cells shown, the totals shown, and that a hidden cell is 1..k-1."""
    shown, totals = suppress_table(rows, minimum)
    for column, total in totals.items():
        hidden = [name for name, row in shown.items() if row[column] is None]
        visible = sum(row[column] or 0 for row in shown.values())
        options = list(itertools.product(range(1, minimum), repeat=len(hidden)))
        if total is not None:
            options = [combo for combo in options if visible + sum(combo) == total]
        for index, name in enumerate(hidden):
            assert rows[name][column] in {combo[index] for combo in options}
            assert len({combo[index] for combo in options}) > 1


def test_rates_need_enough_networks_on_both_sides() -> None:
    """A completion rate is shown only when both counts are publishable."""
    assert rate(6, 10, 5) == 60
    assert rate(3, 10, 5) is None
    assert rate(0, 10, 5) == 0
    assert rate(2, 4, 5) is None


def _summary(band: str) -> Summary:
    return Summary(
        total={"pathfinder": 60, "cultivator": 130, "activator": 160}[band],
        band=Band(band),
        enabler_percent={"C": 50.0},
    )


def test_figures_stand_until_enough_networks_have_new_results() -> None:
    """Five Pathfinders; a sixth network at Activator the next day changes nothing."""
    first = publish(None, [(n, n, _summary("pathfinder")) for n in range(5)], 5, "2027-03-01")
    assert first.distribution is not None
    sixth = [(n, n, _summary("pathfinder")) for n in range(5)] + [(9, 9, _summary("activator"))]
    assert publish(first, sixth, 5, "2027-03-02") is first


def test_too_few_networks_publish_nothing_until_there_are_enough() -> None:
    """Four networks show nothing; the fifth may be published the day it arrives."""
    few = publish(None, [(n, n, _summary("pathfinder")) for n in range(4)], 5, "2027-03-01")
    assert few.distribution is None
    five = [(n, n, _summary("pathfinder")) for n in range(5)]
    assert publish(few, five, 5, "2027-03-02").distribution is not None


events = st.lists(st.tuples(st.integers(0, 12), st.sampled_from(BANDS), st.booleans()), max_size=60)


@given(events, st.integers(2, 6))
def test_two_consecutive_publications_never_isolate_one_network(
    history: list[tuple[int, str, bool]], minimum: int
) -> None:
    """Across any two consecutive publications that both show figures, at least `minimum`
    networks' results differ, so no single network's band or score can be derived."""
    results: dict[int, tuple[int, Summary]] = {}
    published: Published | None = None
    for day, (network, band, gone) in enumerate(history):
        if gone:
            results.pop(network, None)
        else:
            results[network] = (day, _summary(band))
        rows = [(n, assessment, summary) for n, (assessment, summary) in results.items()]
        current = publish(published, rows, minimum, f"day {day}")
        if current is not published and published and published.distribution is not None:
            # Figures, once shown, are only replaced by a batch of at least `minimum`.
            assert changed(published.members, current.members) >= minimum
        published = current


def _wres_rows(networks: range, count: int = 30) -> list[tuple[int, int, str, Figures]]:
    return [(n, 4, "2026Q3", Figures.of(100, count, 100, 20)) for n in networks]


FIRST = {2: "white", 3: "bme", 4: "white"}


def test_wres_figures_change_only_after_five_networks_change() -> None:
    """A region's WRES picture stands when one network enters or changes a quarter, and is
    replaced once five networks' entries differ."""
    first = publish_wres(None, _wres_rows(range(5)), FIRST, 5, "2027-03-01")
    [_, _, four] = first.figures
    assert four.networks == 5
    assert four.median == pytest.approx(1.5)
    one_more = _wres_rows(range(6))
    assert publish_wres(first, one_more, FIRST, 5, "2027-03-02") is first
    five_changed = _wres_rows(range(5), count=40) + _wres_rows(range(5, 6))
    assert publish_wres(first, five_changed, FIRST, 5, "2027-03-03").as_of == "2027-03-03"


def test_wres_too_few_publishes_each_change() -> None:
    """While too few networks track an indicator nothing is shown, so any change may be."""
    few = publish_wres(None, _wres_rows(range(3)), FIRST, 5, "2027-03-01")
    assert not few.shown
    assert publish_wres(few, _wres_rows(range(4)), FIRST, 5, "2027-03-02").as_of == "2027-03-02"
