"""/compare latency with 10,000 networks stored: p99 of the whole update, reply included.

Runs the real Application in this process against the fake Bot API; the daily snapshot is
taken by the first request (timed on its own), as it would be once a day. The lead has one
result, so the reply is text only: with a previous result /compare also draws a comparison chart
in a worker thread (about 100 ms of matplotlib, reported in docs/benchmarks.md).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench import seed
from bench.report import Row
from content import load_content
from tests.fakebot import FakeBotApi
from tests.harness import FakeClock, running

NETWORKS = 10_000
REQUESTS = 300
LEAD = 10**9  # the first seeded network's lead


async def run() -> list[Row]:
    content = load_content()
    fake = FakeBotApi()
    await fake.start()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "compare.sqlite3"
        await seed.create(db)
        seed.networks(db, content, NETWORKS, first_user=LEAD)
        async with running(fake, content, db, FakeClock()) as bot:
            started = time.perf_counter()
            await bot.send(LEAD, "/compare")
            first = time.perf_counter() - started
            timings = []
            for _ in range(REQUESTS):
                started = time.perf_counter()
                calls = await bot.send(LEAD, "/compare")
                timings.append(time.perf_counter() - started)
                assert [c.method for c in calls] == ["sendMessage"]
                assert "networks with a result" in calls[0].text
    await fake.stop()
    ordered = sorted(timings)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[int(0.99 * len(ordered)) - 1] * 1000
    return [
        Row(
            name=f"/compare latency, {NETWORKS} networks",
            measured=f"p99 {p99:.1f} ms, p50 {p50:.1f} ms",
            baseline=f"first of day {first * 1000:.0f} ms (takes the snapshot)",
            ratio=f"{p99 / 20:.2f}",
            goal="p99 < 20 ms",
            met=p99 < 20,
            command="python -m bench compare",
        )
    ]
