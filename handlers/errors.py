"""The error handler: log the failure and tell the user their place is safe."""

from __future__ import annotations

import logging
import sqlite3

from telegram import Update
from telegram.error import TelegramError

from bot import logs
from bot.context import BotContext
from handlers.common import is_private

log = logging.getLogger(__name__)


async def error_handler(update: object, context: BotContext) -> None:
    """Log any exception a handler raised; reassure the user in a private chat. A failing
    database fails every update alike, so that is logged at most once a minute."""
    if isinstance(context.error, sqlite3.Error):
        held = logs.DATABASE_ERRORS.allow()
        if held is not None:
            log.error(
                "the database failed: %s (logged at most once a minute; %d more since the last)",
                context.error,
                held,
            )
    else:
        log.error("update %s failed", _update_id(update), exc_info=context.error)
    if not isinstance(update, Update) or not is_private(update) or update.effective_chat is None:
        return
    try:
        await context.bot.send_message(update.effective_chat.id, context.strings("errors.generic"))
    except TelegramError as error:
        log.warning("could not tell chat about the error: %s", error)


def _update_id(update: object) -> str:
    return str(update.update_id) if isinstance(update, Update) else "(not an update)"
