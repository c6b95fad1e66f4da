"""Which networks count beyond themselves, whose round is the network's, when a link works."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from scoring.standing import (
    View,
    counting,
    counts_beyond_itself,
    invite_open,
    may_remove,
    view_on_completion,
)

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("verified", "view", "counts"),
    [
        (True, View.NETWORK, True),
        (False, View.NETWORK, False),  # a made-up network moves no figure
        (True, View.PENDING, False),  # a co-lead's round before agreement
        (True, View.OWN, False),  # a round closed unsettled
        (False, View.PENDING, False),
    ],
)
def test_counts_beyond_itself(verified: bool, view: View, counts: bool) -> None:
    assert counts_beyond_itself(verified=verified, view=view) is counts


@dataclass(frozen=True)
class _Row:
    name: str
    verified: bool


def test_counting_keeps_verified_networks_in_order() -> None:
    rows = [_Row("a", True), _Row("b", False), _Row("c", True), _Row("d", False)]
    assert [r.name for r in counting(rows)] == ["a", "c"]


@pytest.mark.parametrize(
    ("owner", "leads", "view"),
    [
        (True, 1, View.NETWORK),
        (True, 3, View.NETWORK),
        (False, 1, View.NETWORK),  # a sole lead agrees with itself
        (False, 2, View.PENDING),
        (False, 5, View.PENDING),
    ],
)
def test_view_on_completion(owner: bool, leads: int, view: View) -> None:
    assert view_on_completion(author_is_owner=owner, leads=leads) is view


@pytest.mark.parametrize(
    ("issued", "works"),
    [
        (None, False),
        (NOW, True),
        (NOW - timedelta(days=13, hours=23), True),
        (NOW - timedelta(days=14), False),
        (NOW - timedelta(days=30), False),
        (NOW + timedelta(minutes=1), False),  # a clock gone backwards opens nothing
    ],
)
def test_invite_open(issued: datetime | None, works: bool) -> None:
    assert invite_open(issued, NOW) is works


@pytest.mark.parametrize(
    ("presser", "target", "owner", "leads", "allowed"),
    [
        (1, 2, 1, [1, 2], True),
        (2, 1, 1, [1, 2], False),  # a co-lead cannot remove the owner
        (2, 3, 1, [1, 2, 3], False),  # nor another co-lead
        (1, 1, 1, [1, 2], False),  # the owner cannot remove themself
        (1, 4, 1, [1, 2], False),  # not a lead
        (1, 2, None, [1, 2], False),  # no owner: an operator transfers first
    ],
)
def test_may_remove(
    presser: int, target: int, owner: int | None, leads: list[int], allowed: bool
) -> None:
    assert may_remove(presser=presser, target=target, owner=owner, leads=leads) is allowed
