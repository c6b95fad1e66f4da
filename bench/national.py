"""The national picture (/national): how long building it takes for 10,000 verified networks
with two results each, and whether another lead waits meanwhile.

Runs the real Application in this process against the fake Bot API. Each round forgets the
pictures published before, so every /national reads, builds, suppresses and typesets the whole
picture (the PDF and the CSV); another lead sends /help again and again meanwhile.
"""

from __future__ import annotations

import asyncio
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import seed
from bench.meanwhile import help_until
from bench.report import Row
from bot.clock import iso
from content import load_content
from tests.fakebot import FakeBotApi
from tests.harness import FakeClock, running

NETWORKS = 10_000
ROUNDS = 10
OPERATOR = 42
OTHER = 10**9 + NETWORKS + 1  # a lead asking for /help meanwhile
GOAL = 5.0  # seconds, p95


def _prepare(db: Path, statements: list[str]) -> None:
    """Every network verified, a WRES quarter of each indicator for every third one, and two
    closed member pulses (the latest one read) for every other one."""
    now = iso(datetime.now(UTC))
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE networks SET verified_at = ?, verified_by = ?", (now, OPERATOR))
        ids = [row[0] for row in connection.execute("SELECT id FROM networks WHERE id % 3 = 0")]
        connection.executemany(
            "INSERT INTO wres_quarters (network_id, indicator, quarter, label, white_size, "
            "white_count, bme_size, bme_count, entered_at) VALUES (?, ?, ?, '', ?, ?, ?, ?, ?)",
            [
                (network, indicator, "2026Q4", 1000, 300 + network % 50, 400, 90, now)
                for network in ids
                for indicator in (2, 3, 4)
            ],
        )
        pulsed = [row[0] for row in connection.execute("SELECT id FROM networks WHERE id % 2 = 0")]
        for earlier in (True, False):
            connection.executemany(
                "INSERT INTO pulses (network_id, code, opened_by, opened_at, closes_at, "
                "closed_at, answers) VALUES (?, ?, ?, ?, ?, ?, 12)",
                [(n, f"bench-{n}-{earlier}", OPERATOR, now, now, now) for n in pulsed],
            )
        connection.executemany(
            "INSERT INTO pulse_counts (pulse_id, statement, option, count) VALUES (?, ?, ?, 2)",
            [
                (pulse, statement, option)
                for (pulse,) in connection.execute("SELECT id FROM pulses").fetchall()
                for statement in statements
                for option in range(6)
            ],
        )
        connection.commit()


def _forget_pictures(db: Path) -> None:
    with sqlite3.connect(db) as connection:
        connection.execute("DELETE FROM national_pictures")
        connection.commit()


async def run() -> list[Row]:
    content = load_content()
    fake = FakeBotApi()
    await fake.start()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "national.sqlite3"
        await seed.create(db)
        seed.networks(db, content, NETWORKS, assessments_each=2)
        _prepare(db, [statement.key for statement in content.pulse.statements])
        clock = FakeClock(datetime.now(UTC))
        operators = frozenset({OPERATOR})
        async with running(fake, content, db, clock, admin_ids=operators) as bot:
            idle = []
            for _ in range(20):
                started = time.perf_counter()
                await bot.send(OTHER, "/help")
                idle.append(time.perf_counter() - started)
            await bot.send(OPERATOR, "/national")  # the first loads fonts and libraries
            builds: list[float] = []
            during: list[float] = []
            for _ in range(ROUNDS):
                _forget_pictures(db)
                done = asyncio.Event()
                helper = asyncio.create_task(help_until(bot, OTHER, done, during))
                started = time.perf_counter()
                calls = await bot.send(OPERATOR, "/national")
                builds.append(time.perf_counter() - started)
                done.set()
                await helper
                documents = [c for c in calls if c.method == "sendDocument"]
                assert len(documents) == 2, calls
            picture = (await bot.storage.national_pictures())[-1].data
            assert picture["england"]["n"] == NETWORKS, picture["england"]
            assert picture["pulses"]["networks"] == NETWORKS // 2, picture["pulses"]
    await fake.stop()
    p95, help_p95, idle_p95 = _p95(builds), _p95(during), _p95(idle)
    return [
        Row(
            name=f"national picture, {NETWORKS:,} verified networks with two results each",
            measured=f"p95 {p95:.2f} s, median {statistics.median(builds):.2f} s",
            baseline=f"{GOAL:.0f} s",
            ratio=f"{p95 / GOAL:.2f}",
            goal=f"p95 < {GOAL:.0f} s",
            met=p95 < GOAL,
            command="python -m bench national",
        ),
        Row(
            name="another lead's /help while those pictures are built",
            measured=f"p95 {help_p95 * 1000:.0f} ms ({len(during)} replies)",
            baseline=f"idle p95 {idle_p95 * 1000:.0f} ms",
            ratio=f"{help_p95 / idle_p95:.2f}",
            goal="<= 2× idle",
            met=help_p95 <= 2 * idle_p95,
            command="python -m bench national",
        ),
    ]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(0.95 * len(ordered)) - 1)]
