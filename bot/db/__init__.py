"""The bot's database: a small core (bot/db/core.py) and one store per aggregate.

`Storage` combines the stores over one connection and one lock, so handlers keep calling
`context.storage.method(...)`. A new aggregate adds a store module (a `Core` subclass with its
methods, and its `PRIVACY` part), lists it here and in bot/db/privacy.py.
"""

from __future__ import annotations

from bot.db.agreement import AgreementStore
from bot.db.assessments import AssessmentStore
from bot.db.audit import AuditStore
from bot.db.board import BoardStore
from bot.db.buddies import BuddyStore
from bot.db.core import DatabaseTooNew, DatabaseUnavailable
from bot.db.hubs import DEFAULT_NUDGE_TIME, DEFAULT_NUDGE_WEEKDAY, HubStore
from bot.db.ledger import LedgerStore
from bot.db.meetings import MeetingStore
from bot.db.national import NationalStore
from bot.db.networks import NetworkStore
from bot.db.plan import PlanStore
from bot.db.practices import PracticeStore
from bot.db.privacy import PrivacyStore
from bot.db.pulse import PulseStore
from bot.db.retention import RetentionStore
from bot.db.snapshots import SnapshotStore
from bot.db.wres import WresStore

__all__ = [
    "DEFAULT_NUDGE_TIME",
    "DEFAULT_NUDGE_WEEKDAY",
    "DatabaseTooNew",
    "DatabaseUnavailable",
    "Storage",
]


class Storage(
    NetworkStore,
    AssessmentStore,
    AgreementStore,
    HubStore,
    PracticeStore,
    MeetingStore,
    PlanStore,
    WresStore,
    BuddyStore,
    BoardStore,
    PulseStore,
    LedgerStore,
    SnapshotStore,
    AuditStore,
    RetentionStore,
    NationalStore,
    PrivacyStore,
):
    """The bot's database. Open with `Storage.open(path, clock)`, close with `close()`."""
