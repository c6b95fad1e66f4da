"""The maintainer's check of the 2017 annex rows, run on a small seed-like text of its own."""

from __future__ import annotations

import io
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from content.check_directory import annex_entries, check, main, run
from content.directory import Directory, Organisation, Review2017

ROOT = Path(__file__).resolve().parents[2]

# Laid out as a PDF's text extraction is: numbered annex headings, a table header per annex,
# rows wrapped over lines, page numbers, an OFFICIAL marking and a footnote URL between rows.
SEED = """\
Some introduction that mentions NHS Trusts before any annex.

 15  Annex A: Organisations with a network

NHS Organisation Region

Northfield Hospitals NHS Trust London

Hillcrest Partnership NHS Trust (Being relaunched) Midlands

Eastmoor Community Health NHS
Trust

South West
7
OFFICIAL
 16  Annex B: Organisations setting one up

NHS Organisation Region

Lowdale Clinical Commissioning Group North West
https://example.invalid/footnote

 17 Annex C: Organisations with another kind of engagement

NHS Organisation Region Describe the engagement available to black
and minority ethnic staff

Brookside Ambulance NHS
Foundation Trust

East of
England

A race equality forum open to
all staff

Riverside Mental Health East of England Quarterly listening events NHS Trust with the
chief executive

 18  Annex D: Organisations with none

NHS Organisation Region

Greenvale NHS Foundation Trust South East

 19 Annex E: Organisations considering one

NHS Organisation Region

Stonebridge Hospital NHS Trust Yorkshire & Humber

 20 Annex F - Something else entirely
"""


def _org(name: str, listed_region: str, annex: str, note: str = "") -> Review2017:
    return Review2017(annex=annex, status="", name=name, listed_region=listed_region, note=note)


DIRECTORY = (
    _org("Northfield Hospitals NHS Trust", "London", "A"),
    _org("Hillcrest Partnership NHS Trust", "Midlands", "A", note="Being relaunched in 2017."),
    _org("Eastmoor Community Health NHS Trust", "South West", "A"),
    _org("Lowdale Clinical Commissioning Group", "North West", "B"),
    _org("Brookside Ambulance NHS Foundation Trust", "East of England", "C"),
    _org("Riverside Mental Health NHS Trust", "East of England", "C"),
    _org("Greenvale NHS Foundation Trust", "South East", "D"),
    _org("Stonebridge Hospital NHS Trust", "Yorkshire & Humber", "E"),
)
COUNTS = dict(Counter(org.annex for org in DIRECTORY))


def _without(name: str) -> list[Review2017]:
    return [org for org in DIRECTORY if org.name != name]


def _renamed(name: str, new_name: str) -> list[Review2017]:
    return [replace(org, name=new_name) if org.name == name else org for org in DIRECTORY]


def test_annex_entries_are_the_facts_on_organisations_then_the_dropped_rows() -> None:
    """The rows checked are every organisation's 2017 facts followed by the dropped CCG rows."""
    merged = Organisation(
        name="Northfield and Eastmoor NHS Foundation Trust",
        code="",
        kind="foundation_trust",
        region="london",
        review_2017=(DIRECTORY[0], DIRECTORY[2]),
    )
    plain = Organisation(name="Greenvale NHS Trust", code="", kind="trust", region="south-east")
    directory = Directory(regions=(), organisations=(merged, plain), dropped_2017=(DIRECTORY[3],))
    assert annex_entries(directory) == [DIRECTORY[0], DIRECTORY[2], DIRECTORY[3]]


def test_a_faithful_directory_has_no_problems() -> None:
    """Every entry found, nothing left over, remarks kept and counts right: no problems."""
    assert check(SEED, DIRECTORY, COUNTS) == []


def test_an_entry_the_seed_does_not_list_is_reported() -> None:
    """A directory entry absent from its annex is reported as missing or misspelt."""
    directory = [*DIRECTORY, _org("Nowhere General NHS Trust", "London", "D")]
    problems = check(SEED, directory, {**COUNTS, "D": 2})
    assert problems == ["Annex D: missing or misspelt: Nowhere General NHS Trust | London"]


def test_a_row_missing_from_the_directory_is_reported() -> None:
    """An annex row with no directory entry is reported as text left over, and the count."""
    problems = check(SEED, _without("Greenvale NHS Foundation Trust"), COUNTS)
    assert problems == [
        "Annex D: text before the first entry: 'Greenvale NHS Foundation Trust South East'",
        "Annex D: 0 entries, the seed's table lists 1",
    ]


def test_a_misspelt_name_is_reported() -> None:
    """A name spelt differently from the seed is missing, and the seed's spelling left over."""
    directory = _renamed("Northfield Hospitals NHS Trust", "Northfeld Hospitals NHS Trust")
    problems = check(SEED, directory, COUNTS)
    assert problems == [
        "Annex A: missing or misspelt: Northfeld Hospitals NHS Trust | London",
        "Annex A: text before the first entry: 'Northfield Hospitals NHS Trust London'",
    ]


def test_a_wrong_listed_region_is_reported() -> None:
    """An entry whose listed region differs from the seed's is not found."""
    directory = [
        replace(org, listed_region="London") if org.annex == "E" else org for org in DIRECTORY
    ]
    problems = check(SEED, directory, COUNTS)
    assert "Annex E: missing or misspelt: Stonebridge Hospital NHS Trust | London" in problems


def test_an_organisation_left_in_a_description_is_reported() -> None:
    """In Annex C, an unlisted organisation left inside a description is reported."""
    problems = check(SEED, _without("Riverside Mental Health NHS Trust"), COUNTS)
    assert any(
        p.startswith("Annex C: organisation-like text after") and "Riverside" in p for p in problems
    )


def test_a_remark_dropped_from_the_note_is_reported() -> None:
    """A bracketed remark printed after a name must be kept in that entry's note."""
    directory = [replace(org, note="") for org in DIRECTORY]
    assert check(SEED, directory, COUNTS) == [
        "Annex A: 'Hillcrest Partnership NHS Trust' has the remark (Being relaunched) "
        "in the seed but not in its note"
    ]


def test_a_count_differing_from_the_table_is_reported() -> None:
    """An annex whose number of entries differs from the table's row count is reported."""
    assert check(SEED, DIRECTORY, {**COUNTS, "A": 4}) == [
        "Annex A: 3 entries, the seed's table lists 4"
    ]


def test_text_without_the_annex_headings_is_one_clear_problem() -> None:
    """A file that is not the review (no annex headings) gives one problem naming that."""
    assert check("just some notes", DIRECTORY, COUNTS) == [
        "seed: expected annex headings A to F in order, found none"
    ]


def test_run_prints_ok_and_exits_0_when_the_directory_matches(tmp_path: Path) -> None:
    """On a matching seed the command prints one OK line and returns 0."""
    seed = tmp_path / "seed.txt"
    seed.write_text(SEED, encoding="utf-8")
    out = io.StringIO()
    assert run(seed, DIRECTORY, COUNTS, out=out) == 0
    assert out.getvalue() == f"OK: all 8 entries of annexes A-E match {seed}\n"


def test_run_prints_each_problem_and_a_summary_and_exits_1(tmp_path: Path) -> None:
    """On a mismatch the command prints one line per problem, then a summary, and returns 1."""
    seed = tmp_path / "seed.txt"
    seed.write_text(SEED, encoding="utf-8")
    out = io.StringIO()
    assert run(seed, DIRECTORY, {**COUNTS, "A": 4, "B": 2}, out=out) == 1
    assert out.getvalue().splitlines() == [
        "Annex A: 3 entries, the seed's table lists 4",
        "Annex B: 1 entries, the seed's table lists 2",
        f"2 problem(s): the directory does not match {seed}",
    ]


def test_main_on_a_missing_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The command given a path that does not exist says so and exits 1."""
    assert main([str(tmp_path / "absent.txt")]) == 1
    assert "cannot read" in capsys.readouterr().out


def test_the_command_imports_no_telegram_bot_or_handlers() -> None:
    """Importing the command loads nothing from telegram, bot or handlers."""
    code = (
        "import sys, content.check_directory\n"
        "layers = {'telegram', 'bot', 'handlers'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in layers))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
