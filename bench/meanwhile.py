"""What another lead sees while the bot is busy: /help, timed, over and over."""

from __future__ import annotations

import asyncio
import time

from tests.harness import Harness


async def help_until(
    bot: Harness, user_id: int, done: asyncio.Event, latencies: list[float]
) -> None:
    """Send /help as `user_id` every 10 ms until `done`, recording each reply's latency."""
    while not done.is_set():
        started = time.perf_counter()
        await bot.send(user_id, "/help")
        latencies.append(time.perf_counter() - started)
        await asyncio.sleep(0.01)
