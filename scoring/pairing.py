"""Monthly buddy pairing: match one lead's need to another lead's strength, within a region.

Each lead chose a focus they want help with and one they can offer (a focus is a CRAFT enabler,
`enabler:C`, or a theme of the model, `theme:operating`), and may have a latest CRAFT profile
(percent per focus). Within each region, leads are taken in a fixed order (those who waited last
month first, then by id) and each is matched to the free lead that suits them best:

1. one who offers what they want and wants what they offer;
2. one who offers what they want (the strongest on it first);
3. one who wants what they offer;
4. anyone else (the strongest on what they want first).

Nobody is matched with last month's partner or with a lead of their own network. A lead left
over joins a pair as a third (where nobody was their partner last month), or waits a month.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Candidate:
    user_id: int
    region: str
    network_id: int
    wants: str
    offers: str
    profile: Mapping[str, float] = field(default_factory=dict)  # focus -> percent, 0..100
    waited: bool = False  # left out last month: matched first this time

    def strength(self, focus: str) -> float:
        return self.profile.get(focus, 0.0)


@dataclass(frozen=True)
class Group:
    """Two leads (or three) introduced to each other for the month."""

    region: str
    members: tuple[int, ...]


@dataclass(frozen=True)
class Pairing:
    groups: tuple[Group, ...]
    waiting: tuple[int, ...]


def pair_key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def previous_pairs(groups: Iterable[Iterable[int]]) -> frozenset[tuple[int, int]]:
    """Every two-person pair within last month's groups."""
    pairs = set()
    for group in groups:
        members = sorted(group)
        for index, a in enumerate(members):
            for b in members[index + 1 :]:
                pairs.add((a, b))
    return frozenset(pairs)


def pair_leads(
    candidates: Iterable[Candidate], previous: frozenset[tuple[int, int]] = frozenset()
) -> Pairing:
    """The month's groups and who waits, region by region (regions in name order)."""
    by_region: dict[str, dict[int, Candidate]] = {}
    for candidate in candidates:
        by_region.setdefault(candidate.region, {})[candidate.user_id] = candidate
    groups: list[Group] = []
    waiting: list[int] = []
    for region in sorted(by_region):
        made, left = _pair_region(list(by_region[region].values()), previous)
        groups.extend(Group(region, members) for members in made)
        waiting.extend(left)
    return Pairing(tuple(groups), tuple(sorted(waiting)))


def _allowed(a: Candidate, b: Candidate, previous: frozenset[tuple[int, int]]) -> bool:
    return (
        a.user_id != b.user_id
        and a.network_id != b.network_id
        and pair_key(a.user_id, b.user_id) not in previous
    )


class _Buckets:
    """Free leads by (offers, wants), each bucket strongest-on-its-offer first, with lazy
    removal: a lead taken elsewhere is skipped when met."""

    def __init__(self, leads: list[Candidate]) -> None:
        self.buckets: dict[tuple[str, str], list[Candidate]] = {}
        for lead in leads:
            self.buckets.setdefault((lead.offers, lead.wants), []).append(lead)
        for bucket in self.buckets.values():
            bucket.sort(key=lambda c: (-c.strength(c.offers), c.user_id))
        self.free = {lead.user_id for lead in leads}
        self.start = dict.fromkeys(self.buckets, 0)

    def first(
        self, key: tuple[str, str], a: Candidate, previous: frozenset[tuple[int, int]]
    ) -> Candidate | None:
        bucket = self.buckets.get(key)
        if not bucket:
            return None
        # Skip taken leads at the front once, so later searches start at a free one.
        start = self.start[key]
        while start < len(bucket) and bucket[start].user_id not in self.free:
            start += 1
        self.start[key] = start
        for index in range(start, len(bucket)):
            b = bucket[index]
            if b.user_id in self.free and _allowed(a, b, previous):
                return b
        return None


def _pair_region(
    leads: list[Candidate], previous: frozenset[tuple[int, int]]
) -> tuple[list[tuple[int, ...]], list[int]]:
    leads.sort(key=lambda c: (not c.waited, c.user_id))
    buckets = _Buckets(leads)
    keys = sorted(buckets.buckets)
    groups: list[list[Candidate]] = []
    left: list[Candidate] = []
    for a in leads:
        if a.user_id not in buckets.free:
            continue
        buckets.free.discard(a.user_id)
        b = _best(a, buckets, keys, previous)
        if b is None:
            left.append(a)
            continue
        buckets.free.discard(b.user_id)
        groups.append([a, b])
    waiting = []
    for a in left:
        home = _third_place(a, groups, previous)
        if home is None:
            waiting.append(a.user_id)
        else:
            home.append(a)
    return [tuple(m.user_id for m in group) for group in groups], waiting


def _best(
    a: Candidate,
    buckets: _Buckets,
    keys: list[tuple[str, str]],
    previous: frozenset[tuple[int, int]],
) -> Candidate | None:
    mutual = buckets.first((a.wants, a.offers), a, previous)
    if mutual is not None:
        return mutual
    tiers = (
        [k for k in keys if k[0] == a.wants],  # offers what a wants
        [k for k in keys if k[1] == a.offers],  # wants what a offers
        keys,  # anyone
    )
    for tier in tiers:
        found = [b for key in tier if (b := buckets.first(key, a, previous)) is not None]
        if found:
            return min(found, key=lambda b: (-b.strength(a.wants), b.user_id))
    return None


def _third_place(
    a: Candidate, groups: list[list[Candidate]], previous: frozenset[tuple[int, int]]
) -> list[Candidate] | None:
    """The pair a left-over lead joins: one whose members all may meet them, preferring a
    member who offers what they want; None if there is none."""
    best: list[Candidate] | None = None
    best_rank: tuple[int, float] | None = None
    for group in groups:
        if len(group) != 2 or not all(_allowed(a, b, previous) for b in group):
            continue
        rank = (
            -sum(b.offers == a.wants for b in group),
            -max(b.strength(a.wants) for b in group),
        )
        if best_rank is None or rank < best_rank:
            best, best_rank = group, rank
    return best
