"""Polite reminders to leads, only on weekdays between 09:00 and 18:00 local time."""

from __future__ import annotations

from datetime import timedelta

from bot import timing
from bot.context import BotContext
from bot.scheduling import IDLE, REASSESS, deliver, message_sender, undelivered
from handlers import callbacks
from handlers.common import keyboard

IDLE_AFTER = timedelta(days=3)
REASSESS_AFTER = timedelta(days=90)
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
    idle = {
        IDLE.slot(assessment.id, assessment.updated_at): assessment
        for assessment in await storage.idle_assessments(now - IDLE_AFTER)
    }
    pending = await undelivered(context, list(idle))
    for slot, assessment in idle.items():
        if slot not in pending:
            continue
        answered = len(await storage.answers(assessment.id))
        text = strings("reminder.idle", answered=answered, count=len(model.items))
        button = keyboard([[(strings("reminder.continue"), callbacks.encode("c", assessment.id))]])
        await deliver(
            context,
            kind=IDLE,
            slot=slot,
            chat_id=assessment.user_id,
            send=message_sender(context, text, button),
        )
    due = {
        REASSESS.slot(entry.assessment_id, entry.user_id): entry
        for entry in await storage.due_reassessments(now - REASSESS_AFTER)
    }
    pending = await undelivered(context, list(due))
    for slot, entry in due.items():
        if slot not in pending:
            continue
        network = await storage.network(entry.network_id)
        if network is None:
            continue
        text = strings("reminder.reassess", network=network.name)
        button = keyboard([[(strings("reminder.start"), callbacks.encode("go"))]])
        await deliver(
            context,
            kind=REASSESS,
            slot=slot,
            chat_id=entry.user_id,
            send=message_sender(context, text, button),
        )
