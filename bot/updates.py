"""Process updates concurrently across chats but one at a time within a chat.

Many leads can answer at once, while one lead's double tap or quick "answer then note" is handled
in the order Telegram sent it.

One busy chat must not slow the others. A group can send commands far faster than the bot may
answer there (Telegram allows about 20 messages a minute per group), so its updates queue up.
They queue on the chat's own lock, holding nothing shared: an update takes one of the shared
slots (`max_concurrent_updates`) only when it is its chat's turn. And a chat's queue is bounded:
past `GROUP_COMMAND_BACKLOG` waiting updates in a group, further commands are dropped (logged at
most once a minute per chat); past `CHAT_BACKLOG` in any chat, anything further is.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from telegram import Chat, MessageEntity, Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

# Updates one group may have waiting or running before its further commands are dropped.
GROUP_COMMAND_BACKLOG = 50
# Updates any one chat may have waiting or running before anything further is dropped. A person
# cannot tap this fast; it bounds what a misbehaving client can make the bot hold.
CHAT_BACKLOG = 500
# Seconds between two log lines about one chat's dropped updates.
DROP_LOG_INTERVAL = 60.0
# python-telegram-bot's process_update() takes the base class's semaphore before
# do_process_update() is shown the update, so that semaphore cannot tell chats apart. It is set
# this high only as a safety net on updates accepted (waiting or running) across all chats; the
# per-chat bounds above keep far below it, and the shared limit on running updates is our own.
ACCEPTED_LIMIT = 100_000


@dataclass
class _Chat:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    pending: int = 0  # updates accepted for this chat: the one running and those waiting


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """At most `max_concurrent_updates` updates run at once, at most one per chat, and a chat's
    waiting updates hold no shared slot."""

    def __init__(
        self, max_concurrent_updates: int = 256, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_concurrent_updates < 1:
            raise ValueError("max_concurrent_updates must be a positive integer")
        super().__init__(ACCEPTED_LIMIT)
        self.running_limit = max_concurrent_updates
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._chats: dict[int, _Chat] = {}
        self._logged: dict[int, float] = {}
        self._clock = clock  # seconds, for spacing the log lines about dropped updates
        self.dropped = 0

    async def do_process_update(self, update: object, coroutine: Awaitable[object]) -> None:
        key = _key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        chat = self._chats.get(key)
        if chat is None:
            chat = self._chats[key] = _Chat()
        if _over_backlog(update, chat.pending):
            self._drop(key, chat.pending, coroutine)
            return
        chat.pending += 1
        try:
            # The chat's lock first: while it waits its turn, an update holds no shared slot.
            async with chat.lock, self._slots:
                await coroutine
        finally:
            chat.pending -= 1
            if not chat.pending:
                del self._chats[key]

    def _drop(self, key: int, pending: int, coroutine: Awaitable[object]) -> None:
        if inspect.iscoroutine(coroutine):
            coroutine.close()  # never started: closing it keeps asyncio from warning
        self.dropped += 1
        now = self._clock()
        last = self._logged.get(key)
        if last is not None and now - last < DROP_LOG_INTERVAL:
            return
        # Forget chats not logged about for a while, so this map stays small.
        self._logged = {k: t for k, t in self._logged.items() if now - t < DROP_LOG_INTERVAL}
        self._logged[key] = now
        log.warning(
            "chat %s has %d updates waiting: dropping what it sends beyond that "
            "(logged at most once a minute per chat)",
            key,
            pending,
        )

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def _key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user else None


def _over_backlog(update: object, pending: int) -> bool:
    """Whether an update arriving behind `pending` others of its chat is to be dropped."""
    if pending >= CHAT_BACKLOG:
        return True
    if pending < GROUP_COMMAND_BACKLOG or not isinstance(update, Update):
        return False
    chat = update.effective_chat
    if chat is None or chat.type == Chat.PRIVATE:
        return False
    return _is_command(update)


def _is_command(update: Update) -> bool:
    message = update.message or update.edited_message
    if message is None or not message.entities:
        return False
    first = message.entities[0]
    return first.type == MessageEntity.BOT_COMMAND and first.offset == 0
