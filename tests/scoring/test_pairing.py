"""Buddy pairing: need matched to strength within a region, no pair repeated, odd lead out."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.pairing import Candidate, Group, pair_key, pair_leads, previous_pairs

C, R, A, F, T = (f"enabler:{k}" for k in "CRAFT")


def lead(
    user_id: int,
    wants: str,
    offers: str,
    profile: dict[str, float] | None = None,
    *,
    region: str = "london",
    network: int | None = None,
    waited: bool = False,
) -> Candidate:
    return Candidate(
        user_id=user_id,
        region=region,
        network_id=network if network is not None else user_id,
        wants=wants,
        offers=offers,
        profile=profile or {},
        waited=waited,
    )


FIVE = [
    lead(1, C, R, {C: 20, R: 80}),
    lead(2, R, C, {C: 90, R: 30}),  # mutual with 1
    lead(3, A, T, {A: 10, T: 70}),
    lead(4, F, A, {A: 60, F: 20}),  # offers what 3 wants
    lead(5, T, F, {A: 95, T: 15, F: 75}),  # offers what 4 wants; odd one out
]


def test_five_leads_give_the_expected_pairs() -> None:
    """Mutual needs pair first, then need to strength; the fifth joins a three."""
    pairing = pair_leads(FIVE)
    assert pairing == pair_leads(list(reversed(FIVE)))  # order of input does not matter
    assert pairing.groups == (Group("london", (1, 2)), Group("london", (3, 4, 5)))
    assert pairing.waiting == ()


def test_the_stronger_offer_wins() -> None:
    """Of two leads offering what one wants, the one stronger on it is chosen."""
    leads = [lead(1, C, R), lead(2, F, C, {C: 40}), lead(3, F, C, {C: 85})]
    groups = pair_leads(leads).groups
    assert groups[0].members[:2] == (1, 3)


def test_last_months_pair_is_not_repeated() -> None:
    """Last month's groups are split up; the lead who met everyone left waits."""
    previous = previous_pairs([(1, 2), (3, 4, 5)])
    pairing = pair_leads(FIVE, previous)
    assert pairing.groups == (Group("london", (1, 3)), Group("london", (2, 4)))
    assert pairing.waiting == (5,)


def test_a_lone_lead_waits_and_comes_first_next_time() -> None:
    """One lead in a region waits; a lead who waited is matched first next month."""
    assert pair_leads(
        [lead(1, C, R, region="london"), lead(2, C, R, region="midlands")]
    ).waiting == (1, 2)
    leads = [lead(1, C, R), lead(2, R, C), lead(3, R, C, waited=True)]
    assert pair_leads(leads).groups[0].members[0] == 3


def test_two_leads_paired_last_month_wait() -> None:
    """Two leads whose only possible partner was last month's both wait."""
    pairing = pair_leads([lead(1, C, R), lead(2, R, C)], frozenset({(1, 2)}))
    assert (pairing.groups, pairing.waiting) == ((), (1, 2))


def test_co_leads_of_one_network_are_not_paired() -> None:
    """Leads of the same network are never buddies."""
    pairing = pair_leads([lead(1, C, R, network=9), lead(2, R, C, network=9)])
    assert pairing.groups == ()


FOCUS = st.sampled_from([C, R, A, F, T, "theme:operating", "theme:dynamics", "theme:impact"])
LEADS = st.lists(
    st.builds(
        lead,
        st.integers(1, 400),
        FOCUS,
        FOCUS,
        st.dictionaries(FOCUS, st.floats(0, 100)),
        region=st.sampled_from(["london", "midlands", "south-west"]),
        network=st.integers(1, 60),
    ),
    max_size=60,
    unique_by=lambda c: c.user_id,
)
PAIRS = st.frozensets(
    st.tuples(st.integers(1, 400), st.integers(1, 400)).map(lambda p: pair_key(*p))
)


@settings(max_examples=200)
@given(LEADS, PAIRS)
def test_everyone_is_placed_once_in_a_fitting_group(
    leads: list[Candidate], previous: frozenset[tuple[int, int]]
) -> None:
    """Each lead is in one group or waits; groups of two or three in one region, no repeats,
    no two leads of one network."""
    pairing = pair_leads(leads, previous)
    placed = [m for g in pairing.groups for m in g.members] + list(pairing.waiting)
    assert sorted(placed) == sorted(c.user_id for c in leads)
    by_id = {c.user_id: c for c in leads}
    for group in pairing.groups:
        assert 2 <= len(group.members) <= 3
        assert {by_id[m].region for m in group.members} == {group.region}
        assert len({by_id[m].network_id for m in group.members}) == len(group.members)
    assert previous_pairs(g.members for g in pairing.groups) & previous == frozenset()


@given(LEADS)
def test_nobody_waits_without_cause(leads: list[Candidate]) -> None:
    """With no history, a lead waits only if nobody else in the region is from another network."""
    pairing = pair_leads(leads)
    for user_id in pairing.waiting:
        me = next(c for c in leads if c.user_id == user_id)
        others = [c for c in leads if c.region == me.region and c.network_id != me.network_id]
        placed_with_others = [
            g for g in pairing.groups if g.region == me.region and len(g.members) == 2
        ]
        assert (
            not others
            or not placed_with_others
            or all(
                any(by.network_id == me.network_id for by in leads if by.user_id in g.members)
                for g in placed_with_others
            )
        )
