"""Which good-practice nudge a hub gets next: no repeats until the library is used up, and a
newly approved shared practice without waiting for the library to run out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    key: str
    enabler: str | None  # shared practices carry no CRAFT tag
    waiting: bool = False
    """An approved practice never yet sent to this hub: it goes ahead of everything else."""


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

    A waiting practice (approved, never sent to this hub) comes first, the earliest approved
    first, so each goes out in the hub's next nudge or soon after (see `turn`). Otherwise, within
    a cycle each entry comes once; when none is left a new cycle starts. The favoured enabler
    (the region's weakest) comes every other week while it has entries left, and otherwise the
    next entry in library order whose enabler differs from last week's, for variety.
    """
    if not library:
        raise ValueError("the nudge library is empty")
    waiting = next((e for e in library if e.waiting and e.key not in used), None)
    if waiting is not None:
        return Pick(waiting.key, cycle)
    remaining = [entry for entry in library if entry.key not in used]
    if not remaining:
        cycle, remaining, last_enabler = cycle + 1, list(library), None
    if favour is not None and last_enabler != favour:
        favoured = next((e for e in remaining if e.enabler == favour), None)
        if favoured is not None:
            return Pick(favoured.key, cycle)
    varied = next((e for e in remaining if e.enabler is None or e.enabler != last_enabler), None)
    return Pick((varied or remaining[0]).key, cycle)


def turn(library: Sequence[Entry], key: str) -> int | None:
    """How many nudges come before the waiting entry `key` (0: it is the very next one), or
    None if it is not waiting. Waiting entries go out in library order, one a week."""
    waiting = [entry.key for entry in library if entry.waiting]
    return waiting.index(key) if key in waiting else None
