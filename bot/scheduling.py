"""Rebuilding every scheduled job from the database when the bot starts."""

from __future__ import annotations

import logging

from bot.context import BotContext
from handlers import compare, hubs, meetings, operators, reminders

log = logging.getLogger(__name__)

STARTUP_JOB = "startup"


async def startup_job(context: BotContext) -> None:
    """Start the repeating jobs, then catch up on what was missed while the bot was down and
    schedule what comes next.

    Runs once, as soon as the job queue starts: hub nudges and meeting reminders get their jobs
    back under their deterministic names. One hub or meeting that fails is logged and skipped,
    so it cannot leave the others unscheduled.
    """
    _start_repeating(context)
    storage, now = context.storage, context.services.clock.now()
    active = await storage.active_hubs()
    for listed in active:
        try:
            await hubs.catch_up_hub(context, listed, now)
            # Read again: an admin may have changed the schedule during the catch-up.
            hub = await storage.hub(listed.id)
            if hub is not None:
                hubs.schedule_hub(context, hub, now)
        except Exception:
            log.exception("could not reschedule hub %s", listed.id)
    upcoming = await storage.upcoming_meetings(now)
    for meeting in upcoming:
        try:
            await meetings.catch_up_meeting(context, meeting, now)
            meetings.schedule_meeting(context, meeting, now)
        except Exception:
            log.exception("could not reschedule meeting %s", meeting.id)
    log.info("schedules rebuilt: %d hubs, %d upcoming meetings", len(active), len(upcoming))


def _start_repeating(context: BotContext) -> None:
    """The lead reminder check every quarter hour, and the nightly snapshot."""
    jobs = context.jobs
    if jobs is None:
        return
    for name in (reminders.JOB_NAME, compare.SNAPSHOT_JOB, operators.DIGEST_JOB):
        for job in jobs.get_jobs_by_name(name):
            job.schedule_removal()
    jobs.run_repeating(
        reminders.lead_reminders_job,
        interval=reminders.CHECK_EVERY,
        first=0,
        name=reminders.JOB_NAME,
    )
    jobs.run_repeating(
        operators.operator_digest_job,
        interval=operators.CHECK_EVERY,
        first=0,
        name=operators.DIGEST_JOB,
    )
    snapshot_time = compare.SNAPSHOT_TIME.replace(tzinfo=context.settings.timezone)
    jobs.run_daily(compare.snapshot_job, time=snapshot_time, name=compare.SNAPSHOT_JOB)
