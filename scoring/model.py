"""The maturity model as plain values: sections, scales, items, attributes, bands, enablers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Band(StrEnum):
    """The three maturity bands, lowest first."""

    PATHFINDER = "pathfinder"
    CULTIVATOR = "cultivator"
    ACTIVATOR = "activator"

    @property
    def rank(self) -> int:
        """Position from the bottom: Pathfinder 0, Cultivator 1, Activator 2."""
        return _BAND_ORDER.index(self)

    def below(self) -> tuple[Band, ...]:
        """The bands under this one, lowest first."""
        return _BAND_ORDER[: self.rank]

    def above(self) -> Band | None:
        """The next band up, or None for the top band."""
        return _BAND_ORDER[self.rank + 1] if self.rank + 1 < len(_BAND_ORDER) else None


_BAND_ORDER: tuple[Band, ...] = (Band.PATHFINDER, Band.CULTIVATOR, Band.ACTIVATOR)

ENABLER_KEYS: tuple[str, ...] = ("C", "R", "A", "F", "T")


@dataclass(frozen=True)
class Option:
    """One answer choice; `demonstrates` marks answers that show a band attribute."""

    label: str
    points: int
    demonstrates: bool = False
    dont_know: bool = False
    """"Don't know": scores 0, never demonstrates, and becomes a thing to find out."""


@dataclass(frozen=True)
class Scale:
    key: str
    options: tuple[Option, ...]

    @property
    def maximum(self) -> int:
        return max(option.points for option in self.options)

    @property
    def top(self) -> int:
        """Index of the option with the most points."""
        return len(self.options) - 1

    def is_dont_know(self, option: int) -> bool:
        return 0 <= option < len(self.options) and self.options[option].dont_know


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    summary: str
    intro: str = ""
    """One line shown before the section's first question."""


@dataclass(frozen=True)
class Attribute:
    """A band attribute from Annex F of the 2017 review."""

    key: str
    band: Band
    text: str


@dataclass(frozen=True)
class Advice:
    """A tip's text with its theme (a result gives one per theme) and, optionally, the item a
    network must have answered positively for the advice to make sense."""

    text: str
    theme: str
    requires: str | None = None


@dataclass(frozen=True)
class Item:
    key: str
    section: str
    enabler: str
    scale: Scale
    text: str
    next_step: str
    attribute: Attribute | None = None
    evidence: bool = False
    organisation_ask: str = ""
    """What the network asks of its board and sponsor when this item scores low (empty when
    the item is the network's own to change)."""
    theme: str = ""
    requires: str | None = None

    @property
    def advice(self) -> Advice:
        """The item's next step as advice."""
        return Advice(self.next_step, self.theme or self.key, self.requires)

    label: str = ""
    """A short name for the review summary."""
    help: str = ""
    """What the question asks, in plain words."""
    example: str = ""
    """What "agree" (or "yes") looks like in practice."""
    why: str = ""
    """Why it matters, from the 2017 review."""
    who_knows: str = ""
    """Who usually knows the answer, for a "Don't know"."""
    evidence_example: str = ""
    """An example note for the evidence prompt (evidence items)."""

    @property
    def band(self) -> Band | None:
        """The band whose attribute this item evidences, if any."""
        return self.attribute.band if self.attribute else None

    @property
    def maximum(self) -> int:
        return self.scale.maximum


@dataclass(frozen=True)
class BandRule:
    band: Band
    name: str
    theme: str  # "" when the source gives none we can read
    minimum: int
    maximum: int
    summary: str


@dataclass(frozen=True)
class Enabler:
    """A CRAFT enabler with its tips ordered from foundational to advanced."""

    key: str
    name: str
    short: str
    description: str
    tips: tuple[Advice, ...]


@dataclass(frozen=True)
class Change:
    """A content version note: what changed from `previous`, and how answers given under it
    carry over (`options`: per scale, old option -> new option or -1 to ask again)."""

    version: str
    previous: str
    note: str
    ask_again: frozenset[str] = frozenset()
    options: Mapping[str, tuple[int, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Model:
    """Everything scoring needs, as loaded from content/."""

    version: str
    max_total: int
    sections: tuple[Section, ...]
    items: tuple[Item, ...]
    attributes: tuple[Attribute, ...]
    bands: tuple[BandRule, ...]
    enablers: tuple[Enabler, ...]
    changes: tuple[Change, ...] = ()
    _by_key: Mapping[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {item.key: item for item in self.items})

    def item(self, key: str) -> Item:
        return self._by_key[key]

    def has_item(self, key: str) -> bool:
        return key in self._by_key

    def section(self, key: str) -> Section:
        return next(section for section in self.sections if section.key == key)

    def enabler(self, key: str) -> Enabler:
        return next(enabler for enabler in self.enablers if enabler.key == key)

    def band_rule(self, band: Band) -> BandRule:
        return next(rule for rule in self.bands if rule.band is band)

    def section_maximum(self, key: str) -> int:
        return sum(item.maximum for item in self.items if item.section == key)

    def enabler_maximum(self, key: str) -> int:
        return sum(item.maximum for item in self.items if item.enabler == key)
