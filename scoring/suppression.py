"""Small-cell suppression: no published count may point at fewer than `minimum` networks, and
no hidden count may be worked out from the ones shown (by subtraction from a total).

A cell of 1 to minimum-1 is hidden as "fewer than minimum" (a primary suppression). If a hidden
cell could still be worked out from the total and the cells shown, more cells are hidden
(complementary suppression), smallest first, until none can.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


class Shown(Enum):
    COUNT = "count"  # the count itself
    FEW = "few"  # "fewer than minimum": between 1 and minimum-1
    HIDDEN = "hidden"  # hidden so that a small cell cannot be worked out


@dataclass(frozen=True)
class Cell:
    shown: Shown
    count: int | None  # only when shown is COUNT


def suppress(counts: Mapping[K, int], minimum: int) -> dict[K, Cell]:
    """Each cell as it may be published, given that the total of all cells is published."""
    few = {key for key, count in counts.items() if 0 < count < minimum}
    hidden = set(few)
    while hidden and any(_recoverable(counts, hidden, few, minimum, key) for key in hidden):
        visible = [key for key in counts if key not in hidden]
        if not visible:
            break
        hidden.add(min(visible, key=lambda key: (counts[key], list(counts).index(key))))
    cells: dict[K, Cell] = {}
    for key, count in counts.items():
        if key in few:
            cells[key] = Cell(Shown.FEW, None)
        elif key in hidden:
            cells[key] = Cell(Shown.HIDDEN, None)
        else:
            cells[key] = Cell(Shown.COUNT, count)
    if hidden and any(_recoverable(counts, hidden, few, minimum, key) for key in hidden):
        # Every cell is hidden and still one is certain (say two cells of minimum-1 each
        # making up the whole total): publish no cell at all.
        return {key: Cell(Shown.HIDDEN, None) for key in counts}
    return cells


def bounds(cell: Cell, total: int, minimum: int) -> tuple[int, int]:
    """What a reader can tell of a cell's count from how it is shown: its lowest and highest."""
    if cell.shown is Shown.COUNT:
        assert cell.count is not None
        return cell.count, cell.count
    if cell.shown is Shown.FEW:
        return 1, minimum - 1
    return 0, total


def _recoverable(
    counts: Mapping[K, int], hidden: set[K], few: set[K], minimum: int, key: K
) -> bool:
    """Whether a reader who knows the total and the shown cells can pin down `key`'s count."""
    rest = sum(counts[k] for k in hidden)  # the total less the shown cells
    total = sum(counts.values())

    def limits(k: K) -> tuple[int, int]:
        return (1, minimum - 1) if k in few else (0, total)

    others = [limits(k) for k in hidden if k != key]
    low, high = limits(key)
    low = max(low, rest - sum(h for _, h in others))
    high = min(high, rest - sum(lo for lo, _ in others))
    return low >= high


def shares(counts: Mapping[K, int]) -> dict[K, int]:
    """Whole percentages that add up to 100 (largest remainder), or all 0 for no counts."""
    total = sum(counts.values())
    if total == 0:
        return dict.fromkeys(counts, 0)
    exact = {key: 100 * count / total for key, count in counts.items()}
    floors = {key: int(value) for key, value in exact.items()}
    order: Sequence[K] = sorted(
        counts, key=lambda key: (-(exact[key] - floors[key]), list(counts).index(key))
    )
    for key in order[: 100 - sum(floors.values())]:
        floors[key] += 1
    return floors


def suppress_table(
    rows: Mapping[str, Mapping[str, int]], minimum: int
) -> tuple[dict[str, dict[str, int | None]], dict[str, int | None]]:
    """A table of counts (row -> column -> count) and its column totals, as they may be
    published: each cell of 1 to minimum-1 becomes None, and so does each column total beside a
    hidden cell, which would otherwise give that cell away by subtraction.

    Only rows and their column totals are related here (no row total is published).
    """
    columns = list(dict.fromkeys(column for row in rows.values() for column in row))
    shown = {
        name: {column: _small(row.get(column, 0), minimum) for column in columns}
        for name, row in rows.items()
    }
    totals: dict[str, int | None] = {}
    for column in columns:
        if any(row[column] is None for row in shown.values()):
            totals[column] = None
        else:
            totals[column] = _small(sum(row.get(column, 0) for row in rows.values()), minimum)
    return shown, totals


def _small(count: int, minimum: int) -> int | None:
    return None if 0 < count < minimum else count


def rate(part: int, whole: int, minimum: int) -> int | None:
    """`part` as a whole percentage of `whole`, or None when either count is too small to
    publish (a rate over a few networks tells as much as their counts)."""
    if whole < minimum or 0 < part < minimum:
        return None
    return round(100 * part / whole)


def count_or_few(count: int, minimum: int) -> int | None:
    """A count of networks as it may be published on its own: the number from `minimum` up (or
    none at all), otherwise None, to be shown as "a few"."""
    return count if count == 0 or count >= minimum else None
