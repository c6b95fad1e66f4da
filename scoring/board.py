"""The board paper's cover choices a lead makes once and the bot remembers: the meeting the paper
goes to, that meeting's date, and which of the NHS EDI improvement plan's six high impact actions
the paper supports. Pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

HIGH_IMPACT_ACTIONS: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
MEETING_LIMIT = 80
CLEAR = frozenset({"off", "none", "clear"})
_ACTION_WORDS = re.compile(r"[\s,;&+]+|\band\b")


@dataclass(frozen=True)
class CoverChoices:
    meeting: str = ""  # "" when not given: the cover leaves a line to fill
    meeting_on: date | None = None
    actions: tuple[int, ...] = ()  # () when not picked: the cover lists all six to tick

    def date_to_show(self, today: date) -> date | None:
        """The meeting's date while it is still ahead; a past one is stale and not printed."""
        return self.meeting_on if self.meeting_on is not None and self.meeting_on >= today else None

    @property
    def complete(self) -> bool:
        return bool(self.meeting and self.meeting_on and self.actions)


def parse_meeting(text: str) -> str | None:
    """The meeting's name as typed (spaces tidied); "" to clear it; None when too long or empty."""
    cleaned = " ".join(text.split())
    if cleaned.lower() in CLEAR:
        return ""
    if not cleaned or len(cleaned) > MEETING_LIMIT:
        return None
    return cleaned


def parse_actions(text: str) -> tuple[int, ...] | None:
    """High impact action numbers such as "1 2 6", "1, 2 and 6" or "HIA 3"; () to clear them;
    None when anything else is typed."""
    cleaned = text.strip().lower()
    if cleaned in CLEAR:
        return ()
    words = [w for w in _ACTION_WORDS.split(cleaned.replace("hia", " ")) if w]
    if not words or not all(w.isdigit() and int(w) in HIGH_IMPACT_ACTIONS for w in words):
        return None
    return tuple(sorted({int(w) for w in words}))


def actions_text(actions: tuple[int, ...]) -> str:
    """How the picks are stored: "1,2,6"."""
    return ",".join(str(a) for a in actions)


def actions_from_text(stored: str) -> tuple[int, ...]:
    """The stored picks, ignoring anything that is not one of the six."""
    return tuple(
        sorted({int(w) for w in stored.split(",") if w.isdigit() and int(w) in HIGH_IMPACT_ACTIONS})
    )
