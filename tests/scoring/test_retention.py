"""The retention schedule's rules, by table and by property."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.retention import (
    Fate,
    Policy,
    backups_to_delete,
    cutoffs,
    erase_on,
    months_after,
    months_before,
    network_fate,
)

POLICY = Policy()
ACTIVE = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2027, 3, 31, tzinfo=UTC), 1, datetime(2027, 2, 28, tzinfo=UTC)),
        (datetime(2028, 3, 31, tzinfo=UTC), 1, datetime(2028, 2, 29, tzinfo=UTC)),
        (datetime(2027, 1, 15, tzinfo=UTC), 13, datetime(2025, 12, 15, tzinfo=UTC)),
        (datetime(2027, 1, 15, tzinfo=UTC), 24, datetime(2025, 1, 15, tzinfo=UTC)),
        (datetime(2027, 1, 15, tzinfo=UTC), -1, datetime(2027, 2, 15, tzinfo=UTC)),
    ],
)
def test_months_before(moment: datetime, months: int, expected: datetime) -> None:
    assert months_before(moment, months) == expected


# Erasure is due on 1 March 2027 (24 months after ACTIVE); the warning 30 days before.
ERASE_FROM = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
WARN_FROM = ERASE_FROM - 30 * DAY


@pytest.mark.parametrize(
    ("warned_at", "now", "fate"),
    [
        (None, WARN_FROM - DAY, Fate.KEEP),  # quiet, but not yet near
        (None, WARN_FROM, Fate.WARN),  # 30 days before: warn
        (None, ERASE_FROM + 100 * DAY, Fate.WARN),  # never warned: warn first, whatever the date
        (WARN_FROM, WARN_FROM + DAY, Fate.KEEP),  # warned: wait
        (WARN_FROM, ERASE_FROM - DAY, Fate.KEEP),
        (WARN_FROM, ERASE_FROM, Fate.ERASE),  # warned 30 days ago and 24 months quiet
        (ERASE_FROM, ERASE_FROM + 29 * DAY, Fate.KEEP),  # warned late: still 30 days' notice
        (ERASE_FROM, ERASE_FROM + 30 * DAY, Fate.ERASE),
        (ACTIVE - DAY, ERASE_FROM, Fate.WARN),  # a warning before the latest activity is void
    ],
)
def test_network_fate(warned_at: datetime | None, now: datetime, fate: Fate) -> None:
    assert network_fate(ACTIVE, warned_at, now, POLICY) is fate


def test_erase_on_gives_the_later_of_the_quiet_spell_and_the_notice() -> None:
    assert erase_on(ACTIVE, WARN_FROM, POLICY) == ERASE_FROM
    assert erase_on(ACTIVE, ERASE_FROM, POLICY) == ERASE_FROM + 30 * DAY


def test_cutoffs_follow_the_schedule() -> None:
    now = datetime(2027, 3, 15, 10, 0, tzinfo=UTC)
    found = cutoffs(now, POLICY)
    assert found.deliveries_before == datetime(2026, 2, 15, 10, 0, tzinfo=UTC)
    # February 2026 ended on 1 March 2026, over 12 months ago; March 2026 ended under 12.
    assert found.pairings_before == "2026-03"
    assert found.meetings_before == now - 90 * DAY
    assert found.audit_before == datetime(2025, 3, 15, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("made", "keep", "doomed"),
    [
        ([], 3, []),
        (["a", "b"], 3, []),
        (["a", "b", "c", "d"], 2, ["a", "b"]),
        (["a", "b", "a", "c"], 2, ["b"]),  # a written again counts at its latest place
    ],
)
def test_backups_to_delete(made: list[str], keep: int, doomed: list[str]) -> None:
    assert backups_to_delete(made, keep) == doomed


moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)


@given(active=moments, gap=st.integers(min_value=0, max_value=2000))
def test_no_network_is_erased_without_a_warning(active: datetime, gap: int) -> None:
    """Whatever the dates, a network never warned is never erased."""
    assert network_fate(active, None, active + timedelta(days=gap), POLICY) is not Fate.ERASE


@given(active=moments, warned_after=st.integers(0, 900), now_after=st.integers(0, 900))
def test_erasure_comes_after_notice_and_the_quiet_spell(
    active: datetime, warned_after: int, now_after: int
) -> None:
    """An erasure is always at least 30 days after the warning and 24 months after the last
    activity."""
    warned = active + timedelta(days=warned_after)
    now = warned + timedelta(days=now_after)
    if network_fate(active, warned, now, POLICY) is Fate.ERASE:
        assert now - warned >= timedelta(days=POLICY.warn_days)
        assert now >= months_after(active, POLICY.network_months)


@given(made=st.lists(st.sampled_from("abcdefgh"), max_size=20), keep=st.integers(1, 8))
def test_rotation_keeps_the_newest(made: list[str], keep: int) -> None:
    doomed = backups_to_delete(made, keep)
    distinct = list(dict.fromkeys(reversed(made)))  # newest first
    assert set(doomed) == set(distinct[keep:])
