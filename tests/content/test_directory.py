"""The organisation directory's own invariants, checked from the repository alone.

Whether every row of Annexes A-E of the 2017 review is still kept (as a `review_2017` fact or a
`dropped_2017` row) is checked against the seed document by a maintainer's command,
`python -m content.check_directory PATH` (see content/README.md);
tests/content/test_check_directory.py shows that command's checks at work on a small text of
its own. No test reads the seed.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from content import Content
from content.check_directory import EXPECTED_COUNTS, annex_entries
from content.directory import STATUSES, match_key

REPO = Path(__file__).resolve().parents[2]
DIRECTORY = REPO / "content" / "data" / "organisations.toml"

FIELDS = {"name", "code", "kind", "region", "aliases", "review_2017"}
FACT_FIELDS = {"annex", "status", "name", "listed_region", "note"}
KINDS = {"trust", "foundation_trust", "icb", "national"}
# Listed regions of 2017 that name no single NHS England region.
UNMAPPED_LISTED = {"National", "South"}
# ICBs per NHS England region from 1 April 2026 (NHS England, updated 19 March 2026).
ICBS_PER_REGION = {
    "east-of-england": 3,
    "london": 4,
    "midlands": 11,
    "north-east-and-yorkshire": 4,
    "north-west": 3,
    "south-east": 4,
    "south-west": 7,
}

Org = dict[str, Any]


def _region_key_text(text: str) -> str:
    """Normalise a region spelling for lookup: case, '&' vs 'and', punctuation, spacing."""
    text = text.lower().replace("&", " and ").replace("-", " ")
    return " ".join(re.sub(r"[^a-z ]", " ", text).split())


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    """The directory file as parsed TOML."""
    with DIRECTORY.open("rb") as handle:
        return tomllib.load(handle)


@pytest.fixture(scope="module")
def orgs(data: dict[str, Any]) -> list[Org]:
    """All directory entries."""
    entries: list[Org] = data["organisations"]
    return entries


@pytest.fixture(scope="module")
def region_lookup(content: Content) -> dict[str, str]:
    """Normalised region spelling (key, name or alias) -> region key."""
    return {
        _region_key_text(spelling): region.key
        for region in content.directory.regions
        for spelling in (region.key, region.name, *region.aliases)
    }


def test_names_are_unique(orgs: list[Org]) -> None:
    """No two entries share a name."""
    assert [name for name, n in Counter(o["name"] for o in orgs).items() if n > 1] == []


def test_codes_are_unique(orgs: list[Org]) -> None:
    """No two entries share an organisation code."""
    codes = Counter(o["code"] for o in orgs if "code" in o)
    assert [code for code, n in codes.items() if n > 1] == []


def test_no_organisation_is_listed_twice_under_another_spelling(orgs: list[Org]) -> None:
    """No two entries' names are the same once case, '&', 'Saint', 'NHS', 'Trust' are set aside."""
    keys = Counter(match_key(o["name"]) for o in orgs)
    assert [key for key, n in keys.items() if n > 1] == []


def test_entries_use_only_schema_fields(orgs: list[Org]) -> None:
    """Every entry has a name and kind, and nothing outside the schema."""
    bad = [o.get("name") for o in orgs if not {"name", "kind"} <= o.keys() <= FIELDS]
    bad += [
        o["name"]
        for o in orgs
        for fact in o.get("review_2017", [])
        if not FACT_FIELDS - {"note"} <= fact.keys() <= FACT_FIELDS
    ]
    assert bad == []


def test_kinds_are_the_allowed_ones(orgs: list[Org]) -> None:
    """Every entry's kind is trust, foundation_trust, icb or national."""
    assert {o["kind"] for o in orgs} - KINDS == set()


def test_foundation_trusts_are_the_ones_named_so(orgs: list[Org]) -> None:
    """An entry is a foundation trust exactly when its name says 'NHS Foundation Trust'."""
    wrong = [
        o["name"]
        for o in orgs
        if o["kind"] in ("trust", "foundation_trust")
        and (o["kind"] == "foundation_trust") != ("NHS Foundation Trust" in o["name"])
    ]
    assert wrong == []


def test_region_keys_are_known(orgs: list[Org], content: Content) -> None:
    """Every region key is one of the seven NHS England regions in regions.toml."""
    known = {region.key for region in content.directory.regions}
    assert {o["region"] for o in orgs if "region" in o} - known == set()


def test_only_national_bodies_lack_a_region(orgs: list[Org]) -> None:
    """National bodies have no region key and every other entry has one."""
    assert [o["name"] for o in orgs if ("region" in o) == (o["kind"] == "national")] == []


def test_integrated_care_boards_per_region(orgs: list[Org]) -> None:
    """The ICBs are the 36 of 1 April 2026, as many in each region as NHS England lists."""
    counts = Counter(o["region"] for o in orgs if o["kind"] == "icb")
    assert counts == Counter(ICBS_PER_REGION)


def test_region_keys_and_names_are_unique(content: Content) -> None:
    """No two regions share a key or a display name."""
    regions = content.directory.regions
    assert len({r.key for r in regions}) == len({r.name for r in regions}) == len(regions)


def test_every_region_alias_resolves_to_its_own_region(content: Content) -> None:
    """Each region's key, name and aliases, as typed, match that region and no other."""
    wrong = [
        (spelling, region.key)
        for region in content.directory.regions
        for spelling in (region.key, region.name, *region.aliases)
        if (found := content.directory.match_region(spelling)) is None or found.key != region.key
    ]
    assert wrong == []


def test_every_name_and_alias_resolves_to_its_own_organisation(content: Content) -> None:
    """Each organisation's name and aliases, as typed, find that organisation and no other."""
    wrong = [
        (spelling, org.name)
        for org in content.directory.organisations
        for spelling in (org.name, *org.aliases)
        if content.directory.match_organisations(spelling) != (org,)
    ]
    assert wrong == []


def test_no_alias_is_shared_by_two_organisations(content: Content) -> None:
    """No spelling (name or alias, once normalised) belongs to two organisations."""
    owners: dict[str, set[str]] = {}
    for org in content.directory.organisations:
        for spelling in (org.name, *org.aliases):
            owners.setdefault(match_key(spelling), set()).add(org.name)
    assert {key: names for key, names in owners.items() if len(names) > 1} == {}


def test_2017_status_matches_annex(content: Content) -> None:
    """Each 2017 fact's status is the one its annex stands for."""
    facts = annex_entries(content.directory)
    assert [(f.name, f.annex, f.status) for f in facts] == [
        (f.name, f.annex, STATUSES[f.annex]) for f in facts
    ]


def test_every_2017_annex_row_is_kept(content: Content) -> None:
    """Facts plus dropped rows number exactly the rows of each annex table (178 in all)."""
    assert Counter(f.annex for f in annex_entries(content.directory)) == Counter(EXPECTED_COUNTS)


def test_each_2017_row_is_kept_once_per_annex(content: Content) -> None:
    """No 2017 (name, annex) pair is kept twice."""
    pairs = Counter((f.name, f.annex) for f in annex_entries(content.directory))
    assert [pair for pair, n in pairs.items() if n > 1] == []


def test_2017_names_find_todays_organisation(content: Content) -> None:
    """Every 2017 annex name of an organisation finds that organisation alone, or (for a trust
    split between successors) that organisation first among its successors."""
    split = {s.name for s in content.directory.splits}
    wrong = [
        (fact.name, org.name)
        for org in content.directory.organisations
        for fact in org.review_2017
        if (found := content.directory.match_organisations(fact.name)) != (org,)
        and not (fact.name in split and found[0] == org)
    ]
    assert wrong == []


def test_a_split_trust_offers_every_successor(content: Content) -> None:
    """Pennine Acute (split in 2021) offers Northern Care Alliance and, for North Manchester
    General Hospital, Manchester University NHS Foundation Trust; it is nobody's alias."""
    directory = content.directory
    for typed in ("Pennine Acute Hospitals", "Pennine Acute Hospitals NHS Trust"):
        assert [org.name for org in directory.match_organisations(typed)] == [
            "Northern Care Alliance NHS Foundation Trust",
            "Manchester University NHS Foundation Trust",
        ]
    assert directory.resolve("Pennine Acute Hospitals NHS Trust") is None
    assert [o.name for o in directory.match_organisations("North Manchester General Hospital")] == [
        "Manchester University NHS Foundation Trust"
    ]


def test_royal_surrey_has_its_2019_name(content: Content) -> None:
    """Royal Surrey County Hospital NHS Foundation Trust became Royal Surrey NHS Foundation
    Trust in 2019: the current name is the entry's, the old one an alias that finds it."""
    names = {org.name for org in content.directory.organisations}
    assert "Royal Surrey NHS Foundation Trust" in names
    assert "Royal Surrey County Hospital NHS Foundation Trust" not in names
    found = content.directory.match_organisations(
        "Royal Surrey County Hospital NHS Foundation Trust"
    )
    assert [org.name for org in found] == ["Royal Surrey NHS Foundation Trust"]


def test_only_ccgs_are_dropped_and_none_is_offered(content: Content) -> None:
    """The dropped 2017 rows are the CCGs, and typing one finds no organisation by its name."""
    dropped = content.directory.dropped_2017
    assert len(dropped) == 4
    assert all("Clinical Commissioning Group" in row.name for row in dropped)
    assert [row.name for row in dropped if content.directory.resolve(row.name)] == []
    facts = [fact.name for org in content.directory.organisations for fact in org.review_2017]
    assert [name for name in facts if "Commissioning" in name] == []


def test_listed_regions_resolve_through_regions_toml(
    content: Content, region_lookup: dict[str, str]
) -> None:
    """Every 2017 listed region except 'National' and 'South' is a known region spelling."""
    listed = {f.listed_region for f in annex_entries(content.directory)} - UNMAPPED_LISTED
    assert {r for r in listed if _region_key_text(r) not in region_lookup} == set()


def test_region_differences_are_exactly_the_noted_ones(
    content: Content, region_lookup: dict[str, str]
) -> None:
    """A 2017 listed region differs from today's region exactly when the fact's note explains it."""
    facts = [(org, f) for org in content.directory.organisations for f in org.review_2017]
    differs = {
        (f.name, f.annex)
        for org, f in facts
        if f.listed_region not in UNMAPPED_LISTED
        and region_lookup[_region_key_text(f.listed_region)] != org.region
    }
    explained = {(f.name, f.annex) for _, f in facts if "Listed under" in f.note}
    assert differs == explained


def test_region_notes_name_both_regions(content: Content) -> None:
    """Each region note quotes the listed region and names the region the organisation is in."""
    directory = content.directory
    bad = [
        f.name
        for org in directory.organisations
        for f in org.review_2017
        if "Listed under" in f.note
        and (
            f"Listed under {f.listed_region} " not in f.note
            or org.region is None
            or directory.region(org.region).name not in f.note
        )
    ]
    assert bad == []


def test_annex_c_facts_describe_their_engagement(content: Content) -> None:
    """Every Annex C fact carries a note describing the engagement it offered BME staff."""
    facts = annex_entries(content.directory)
    assert [f.name for f in facts if f.annex == "C" and len(f.note) < 20] == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Poole Hospital", "University Hospitals Dorset NHS Foundation Trust"),
        (
            "Royal Bournemouth and Christchurch Hospitals",
            "University Hospitals Dorset NHS Foundation Trust",
        ),
        ("Mid Essex Hospital Services", "Mid and South Essex NHS Foundation Trust"),
        ("NELFT", "North East London NHS Foundation Trust"),
        ("nelft", "North East London NHS Foundation Trust"),
        ("Northern Care Alliance", "Northern Care Alliance NHS Foundation Trust"),
        ("Guy's and St Thomas'", "Guy's and St Thomas' NHS Foundation Trust"),
        ("GSTT", "Guy's and St Thomas' NHS Foundation Trust"),
        ("UCLH", "University College London Hospitals NHS Foundation Trust"),
        ("NEL ICB", "NHS North East London Integrated Care Board"),
        ("Kent and Medway ICB", "NHS Kent and Medway Integrated Care Board"),
        ("North West London ICB", "NHS West and North London Integrated Care Board"),
        ("Guys & St Thomas", "Guy's and St Thomas' NHS Foundation Trust"),
        ("Guys and Saint Thomas", "Guy's and St Thomas' NHS Foundation Trust"),
        (
            "St Georges University Hospitals",
            "St George's University Hospitals NHS Foundation Trust",
        ),
        (
            "Saint George's University Hospitals",
            "St George's University Hospitals NHS Foundation Trust",
        ),
        ("Kings College Hospital", "King's College Hospital NHS Foundation Trust"),
        ("Barts Health", "Barts Health NHS Trust"),
        ("Barts Health NHS Foundation Trust", "Barts Health NHS Trust"),
        ("Alder Hey Childrens Foundation Trust", "Alder Hey Children's NHS Foundation Trust"),
        ("Norfolk & Suffolk NHS Trust", "Norfolk and Suffolk NHS Foundation Trust"),
        ("Maidstone & Tunbridge Wells", "Maidstone and Tunbridge Wells NHS Trust"),
        ("Royal Portsmouth Hospitals NHS Trust", "Portsmouth Hospitals University NHS Trust"),
    ],
)
def test_a_name_abbreviation_or_former_name_finds_one_organisation(
    content: Content, typed: str, expected: str
) -> None:
    """Abbreviations, '&', 'Saint', apostrophes, missing words and former names find one entry."""
    assert [org.name for org in content.directory.match_organisations(typed)] == [expected]


@pytest.mark.parametrize("typed", ["Northern Care Alliance", "Guy's and St Thomas'"])
def test_a_full_name_never_brings_unrelated_trusts(content: Content, typed: str) -> None:
    """A name that is an organisation's own is offered alone, never beside a Kent trust."""
    assert len(content.directory.match_organisations(typed)) == 1


@pytest.mark.parametrize("typed", ["Zebra CIC", "qwertyuiop", "ICB", "NHS Trust"])
def test_text_naming_no_organisation_finds_nothing(content: Content, typed: str) -> None:
    """Text that names no organisation finds nothing, leaving 'use what I typed'."""
    assert content.directory.match_organisations(typed) == ()


def test_a_short_name_offers_the_closest_few(content: Content) -> None:
    """A short place name brings up to three organisations that bear it."""
    names = [org.name for org in content.directory.match_organisations("Leeds")]
    assert len(names) == 3
    assert all("Leeds" in name for name in names)
