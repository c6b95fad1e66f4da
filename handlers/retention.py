"""Retention that deletes: lead activity is recorded as it happens, and once a day the schedule
in settings (scoring/retention.py) is applied. Quiet networks are warned, then erased as /forget
erases; old delivery records, finished buddy pairings, replies to past meetings and old audit
entries are pruned; old backups are rotated. The run's counts go into its ledger row, and the
operators' weekly digest reports them (counts only)."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, time, timedelta
from typing import Any

from telegram import Update
from telegram.ext import TypeHandler

from bot import audit, backup
from bot.clock import iso
from bot.context import BotContext
from bot.feature import Feature
from bot.rows import NetworkActivity
from bot.scheduling import Kind, Repeating, deliver, message_sender
from scoring import timing
from scoring.retention import Fate, cutoffs, erase_on, network_fate

log = logging.getLogger(__name__)

# Scheduled and once-only messages this feature sends (job and ledger slot names).
RETENTION = Kind("retention")  # the daily retention run: slot per local date (chat 0)
RETENTION_WARN = Kind("retwarn")  # "your network will be deleted": slot per network, lead, spell
RETENTION_CHECKS = Kind("retention-check")  # the quarter-hourly check behind RETENTION

CHECK_EVERY = timedelta(minutes=15)
# Each day's run is due from this local time (within working hours, so warnings can go out at
# once on a working day); once a day, whatever restarts happen, through the ledger.
RUN_AT = time(10, 0)
# Ledger kinds whose rows outlive the delivery retention: each stops a reminder repeating for
# as long as what it reminded about is still there (they go with their lead or network).
# bot_data key of the day each user's activity was last written (one write per user a day).
SEEN_KEY = "retention.seen"


async def record_activity(update: Update, context: BotContext) -> None:
    """Any command, message or press: the sender was active today (their users.last_seen),
    written at most once a day per user. Runs before every other handler and changes nothing
    else; a user the bot does not know is not created. (Registration itself counts as
    activity too: the network's and the lead's own dates.)"""
    user = update.effective_user
    if user is None or user.is_bot:
        return
    today = context.services.clock.now().date()
    seen: dict[int, Any] = context.bot_data.setdefault(SEEN_KEY, {})
    if seen.get(user.id) == today:
        return
    try:
        known = await context.storage.touch_user(user.id)
    except Exception as error:  # never let this record stop the update being handled
        log.warning("could not record activity of user %s: %s", user.id, error)
        return
    if known:  # someone new is tried again on their next update (after /start made them)
        seen[user.id] = today


def run_day(now: datetime, context: BotContext) -> str | None:
    """Today's local date (YYYY-MM-DD) once the day's run is due, else None."""
    here = now.astimezone(context.settings.timezone)
    return here.date().isoformat() if here.time() >= RUN_AT else None


async def retention_job(context: BotContext) -> None:
    """The daily retention run, exactly once per local day (checked every 15 minutes)."""
    now = context.services.clock.now()
    day = run_day(now, context)
    if day is None:
        return
    slot = RETENTION.slot(day)
    storage = context.storage
    if not await storage.claim(slot, 0, RETENTION.recorded_as):
        return
    try:
        report = await run_retention(context, now)
    except Exception as error:
        log.exception("the retention run of %s failed", day)
        await storage.finish(slot, "failed", str(error)[:200])
        return
    await storage.finish(slot, "sent", json.dumps(report, sort_keys=True))
    log.info("retention run of %s: %s", day, report)


async def run_retention(context: BotContext, now: datetime) -> dict[str, int]:
    """Apply the schedule once; how many of each kind were warned or deleted."""
    storage, settings = context.storage, context.settings
    policy = settings.retention
    working = timing.in_working_hours(now, settings.timezone)
    warned = erased = 0
    for network in await storage.network_activity():
        fate = network_fate(network.last_activity, network.warned_at, now, policy)
        if fate is Fate.ERASE:
            await storage.erase_network(network.network_id)
            await storage.audit(None, audit.NETWORK_EXPIRED, network.network_id)
            log.info(
                "network %s erased: no lead activity since %s",
                network.network_id,
                iso(network.last_activity),
            )
            erased += 1
        elif fate is Fate.WARN and working:  # people are messaged only in working hours
            await _warn(context, network, now)
            warned += 1
    pruned = await storage.prune(cutoffs(now, policy), context.services.schedules.kept)
    rotated = await asyncio.to_thread(backup.rotate, settings.db_path, policy.backups_kept)
    return {
        "networks": erased,
        "warned": warned,
        "deliveries": pruned.deliveries,
        "pairings": pruned.pairings,
        "rsvps": pruned.rsvps,
        "audit": pruned.audit,
        "backups": len(rotated),
    }


async def _warn(context: BotContext, network: NetworkActivity, now: datetime) -> None:
    """Tell each lead when the network will be erased unless one of them uses the bot."""
    storage, strings = context.storage, context.strings
    policy = context.settings.retention
    found = await storage.network(network.network_id)
    if found is None:
        return
    when = erase_on(network.last_activity, now, policy).astimezone(context.settings.timezone)
    text = strings(
        "retention.warning",
        date=f"{when.day} {when:%B %Y}",
        network=found.name,
        months=policy.network_months,
    )
    for lead in network.lead_ids:
        await deliver(
            context,
            kind=RETENTION_WARN,
            slot=RETENTION_WARN.slot(network.network_id, lead, network.last_activity),
            chat_id=lead,
            send=message_sender(context, text),
        )
    await storage.mark_retention_warned(network.network_id)


FEATURE = Feature(
    name="retention",
    # Lead activity (for the retention schedule), before anything else handles the update.
    before=(TypeHandler(Update, record_activity),),
    kinds=(RETENTION, RETENTION_WARN, RETENTION_CHECKS),
    repeating=(Repeating(RETENTION_CHECKS, retention_job, every=CHECK_EVERY),),
)
