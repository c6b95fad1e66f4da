"""Which good-practice nudge a hub gets next: no repeats until the library is used up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    key: str
    enabler: str | None  # shared practices carry no CRAFT tag


@dataclass(frozen=True)
class Pick:
    key: str
    cycle: int


def next_entry(
    library: Sequence[Entry],
    *,
    cycle: int,
    used: frozenset[str],
    last_enabler: str | None,
    favour: str | None,
) -> Pick:
    """The next nudge for a hub.

    Within a cycle each entry comes once; when none is left a new cycle starts. The favoured
    enabler (the region's weakest) comes every other week while it has entries left, and otherwise
    the next entry in library order whose enabler differs from last week's, for variety.
    """
    if not library:
        raise ValueError("the nudge library is empty")
    remaining = [entry for entry in library if entry.key not in used]
    if not remaining:
        cycle, remaining, last_enabler = cycle + 1, list(library), None
    if favour is not None and last_enabler != favour:
        favoured = next((e for e in remaining if e.enabler == favour), None)
        if favoured is not None:
            return Pick(favoured.key, cycle)
    varied = next((e for e in remaining if e.enabler is None or e.enabler != last_enabler), None)
    return Pick((varied or remaining[0]).key, cycle)
