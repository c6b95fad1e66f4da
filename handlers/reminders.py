"""Polite reminders to leads, only on weekdays between 09:00 and 18:00 local time."""

from __future__ import annotations

from datetime import timedelta

from bot.context import BotContext
from bot.feature import Feature
from bot.rows import DueReassessment, OpenAssessment
from bot.scheduling import Kind, Repeating, Send, deliver_due, message_sender
from handlers import callbacks
from handlers.common import keyboard
from scoring import timing

# Scheduled and once-only messages this feature sends (job and ledger slot names).
IDLE = Kind("idle", kept=True)  # a lead's idle assessment: slot per assessment and idle spell
REASSESS = Kind("reassess", kept=True)  # an invitation to re-assess: slot per result and lead
LEAD_REMINDERS = Kind("lead-reminders")  # the quarter-hourly check behind IDLE and REASSESS

IDLE_AFTER = timedelta(days=3)
CHECK_EVERY = timedelta(minutes=15)


async def lead_reminders_job(context: BotContext) -> None:
    """Remind idle assessments once per idle spell; invite re-assessment after 90 days.

    Runs every quarter of an hour; outside working hours it does nothing, so whatever fell due
    at night or at the weekend goes out at the next opening.
    """
    now = context.services.clock.now()
    if not timing.in_working_hours(now, context.settings.timezone):
        return
    storage, strings = context.storage, context.strings
    model = context.content.model

    async def idle(assessment: OpenAssessment) -> tuple[int, Send]:
        answered = len(await storage.answers(assessment.id))
        text = strings("reminder.idle", answered=answered, count=len(model.items))
        button = keyboard([[(strings("reminder.continue"), callbacks.encode("c", assessment.id))]])
        return assessment.user_id, message_sender(context, text, button)

    async def reassess(entry: DueReassessment) -> tuple[int, Send] | None:
        network = await storage.network(entry.network_id)
        if network is None:
            return None
        text = strings("reminder.reassess", network=network.name)
        button = keyboard([[(strings("reminder.start"), callbacks.encode("go"))]])
        return entry.user_id, message_sender(context, text, button)

    idle_since = await storage.idle_assessments(now - IDLE_AFTER)
    await deliver_due(context, IDLE, {IDLE.slot(a.id, a.updated_at): a for a in idle_since}, idle)
    due = await storage.due_reassessments(now - timing.REASSESS_AFTER)
    slots = {REASSESS.slot(entry.assessment_id, entry.user_id): entry for entry in due}
    await deliver_due(context, REASSESS, slots, reassess)


FEATURE = Feature(
    name="reminders",
    kinds=(IDLE, REASSESS, LEAD_REMINDERS),
    repeating=(Repeating(LEAD_REMINDERS, lead_reminders_job, every=CHECK_EVERY),),
)
