"""Rate limits per chat: Telegram holding one group for 30 s holds that group only."""

from __future__ import annotations

import asyncio
import contextlib
import time

from telegram.error import RetryAfter

from bot.ratelimit import PerChatRateLimiter
from tests.harness import Harness

LEAD = 1701
ADMIN = 1702
HELD_GROUP = -100170300


async def test_a_group_held_for_30_s_does_not_delay_a_private_reply(bot: Harness) -> None:
    """The fake Bot API answers the group's reply 429 retry_after=30; meanwhile a private
    /whoami is answered in under a second (AIORateLimiter held it about 30 s), and the group's
    reply is still waiting its turn rather than dropped."""
    bot.fake.fail("sendMessage", "retry_after", chat_id=HELD_GROUP, retry_after=30)
    group = asyncio.create_task(bot.send(ADMIN, "/help", chat_id=HELD_GROUP))
    try:
        await bot.fake.wait_for(
            lambda: any(c.outcome == "retry_after" for c in bot.fake.calls), seconds=5
        )
        started = time.monotonic()
        async with asyncio.timeout(5):
            calls = await bot.send(LEAD, "/whoami")
        waited = time.monotonic() - started
        assert waited < 1.0, waited
        assert str(LEAD) in calls[-1].text
        assert not group.done()  # the group's reply waits out its 30 s
        limiter = bot.app.bot.rate_limiter
        assert isinstance(limiter, PerChatRateLimiter)
        assert limiter.held_chats() == [HELD_GROUP]
    finally:
        group.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await group


async def test_a_held_chat_is_retried_after_its_wait() -> None:
    """A request for a held chat waits out retry_after, then goes; a request for another chat
    goes at once, and one without a chat is not held by either."""
    limiter = PerChatRateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=2)
    attempts: list[tuple[int | None, float]] = []
    loop = asyncio.get_running_loop()
    start = loop.time()

    async def send(chat: int | None) -> bool:
        attempts.append((chat, loop.time() - start))
        if chat == -1 and len([a for a in attempts if a[0] == -1]) == 1:
            raise RetryAfter(1)
        return True

    async def request(chat: int | None) -> object:
        data = {} if chat is None else {"chat_id": chat}
        return await limiter.process_request(send, (chat,), {}, "sendMessage", data, None)

    held = asyncio.create_task(request(-1))
    await asyncio.sleep(0.05)
    assert await request(42) is True
    assert await request(None) is True
    assert await held is True
    times = {chat: [t for c, t in attempts if c == chat] for chat in (-1, 42, None)}
    assert times[42][0] < 0.5
    assert times[None][0] < 0.5
    assert times[-1][1] >= 1.0
    assert limiter.held_chats() == []


async def test_retry_after_without_a_chat_still_holds_everything() -> None:
    """Telegram limiting the bot as a whole (no chat in the request) holds every request."""
    limiter = PerChatRateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=1)
    loop = asyncio.get_running_loop()
    start = loop.time()
    seen: list[tuple[str, float]] = []

    async def send(name: str) -> bool:
        seen.append((name, loop.time() - start))
        if name == "getMe" and len(seen) == 1:
            raise RetryAfter(1)
        return True

    first = asyncio.create_task(limiter.process_request(send, ("getMe",), {}, "getMe", {}, None))
    await asyncio.sleep(0.05)
    await limiter.process_request(send, ("private",), {}, "sendMessage", {"chat_id": 5}, None)
    await first
    assert dict(seen)["private"] >= 0.9
