"""The WRES indicators /wres records: their published wording and which group is named first."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WresIndicator:
    number: int
    title: str  # a short name for buttons and charts
    wording: str  # the indicator as the WRES publishes it
    first: str  # "white" or "bme": the group whose rate is the numerator
    size: str  # what a group's size counts, e.g. "shortlisted"
    count: str  # what the indicator counts among them, e.g. "appointed"

    @property
    def second(self) -> str:
        return "bme" if self.first == "white" else "white"


@dataclass(frozen=True)
class WresGuide:
    indicators: tuple[WresIndicator, ...]
    checked_on: str
    sources: tuple[str, ...]
    note: str

    def indicator(self, number: int) -> WresIndicator | None:
        return next((i for i in self.indicators if i.number == number), None)

    def first_groups(self) -> dict[int, str]:
        return {indicator.number: indicator.first for indicator in self.indicators}
