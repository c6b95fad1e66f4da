"""The member pulse's statements (content/data/pulse.toml), each tied to the model, and how
they are read and checked."""

from __future__ import annotations

from dataclasses import dataclass

from content.fields import Entry, unique
from content.library import Source
from scoring.model import ENABLER_KEYS, Model
from scoring.pulse import OPTIONS as PULSE_OPTIONS


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


PULSE_TEXT_LIMIT = 160
PULSE_SHORT_LIMIT = 80
PLAN_STEP_LIMIT = 300  # as a tip's next step
OPTION_LIMIT = 40  # as an answer option's label


def load_pulse(top: Entry, model: Model) -> PulseGuide:
    """The pulse's statements: 8 to 10, each tied to a section, an enabler and lead items that
    exist in the model, with a known source."""
    sources = {
        e.text("key"): Source(
            key=e.text("key"),
            label=e.text("label", limit=200),
            document=e.text("document"),
            part=e.text("part"),
        )
        for e in top.entries("sources")
    }
    entries = list(top.entries("statements"))
    for name in ("key", "text", "short"):
        unique(entries, name)
    if not 8 <= len(entries) <= 10:
        raise top.fail(f"needs 8 to 10 statements, has {len(entries)}")
    sections = {section.key for section in model.sections}
    statements = []
    for entry in entries:
        section, enabler = entry.text("section"), entry.text("enabler")
        source = entry.text("source")
        if section not in sections:
            raise entry.fail(f"unknown section {section!r}")
        if enabler not in ENABLER_KEYS:
            raise entry.fail(f"unknown CRAFT enabler {enabler!r}")
        if source not in sources:
            raise entry.fail(f"unknown source {source!r}")
        mirrors = entry.texts("mirrors", limit=60)
        if not mirrors:
            raise entry.fail("'mirrors' must name at least one lead item")
        for key in mirrors:
            if not model.has_item(key):
                raise entry.fail(f"mirrors unknown item {key!r}")
        statements.append(
            Statement(
                key=entry.text("key", limit=30),
                section=section,
                enabler=enabler,
                mirrors=mirrors,
                text=entry.text("text", limit=PULSE_TEXT_LIMIT),
                short=entry.text("short", limit=PULSE_SHORT_LIMIT),
                plan_step=entry.text("plan_step", limit=PLAN_STEP_LIMIT),
                source=sources[source],
            )
        )
    options = top.texts("options", limit=OPTION_LIMIT)
    if len(options) != PULSE_OPTIONS:
        raise top.fail(f"'options' must have {PULSE_OPTIONS} labels, Prefer not to say first")
    return PulseGuide(tuple(statements), options)
