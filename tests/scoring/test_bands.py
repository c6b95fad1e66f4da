"""Where a total sits within its band, and when a band is worth celebrating."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.engine import band_position, is_rise
from scoring.model import Band, BandRule

PATHFINDER = BandRule(Band.PATHFINDER, "Pathfinder", "", 0, 124, "")
CULTIVATOR = BandRule(Band.CULTIVATOR, "Cultivator", "", 125, 150, "")


@pytest.mark.parametrize(
    ("rule", "total", "expected"),
    [
        (PATHFINDER, 0, "low"),
        (PATHFINDER, 41, "low"),
        (PATHFINDER, 42, "middle"),
        (PATHFINDER, 83, "middle"),
        (PATHFINDER, 84, "high"),
        (PATHFINDER, 124, "high"),
        (PATHFINDER, 164, "above"),  # held back at Pathfinder by the attribute gate
        (CULTIVATOR, 125, "low"),
        (CULTIVATOR, 150, "high"),
    ],
)
def test_band_position_by_thirds(rule: BandRule, total: int, expected: str) -> None:
    """0/178 and 120/178 read differently though both are Pathfinder."""
    assert band_position(rule, total) == expected


@given(st.integers(0, 124), st.integers(0, 124))
def test_band_position_never_falls_as_the_total_rises(low: int, high: int) -> None:
    """A higher total within a band is never described as lower in it."""
    order = ["low", "middle", "high"]
    low, high = sorted((low, high))
    assert order.index(band_position(PATHFINDER, low)) <= order.index(
        band_position(PATHFINDER, high)
    )


@pytest.mark.parametrize(
    ("band", "previous", "expected"),
    [
        (Band.PATHFINDER, None, False),  # the entry band, first result
        (Band.CULTIVATOR, None, True),
        (Band.CULTIVATOR, Band.PATHFINDER, True),
        (Band.CULTIVATOR, Band.CULTIVATOR, False),
        (Band.PATHFINDER, Band.CULTIVATOR, False),
        (Band.ACTIVATOR, Band.CULTIVATOR, True),
    ],
)
def test_only_a_higher_band_is_celebrated(
    band: Band, previous: Band | None, expected: bool
) -> None:
    """Reaching a band is celebrated only when it is above the network's last band."""
    assert is_rise(band, previous) is expected
