"""Sending scheduled messages at most once, and as reliably as that allows.

A delivery is claimed in the database under a unique slot key before anything is sent, and
finished after; a slot already claimed is never sent again, whatever restarts happen. Retries
happen below this (AIORateLimiter waits out RetryAfter; bot.request retries 5xx answers and
failed connections, but not a timed-out send, which may have arrived). Here: Forbidden marks the
chat unreachable, a group that became a supergroup is followed to its new id, and every outcome
is recorded against the slot.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.context import BotContext

log = logging.getLogger(__name__)

Send = Callable[[int], Awaitable[object]]


def message_sender(
    context: BotContext, text: str, markup: InlineKeyboardMarkup | None = None
) -> Send:
    """A `send` for deliver(): this text (and buttons) to whichever chat id it is given."""

    async def send(chat_id: int) -> object:
        return await context.bot.send_message(chat_id, text, reply_markup=markup)

    return send


def nudge_job_name(hub_id: int) -> str:
    return f"nudge:{hub_id}"


# Scheduled sends still run if the event loop was busy at their time (APScheduler would otherwise
# drop a job over a second late), up to the same 12 hours the start-up catch-up allows.
CATCH_UP_LIMIT = timedelta(hours=12)
SCHEDULED_JOB_KWARGS = {"misfire_grace_time": int(CATCH_UP_LIMIT.total_seconds())}


async def deliver(
    context: BotContext,
    *,
    slot: str,
    chat_id: int,
    kind: str,
    send: Send,
    detail: str | None = None,
) -> str:
    """Send once for `slot`. Returns sent, duplicate, unknown (timed out), forbidden or failed."""
    storage = context.storage
    if not await storage.claim(slot, chat_id, kind, detail):
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


async def mark_unreachable(context: BotContext, chat_id: int) -> None:
    """The bot was removed from a group or blocked by a user: stop messaging that chat."""
    storage = context.storage
    if chat_id < 0:
        hub = await storage.hub_by_chat(chat_id)
        if hub is not None:
            await storage.set_hub_active(hub.id, False)
            if context.jobs is not None:
                for job in context.jobs.get_jobs_by_name(nudge_job_name(hub.id)):
                    job.schedule_removal()
            log.info("hub %s (chat %s) marked inactive: the bot was removed", hub.id, chat_id)
    else:
        await storage.set_user_active(chat_id, False)
        log.info("user %s marked inactive: they blocked the bot", chat_id)
