"""One row per benchmark, printed as a table with the command that reproduces it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    name: str
    measured: str
    baseline: str
    ratio: str
    goal: str
    met: bool
    command: str


def table(rows: Sequence[Row]) -> str:
    header = ("benchmark", "measured", "baseline", "ratio", "goal", "met", "reproduce")
    cells = [header] + [
        (r.name, r.measured, r.baseline, r.ratio, r.goal, "yes" if r.met else "NO", r.command)
        for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [
        " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in cells
    ]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)
