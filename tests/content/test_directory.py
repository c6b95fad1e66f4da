"""The organisation directory is a complete, faithful transcription of Annexes A-E of the seed.

The tests read the seed document itself (a text extraction of the 2017 review's PDF) rather than
a hard-coded copy of the list: each annex is cut out and normalised, every directory entry's
name and listed region is found in its annex and removed, and nothing organisation-like may be
left over.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_4d947666a28ad36d.txt"
DIRECTORY = REPO / "content" / "data" / "organisations.toml"
REGIONS = REPO / "content" / "data" / "regions.toml"

ANNEXES = "ABCDE"
STATUS_BY_ANNEX = {
    "A": "network",
    "B": "setting_up",
    "C": "alternative",
    "D": "none",
    "E": "considering",
}
# How many rows each annex table lists. (The review's own summary in section 3 quotes
# different totals, e.g. 66 trusts + 5 CCGs for Annex A; the tables are the source here.)
EXPECTED_COUNTS = {"A": 75, "B": 35, "C": 10, "D": 52, "E": 6}
FIELDS = {"name", "listed_region", "region", "status", "annex", "kind", "note"}
KINDS = {"trust", "ccg", "national"}
# Listed regions that name no single NHS England region.
UNMAPPED_LISTED = {"National", "South"}

ORG_WORDS = re.compile(r"\b(?:NHS|Trusts?|Hospitals?|CCGs?|Commissioning)\b")
ANNEX_HEADING = re.compile(r"^[ \t]*\d+[ \t]+Annex ([A-Z])\b", re.MULTILINE)
TABLE_HEADER = re.compile(
    r"^.*?NHS Organisation Region"
    r"(?: Describe the engagement available to black and minority ethnic staff)?(?: |$)"
)
MARK = "\x00"

Org = dict[str, Any]


@dataclass
class AnnexMatch:
    """What is left of one annex's text after every directory entry has been taken out."""

    chunks: list[str]
    missing: list[str] = field(default_factory=list)
    asides: dict[str, str] = field(default_factory=dict)


def _normalise(section: str) -> str:
    """Drop URL lines, page furniture and the table header; collapse whitespace."""
    kept = [
        line
        for line in section.splitlines()
        if not line.strip().startswith("http")
        and line.strip() != "OFFICIAL"
        and not line.strip().isdigit()
    ]
    text = " ".join(" ".join(kept).split())
    header = TABLE_HEADER.match(text)
    assert header is not None, f"no table header in annex text: {text[:80]!r}"
    return text[header.end() :]


def _entry_patterns(org: Org) -> list[re.Pattern[str]]:
    """Regexes for an entry: name + region, or a name split by the PDF around region + text."""
    words = [re.escape(word) for word in org["name"].split()]
    region = re.escape(org["listed_region"])
    whole = " ".join(words)
    patterns = [re.compile(rf"(?<!\S){whole}(?: \((?P<aside>[^()]*)\))? {region}(?!\S)")]
    for cut in range(1, len(words)):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        patterns.append(re.compile(rf"(?<!\S){head} {region} (?P<gap>.*?) {tail}(?!\S)"))
    return patterns


def _take_out(text: str, org: Org) -> tuple[str, str | None] | None:
    """Remove one entry from the annex text; return the new text and any parenthetical aside."""
    for pattern in _entry_patterns(org):
        for found in pattern.finditer(text):
            gap = found.groupdict().get("gap")
            if gap is not None and (MARK in gap or ORG_WORDS.search(gap)):
                continue
            replacement = f" {MARK} {gap} " if gap is not None else f" {MARK} "
            rest = text[: found.start()] + replacement + text[found.end() :]
            return rest, found.groupdict().get("aside")
    return None


def _match_annex(section: str, orgs: list[Org]) -> AnnexMatch:
    """Take every entry out of the annex text, longest first so names nested in others are safe."""
    text = _normalise(section)
    result = AnnexMatch(chunks=[])
    ordered = sorted(orgs, key=lambda o: len(o["name"]) + len(o["listed_region"]), reverse=True)
    for org in ordered:
        taken = _take_out(text, org)
        if taken is None:
            result.missing.append(f"{org['name']} | {org['listed_region']}")
            continue
        text, aside = taken
        if aside is not None:
            result.asides[org["name"]] = aside
    result.chunks = [" ".join(chunk.split()) for chunk in text.split(MARK)]
    return result


def _region_key_text(text: str) -> str:
    """Normalise a region spelling for lookup: case, '&' vs 'and', punctuation, spacing."""
    text = text.lower().replace("&", " and ").replace("-", " ")
    return " ".join(re.sub(r"[^a-z ]", " ", text).split())


@pytest.fixture(scope="module")
def seed_text() -> str:
    """The seed document's text; fails clearly when it is not where the tests expect it."""
    if not SEED.is_file():
        pytest.fail(f"seed document not found at {SEED}; the directory tests read it directly")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sections(seed_text: str) -> dict[str, str]:
    """Raw text of annexes A-E, each from its numbered heading to the next annex heading."""
    headings = list(ANNEX_HEADING.finditer(seed_text))
    found = [heading.group(1) for heading in headings]
    assert found == ["A", "B", "C", "D", "E", "F"], f"unexpected annex headings: {found}"
    ends = [heading.start() for heading in headings[1:]]
    return {
        heading.group(1): seed_text[heading.start() : end]
        for heading, end in zip(headings[:-1], ends, strict=True)
    }


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


@pytest.fixture(scope="module")
def matches(sections: dict[str, str], orgs: list[Org]) -> dict[str, AnnexMatch]:
    """Each annex's text with its directory entries taken out."""
    return {
        annex: _match_annex(sections[annex], [o for o in orgs if o["annex"] == annex])
        for annex in ANNEXES
    }


@pytest.mark.parametrize("annex", list(ANNEXES))
def test_every_entry_is_found_in_its_annex(annex: str, matches: dict[str, AnnexMatch]) -> None:
    """Each entry's name followed by its listed region occurs in the seed's annex text."""
    assert matches[annex].missing == []


@pytest.mark.parametrize("annex", ["A", "B", "D", "E"])
def test_two_column_annex_has_nothing_left_over(annex: str, matches: dict[str, AnnexMatch]) -> None:
    """Once every entry is taken out of a two-column annex, no text at all remains."""
    assert [chunk for chunk in matches[annex].chunks if chunk] == []


def test_annex_c_leaves_only_one_description_per_entry(matches: dict[str, AnnexMatch]) -> None:
    """Annex C leaves only engagement descriptions: one per entry, none naming an organisation."""
    chunks = matches["C"].chunks
    suspicious = [c for c in chunks[1:] if not c or ORG_WORDS.search(c)]
    assert (chunks[0], suspicious) == ("", [])


def test_no_organisation_words_are_left_in_any_annex(matches: dict[str, AnnexMatch]) -> None:
    """No leftover annex text mentions an NHS body, trust, hospital or CCG."""
    leftovers = {
        annex: [c for c in match.chunks if ORG_WORDS.search(c)] for annex, match in matches.items()
    }
    assert leftovers == {annex: [] for annex in ANNEXES}


def test_parenthetical_remarks_are_kept_in_notes(
    matches: dict[str, AnnexMatch], orgs: list[Org]
) -> None:
    """A remark printed in brackets after a name is dropped from the name but kept in the note."""
    notes = {o["name"]: o.get("note", "") for o in orgs}
    asides = {name: aside for m in matches.values() for name, aside in m.asides.items()}
    lost = [name for name, aside in asides.items() if aside not in notes[name]]
    assert (sorted(asides), lost) == (["Leicestershire Partnership NHS Trust"], [])


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
