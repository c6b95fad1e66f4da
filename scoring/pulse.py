"""The member pulse's rules: when it is open, when its figures may be shown, and what they are.

A pulse asks the network's members a handful of statements on a five-point agreement scale with
"Prefer not to say" first. Nothing is kept per member: each finished answer only adds to a count
per statement and option. Figures are shown only for a closed pulse with at least `minimum`
finished answers, and a closed pulse never opens again (a new pulse starts from nothing), so
every set of figures a lead can ever see covers at least `minimum` members, and two different
sets never differ by fewer than `minimum` members: no sequence of pulses, extensions or closes
isolates one member's answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from scoring.model import Option
from scoring.suppression import shares

PULSE_LENGTH = timedelta(days=14)  # a pulse closes itself this long after it opens
EXTENSION = timedelta(days=7)  # each "extend" adds this much
LONGEST = timedelta(days=28)  # extensions stop here, counted from the opening

# The answer scale, lowest first: option 0 is "Prefer not to say" and counts for nothing.
PREFER_NOT = 0
STRONGLY_DISAGREE, DISAGREE, NEITHER, AGREE, STRONGLY_AGREE = 1, 2, 3, 4, 5
OPTIONS = 6


@dataclass(frozen=True)
class PulseState:
    """What the rules need to know about one pulse."""

    opened_at: datetime
    closes_at: datetime
    closed: bool
    answers: int  # finished answers (a partial answer is never counted)


def is_open(state: PulseState, now: datetime) -> bool:
    """Whether the pulse still takes answers: not closed, and its time not yet up."""
    return not state.closed and now < state.closes_at


def due_to_close(state: PulseState, now: datetime) -> bool:
    """Whether the pulse's time is up but it has not been closed yet."""
    return not state.closed and now >= state.closes_at


def extended(state: PulseState, now: datetime) -> datetime | None:
    """The new closing time after "extend", or None when it cannot be extended (closed, past
    its time, or already at the longest a pulse may run)."""
    if not is_open(state, now):
        return None
    limit = state.opened_at + LONGEST
    if state.closes_at >= limit:
        return None
    return min(state.closes_at + EXTENSION, limit)


def may_show(state: PulseState, minimum: int) -> bool:
    """Figures only for a closed pulse with at least `minimum` finished answers; a pulse that
    closed with fewer never shows anything, since it can never take another answer."""
    return state.closed and state.answers >= minimum


@dataclass(frozen=True)
class Spread:
    """Whole percentages of those who gave a view (Prefer not to say left out), adding to 100."""

    disagree: int
    neither: int
    agree: int


def answered(counts: Sequence[int]) -> int:
    """How many gave a view on the statement (every option but Prefer not to say)."""
    return sum(counts[PREFER_NOT + 1 :])


def share_agreeing(counts: Sequence[int]) -> int | None:
    """The share agreeing or strongly agreeing, in whole percent of those who gave a view
    (halves round up); None when nobody gave one."""
    total = answered(counts)
    if total == 0:
        return None
    agreeing = counts[AGREE] + counts[STRONGLY_AGREE]
    return (200 * agreeing + total) // (2 * total)


def spread(counts: Sequence[int]) -> Spread | None:
    """Disagreeing, neither, agreeing as whole percentages adding up to 100; None when nobody
    gave a view."""
    if answered(counts) == 0:
        return None
    parts = shares(
        {
            "disagree": counts[STRONGLY_DISAGREE] + counts[DISAGREE],
            "neither": counts[NEITHER],
            "agree": counts[AGREE] + counts[STRONGLY_AGREE],
        }
    )
    return Spread(parts["disagree"], parts["neither"], parts["agree"])


def statement_shown(counts: Sequence[int], minimum: int) -> bool:
    """A statement's figures are shown only when at least `minimum` gave a view on it: a
    share over fewer would say too much about the few."""
    return answered(counts) >= minimum


def lead_level(option: Option, maximum: int) -> int | None:
    """A lead's answer to a mirrored item as a level from 0 to 100 to set beside the share of
    members agreeing: 100 for an answer that shows the attribute (Agree, Strongly agree, Yes),
    otherwise its points as a share of the item's maximum; None for "Don't know"."""
    if option.dont_know:
        return None
    if option.demonstrates:
        return 100
    return round(100 * option.points / maximum) if maximum else 0


@dataclass(frozen=True)
class Gap:
    """One statement: the share of members agreeing, the leads' level on the items it mirrors
    (None when the leads have no answer to set beside it), and the leads' level minus the
    members' share (positive: the leads see it more brightly than members do)."""

    statement: str
    members: int
    leads: int | None
    gap: int | None


def gaps(members: Mapping[str, int | None], leads: Mapping[str, Sequence[int | None]]) -> list[Gap]:
    """Each shown statement (`members`: statement -> share agreeing, None when not shown),
    widest gap first; statements without the leads' answers come last, in their own order."""
    found = []
    for position, (statement, share) in enumerate(members.items()):
        if share is None:
            continue
        levels = [level for level in leads.get(statement, ()) if level is not None]
        level = round(sum(levels) / len(levels)) if levels else None
        gap = None if level is None else level - share
        found.append((position, Gap(statement, share, level, gap)))
    found.sort(key=lambda entry: (entry[1].gap is None, -abs(entry[1].gap or 0), entry[0]))
    return [gap for _, gap in found]


# A gap at least this wide (in percentage points) is worth talking about, and worth a plan step.
WIDE_GAP = 25


def worth_talking_about(gap: Gap) -> bool:
    return gap.gap is not None and abs(gap.gap) >= WIDE_GAP
