"""The input boundary: every update's typed text loses its control characters before any
handler reads it, so nothing stored or sent carries a NUL, an ESC or a bidirectional override."""

from __future__ import annotations

from telegram import Message, Update, User

from bot.context import BotContext
from scoring.text import clean


def _clean_user(user: User | None) -> None:
    if user is None:
        return
    with user._unfrozen():
        user.first_name = clean(user.first_name)
        if user.last_name is not None:
            user.last_name = clean(user.last_name)


def _clean_message(message: Message | None) -> None:
    if message is None:
        return
    with message._unfrozen():
        if message.text is not None:
            message.text = clean(message.text)
        if message.caption is not None:
            message.caption = clean(message.caption)
    _clean_user(message.from_user)


async def clean_update(update: object, context: BotContext) -> None:
    """Remove control characters from the text, caption and sender's names of an update
    (registered in the first group, ahead of every handler)."""
    if not isinstance(update, Update):
        return
    _clean_message(update.message)
    _clean_message(update.edited_message)
    _clean_message(update.channel_post)
    if update.callback_query is not None:
        _clean_user(update.callback_query.from_user)
