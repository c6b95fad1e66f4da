"""Rate limits per chat: Telegram's RetryAfter for one chat holds that chat only.

python-telegram-bot's AIORateLimiter keeps the overall budget (about 30 messages a second) and
each group's (about 20 a minute), which this keeps. But when Telegram answers any request with
429 and retry_after, it holds every request of the bot until the wait is over: one busy group
told to wait 30 s made a private /whoami wait 29.7 s. Here a RetryAfter for a request to a chat
holds only that chat's requests; one for a request without a chat (Telegram limiting the bot
as a whole) still holds them all, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
Answer = bool | JSONDict | list[JSONDict]
# Seconds added to Telegram's retry_after before trying again (as python-telegram-bot does).
MARGIN = 0.1


def _chat_key(data: dict[str, Any]) -> int | str | None:
    """The chat a request is for: its chat_id as an int (or an @channel name), or None."""
    chat_id = data.get("chat_id")
    if chat_id is None:
        return None
    with contextlib.suppress(ValueError, TypeError):
        return int(chat_id)
    return str(chat_id)


class PerChatRateLimiter(AIORateLimiter):
    """AIORateLimiter's overall and per-group budgets, with RetryAfter held per chat."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Chat -> the loop time until which Telegram asked us not to send to it.
        self._held: dict[int | str, float] = {}

    def held_chats(self) -> list[int | str]:
        """The chats still held by a RetryAfter (for tests and logs)."""
        now = asyncio.get_running_loop().time()
        return [chat for chat, until in self._held.items() if until > now]

    async def _wait_for(self, chat: int | str | None) -> None:
        if chat is None:
            return
        loop = asyncio.get_running_loop()
        while (until := self._held.get(chat)) is not None:
            remaining = until - loop.time()
            if remaining <= 0:
                # Gone once the wait is over, so the map holds only chats still waiting.
                if self._held.get(chat) == until:
                    del self._held[chat]
                return
            await asyncio.sleep(remaining)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Answer]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Answer:
        """Send within the budgets; on RetryAfter wait (holding only this request's chat, or
        everything for a request without one) and try again, up to max_retries times."""
        max_retries = rate_limit_args or self._max_retries
        chat = _chat_key(data)
        # Groups and channels (negative ids, @names) have their own budget, as in AIORateLimiter.
        group: int | str | bool = False
        if isinstance(chat, str) or (isinstance(chat, int) and chat < 0):
            group = chat
        paid = bool(data.get("allow_paid_broadcast", False))
        loop = asyncio.get_running_loop()
        for attempt in range(max_retries + 1):
            await self._wait_for(chat)
            try:
                return await self._run_request(
                    chat=chat is not None,
                    group=group,
                    allow_paid_broadcast=paid,
                    callback=callback,
                    args=args,
                    kwargs=kwargs,
                )
            except RetryAfter as error:
                if attempt == max_retries:
                    log.warning(
                        "%s: still rate limited after %d retries (chat %s)",
                        endpoint,
                        max_retries,
                        chat,
                    )
                    raise
                wait = error._retry_after.total_seconds() + MARGIN
                if chat is None:
                    log.info("%s: rate limited for the whole bot: waiting %.1f s", endpoint, wait)
                    self._retry_after_event.clear()
                    try:
                        await asyncio.sleep(wait)
                    finally:
                        self._retry_after_event.set()
                    continue
                log.info("%s: chat %s rate limited: holding it %.1f s", endpoint, chat, wait)
                until = loop.time() + wait
                self._held[chat] = max(self._held.get(chat, 0.0), until)
        raise AssertionError("unreachable: the last attempt returns or raises")
