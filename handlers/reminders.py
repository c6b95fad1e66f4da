"""Polite reminders to leads, only on weekdays between 09:00 and 18:00 local time."""

from __future__ import annotations

from datetime import timedelta

from bot import timing
from bot.clock import iso
from bot.context import BotContext
from bot.delivery import deliver, message_sender
from handlers import callbacks
from handlers.common import keyboard

IDLE_AFTER = timedelta(days=3)
REASSESS_AFTER = timedelta(days=90)
CHECK_EVERY = timedelta(minutes=15)
JOB_NAME = "lead-reminders"


def idle_slot(assessment_id: int, updated_at: str) -> str:
    return f"idle:{assessment_id}:{updated_at}"


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
    for assessment in await storage.idle_assessments(now - IDLE_AFTER):
        answered = len(await storage.answers(assessment.id))
        text = strings("reminder.idle", answered=answered, count=len(model.items))
        button = keyboard([[(strings("reminder.continue"), callbacks.encode("c", assessment.id))]])
        await deliver(
            context,
            slot=idle_slot(assessment.id, iso(assessment.updated_at)),
            chat_id=assessment.user_id,
            kind="idle",
            send=message_sender(context, text, button),
        )
    for network_id, assessment_id, user_id in await storage.due_reassessments(now - REASSESS_AFTER):
        network = await storage.network(network_id)
        if network is None:
            continue
        text = strings("reminder.reassess", network=network.name)
        button = keyboard([[(strings("reminder.start"), callbacks.encode("go"))]])
        await deliver(
            context,
            slot=f"reassess:{assessment_id}:{user_id}",
            chat_id=user_id,
            kind="reassess",
            send=message_sender(context, text, button),
        )
