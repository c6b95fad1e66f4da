"""Rate limits per chat: while Telegram holds one group for 30 s (429, retry_after=30), how long
a private /whoami takes. Runs the real Application in process against the fake Bot API."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import tempfile
import time
from pathlib import Path

from bench.report import Row
from content import load_content
from tests.fakebot import FakeBotApi
from tests.harness import FakeClock, running

LEAD = 10**9 + 7
ADMIN = 10**9 + 8
GROUP = -(10**12) - 7
REPLIES = 20
HELD_FOR = 30  # seconds Telegram asks the group to wait


async def run() -> list[Row]:
    content = load_content()
    fake = FakeBotApi()
    await fake.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            db = Path(folder) / "ratelimit.sqlite3"
            async with running(fake, content, db, FakeClock()) as bot:
                idle = []
                for _ in range(REPLIES):
                    started = time.perf_counter()
                    await bot.send(LEAD, "/whoami")
                    idle.append(time.perf_counter() - started)
                fake.fail("sendMessage", "retry_after", chat_id=GROUP, retry_after=HELD_FOR)
                group = asyncio.create_task(bot.send(ADMIN, "/help", chat_id=GROUP))
                await fake.wait_for(lambda: any(c.outcome == "retry_after" for c in fake.calls))
                held = []
                for _ in range(REPLIES):
                    started = time.perf_counter()
                    await bot.send(LEAD, "/whoami")
                    held.append(time.perf_counter() - started)
                group.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await group
    finally:
        await fake.stop()
    worst, idle_median = max(held), statistics.median(idle)
    return [
        Row(
            name=f"private /whoami while a group is held {HELD_FOR} s (429)",
            measured=f"max {worst * 1000:.0f} ms, median {statistics.median(held) * 1000:.0f} ms",
            baseline=f"idle median {idle_median * 1000:.0f} ms",
            ratio=f"{worst:.2f} s / 1 s",
            goal="max < 1 s",
            met=worst < 1.0,
            command="python -m bench ratelimit",
        )
    ]
