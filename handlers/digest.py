"""The monthly digest to each approved hub (first working day of the month, at the hub's nudge
time), and /digest for a hub's admins to see it now."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from telegram import Update

from bot import scheduling
from bot.context import BotContext
from bot.feature import Command, Feature
from bot.rows import Hub
from bot.scheduling import Kind, Repeating, Send, deliver, message_sender
from bot.storage import DEFAULT_NUDGE_TIME
from content.strings import Safe
from handlers.common import admin_hub
from scoring import dates, timing
from scoring.publication import replace_figures
from scoring.suppression import count_or_few
from scoring.wres import quarter_of

log = logging.getLogger(__name__)

# Scheduled and once-only messages this feature sends (job and ledger slot names).
DIGEST = Kind("digest")  # a hub's monthly digest: slot per hub and month
DIGEST_NOW = Kind("digest-now", "digest")  # an admin's /digest: slot per command message
DIGESTS = Kind("hub-digests")  # the quarter-hourly check behind DIGEST

CHECK_EVERY = timedelta(minutes=15)
MEETINGS_SHOWN = 5
PRACTICES_SHOWN = 5


def digest_moment(hub: Hub, month_of: date, context: BotContext) -> datetime:
    """When the hub's digest for the month is due: its first working day at the nudge time."""
    at = dates.parse_time(hub.nudge_time or DEFAULT_NUDGE_TIME) or dates.parse_time(
        DEFAULT_NUDGE_TIME
    )
    assert at is not None
    day = dates.first_working_day(month_of.year, month_of.month)
    return timing.local(day, at, context.settings.timezone)


async def digest_check_job(context: BotContext) -> None:
    """Deliver each live hub's digest for this month once, from its time until 12 hours after
    (a bot down longer than that skips the month rather than sending it stale)."""
    now = context.services.clock.now()
    today = now.astimezone(context.settings.timezone).date()
    month = dates.month_key(today)
    due: dict[str, Hub] = {}
    for hub in await context.storage.active_hubs():
        moment = digest_moment(hub, today, context)
        if moment <= now < moment + timing.CATCH_UP_LIMIT:
            due[DIGEST.slot(hub.id, month)] = hub

    async def make(hub: Hub) -> tuple[int, Send] | None:
        return hub.chat_id, message_sender(context, await digest_text(context, hub))

    await scheduling.deliver_due(context, DIGEST, due, make)


async def digest_command(update: Update, context: BotContext) -> None:
    """Show the hub's digest now (admins only)."""
    message = update.effective_message
    hub = await admin_hub(update, context, not_admin="digest.admins_only")
    if message is None or hub is None:
        return
    await deliver(
        context,
        kind=DIGEST_NOW,
        slot=DIGEST_NOW.slot(hub.id, message.message_id),
        chat_id=hub.chat_id,
        send=message_sender(context, await digest_text(context, hub)),
    )


async def digest_text(context: BotContext, hub: Hub) -> Safe:
    """Counts only from the minimum group size, practices approved since the start of last
    month, upcoming meetings, and the region's weakest enabler with one nudge for it."""
    strings, storage, content = context.strings, context.storage, context.content
    zone = context.settings.timezone
    now = context.services.clock.now()
    today = now.astimezone(zone).date()
    region = content.directory.region(hub.region).name

    # From the day's snapshot, under the rule every published figure follows (as /compare):
    # it changes only once enough networks' results have, so a day's change names no one.
    published = await context.services.snapshots.get(context, hub.region)
    minimum = context.settings.min_group_size
    networks = len(published.members) if published else 0
    shown = count_or_few(networks, minimum)
    if networks == 0:
        count_line = strings("digest.assessed_none")
    elif shown is None:
        count_line = strings("digest.assessed_few", minimum=minimum)
    else:
        count_line = strings("digest.assessed", count=shown)

    last_month = today.replace(day=1) - timedelta(days=1)
    since = timing.local(last_month.replace(day=1), time(0, 0), zone)
    practices = await storage.practices_approved_between(hub.region, since, now)
    if practices:
        lines = [
            strings("digest.practice", text=p.text, credit=p.credit or strings("digest.anonymous"))
            for p in practices[:PRACTICES_SHOWN]
        ]
        practice_block = Safe("\n".join(lines))
    else:
        practice_block = strings("digest.no_practices")

    meetings = await storage.upcoming_meetings(now, hub.id)
    if meetings:
        lines = []
        for meeting in meetings[:MEETINGS_SHOWN]:
            local = meeting.starts_at.astimezone(zone)
            when = f"{dates.in_words(local.date())}, {local.strftime('%H:%M')}"
            lines.append(strings("digest.meeting", when=when, topic=meeting.topic))
        meeting_block = Safe("\n".join(lines))
    else:
        meeting_block = strings("digest.no_meetings")

    distribution = published.distribution if published else None
    weakest = distribution.weakest_enabler if distribution else None
    if weakest is None:
        weakest_block = strings("digest.no_focus")
    else:
        used = (await storage.nudge_state(hub.id)).used
        fitting = [n for n in content.nudges if n.enabler == weakest]
        nudge = next((n for n in fitting if n.key not in used), fitting[0] if fitting else None)
        enabler = content.model.enabler(weakest).name
        weakest_block = strings(
            "digest.focus",
            enabler=enabler,
            title=nudge.title if nudge else "",
            body=nudge.body if nudge else "",
        )
    digest = strings(
        "digest.message",
        region=region,
        month=f"{dates.MONTHS[today.month - 1].capitalize()} {today.year}",
        assessed=count_line,
        practices=practice_block,
        meetings=meeting_block,
        focus=weakest_block,
    )
    return Safe(f"{digest}\n\n{await _pulse_line(context, hub, now)}")


async def _pulse_line(context: BotContext, hub: Hub, now: datetime) -> Safe:
    """How many of the region's networks ran a member pulse this quarter (issue 24): a number
    only from the minimum group size, and changed only as the publication rule allows, so two
    digests never tell one network's pulse apart."""
    storage, minimum = context.storage, context.settings.min_group_size
    quarter = quarter_of(now.astimezone(context.settings.timezone).date())
    start = timing.local(quarter.first_day, time(0, 0), context.settings.timezone)
    pulsed = await storage.networks_pulsed_between(hub.region, start, now + timedelta(seconds=1))
    previous = await storage.pulse_publication(hub.region, str(quarter))
    before = dict.fromkeys(previous[0], 1) if previous else None
    if replace_figures(
        before, previous[1] if previous else False, dict.fromkeys(pulsed, 1), minimum
    ):
        await storage.save_pulse_publication(
            hub.region, str(quarter), pulsed, count_or_few(len(pulsed), minimum) is not None
        )
        published = pulsed
    else:
        assert previous is not None
        published = previous[0]
    count = count_or_few(len(published), minimum)
    if count is None:
        return context.strings("pulse.digest_few")
    return context.strings("pulse.digest", count=count)


FEATURE = Feature(
    name="digest",
    commands=(Command("digest", digest_command, ("group_admin",)),),
    kinds=(DIGEST, DIGEST_NOW, DIGESTS),
    repeating=(Repeating(DIGESTS, digest_check_job, every=CHECK_EVERY),),
)
