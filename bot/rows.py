"""What storage returns: small frozen records, one per kind of row or query."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from bot.conversation import Entry
from scoring.engine import Result
from scoring.progress import Step
from scoring.pulse import AGREE, PREFER_NOT, STRONGLY_AGREE


@dataclass(frozen=True)
class User:
    id: int
    entry: Entry | None  # what they have begun typing and not finished, if anything
    active: bool


@dataclass(frozen=True)
class Network:
    id: int
    organisation: str
    name: str
    region: str
    age: str
    invite_code: str
    created_at: datetime
    owner_id: int | None = None
    verified: bool = False
    invite_issued_at: datetime | None = None
    separate_reason: str | None = None
    owner_offer: int | None = None


@dataclass(frozen=True)
class OpenAssessment:
    """An assessment still being answered: where it stands, never a result."""

    id: int
    network_id: int
    user_id: int
    content_version: str
    position: int
    awaiting_evidence: str | None
    started_at: datetime
    updated_at: datetime
    revises: int | None = None
    """The completed assessment whose answers this one changes (re-scored on Finish)."""

    @property
    def step(self) -> Step:
        return Step(self.position, self.awaiting_evidence)


@dataclass(frozen=True)
class CompletedAssessment:
    """A finished assessment with its scored result (decoded once, by the assessments store)."""

    id: int
    network_id: int
    user_id: int
    content_version: str
    started_at: datetime
    completed_at: datetime
    total: int
    band: str
    result: Result
    result_sent_at: datetime | None = None  # None until the result message went out
    agreed: bool = False  # the network's agreed result, from its leads' settled answers
    view: str = "network"  # 'network', 'pending' (awaits agreement) or 'own' (closed unsettled)


@dataclass(frozen=True)
class Agreement:
    """Leads' assessments of one round, and the items settled so far (item -> option)."""

    id: int
    network_id: int
    members: tuple[int, ...]
    settled: dict[str, int]
    agreed_id: int | None


@dataclass(frozen=True)
class AssessmentChange:
    """A completed assessment re-scored after its answers were changed."""

    assessment_id: int
    changed_at: datetime
    total_before: int
    band_before: str
    total_after: int
    band_after: str


@dataclass(frozen=True)
class NetworkHistory:
    """A network with its completed assessments, oldest first."""

    network: Network
    completed: tuple[CompletedAssessment, ...]
    pending: tuple[CompletedAssessment, ...] = ()  # leads' rounds awaiting agreement

    @property
    def latest(self) -> CompletedAssessment | None:
        return self.completed[-1] if self.completed else None

    @property
    def previous(self) -> CompletedAssessment | None:
        return self.completed[-2] if len(self.completed) >= 2 else None


@dataclass(frozen=True)
class Answer:
    item_key: str
    option: int
    points: int
    evidence: str | None


@dataclass(frozen=True)
class Hub:
    id: int
    chat_id: int
    region: str
    active: bool
    nudge_weekday: int | None
    nudge_time: str | None
    schedule_since: datetime
    registered_by: int
    status: str = "approved"  # 'pending' until an operator approves it

    @property
    def live(self) -> bool:
        """A hub in earnest: the bot is in the group and an operator approved it."""
        return self.active and self.status == "approved"

    @property
    def nudges_on(self) -> bool:
        return self.nudge_weekday is not None and self.nudge_time is not None


@dataclass(frozen=True)
class Meeting:
    id: int
    hub_id: int
    starts_at: datetime
    topic: str
    cancelled: bool
    sequence: int = 0  # the calendar file's revision: 0 at first, one more for each change
    announcement_id: int | None = None  # the group message carrying its RSVP buttons
    join_url: str | None = None  # a joining link on an allowed meeting service
    minutes: int = 60  # how long it lasts


@dataclass(frozen=True)
class Rsvps:
    """Who answered a meeting's buttons: user ids going and not going (ids only)."""

    going: tuple[int, ...]
    not_going: tuple[int, ...]


@dataclass(frozen=True)
class BuddyChoice:
    """A lead's buddy opt-in: what they want help with, what they offer, whether they share."""

    user_id: int
    wants: str
    offers: str
    share: bool


@dataclass(frozen=True)
class BuddyCandidate:
    """An opted-in lead who can be paired now, with what pairing needs to know."""

    choice: BuddyChoice
    network_id: int
    region: str
    waited: str | None  # month they last waited
    result: Result | None  # the network's latest completed result, if any


@dataclass(frozen=True)
class Practice:
    id: int
    user_id: int | None
    region: str
    text: str
    credit: str | None
    status: str


@dataclass(frozen=True)
class NudgeState:
    """Where a hub is in its rotation: the cycle, what it has had in it, the last enabler."""

    cycle: int
    used: frozenset[str]
    last_enabler: str | None


@dataclass(frozen=True)
class SentNudge:
    cycle: int
    nudge_key: str


@dataclass(frozen=True)
class Delivery:
    """One row of the delivery ledger."""

    slot: str
    chat_id: int
    status: str


@dataclass(frozen=True)
class DueReassessment:
    """A lead whose network's latest result is old enough to invite a new round."""

    network_id: int
    assessment_id: int
    user_id: int


@dataclass(frozen=True)
class LatestResult:
    """A network's latest completed assessment, as aggregates need it."""

    network_id: int
    region: str
    assessment_id: int
    result: Result
    verified: bool = False  # only a verified network counts in figures beyond itself


@dataclass(frozen=True)
class RegionStatistics:
    """Per region: networks, assessments started and completed, and the latest bands."""

    region: str
    networks: int
    started: int
    completed: int
    bands: Mapping[str, int]


@dataclass(frozen=True)
class WresRow:
    """One quarter's figures for one WRES indicator (and breakdown label) of a network."""

    network_id: int
    indicator: int
    quarter: str
    label: str
    white_size: int
    white_count: int
    bme_size: int
    bme_count: int


@dataclass(frozen=True)
class DeliveryProblem:
    """How many deliveries of one kind ended one way (skipped or failed)."""

    kind: str
    status: str
    count: int


@dataclass(frozen=True)
class PendingPractice:
    id: int
    region: str
    submitted_at: datetime


@dataclass(frozen=True)
class Lead:
    """A lead of a network: who, and since when (no names are stored)."""

    user_id: int
    joined_at: datetime


@dataclass(frozen=True)
class ReviewCard:
    """A practice review card sent to a hub admin or operator: where it is, to withdraw it."""

    chat_id: int
    message_id: int


@dataclass(frozen=True)
class PlanStep:
    """One step of a network's action plan (`due` is a local date; `source` as migration 6)."""

    id: int
    network_id: int
    text: str
    owner: str
    due: date
    status: str
    source: str
    created_at: datetime
    done_at: datetime | None
    updated_at: datetime | None = None  # when its status, text, owner or date last changed


# -- member pulses (issue 24) --------------------------------------------------------------------


@dataclass(frozen=True)
class Pulse:
    """A member pulse of a network (the HMAC key never leaves storage)."""

    id: int
    network_id: int
    code: str
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    answers: int

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


@dataclass(frozen=True)
class PulseTaker:
    """Where one member is in an open pulse (known only by a keyed hash of their id)."""

    position: int
    answers: tuple[int, ...]
    done: bool


@dataclass(frozen=True)
class PulseFigures:
    """A closed pulse's totals: per statement key, the count of each option (index 0 is
    "Prefer not to say"), and the free texts kept with it."""

    pulse: Pulse
    counts: dict[str, tuple[int, ...]]
    comments: tuple[str, ...] = ()

    def agreeing(self) -> dict[str, tuple[int, int]]:
        """Per statement: how many agreed (Agree or Strongly agree) and how many gave a view
        (every answer but "Prefer not to say")."""
        return {
            key: (counts[AGREE] + counts[STRONGLY_AGREE], sum(counts[PREFER_NOT + 1 :]))
            for key, counts in self.counts.items()
        }


# -- information governance (issue 26) --


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: int | None  # Telegram id; None: the bot itself or the server's command line
    action: str
    subject: int | None


@dataclass(frozen=True)
class NetworkActivity:
    """A network's latest lead activity, and when its leads were warned of erasure (if so)."""

    network_id: int
    last_activity: datetime
    warned_at: datetime | None
    lead_ids: tuple[int, ...]


@dataclass(frozen=True)
class Pruned:
    """How many rows a retention run deleted, by kind (counts only)."""

    deliveries: int = 0
    pairings: int = 0
    rsvps: int = 0
    audit: int = 0
