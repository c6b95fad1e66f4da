"""For the bot's operators (BOT_ADMIN_IDS): /whoami, the start-up line about them, and their
weekly digest."""

from __future__ import annotations

import json
import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import Update

from bot import backup, timing
from bot.context import BotContext
from bot.scheduling import OPERATOR_DIGEST, Send, deliver_due, message_sender
from bot.storage import Storage
from content.strings import Safe
from handlers.common import private_sender

log = logging.getLogger(__name__)

CHECK_EVERY = timedelta(minutes=15)
# Monday at this local time; a bot that was down then still sends it within the catch-up limit.
DIGEST_AT = time(8, 0)
PROBLEMS_SINCE = timedelta(days=7)
# Pending practices listed one by one; the rest are counted.
MAX_LISTED = 10


async def whoami_command(update: Update, context: BotContext) -> None:
    """Tell the sender their Telegram id and whether they are an operator."""
    sender = await private_sender(update, context)
    if sender is None:
        return
    message, user = sender
    strings = context.strings
    role = "whoami_operator" if user.id in context.settings.admin_ids else "whoami_not_operator"
    text = f"{strings('operators.whoami', user_id=user.id)}\n{strings(f'operators.{role}')}"
    await message.reply_text(text)


async def describe_operators(storage: Storage, operators: frozenset[int], username: str) -> str:
    """The start-up log line: who the operators are, and who cannot be messaged yet."""
    if not operators:
        return (
            "no operators: set BOT_ADMIN_IDS to operators' Telegram ids "
            "(each can send /whoami to the bot to learn theirs)"
        )
    listed = ", ".join(str(operator) for operator in sorted(operators))
    missing = sorted(operators - await storage.known_users(sorted(operators)))
    if not missing:
        return f"operators (BOT_ADMIN_IDS): {listed}"
    waiting = ", ".join(str(operator) for operator in missing)
    return (
        f"operators (BOT_ADMIN_IDS): {listed}; not yet in a private chat with the bot, so it "
        f"cannot message them: {waiting} (each should open @{username} and send /start)"
    )


def digest_week(now: datetime, timezone: ZoneInfo) -> str | None:
    """This week's ISO week (e.g. 2027-W09) while the digest is due, else None.

    Due from Monday 08:00 local time, as long as a missed message may still be caught up.
    """
    at = timing.weekly_slot_at_or_before(0, DIGEST_AT, timezone, now)
    if timing.catch_up(at, now, delivered=False) is not timing.CatchUp.SEND:
        return None
    year, week, _ = at.astimezone(timezone).date().isocalendar()
    return f"{year}-W{week:02d}"


async def operator_digest_job(context: BotContext) -> None:
    """Send each operator this week's digest once, from Monday 08:00 (checked every 15 min)."""
    operators = context.settings.admin_ids
    now = context.services.clock.now()
    week = digest_week(now, context.settings.timezone)
    if week is None or not operators:
        return
    texts: list[str] = []  # the digest is worked out once, and only if someone still needs it

    async def digest(operator: int) -> tuple[int, Send]:
        if not texts:
            texts.append(await digest_text(context, week, now))
        return operator, message_sender(context, texts[0])

    slots = {OPERATOR_DIGEST.slot(week, operator): operator for operator in sorted(operators)}
    await deliver_due(context, OPERATOR_DIGEST, slots, digest)


async def digest_text(context: BotContext, week: str, now: datetime) -> str:
    """The digest: pending reviews with their age, delivery problems, database size, backup."""
    storage, strings = context.storage, context.strings
    timezone = context.settings.timezone
    lines = [strings("operators.digest_title", week=week)]
    hubs = await storage.pending_hubs()
    if not hubs:
        lines.append(strings("operators.digest_hubs_none"))
    else:
        lines.append(strings("operators.digest_hubs", count=len(hubs)))
        for hub in hubs[:MAX_LISTED]:
            region = context.content.directory.region(hub.region).name
            lines.append(strings("operators.digest_hub", chat_id=hub.chat_id, region=region))
    pending = await storage.pending_practices()
    if not pending:
        lines.append(strings("operators.digest_practices_none"))
    else:
        lines.append(strings("operators.digest_practices", count=len(pending)))
        names = {region.key: region.name for region in context.content.directory.regions}
        for practice in pending[:MAX_LISTED]:
            lines.append(
                strings(
                    "operators.digest_practice",
                    id=practice.id,
                    region=names.get(practice.region, practice.region),
                    days=(now - practice.submitted_at).days,
                )
            )
        if len(pending) > MAX_LISTED:
            lines.append(
                strings("operators.digest_practices_more", count=len(pending) - MAX_LISTED)
            )
    problems = await storage.delivery_problems(now - PROBLEMS_SINCE)
    if not problems:
        lines.append(strings("operators.digest_deliveries_none"))
    else:
        lines.append(strings("operators.digest_deliveries"))
        for problem in problems:
            lines.append(
                strings(
                    "operators.digest_delivery",
                    kind=problem.kind,
                    count=problem.count,
                    status=problem.status,
                )
            )
    lines.append(await retention_line(context, now))
    lines.append(strings("operators.digest_size", size=human_size(await storage.database_bytes())))
    last = backup.last_backup(context.settings.db_path)
    if last is None:
        lines.append(strings("operators.digest_backup_never"))
    else:
        when = last.astimezone(timezone).strftime("%Y-%m-%d %H:%M")
        lines.append(strings("operators.digest_backup", when=f"{when} ({timezone.key})"))
    return "\n".join(lines)


RETENTION_COUNTS = ("networks", "warned", "deliveries", "pairings", "rsvps", "audit", "backups")


async def retention_line(context: BotContext, now: datetime) -> Safe:
    """What the daily retention runs of the last week deleted, in counts only."""
    total = dict.fromkeys(RETENTION_COUNTS, 0)
    for report in await context.storage.retention_reports(now - PROBLEMS_SINCE):
        try:
            counts = json.loads(report)
        except ValueError:
            continue
        for key in RETENTION_COUNTS:
            value = counts.get(key) if isinstance(counts, dict) else None
            if isinstance(value, int):
                total[key] += value
    if not any(total.values()):
        return context.strings("retention.digest_none")
    return context.strings("retention.digest", **total)


def human_size(size: int) -> str:
    """Bytes as B, KB, MB or GB (powers of 1,024), one decimal from KB up."""
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
