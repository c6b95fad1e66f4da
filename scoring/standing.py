"""Who speaks for a network, and which networks count beyond themselves. Pure rules.

A network counts in any figure beyond itself (region and England comparisons, digests, WRES
medians, operator statistics) only once verified, and then only with its agreed result. A
lead's completed round is the network's result at once when its author owns the network or
leads it alone; a co-lead's round waits for agreement. An invitation code lasts 14 days.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol, TypeVar

INVITE_LIFETIME = timedelta(days=14)
"""How long an invite link works after its code was issued."""

AGREEMENT_DEADLINE = timedelta(days=30)
"""A round still unsettled this long after it opened is closed as its lead's own view."""


class View(StrEnum):
    NETWORK = "network"  # the network's result
    PENDING = "pending"  # a lead's round awaiting agreement
    OWN = "own"  # closed unsettled: that lead's own view, seen by the network's leads only


class Counted(Protocol):
    @property
    def verified(self) -> bool: ...


C = TypeVar("C", bound=Counted)


def counts_beyond_itself(*, verified: bool, view: str = View.NETWORK) -> bool:
    """Whether a network's result may enter a figure about other networks."""
    return verified and view == View.NETWORK


def counting(results: Iterable[C]) -> list[C]:
    """The results (each with the network's `verified` flag) that may enter a figure."""
    return [r for r in results if counts_beyond_itself(verified=r.verified)]


def view_on_completion(*, author_is_owner: bool, leads: int) -> View:
    """What a lead's just-completed round is: the owner's (or a sole lead's) is the network's
    result; a co-lead's awaits agreement."""
    return View.NETWORK if author_is_owner or leads <= 1 else View.PENDING


def invite_open(issued_at: datetime | None, now: datetime) -> bool:
    """Whether an invite code issued at `issued_at` still works at `now`."""
    return issued_at is not None and issued_at <= now < issued_at + INVITE_LIFETIME


def may_remove(*, presser: int, target: int, owner: int | None, leads: Iterable[int]) -> bool:
    """Only the owner removes a lead; never the owner, never the last lead."""
    current = set(leads)
    return (
        owner is not None
        and presser == owner
        and target != owner
        and target in current
        and len(current) > 1
    )
