"""Rebuilding every scheduled job from the database when the bot starts."""

from __future__ import annotations

import logging

from bot.context import BotContext
from handlers import compare, hubs, meetings, reminders

log = logging.getLogger(__name__)

STARTUP_JOB = "startup"


async def startup_job(context: BotContext) -> None:
    """Catch up on what was missed while the bot was down, then schedule what comes next.

    Runs once, as soon as the job queue starts: hub nudges and meeting reminders get their jobs
    back under their deterministic names, and the lead reminder check starts repeating.
    """
    storage, now = context.storage, context.services.clock.now()
    active = await storage.active_hubs()
    for hub in active:
        await hubs.catch_up_hub(context, hub, now)
        hubs.schedule_hub(context, hub, now)
    upcoming = await storage.upcoming_meetings(now)
    for meeting in upcoming:
        await meetings.catch_up_meeting(context, meeting, now)
        meetings.schedule_meeting(context, meeting, now)
    if context.jobs is not None:
        for name in (reminders.JOB_NAME, compare.SNAPSHOT_JOB):
            for job in context.jobs.get_jobs_by_name(name):
                job.schedule_removal()
        snapshot_time = compare.SNAPSHOT_TIME.replace(tzinfo=context.settings.timezone)
        context.jobs.run_daily(compare.snapshot_job, time=snapshot_time, name=compare.SNAPSHOT_JOB)
        context.jobs.run_repeating(
            reminders.lead_reminders_job,
            interval=reminders.CHECK_EVERY,
            first=0,
            name=reminders.JOB_NAME,
        )
    log.info("schedules rebuilt: %d hubs, %d upcoming meetings", len(active), len(upcoming))
