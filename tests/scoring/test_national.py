"""The national picture's rules (scoring/national.py): groups shown, counts suppressed, band
splits beside England, items beside 2017, a year apart, and the publication rule, by table and
by brute force over random pictures."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import national
from scoring.baseline import Figure
from scoring.model import Band
from scoring.national import FEW, HIDDEN, Assessed, NetworkFacts, PulseFacts, Setting
from scoring.pulse import AGREE, PREFER_NOT, STRONGLY_AGREE
from scoring.wres import Figures

MIN = 5
REGIONS = ("a", "b", "c", "d")
AGES = ("new", "old")
FIGURES = (
    Figure("purpose", "op-purpose", 90, True, "had a purpose"),
    Figure("expectations", None, 63, False, "knew what they expected"),
)
SETTING = Setting(REGIONS, AGES, ("C", "R"), FIGURES, {2: "white"}, MIN)
DAY = date(2027, 2, 1)


def fact(
    network: int,
    region: str = "a",
    *,
    band: Band | None = Band.PATHFINDER,
    total: int = 100,
    agrees: bool = True,
    age: str = "new",
    year_ago: Band | None = None,
    wres: dict[int, tuple[str, Figures]] | None = None,
) -> NetworkFacts:
    latest = None
    if band is not None:
        latest = Assessed(
            assessment_id=1000 + network,
            completed_on=DAY,
            total=total,
            band=band,
            enablers={"C": float(total % 100), "R": 50.0},
            agreeing=frozenset({"op-purpose"}) if agrees else frozenset(),
            answered=frozenset({"op-purpose"}),
        )
    return NetworkFacts(network, region, age, latest, year_ago, wres or {})


@pytest.mark.parametrize(
    ("sizes", "shown"),
    [
        ({"a": 6, "b": 5, "c": 0}, {"a", "b"}),  # nothing left over
        ({"a": 6, "b": 5, "c": 2}, {"a"}),  # b too would leave c's 2: b goes, 7 left over
        ({"a": 6, "b": 7, "c": 5}, {"a", "b", "c"}),
        ({"a": 4, "b": 3}, set()),  # each under the minimum; 7 left over is fine
        ({"a": 3}, set()),  # the whole is under the minimum
        ({"a": 9, "b": 1}, set()),  # a alone leaves 1: a goes too
    ],
)
def test_shown_groups(sizes: dict[str, int], shown: set[str]) -> None:
    assert national.shown_groups(sizes, MIN) == shown


def test_count_column_under_the_minimum_hides_every_cell() -> None:
    cells, total = national.count_column({"a": 2, "b": 0}, MIN)
    assert cells == {"a": HIDDEN, "b": HIDDEN}
    assert total == FEW


def test_count_column_hides_a_second_cell_beside_a_few() -> None:
    cells, total = national.count_column({"a": 6, "b": 9, "c": 2}, MIN)
    assert total == 17
    assert cells["c"] == FEW
    assert cells["a"] == HIDDEN  # the smallest other: 17 - 9 leaves a and c unknown
    assert cells["b"] == 9


def test_band_split_beside_2017_and_region_beside_england() -> None:
    """England: 6 Pathfinder, 5 Cultivator. Region a (6 P) and b (5 C) each show their
    split: none of the rest is a few."""
    facts = [fact(i, "a") for i in range(6)] + [
        fact(10 + i, "b", band=Band.CULTIVATOR, total=130) for i in range(5)
    ]
    picture = national.build(facts, SETTING, "2027-02-01")
    england = picture["england"]
    assert england["n"] == 11
    assert england["mean"] == round((6 * 100 + 5 * 130) / 11, 1)
    assert england["median"] == 100.0
    assert england["bands"]["pathfinder"] == {"count": 6, "percent": 55}
    assert england["bands"]["cultivator"] == {"count": 5, "percent": 45}
    assert picture["region_bands"]["a"]["pathfinder"] == {"count": 6, "percent": 100}
    assert picture["region_bands"]["b"]["cultivator"] == {"count": 5, "percent": 100}
    assert picture["regions"]["a"]["craft"] == {"C": 0, "R": 50}


def test_a_band_of_a_few_hides_the_split() -> None:
    facts = [fact(i) for i in range(8)] + [fact(20, band=Band.ACTIVATOR, total=170)]
    england = national.build(facts, SETTING, "2027-02-01")["england"]
    assert england["n"] == 9
    assert england["bands"] is None


def test_region_split_hidden_when_the_rest_would_show_a_few() -> None:
    """a: 5 P; b: 5 P; c: 5 C + 2 P... c's split has a few; hiding only c's split would leave
    2 Pathfinders from England less a and b: smaller regions are dropped until it does not."""
    facts = (
        [fact(i, "a") for i in range(5)]
        + [fact(10 + i, "b") for i in range(5)]
        + [fact(20 + i, "c", band=Band.CULTIVATOR) for i in range(5)]
        + [fact(30 + i, "c") for i in range(5)]
    )
    picture = national.build(facts, SETTING, "2027-02-01")
    assert picture["england"]["bands"]["pathfinder"]["count"] == 15
    shown = {k for k, v in picture["region_bands"].items() if v is not None}
    assert shown == {"a", "b", "c"}
    facts = facts[:-3]  # c now 5 C + 2 P: its split has a few
    picture = national.build(facts, SETTING, "2027-02-01")
    shown = {k for k, v in picture["region_bands"].items() if v is not None}
    assert "c" not in shown
    assert len(shown) <= 1  # b's or a's split too, so c's 2 cannot be worked out


@pytest.mark.parametrize(
    ("agreeing", "not_agreeing", "share"),
    [(8, 5, 62), (11, 2, None), (4, 9, None), (5, 0, 100), (0, 6, 0), (3, 1, None)],
)
def test_item_share_beside_2017(agreeing: int, not_agreeing: int, share: int | None) -> None:
    facts = [fact(i, agrees=True) for i in range(agreeing)]
    facts += [fact(100 + i, agrees=False) for i in range(not_agreeing)]
    rows = national.build(facts, SETTING, "2027-02-01")["items"]
    assert rows[0]["share"] == share
    assert rows[0]["baseline"] == 90
    assert rows[0]["at_least"] is True
    assert rows[1]["item"] is None  # not like for like: no figure today
    assert rows[1]["share"] is None


def test_year_apart_counts_moves_between_bands() -> None:
    facts = [fact(i, band=Band.CULTIVATOR, year_ago=Band.PATHFINDER) for i in range(5)]
    facts += [fact(10 + i, year_ago=Band.PATHFINDER) for i in range(2)]
    facts += [fact(20)]  # no result a year before
    moves = national.build(facts, SETTING, "2027-02-01")["year_apart"]
    assert moves["pairs"] == 7
    assert moves["up"] == 5
    assert moves["same"] == FEW
    assert moves["down"] == HIDDEN  # else 7 - 5 - 0 gives the 2 away


def test_wres_tracking_and_median_by_region() -> None:
    ratios = {2: ("2026Q4", Figures.of(100, 40, 100, 20))}  # white 0.4 / bme 0.2 = 2.0
    facts = [fact(i, "a", wres=ratios) for i in range(6)]
    facts += [fact(10 + i, "b", wres=ratios) for i in range(2)]
    wres = national.build(facts, SETTING, "2027-02-01")["wres"]["2"]
    assert wres["england"] == {"networks": 8, "median": 2.0}
    assert wres["regions"]["a"] is None  # a alone would leave b's 2
    assert wres["regions"]["b"] is None


def test_counts_by_region_and_age() -> None:
    facts = [fact(i, "a") for i in range(6)] + [fact(10 + i, "b", band=None) for i in range(5)]
    counts = national.build(facts, SETTING, "2027-02-01")["counts"]
    assert counts["region"]["rows"]["a"] == {"assessed": 6, "not_assessed": 0, "networks": 6}
    assert counts["region"]["rows"]["b"] == {"assessed": 0, "not_assessed": 5, "networks": 5}
    assert counts["region"]["total"] == {"assessed": 6, "not_assessed": 5, "networks": 11}
    assert counts["age"]["rows"]["new"]["networks"] == 11


def test_gather_reads_rows_into_facts() -> None:
    """Stored rows become facts: the latest result's totals and enablers, the items agreed,
    the band a year before, the WRES figures."""
    result = '{"total": 139, "band": "cultivator", "enablers": [["C", 13, 16], ["R", 0, 0]]}'
    facts = national.gather(
        networks=[(1, "london", "y1-3"), (2, "london", "lt1")],
        history=[
            (1, 10, "2026-01-20T10:00:00+00:00", "pathfinder"),
            (1, 11, "2026-11-01T10:00:00+00:00", "pathfinder"),
            (1, 12, "2027-02-01T10:00:00+00:00", "cultivator"),
        ],
        latest=[(1, 12, "2027-02-01T10:00:00+00:00", result)],
        answers=[(12, "op-purpose", 3), (12, "op-sponsor", 1)],
        wres=[(1, 2, "2026Q4", 100, 40, 100, 20)],
        demonstrates={"op-purpose": [False] * 3 + [True] * 3, "op-sponsor": [False, False, True]},
    )
    first, second = facts
    assert first.latest is not None
    assert first.latest.total == 139
    assert first.latest.enablers == {"C": 81.25, "R": 0.0}
    assert first.latest.agreeing == frozenset({"op-purpose"})
    assert first.latest.answered == frozenset({"op-purpose", "op-sponsor"})
    assert first.year_ago is Band.PATHFINDER  # 2026-01-20, over 350 days before; not November
    assert first.wres[2] == ("2026Q4", Figures.of(100, 40, 100, 20))
    assert second.latest is None


# -- properties ------------------------------------------------------------------------------

BANDS = st.sampled_from(list(Band))
NETWORK = st.tuples(st.sampled_from(REGIONS), st.one_of(st.none(), BANDS), st.booleans())


def _facts(drawn: list[tuple[str, Band | None, bool]]) -> list[NetworkFacts]:
    return [
        fact(i, region, band=band, agrees=agrees, total=60 + 10 * i % 110)
        for i, (region, band, agrees) in enumerate(drawn)
    ]


def _fine(value: int) -> bool:
    return value == 0 or value >= MIN


@settings(max_examples=300, deadline=None)
@given(st.lists(NETWORK, max_size=40))
def test_no_published_figure_describes_a_few_networks(
    drawn: list[tuple[str, Band | None, bool]],
) -> None:
    """Every group shown has `MIN` networks or more; England less the shown groups is none or
    `MIN` or more, in networks and in each band; every count shown is 0 or `MIN` or more."""
    facts = _facts(drawn)
    picture = national.build(facts, SETTING, "2027-02-01")
    assessed = [f for f in facts if f.latest is not None]
    england = picture["england"]
    assert (england is not None) == (len(assessed) >= MIN)
    shown = [k for k, v in picture["regions"].items() if v is not None]
    sizes = {k: sum(1 for f in assessed if f.region == k) for k in REGIONS}
    assert all(sizes[k] >= MIN for k in shown)
    assert _fine(len(assessed) - sum(sizes[k] for k in shown)) or not shown
    with_bands = [k for k, v in picture["region_bands"].items() if v is not None]
    if england is not None and england["bands"] is not None:
        for band in Band:
            total = england["bands"][band.value]["count"]
            assert _fine(total)
            regions = sum(picture["region_bands"][k][band.value]["count"] for k in with_bands)
            assert _fine(total - regions)
    for block in picture["counts"].values():
        for row in [*block["rows"].values(), block["total"]]:
            for value in row.values():
                assert value in (FEW, HIDDEN) or _fine(value)


def _members(state: dict[int, int]) -> dict[str, str]:
    return {str(network): str(result) for network, result in state.items()}


# Each step: a network (0-11) gets a new result, or is forgotten (None).
STEPS = st.lists(st.tuples(st.integers(0, 11), st.one_of(st.none(), st.integers(1, 3))))


@settings(max_examples=300, deadline=None)
@given(STEPS, st.lists(st.integers(1, 6), max_size=12))
def test_no_two_published_pictures_isolate_a_network(
    steps: list[tuple[int, int | None]], asks: list[int]
) -> None:
    """Brute force: networks change one at a time and pictures are asked for now and then;
    between any two pictures published, none or at least `MIN` networks differ."""
    state: dict[int, int] = {}
    published: list[dict[str, str]] = []
    position = 0
    for gap in [*asks, len(steps)]:
        for network, result in steps[position : position + gap]:
            if result is None:
                state.pop(network, None)
            else:
                state[network] = state.get(network, 0) + result
        position += gap
        current = _members(state)
        if national.may_publish(published, current, MIN):
            published.append(current)
    for before, after in itertools.combinations(published, 2):
        differ = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        assert len(differ) == 0 or len(differ) >= MIN
    for one, two in itertools.pairwise(published):
        assert one != two  # a picture is only published when something changed


def test_a_picture_waits_for_enough_changes() -> None:
    first = _members(dict.fromkeys(range(10), 1))
    assert national.may_publish([], first, MIN)
    four = _members({**dict.fromkeys(range(10), 1), **dict.fromkeys(range(4), 2)})
    assert not national.may_publish([first], four, MIN)
    five = _members({**dict.fromkeys(range(10), 1), **dict.fromkeys(range(5), 2)})
    assert national.may_publish([first], five, MIN)
    # Back towards the first: 4 differ from it, though 5 differ from the second.
    back = _members({**dict.fromkeys(range(10), 1), 9: 2, 8: 2, 7: 2, 6: 2})
    assert not national.may_publish([first, five], back, MIN)


def test_movement_compares_figures_both_pictures_show() -> None:
    before = national.build([fact(i) for i in range(5)], SETTING, "2026-11-01")
    after = national.build(
        [fact(i) for i in range(5)] + [fact(10 + i, total=120) for i in range(5)],
        SETTING,
        "2027-02-01",
    )
    moves = {m.key: m for m in national.movement(before, after)}
    assert moves["n"].before == 5
    assert moves["n"].after == 10
    assert moves["mean"].change == 10.0
    assert moves["band:pathfinder"].change == 0
    assert national.movement(None, after) == []


# -- member pulses -----------------------------------------------------------------------------

STATEMENTS = ("purpose", "voice")


def pulsed(network: int, counts: dict[str, tuple[int, ...]], pulse_id: int = 0) -> NetworkFacts:
    """A network without a result whose latest pulse in the window has these counts."""
    return NetworkFacts(
        network, "a", "new", None, pulse=PulseFacts(pulse_id or 900 + network, counts)
    )


# Options: Prefer not to say, Strongly disagree, Disagree, Neither, Agree, Strongly agree.
FIVE_AGREE = (0, 0, 1, 1, 2, 1)  # 5 views, 3 agreeing
FOUR_VIEWS = (3, 0, 0, 0, 4, 0)  # 4 views (and 3 who preferred not to say): too few


@pytest.mark.parametrize(
    ("networks", "ran", "purpose", "voice"),
    [
        # 5 networks, each 3 of 5 agreeing on purpose: 15 of 25 pooled, 60%.
        ([{"purpose": FIVE_AGREE}] * 5, 5, (60, 5, 25), None),
        # Only 4 networks ran one: a few, and no share.
        ([{"purpose": FIVE_AGREE}] * 4, FEW, None, None),
        # 6 ran, but one network's own pulse shows too few views on purpose: 5 count, and on
        # voice only 4 networks show it (4 views in the other two).
        (
            [{"purpose": FIVE_AGREE, "voice": (0, 5, 0, 0, 0, 0)}] * 4
            + [{"purpose": FOUR_VIEWS, "voice": FOUR_VIEWS}]
            + [{"purpose": (0, 0, 0, 0, 0, 9), "voice": FOUR_VIEWS}],
            6,
            (72, 5, 29),  # (4 * 3 + 9) agreeing of (4 * 5 + 9) views: 21 of 29 is 72.4%
            None,
        ),
        # Nobody pulsed.
        ([], 0, None, None),
    ],
)
def test_pulse_shares_by_table(
    networks: list[dict[str, tuple[int, ...]]],
    ran: int | str,
    purpose: tuple[int, int, int] | None,
    voice: tuple[int, int, int] | None,
) -> None:
    facts = [pulsed(i, counts) for i, counts in enumerate(networks)]
    block = national.pulses(facts, STATEMENTS, MIN)
    assert block["networks"] == ran
    found = {
        row["key"]: None if row["share"] is None else (row["share"], row["networks"], row["views"])
        for row in block["statements"]
    }
    assert found == {"purpose": purpose, "voice": voice}


def test_build_carries_the_pulse_block_and_members_name_the_pulse() -> None:
    """The picture holds the pulse block for the setting's statements; a network's member entry
    names its pulse (so a new pulse is a change), and one without a pulse reads as before."""
    setting = Setting(REGIONS, AGES, ("C", "R"), FIGURES, {2: "white"}, MIN, STATEMENTS)
    facts = [pulsed(i, {"purpose": FIVE_AGREE}) for i in range(5)] + [fact(9)]
    picture = national.build(facts, setting, "2027-02-01")
    assert picture["pulses"]["networks"] == 5
    assert [row["key"] for row in picture["pulses"]["statements"]] == list(STATEMENTS)
    members = national.members(facts)
    assert members["0"].endswith("|pulse:900")
    assert "pulse" not in members["9"]
    again = national.members([pulsed(0, {"purpose": FIVE_AGREE}, pulse_id=950)])
    assert again["0"] != members["0"]
    assert national.hub_view(picture, "a")["pulses"] == picture["pulses"]


def test_gather_reads_pulse_rows() -> None:
    """Pulse rows become each network's pulse: counts per statement and option, a pulse with
    no counts stays a pulse (it ran), and an option off the scale is left out."""
    facts = national.gather(
        networks=[(1, "london", "lt1"), (2, "london", "lt1"), (3, "london", "lt1")],
        history=[],
        latest=[],
        answers=[],
        wres=[],
        demonstrates={},
        pulse_rows=[
            (1, 41, "purpose", 4, 3),
            (1, 41, "purpose", 0, 1),
            (1, 41, "voice", 9, 2),
            (2, 42, None, None, None),
        ],
    )
    first, second, third = facts
    assert first.pulse == PulseFacts(41, {"purpose": [1, 0, 0, 0, 3, 0]})
    assert second.pulse == PulseFacts(42, {})
    assert third.pulse is None


OPTION_COUNTS = st.lists(st.integers(0, 4), min_size=6, max_size=6).map(tuple)
PULSE = st.dictionaries(st.sampled_from(STATEMENTS), OPTION_COUNTS, max_size=2)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), PULSE), max_size=15), st.integers(2, 6))
def test_no_published_pulse_share_rests_on_fewer_than_the_minimum(
    drawn: list[dict[str, tuple[int, ...]] | None], minimum: int
) -> None:
    """Every share shown pools at least `minimum` networks' pulses that each show the statement
    themselves (`minimum` views or more), and the networks count is none, `minimum` or more, or
    a few; the share is the pooled agreeing over the pooled views, from the counts alone."""
    facts = [
        pulsed(i, counts) if counts is not None else NetworkFacts(i, "a", "new", None)
        for i, counts in enumerate(drawn)
    ]
    block = national.pulses(facts, STATEMENTS, minimum)
    ran = sum(1 for counts in drawn if counts is not None)
    assert block["networks"] == (ran if ran == 0 or ran >= minimum else FEW)
    for row in block["statements"]:
        own = [
            counts[row["key"]]
            for counts in drawn
            if counts is not None
            and row["key"] in counts
            and sum(counts[row["key"]]) - counts[row["key"]][PREFER_NOT] >= minimum
        ]
        if row["share"] is None:
            assert len(own) < minimum or row["networks"] is None
            continue
        assert row["networks"] == len(own) >= minimum
        views = sum(sum(c) - c[PREFER_NOT] for c in own)
        agreeing = sum(c[AGREE] + c[STRONGLY_AGREE] for c in own)
        assert row["views"] == views >= minimum
        assert abs(row["share"] - 100 * agreeing / views) <= 0.5
