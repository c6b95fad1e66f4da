"""What the bot says to input it does not expect: it hints, and changes nothing."""

from __future__ import annotations

from dataclasses import replace

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.context import BotContext
from bot.feature import Feature
from bot.rows import User
from handlers.common import answer_query, is_private


async def private_text(update: Update, context: BotContext) -> None:
    """Route free text by what the user's conversation expects next."""
    message, tg_user = update.effective_message, update.effective_user
    if message is None or tg_user is None:
        return
    # A stray message changes nothing, but for dropping an entry that has gone stale.
    user = await context.storage.user(tg_user.id)
    if user is not None:
        user = await _fresh(context, user, drop=True)
        for route in context.services.routes.text:
            if await route.handle(update, context, user):
                return
    await message.reply_text(context.strings("errors.unexpected"))


async def _fresh(context: BotContext, user: User, *, drop: bool) -> User:
    """The user with their half-typed entry, unless it has gone stale (the one place the rule
    is applied): free text drops a stale entry and goes wherever it otherwise would."""
    entry = user.entry
    if entry is None or not entry.stale(context.services.clock.now()):
        return user
    if drop:
        await context.storage.set_entry(user.id, None)  # one chat's updates come in order
    return replace(user, entry=None)


async def other_private_message(update: Update, context: BotContext) -> None:
    """Stickers, photos, voice notes and the like: a hint, nothing else."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    known = await context.storage.user(user.id)
    key = None
    if known is not None:
        known = await _fresh(context, known, drop=False)
        for route in context.services.routes.text:
            if key := await route.waiting(context, known):
                break
    await message.reply_text(context.strings(key or "errors.unexpected"))


async def unknown_command(update: Update, context: BotContext) -> None:
    """Answer an unknown command in private, or one addressed to this bot in a group."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    command = message.text.split()[0]
    addressed = command.lower().endswith(f"@{(context.bot.username or '').lower()}")
    if is_private(update) or addressed:
        await message.reply_text(context.strings("errors.unknown_command"))


async def expired_button(update: Update, context: BotContext) -> None:
    """A button whose data this bot does not recognise (old, or forged)."""
    if update.callback_query is not None:
        await answer_query(update.callback_query, context.strings("errors.button_expired"))


_PRIVATE = filters.ChatType.PRIVATE

# Last of all: anything no feature took. Its handlers come after every other feature's.
FEATURE = Feature(
    name="fallback",
    handlers=(
        CallbackQueryHandler(expired_button),
        MessageHandler(_PRIVATE & filters.TEXT & ~filters.COMMAND, private_text),
        MessageHandler(filters.COMMAND, unknown_command),
        MessageHandler(
            _PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL, other_private_message
        ),
    ),
)
