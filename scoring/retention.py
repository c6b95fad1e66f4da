"""The retention schedule as pure rules: how long each kind of record is kept, and what
happens to a network whose leads have gone quiet.

A network's "lead activity" is the latest of: its registration, a lead joining, any command or
button press by one of its leads (recorded as the lead's `last_seen`) and any change to one of
its assessments. A network quiet for `network_months` is erased as /forget erases, but only
after its leads were warned `warn_days` before; any activity after the warning keeps it (and a
later quiet spell needs a new warning).
"""

from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Policy:
    """How long things are kept. The defaults are the schedule in docs/data-protection.md."""

    network_months: int = 24  # a network with no lead activity for this long is erased
    warn_days: int = 30  # its leads are warned this many days before
    delivery_months: int = 13  # records of messages sent (the delivery ledger)
    pairing_months: int = 12  # buddy pairings, counted from the end of their month
    rsvp_days: int = 90  # meeting replies, counted from the meeting
    audit_months: int = 24  # the audit trail
    backups_kept: int = 7  # backups made by `python -m bot backup`; older ones are deleted


class Fate(enum.Enum):
    KEEP = "keep"
    WARN = "warn"
    ERASE = "erase"


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day when the
    day does not exist in it: 31 March less one month is 28 or 29 February)."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def months_after(moment: datetime, months: int) -> datetime:
    return months_before(moment, -months)


def network_fate(
    last_activity: datetime, warned_at: datetime | None, now: datetime, policy: Policy
) -> Fate:
    """What the daily retention run does with one network.

    Erased once it has been quiet for `network_months` and its leads were warned (after their
    last activity) at least `warn_days` ago; warned from `warn_days` before that date; kept
    otherwise. A warning older than the latest activity no longer counts.
    """
    erase_from = months_after(last_activity, policy.network_months)
    notice = timedelta(days=policy.warn_days)
    warned = warned_at is not None and warned_at >= last_activity
    if warned and warned_at is not None:
        return Fate.ERASE if now >= max(erase_from, warned_at + notice) else Fate.KEEP
    return Fate.WARN if now >= erase_from - notice else Fate.KEEP


def erase_on(last_activity: datetime, warned_at: datetime, policy: Policy) -> datetime:
    """The earliest moment a network warned at `warned_at` may be erased (for the warning)."""
    return max(
        months_after(last_activity, policy.network_months),
        warned_at + timedelta(days=policy.warn_days),
    )


@dataclass(frozen=True)
class Cutoffs:
    """Records older than these go in a retention run."""

    deliveries_before: datetime  # ledger rows created before this
    pairings_before: str  # buddy rounds of months (YYYY-MM) before this one
    meetings_before: datetime  # replies to meetings that started before this
    audit_before: datetime  # audit entries made before this


def cutoffs(now: datetime, policy: Policy) -> Cutoffs:
    """A pairing month is finished when the month ends; it goes `pairing_months` after that, so
    the months kept are those ending less than `pairing_months` ago."""
    oldest_end = months_before(now, policy.pairing_months)
    # Month M ends at the start of M+1: keep M when start(M+1) > oldest_end, i.e. M >= the
    # month of oldest_end.
    return Cutoffs(
        deliveries_before=months_before(now, policy.delivery_months),
        pairings_before=f"{oldest_end.year:04d}-{oldest_end.month:02d}",
        meetings_before=now - timedelta(days=policy.rsvp_days),
        audit_before=months_before(now, policy.audit_months),
    )


def backups_to_delete(made: list[str], keep: int) -> list[str]:
    """Of backups listed oldest first, those beyond the newest `keep` (oldest first); a path
    listed twice (the same file written again) counts once, at its latest place."""
    latest: dict[str, int] = {}
    for index, path in enumerate(made):
        latest[path] = index
    ordered = sorted(latest, key=latest.__getitem__)
    return ordered[: max(0, len(ordered) - keep)]
