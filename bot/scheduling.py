"""The scheduling service: names of jobs and delivery slots, the delivery ledger, the catch-up
rule, and rebuilding every job when the bot starts.

Every message that goes out on a schedule (a hub's nudge, a meeting reminder, a reminder to a
lead) is one `Kind`. Its jobs and its ledger slots are named here and nowhere else, and storage
receives the names as parameters.

A delivery is claimed in the ledger under its unique slot before anything is sent, and finished
after; a slot already claimed is never sent again, whatever restarts happen. Retries happen below
this (AIORateLimiter waits out RetryAfter; bot.request retries 5xx answers and failed
connections, but not a timed-out send, which may have arrived). Here: Forbidden marks the chat
unreachable, a group that became a supergroup is followed to its new id, and every outcome is
recorded against the slot.

Features do not reach the job queue themselves for one-off sends: `arrange` puts a message where
it belongs (a job if it is ahead, sent now if it was missed by under 12 hours, otherwise recorded
as skipped), and the composition root registers each feature's start-up rebuild and repeating
jobs with `Schedules`, so this module imports no handler.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.clock import iso
from scoring import timing

if TYPE_CHECKING:
    from bot.context import BotContext

    JobCallback = Callable[[BotContext], Coroutine[Any, Any, None]]

log = logging.getLogger(__name__)

Send = Callable[[int], Awaitable[object]]
T = TypeVar("T")

# Scheduled sends still run if the event loop was busy at their time (APScheduler would otherwise
# drop a job over a second late), up to the same 12 hours the start-up catch-up allows.
SCHEDULED_JOB_KWARGS = {"misfire_grace_time": int(timing.CATCH_UP_LIMIT.total_seconds())}

STARTUP_JOB = "startup"


# -- names -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of scheduled or once-only message: the prefix of its job names and ledger
    slots, and what the ledger records as its kind (the prefix, unless it says otherwise)."""

    name: str
    ledger_kind: str = ""
    # Its ledger rows are what stops it being sent again for as long as its subject lasts (a
    # reminder per assessment, say), so the retention schedule never prunes them.
    kept: bool = False

    @property
    def recorded_as(self) -> str:
        return self.ledger_kind or self.name

    def job(self, *ids: object) -> str:
        return ":".join((self.name, *map(_part, ids)))

    def slot(self, *parts: object) -> str:
        return ":".join((self.name, *map(_part, parts)))


def _part(value: object) -> str:
    return iso(value) if isinstance(value, datetime) else str(value)


# -- the ledger --------------------------------------------------------------------------------


def message_sender(
    context: BotContext, text: str, markup: InlineKeyboardMarkup | None = None
) -> Send:
    """A `send` for deliver(): this text (and buttons) to whichever chat id it is given."""

    async def send(chat_id: int) -> object:
        return await context.bot.send_message(chat_id, text, reply_markup=markup)

    return send


async def deliver(
    context: BotContext,
    *,
    kind: Kind,
    slot: str,
    chat_id: int,
    send: Send,
    detail: str | None = None,
) -> str:
    """Send once for `slot`. Returns sent, duplicate, unknown (timed out), forbidden or failed."""
    storage = context.storage
    if not await storage.claim(slot, chat_id, kind.recorded_as, detail):
        log.info("delivery %s already made, not sending again", slot)
        return "duplicate"
    target = chat_id
    for _ in range(2):  # a second try only after following a group's migration
        try:
            await send(target)
        except ChatMigrated as error:
            log.info("chat %s became %s; following it", target, error.new_chat_id)
            await storage.migrate_chat(target, error.new_chat_id)
            target = error.new_chat_id
            continue
        except Forbidden as error:
            await mark_unreachable(context, target)
            await storage.finish(slot, "failed", f"forbidden: {error.message}")
            return "forbidden"
        except TimedOut:
            log.warning("delivery %s timed out; it may or may not have arrived", slot)
            await storage.finish(slot, "unknown", "timed out")
            return "unknown"
        except (BadRequest, NetworkError, RetryAfter) as error:
            log.warning("delivery %s failed: %s", slot, error)
            await storage.finish(slot, "failed", str(error)[:200])
            return "failed"
        await storage.finish(slot, "sent")
        return "sent"
    await storage.finish(slot, "failed", "migrated twice")
    return "failed"


async def undelivered(context: BotContext, slots: Sequence[str]) -> set[str]:
    """Those of `slots` the ledger has no row for."""
    return set(slots) - await context.storage.delivered(slots)


async def deliver_due(
    context: BotContext,
    kind: Kind,
    due: Mapping[str, T],
    message: Callable[[T], Awaitable[tuple[int, Send] | None]],
) -> None:
    """Deliver, once each, the messages of `due` (slot -> what the message is about) that the
    ledger does not hold yet: `message` gives the chat and the send, or None to leave one out.
    The periodic checks (reminders, digests) use this; it looks the ledger up once for all."""
    pending = await undelivered(context, list(due))
    for slot, subject in due.items():
        if slot in pending and (made := await message(subject)) is not None:
            chat_id, send = made
            await deliver(context, kind=kind, slot=slot, chat_id=chat_id, send=send)


async def mark_unreachable(context: BotContext, chat_id: int) -> None:
    """The bot was removed from a group or blocked by a user: stop messaging that chat."""
    storage = context.storage
    if chat_id < 0:
        hub = await storage.hub_by_chat(chat_id)
        if hub is not None:
            await storage.set_hub_active(hub.id, False)
            _unschedule_hub(context, hub.id)
            log.info("hub %s (chat %s) marked inactive: the bot was removed", hub.id, chat_id)
    else:
        await storage.set_user_active(chat_id, False)
        log.info("user %s marked inactive: they blocked the bot", chat_id)


def _unschedule_hub(context: BotContext, hub_id: int) -> None:
    """Drop the jobs a hub's feature scheduled for it (their data names the hub); each would
    find the hub inactive when it ran, so this only tidies the queue."""
    jobs = context.jobs
    if jobs is None:
        return
    for job in jobs.jobs():
        if isinstance(job.data, dict) and job.data.get("hub") == hub_id:
            job.schedule_removal()


# -- one-off jobs ------------------------------------------------------------------------------


def unschedule(context: BotContext, name: str) -> None:
    """Remove every job of this name."""
    if context.jobs is not None:
        for job in context.jobs.get_jobs_by_name(name):
            job.schedule_removal()


def schedule(
    context: BotContext, name: str, at: datetime, callback: JobCallback, data: dict[str, Any]
) -> None:
    """(Re)place the one job called `name`, to run `callback` at `at`."""
    unschedule(context, name)
    if context.jobs is not None:
        context.jobs.run_once(
            callback, when=at, name=name, data=data, job_kwargs=SCHEDULED_JOB_KWARGS
        )


async def arrange(
    context: BotContext,
    *,
    kind: Kind,
    job: str,
    slot: str,
    at: datetime,
    chat_id: int,
    callback: JobCallback,
    data: dict[str, Any],
    send_now: Callable[[], Awaitable[object]],
    now: datetime,
    until: datetime | None = None,
) -> str:
    """Put one scheduled message where it belongs: a job at `at` when that is ahead; sent now
    when it was missed by under 12 hours (and before `until`) and the ledger has no row for it;
    otherwise recorded as skipped and logged. Returns scheduled, sent, done or skipped."""
    delivered = at <= now and await context.storage.delivery_status(slot) is not None
    decision = timing.catch_up(at, now, delivered=delivered, until=until)
    if decision is timing.CatchUp.SCHEDULE:
        schedule(context, job, at, callback, data)
        return "scheduled"
    if decision is timing.CatchUp.DONE:
        return "done"
    if decision is timing.CatchUp.SEND:
        log.info("%s missed by %s; sending it now", slot, now - at)
        await send_now()
        return "sent"
    if await context.storage.skip(slot, chat_id, kind.recorded_as, f"{now - at} late"):
        log.info("%s missed by %s; skipped", slot, now - at)
    return "skipped"


# -- start-up ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rebuild:
    """At start-up, `one` is awaited for each of `items`; one that fails is logged and skipped,
    so it cannot leave the others unscheduled."""

    name: str
    items: Callable[[BotContext, datetime], Awaitable[Sequence[Any]]]
    one: Callable[[BotContext, Any, datetime], Awaitable[None]]


@dataclass(frozen=True)
class Repeating:
    """A job that runs every `every`, or daily at `daily_at` (exactly one of the two)."""

    kind: Kind
    callback: JobCallback
    every: timedelta | None = None
    daily_at: time | None = None


@dataclass
class Schedules:
    """What the composition root registers from the feature descriptors: each feature's
    start-up rebuilds and repeating jobs. `startup_job` runs them all once the job queue starts."""

    rebuilds: list[Rebuild] = field(default_factory=list)
    repeating: list[Repeating] = field(default_factory=list)
    # The ledger kinds the retention schedule must not prune (Kind.kept).
    kept: list[str] = field(default_factory=list)


async def startup_job(context: BotContext) -> None:
    """Start the repeating jobs, then catch up on what was missed while the bot was down and
    schedule what comes next, feature by feature."""
    schedules = context.services.schedules
    _start_repeating(context, schedules)
    now = context.services.clock.now()
    counts = []
    for rebuild in schedules.rebuilds:
        items = await rebuild.items(context, now)
        for item in items:
            try:
                await rebuild.one(context, item, now)
            except Exception:
                log.exception("could not reschedule %s %r", rebuild.name, item)
        counts.append(f"{len(items)} {rebuild.name}")
    log.info("schedules rebuilt: %s", ", ".join(counts) or "nothing to rebuild")


def _start_repeating(context: BotContext, schedules: Schedules) -> None:
    jobs = context.jobs
    if jobs is None:
        return
    for repeating in schedules.repeating:
        name = repeating.kind.job()
        unschedule(context, name)
        if repeating.every is not None:
            jobs.run_repeating(repeating.callback, interval=repeating.every, first=0, name=name)
        elif repeating.daily_at is not None:
            at = repeating.daily_at.replace(tzinfo=context.settings.timezone)
            jobs.run_daily(repeating.callback, time=at, name=name)
