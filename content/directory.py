"""NHS England regions and the directory of today's NHS organisations, with 2017 annex facts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz, process

# 2017 status of each organisation, by annex of the review.
STATUSES = {
    "A": "network",
    "B": "setting_up",
    "C": "alternative",
    "D": "none",
    "E": "considering",
}
KINDS = ("trust", "foundation_trust", "icb", "national")


@dataclass(frozen=True)
class Region:
    key: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Review2017:
    """One row of the 2017 review's Annexes A-E, as printed there."""

    annex: str
    status: str
    name: str
    listed_region: str
    note: str = ""


@dataclass(frozen=True)
class Split:
    """A former organisation whose services went to more than one of today's: typing its name
    offers every successor, since no one of them is the whole of it."""

    name: str
    successors: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Organisation:
    name: str
    code: str
    kind: str
    region: str | None
    aliases: tuple[str, ...] = ()
    review_2017: tuple[Review2017, ...] = ()


def normalise(text: str) -> str:
    """Lower case, '&' as 'and', apostrophes dropped, other punctuation as spaces."""
    text = text.lower().replace("&", " and ")
    text = re.sub(r"['’‘`]", "", text)
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return " ".join(text.split())


# Words that a user may leave out or add without meaning another organisation.
_FILLER = frozenset({"nhs", "the", "foundation", "trust", "ft", "and", "of"})
_PHRASES = ((re.compile(r"\bintegrated care (?:board|system)\b"), "icb"),)
_WORDS = {"saint": "st", "hospital": "hospitals"}


def match_key(text: str) -> str:
    """What two spellings of one name share: no filler words, 'Saint' as 'St', 'ICB' expanded."""
    text = normalise(text)
    for pattern, short in _PHRASES:
        text = pattern.sub(short, text)
    words = (_WORDS.get(word, word) for word in text.split())
    return " ".join(word for word in words if word not in _FILLER)


def _fuzzy_key(text: str) -> str:
    """The match key without 'ICB', which every board shares and so tells none apart."""
    return " ".join(word for word in match_key(text).split() if word != "icb")


_INITIALS_SKIP = frozenset({"nhs", "and", "of", "the", "trust", "foundation", "icb"})


def initialisms(name: str, kind: str) -> set[str]:
    """Abbreviations a name is commonly known by: NELFT, GSTT, UCLH, 'NEL ICB'."""
    words = normalise(name).replace("integrated care board", "icb").split()
    letters = "".join(word[0] for word in words if word not in _INITIALS_SKIP)
    if len(letters) < 2:
        return set()
    if kind == "icb":
        return {f"{letters} icb"}
    found = {letters, f"{letters}t"}
    if kind == "foundation_trust":
        found.add(f"{letters}ft")
    return {abbreviation for abbreviation in found if len(abbreviation) >= 3}


@dataclass(frozen=True)
class Directory:
    regions: tuple[Region, ...]
    organisations: tuple[Organisation, ...]
    dropped_2017: tuple[Review2017, ...] = ()
    splits: tuple[Split, ...] = ()

    def region(self, key: str) -> Region:
        return next(region for region in self.regions if region.key == key)

    def match_region(self, text: str) -> Region | None:
        """The region a user means: its key, name or an alias, forgiving case and punctuation."""
        wanted = normalise(text)
        if not wanted:
            return None
        for region in self.regions:
            names = (region.key.replace("-", " "), region.name, *region.aliases)
            if wanted in {normalise(name) for name in names}:
                return region
        return None

    def resolve(self, text: str) -> Organisation | None:
        """The one organisation a name, former name, alias or abbreviation stands for, if any."""
        key = match_key(text)
        if not key:
            return None
        found = self._exact.get(key)
        if found is None:
            found = self._abbreviations.get(
                normalise(text).replace(" icb", "_icb").replace(" ", "")
            )
        return found

    def match_organisations(self, text: str, limit: int = 3) -> tuple[Organisation, ...]:
        """The organisation a name stands for alone, the successors of a split organisation,
        else the closest entries, best first."""
        split = self._splits.get(match_key(text))
        if split is not None:
            return split
        exact = self.resolve(text)
        if exact is not None:
            return (exact,)
        query = _fuzzy_key(text)
        if not query:
            return ()
        found = process.extract(
            query,
            self._choices,
            scorer=fuzz.WRatio,
            processor=None,
            limit=limit * 8,
            score_cutoff=85,
        )
        best: list[Organisation] = []
        for _, _, index in found:
            org = self.organisations[self._owner[index]]
            if org not in best:
                best.append(org)
        return tuple(best[:limit])

    @cached_property
    def _exact(self) -> dict[str, Organisation]:
        """Each organisation under the key of its name and of each alias."""
        keys: dict[str, Organisation] = {}
        for org in self.organisations:
            for name in (org.name, *org.aliases):
                keys.setdefault(match_key(name), org)
        return keys

    @cached_property
    def _splits(self) -> dict[str, tuple[Organisation, ...]]:
        """Each split organisation's name -> its successors, in the order the content gives."""
        by_name = {org.name: org for org in self.organisations}
        return {
            match_key(split.name): tuple(by_name[name] for name in split.successors)
            for split in self.splits
        }

    @cached_property
    def _abbreviations(self) -> dict[str, Organisation]:
        """Initialisms that stand for exactly one organisation (ambiguous ones are left out)."""
        owners: dict[str, set[int]] = {}
        for index, org in enumerate(self.organisations):
            for abbreviation in initialisms(org.name, org.kind):
                compact = abbreviation.replace(" icb", "_icb").replace(" ", "")
                owners.setdefault(compact, set()).add(index)
        return {
            compact: self.organisations[next(iter(indexes))]
            for compact, indexes in owners.items()
            if len(indexes) == 1 and compact not in self._exact
        }

    @cached_property
    def _searchable(self) -> tuple[tuple[str, int], ...]:
        """Every name and alias as it is searched, with the organisation it belongs to."""
        return tuple(
            (_fuzzy_key(name), index)
            for index, org in enumerate(self.organisations)
            for name in (org.name, *org.aliases)
        )

    @cached_property
    def _choices(self) -> list[str]:
        return [key for key, _ in self._searchable]

    @cached_property
    def _owner(self) -> list[int]:
        return [index for _, index in self._searchable]
