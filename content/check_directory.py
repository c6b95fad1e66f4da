"""Check that every row of the 2017 review's Annexes A-E is still in the directory, for maintainers.

    python -m content.check_directory PATH

PATH is a plain-text extraction of the review's PDF. The directory keeps each 2017 annex row as
a `review_2017` fact on today's organisation, or (for the abolished CCGs) as a `dropped_2017`
row. Each annex is cut out of the seed and normalised; every such row's name followed by its
listed region is found in its annex and taken out, and nothing organisation-like may be left
over. The command prints one line per problem and a
summary, and exits 0 when the directory matches the seed and 1 otherwise. The test suite runs
the same logic on a small text written by the tests; it never reads the seed itself.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from content import load_content
from content.directory import Directory, Review2017

ANNEXES = ("A", "B", "C", "D", "E")
# Annex C has a third column (the engagement on offer); the others are name and region only.
TWO_COLUMN_ANNEXES = ("A", "B", "D", "E")
# How many rows each annex table lists. (The review's own summary in section 3 quotes
# different totals, e.g. 66 trusts + 5 CCGs for Annex A; the tables are the source here.)
EXPECTED_COUNTS: Mapping[str, int] = {"A": 75, "B": 35, "C": 10, "D": 52, "E": 6}

ORG_WORDS = re.compile(r"\b(?:NHS|Trusts?|Hospitals?|CCGs?|Commissioning)\b")
ANNEX_HEADING = re.compile(r"^[ \t]*\d+[ \t]+Annex ([A-Z])\b", re.MULTILINE)
TABLE_HEADER = re.compile(
    r"^.*?NHS Organisation Region"
    r"(?: Describe the engagement available to black and minority ethnic staff)?(?: |$)"
)
# Where an entry was taken out: "\x00<index of the entry>\x01".
MARK = "\x00"
MARKED = re.compile("\x00(\\d+)\x01")


class SeedError(Exception):
    """The text does not have the shape of the review's annexes."""


@dataclass
class AnnexMatch:
    """What is left of one annex's text after every directory entry has been taken out."""

    # chunks[0] is the text before the first entry taken out; then one chunk after each.
    chunks: list[str] = field(default_factory=list)
    # The entry each chunk after the first follows, in the order of the text.
    followed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    asides: dict[str, str] = field(default_factory=dict)


def annex_sections(seed_text: str) -> dict[str, str]:
    """Raw text of annexes A-E, each from its numbered heading to the next annex heading."""
    headings = list(ANNEX_HEADING.finditer(seed_text))
    found = [heading.group(1) for heading in headings]
    if found != [*ANNEXES, "F"]:
        raise SeedError(f"expected annex headings A to F in order, found {found or 'none'}")
    ends = [heading.start() for heading in headings[1:]]
    return {
        heading.group(1): seed_text[heading.start() : end]
        for heading, end in zip(headings[:-1], ends, strict=True)
    }


def normalise_annex(section: str) -> str:
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
    if header is None:
        raise SeedError(f"no table header in annex text: {text[:80]!r}")
    return text[header.end() :]


def _entry_patterns(org: Review2017) -> list[re.Pattern[str]]:
    """Regexes for an entry: name + region, or a name split by the PDF around region + text."""
    words = [re.escape(word) for word in org.name.split()]
    region = re.escape(org.listed_region)
    whole = " ".join(words)
    patterns = [re.compile(rf"(?<!\S){whole}(?: \((?P<aside>[^()]*)\))? {region}(?!\S)")]
    for cut in range(1, len(words)):
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        patterns.append(re.compile(rf"(?<!\S){head} {region} (?P<gap>.*?) {tail}(?!\S)"))
    return patterns


def _take_out(text: str, org: Review2017, index: int) -> tuple[str, str | None] | None:
    """Remove one entry from the annex text; return the new text and any parenthetical aside."""
    mark = f"{MARK}{index}\x01"
    for pattern in _entry_patterns(org):
        for found in pattern.finditer(text):
            gap = found.groupdict().get("gap")
            if gap is not None and (MARK in gap or ORG_WORDS.search(gap)):
                continue
            replacement = f" {mark} {gap} " if gap is not None else f" {mark} "
            rest = text[: found.start()] + replacement + text[found.end() :]
            return rest, found.groupdict().get("aside")
    return None


def match_annex(section: str, orgs: Sequence[Review2017]) -> AnnexMatch:
    """Take every entry out of the annex text, longest first so names nested in others are safe."""
    text = normalise_annex(section)
    result = AnnexMatch()
    ordered = sorted(orgs, key=lambda o: len(o.name) + len(o.listed_region), reverse=True)
    for index, org in enumerate(ordered):
        taken = _take_out(text, org, index)
        if taken is None:
            result.missing.append(f"{org.name} | {org.listed_region}")
            continue
        text, aside = taken
        if aside is not None:
            result.asides[org.name] = aside
    pieces = MARKED.split(text)
    result.chunks = [" ".join(chunk.split()) for chunk in pieces[::2]]
    result.followed = [ordered[int(index)].name for index in pieces[1::2]]
    return result


def _leftover_problems(annex: str, match: AnnexMatch) -> list[str]:
    """Text that should not remain once every entry of the annex is taken out."""
    problems = []
    if match.chunks[0]:
        problems.append(f"Annex {annex}: text before the first entry: {match.chunks[0]!r}")
    for name, chunk in zip(match.followed, match.chunks[1:], strict=True):
        if annex in TWO_COLUMN_ANNEXES and chunk:
            problems.append(f"Annex {annex}: text left over after {name!r}: {chunk!r}")
        elif annex not in TWO_COLUMN_ANNEXES and not chunk:
            problems.append(f"Annex {annex}: no engagement description after {name!r}")
        elif ORG_WORDS.search(chunk):
            problems.append(f"Annex {annex}: organisation-like text after {name!r}: {chunk!r}")
    return problems


def check(
    seed_text: str,
    entries: Sequence[Review2017],
    counts: Mapping[str, int] = EXPECTED_COUNTS,
) -> list[str]:
    """Every way the directory departs from the seed's annexes, one line each; empty if none."""
    try:
        sections = annex_sections(seed_text)
    except SeedError as error:
        return [f"seed: {error}"]
    problems = []
    for annex in ANNEXES:
        orgs = [org for org in entries if org.annex == annex]
        try:
            match = match_annex(sections[annex], orgs)
        except SeedError as error:
            problems.append(f"Annex {annex}: {error}")
            continue
        problems += [f"Annex {annex}: missing or misspelt: {entry}" for entry in match.missing]
        problems += _leftover_problems(annex, match)
        notes = {org.name: org.note for org in orgs}
        problems += [
            f"Annex {annex}: {name!r} has the remark ({aside}) in the seed but not in its note"
            for name, aside in match.asides.items()
            if aside not in notes[name]
        ]
    actual = Counter(org.annex for org in entries)
    for annex in sorted(actual.keys() | counts.keys()):
        if actual[annex] != counts.get(annex, 0):
            problems.append(
                f"Annex {annex}: {actual[annex]} entries, the seed's table lists "
                f"{counts.get(annex, 0)}"
            )
    return problems


def run(
    seed: Path,
    entries: Sequence[Review2017],
    counts: Mapping[str, int] = EXPECTED_COUNTS,
    out: TextIO | None = None,
) -> int:
    """Check the directory against the seed at `seed`, print the problems and a summary."""
    out = out or sys.stdout
    try:
        seed_text = seed.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems = [f"seed: cannot read {seed}: {error}"]
    else:
        problems = check(seed_text, entries, counts)
    for problem in problems:
        print(problem, file=out)
    if problems:
        print(f"{len(problems)} problem(s): the directory does not match {seed}", file=out)
        return 1
    annexes = f"{ANNEXES[0]}-{ANNEXES[-1]}"
    print(f"OK: all {len(entries)} entries of annexes {annexes} match {seed}", file=out)
    return 0


def annex_entries(directory: Directory) -> list[Review2017]:
    """Every 2017 annex row the directory keeps: facts on organisations, then dropped rows."""
    facts = [fact for org in directory.organisations for fact in org.review_2017]
    return [*facts, *directory.dropped_2017]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m content.check_directory",
        description="Check the 2017 annex rows kept in organisations.toml against the review.",
    )
    parser.add_argument("seed", type=Path, help="text extraction of the review's PDF")
    args = parser.parse_args(argv)
    return run(args.seed, annex_entries(load_content().directory))


if __name__ == "__main__":
    sys.exit(main())
