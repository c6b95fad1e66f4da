"""The member pulse's statements (content/data/pulse.toml), each tied to the model."""

from __future__ import annotations

from dataclasses import dataclass

from content.library import Source


@dataclass(frozen=True)
class Statement:
    key: str
    section: str  # a section key of the model
    enabler: str  # a CRAFT enabler key
    mirrors: tuple[str, ...]  # the lead items (model.toml keys) asking the same from their side
    text: str  # as members read it
    short: str  # finishes "members: 40% agree ..."
    plan_step: str  # the suggested plan step for a wide gap
    source: Source


@dataclass(frozen=True)
class PulseGuide:
    statements: tuple[Statement, ...]
    options: tuple[str, ...]  # the answer scale's labels, "Prefer not to say" first

    def statement(self, key: str) -> Statement | None:
        return next((s for s in self.statements if s.key == key), None)
