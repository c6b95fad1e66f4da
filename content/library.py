"""The good-practice library: nudges for hub groups, each with its CRAFT enabler and source."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    document: str
    part: str


@dataclass(frozen=True)
class Nudge:
    key: str
    enabler: str
    theme: str
    title: str
    body: str
    source: Source
