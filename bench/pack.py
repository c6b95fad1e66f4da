"""The board pack (/report): how long building it takes, and whether others wait meanwhile.

Runs the real Application in this process against the fake Bot API, for a network with 10
results, 12 plan steps and a year of WRES quarters. While each pack is built, another lead sends
/help again and again; their replies' latency shows whether the pack (drawn and typeset in worker
threads) holds up the event loop.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench import seed
from bench.meanwhile import help_until
from bench.report import Row
from bot.context import services_of
from bot.packer import PackBuilder
from bot.rows import WresRow
from content import load_content
from tests.fakebot import FakeBotApi
from tests.harness import FakeClock, Harness, running

PACKS = 20
LEAD = 10**9  # the seeded network's lead
OTHER = 10**9 + 1  # another network's lead, asking for /help meanwhile
QUARTERS = ("2026Q1", "2026Q2", "2026Q3", "2026Q4")


async def _prepare(bot: Harness) -> None:
    """12 open plan steps and four quarters of WRES indicators 2, 3 and 4 for the lead's network."""
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    for number in range(12):
        await bot.storage.add_plan_step(
            network.id,
            LEAD,
            text=f"Step {number + 1}: agree the network's next piece of work with the sponsor",
            owner="Chair",
            due=date(2027, 3, 31) + timedelta(days=30 * number),
            source="",
            open_limit=12,
        )
    for index, quarter in enumerate(QUARTERS):
        for indicator in (2, 3, 4):
            row = WresRow(network.id, indicator, quarter, "", 1000, 400 + 10 * index, 500, 150)
            await bot.storage.save_wres(row, LEAD, replace=False)


async def run() -> list[Row]:
    content = load_content()
    fake = FakeBotApi()
    await fake.start()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "pack.sqlite3"
        await seed.create(db)
        seed.networks(db, content, 2, assessments_each=10, first_user=LEAD)
        async with running(fake, content, db, FakeClock()) as bot:
            await _prepare(bot)
            idle = []
            for _ in range(20):
                started = time.perf_counter()
                await bot.send(OTHER, "/help")
                idle.append(time.perf_counter() - started)
            await bot.send(LEAD, "/report")  # the first pack loads fonts and libraries
            packer = services_of(bot.app).packer
            memory_before = await _settled_rss(packer)
            packs: list[float] = []
            during: list[float] = []
            for _ in range(PACKS):
                done = asyncio.Event()
                helper = asyncio.create_task(help_until(bot, OTHER, done, during))
                started = time.perf_counter()
                calls = await bot.send(LEAD, "/report")
                packs.append(time.perf_counter() - started)
                done.set()
                await helper
                assert any(c.method == "sendDocument" for c in calls), calls
            memory_after = await _settled_rss(packer)
    await fake.stop()
    p95 = _p95(packs)
    help_p95, idle_p95 = _p95(during), _p95(idle)
    return [
        Row(
            name="board pack, 10 results, 12 steps, 4 WRES quarters",
            measured=f"p95 {p95:.2f} s, median {statistics.median(packs):.2f} s",
            baseline="2 s",
            ratio=f"{p95 / 2:.2f}",
            goal="p95 < 2 s",
            met=p95 < 2,
            command="python -m bench pack",
        ),
        Row(
            name="another lead's /help while packs are built",
            measured=f"p95 {help_p95 * 1000:.0f} ms ({len(during)} replies)",
            baseline=f"idle p95 {idle_p95 * 1000:.0f} ms",
            ratio=f"{help_p95 / idle_p95:.2f}",
            goal="(reported)",
            met=True,
            command="python -m bench pack",
        ),
        Row(
            name=f"resident memory (bot + pack worker) after {PACKS} more packs",
            measured=f"{memory_after / 2**20:.0f} MB",
            baseline=f"{memory_before / 2**20:.0f} MB after the first",
            ratio=f"{memory_after / memory_before:.2f}",
            goal="at most 1.3x",
            met=memory_after <= 1.3 * memory_before,
            command="python -m bench pack",
        ),
    ]


def _rss(pid: int) -> int:
    """A process's resident memory in bytes (0 once it has gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


async def _settled_rss(packer: PackBuilder) -> int:
    """The bot's resident memory plus its pack workers', once a replacement worker has warmed
    up and taken over, and the worker it replaced has exited (waiting at most 30 s)."""
    await packer.ready()
    for _ in range(300):
        if len(packer.pids()) <= packer.workers:
            break
        await asyncio.sleep(0.1)
    return _rss(os.getpid()) + sum(_rss(pid) for pid in packer.pids())


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(0.95 * len(ordered)) - 1)]
