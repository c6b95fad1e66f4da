"""NHS England regions and the organisation directory from the 2017 review's annexes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz, process, utils

# 2017 status of each organisation, by annex of the review.
STATUSES = {
    "A": "network",
    "B": "setting_up",
    "C": "alternative",
    "D": "none",
    "E": "considering",
}


@dataclass(frozen=True)
class Region:
    key: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Organisation:
    name: str
    listed_region: str
    region: str | None
    status: str
    annex: str
    kind: str
    note: str


def normalise(text: str) -> str:
    """Lower case, '&' as 'and', punctuation dropped, spaces collapsed."""
    text = text.lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return " ".join(text.split())


_NOISE = re.compile(r"\b(nhs|the|and|of|trust|foundation|university|hospitals?|ft)\b")


@dataclass(frozen=True)
class Directory:
    regions: tuple[Region, ...]
    organisations: tuple[Organisation, ...]

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

    def match_organisations(self, text: str, limit: int = 3) -> tuple[Organisation, ...]:
        """Closest directory entries to what the user typed, best first, one per name."""
        query = _searchable(text)
        if not query:
            return ()
        found = process.extract(
            query,
            self._choices,
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            limit=limit,
            score_cutoff=70,
        )
        return tuple(self._by_name[name] for _, _, name in found)

    @cached_property
    def _by_name(self) -> dict[str, Organisation]:
        return {org.name: org for org in self.organisations}

    @cached_property
    def _choices(self) -> dict[str, str]:
        """Each name as it is searched, worked out once rather than on every search."""
        return {name: _searchable(name) for name in self._by_name}


def _searchable(text: str) -> str:
    return _NOISE.sub(" ", normalise(text)).strip()
