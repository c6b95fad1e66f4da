"""For the bot's operators (BOT_ADMIN_IDS): /whoami, the start-up line about them, and their
weekly digest."""

from __future__ import annotations

import json
import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.error import TelegramError

from bot import audit, backup
from bot.context import BotContext
from bot.feature import Command, Feature
from bot.scheduling import Kind, Repeating, Send, deliver_due, message_sender
from bot.storage import Storage
from content.strings import Safe
from handlers import callbacks, render
from handlers.common import is_operator, keyboard, private_sender
from scoring import timing

log = logging.getLogger(__name__)

# Scheduled and once-only messages this feature sends (job and ledger slot names).
OPERATOR_DIGEST = Kind("opdigest")  # an operator's weekly digest: slot per ISO week and operator
OPERATOR_DIGESTS = Kind("operator-digest")  # the quarter-hourly check behind OPERATOR_DIGEST

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
    unverified = await storage.unverified_networks()
    if not unverified:
        lines.append(strings("gov.digest_unverified_none"))
    else:
        lines.append(strings("gov.digest_unverified", count=len(unverified)))
        for network in unverified[:MAX_LISTED]:
            region = context.content.directory.region(network.region).name
            lines.append(
                strings(
                    "gov.digest_unverified_line",
                    organisation=network.organisation,
                    network=network.name,
                    region=region,
                    id=network.id,
                )
            )
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


# -- governance (issue 20): restore a lead, transfer ownership, verify networks ----------------


async def _operator_args(
    update: Update, context: BotContext, usage: str
) -> tuple[int, int, int] | None:
    """(operator, network id, user id) from `/<command> <network id> <user id>`; None (after
    answering) for anyone else or anything else."""
    sender = await private_sender(update, context)
    if sender is None:
        return None
    message, user = sender
    strings = context.strings
    if not is_operator(context, user.id):
        await message.reply_text(strings("gov.operators_only"))
        return None
    args = context.args or []
    if len(args) != 2 or not all(a.isdigit() and len(a) < 16 for a in args):
        await message.reply_text(strings(usage))
        return None
    return user.id, int(args[0]), int(args[1])


async def restore_lead_command(update: Update, context: BotContext) -> None:
    """/restorelead <network id> <user id>: an operator puts a lead back on a network."""
    found = await _operator_args(update, context, "gov.restore_usage")
    message = update.effective_message
    if found is None or message is None:
        return
    operator, network_id, user_id = found
    strings, storage = context.strings, context.storage
    network = await storage.network(network_id)
    if network is None or not await storage.restore_lead(network_id, user_id):
        await message.reply_text(strings("gov.restore_failed"))
        return
    log.info("an operator restored a lead of network %s", network_id)
    await storage.audit(operator, audit.LEAD_RESTORED, user_id)
    await message.reply_text(strings("gov.restored", network=network.name))
    await _tell(context, user_id, strings("gov.you_were_restored", network=network.name))


async def transfer_command(update: Update, context: BotContext) -> None:
    """/transfer <network id> <user id>: an operator makes a current lead the owner."""
    found = await _operator_args(update, context, "gov.transfer_usage")
    message = update.effective_message
    if found is None or message is None:
        return
    operator, network_id, user_id = found
    strings, storage = context.strings, context.storage
    network = await storage.network(network_id)
    if network is None or not await storage.transfer_ownership(network_id, user_id):
        await message.reply_text(strings("gov.transfer_failed"))
        return
    log.info("an operator transferred ownership of network %s", network_id)
    await storage.audit(operator, audit.OWNER_TRANSFERRED, network_id)
    await message.reply_text(strings("gov.transferred", network=network.name))
    await _tell(context, user_id, strings("gov.now_owner", network=network.name))
    if network.owner_id is not None and network.owner_id != user_id:
        await _tell(context, network.owner_id, strings("gov.handed_over", network=network.name))


async def verify_command(update: Update, context: BotContext) -> None:
    """/verify: an operator gets the Verify card of each network awaiting verification."""
    sender = await private_sender(update, context)
    if sender is None:
        return
    message, user = sender
    strings = context.strings
    if not is_operator(context, user.id):
        await message.reply_text(strings("gov.operators_only"))
        return
    waiting = await context.storage.unverified_networks()
    if not waiting:
        await message.reply_text(strings("gov.none_to_verify"))
        return
    await message.reply_text(strings("gov.to_verify", count=len(waiting)))
    for network in waiting[:MAX_LISTED]:
        button = keyboard([[(strings("gov.verify_button"), callbacks.encode("nv", network.id))]])
        await message.reply_text(render.verify_card(context.content, network), reply_markup=button)


async def _tell(context: BotContext, user_id: int, text: str) -> None:
    try:
        await context.bot.send_message(user_id, text)
    except TelegramError as error:
        log.info("could not tell %s about an operator's change: %s", user_id, error)


FEATURE = Feature(
    name="operators",
    commands=(
        Command("whoami", whoami_command, ("private",)),
        Command("restorelead", restore_lead_command, ("operator",)),
        Command("transfer", transfer_command, ("operator",)),
        Command("verify", verify_command, ("operator",)),
    ),
    kinds=(OPERATOR_DIGEST, OPERATOR_DIGESTS),
    repeating=(Repeating(OPERATOR_DIGESTS, operator_digest_job, every=CHECK_EVERY),),
)
