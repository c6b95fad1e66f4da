"""The organisation directory's own invariants, checked from the repository alone.

Whether the directory is a faithful transcription of Annexes A-E of the 2017 review is checked
against the seed document by a maintainer's command, `python -m content.check_directory PATH`
(see content/README.md); tests/content/test_check_directory.py shows that command's checks at
work on a small text of its own. No test reads the seed.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from content import Content
from content.check_directory import EXPECTED_COUNTS

REPO = Path(__file__).resolve().parents[2]
DIRECTORY = REPO / "content" / "data" / "organisations.toml"
REGIONS = REPO / "content" / "data" / "regions.toml"

STATUS_BY_ANNEX = {
    "A": "network",
    "B": "setting_up",
    "C": "alternative",
    "D": "none",
    "E": "considering",
}
FIELDS = {"name", "listed_region", "region", "status", "annex", "kind", "note"}
KINDS = {"trust", "ccg", "national"}
# Listed regions that name no single NHS England region.
UNMAPPED_LISTED = {"National", "South"}

Org = dict[str, Any]


def _region_key_text(text: str) -> str:
    """Normalise a region spelling for lookup: case, '&' vs 'and', punctuation, spacing."""
    text = text.lower().replace("&", " and ").replace("-", " ")
    return " ".join(re.sub(r"[^a-z ]", " ", text).split())


@pytest.fixture(scope="module")
def orgs() -> list[Org]:
    """All directory entries."""
    with DIRECTORY.open("rb") as handle:
        entries: list[Org] = tomllib.load(handle)["organisations"]
    return entries


@pytest.fixture(scope="module")
def regions() -> dict[str, str]:
    """Region key -> display name, from regions.toml."""
    with REGIONS.open("rb") as handle:
        return {r["key"]: r["name"] for r in tomllib.load(handle)["regions"]}


@pytest.fixture(scope="module")
def region_lookup() -> dict[str, str]:
    """Normalised region spelling (key, name or alias) -> region key, from regions.toml."""
    with REGIONS.open("rb") as handle:
        data = tomllib.load(handle)["regions"]
    lookup: dict[str, str] = {}
    for region in data:
        for spelling in [region["key"], region["name"], *region.get("aliases", [])]:
            lookup[_region_key_text(spelling)] = region["key"]
    return lookup


def test_annex_counts_match_the_seed_tables(orgs: list[Org]) -> None:
    """Each annex holds as many entries as its table in the seed lists."""
    assert Counter(o["annex"] for o in orgs) == Counter(EXPECTED_COUNTS)


def test_each_name_appears_once_per_annex(orgs: list[Org]) -> None:
    """No (name, annex) pair is duplicated."""
    counts = Counter((o["name"], o["annex"]) for o in orgs)
    assert [pair for pair, n in counts.items() if n > 1] == []


def test_entries_use_only_schema_fields(orgs: list[Org]) -> None:
    """Every entry has the required string fields and nothing outside the schema."""
    required = FIELDS - {"region", "note"}
    bad = [
        o.get("name")
        for o in orgs
        if not required <= o.keys()
        or not o.keys() <= FIELDS
        or not all(isinstance(v, str) and v.strip() == v and v for v in o.values())
    ]
    assert bad == []


def test_kinds_are_the_allowed_ones(orgs: list[Org]) -> None:
    """Every entry's kind is trust, ccg or national."""
    assert {o["kind"] for o in orgs} - KINDS == set()


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


def test_status_matches_annex(orgs: list[Org]) -> None:
    """Each entry's status is the one its annex stands for."""
    actual = [(o["name"], o["annex"], o["status"]) for o in orgs]
    expected = [(o["name"], o["annex"], STATUS_BY_ANNEX.get(o["annex"])) for o in orgs]
    assert actual == expected


def test_region_keys_are_known(orgs: list[Org], regions: dict[str, str]) -> None:
    """Every region key is one of the seven NHS England regions in regions.toml."""
    assert {o["region"] for o in orgs if "region" in o} - regions.keys() == set()


def test_only_national_bodies_lack_a_region(orgs: list[Org]) -> None:
    """National bodies have no region key and every other entry has one."""
    wrong = [o["name"] for o in orgs if ("region" in o) == (o["kind"] == "national")]
    assert wrong == []


def test_kind_follows_from_name_and_listed_region(orgs: list[Org]) -> None:
    """CCGs are the Clinical Commissioning Groups, national bodies the 'National' rows."""

    def expected_kind(o: Org) -> str:
        if o["listed_region"] == "National":
            return "national"
        return "ccg" if "Clinical Commissioning Group" in o["name"] else "trust"

    assert [(o["name"], o["kind"]) for o in orgs] == [(o["name"], expected_kind(o)) for o in orgs]


def test_listed_regions_resolve_through_regions_toml(
    orgs: list[Org], region_lookup: dict[str, str]
) -> None:
    """Every listed region except 'National' and 'South' is a known region spelling."""
    listed = {o["listed_region"] for o in orgs} - UNMAPPED_LISTED
    assert {r for r in listed if _region_key_text(r) not in region_lookup} == set()


def test_region_corrections_are_exactly_the_noted_ones(
    orgs: list[Org], region_lookup: dict[str, str]
) -> None:
    """An entry's region differs from its listed region exactly when a note explains it."""
    differs = {
        (o["name"], o["annex"])
        for o in orgs
        if o["listed_region"] not in UNMAPPED_LISTED
        and region_lookup.get(_region_key_text(o["listed_region"])) != o.get("region")
    }
    explained = {(o["name"], o["annex"]) for o in orgs if "Listed under" in o.get("note", "")}
    assert differs == explained


def test_region_correction_notes_name_both_regions(
    orgs: list[Org], regions: dict[str, str]
) -> None:
    """Each correction note quotes the listed region and names the region actually used."""
    bad = [
        o["name"]
        for o in orgs
        if "Listed under" in o.get("note", "")
        and (
            f"Listed under {o['listed_region']} " not in o["note"]
            or regions[o["region"]] not in o["note"]
        )
    ]
    assert bad == []


def test_annex_c_entries_describe_their_engagement(orgs: list[Org]) -> None:
    """Every Annex C entry carries a note describing the engagement it offers BME staff."""
    assert [o["name"] for o in orgs if o["annex"] == "C" and len(o.get("note", "")) < 20] == []
