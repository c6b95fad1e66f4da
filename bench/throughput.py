"""Throughput, growth, memory and start-up of the bot process, each beside an echo bot.

The bot runs in its own process (`python -m bench.worker`, or `python -m bot` for start-up), so
it has a core to itself; this process runs the fake Bot API over loopback HTTP and simulated
leads who wait for each reply before tapping again.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import seed
from bench.report import Row
from content import Content, load_content
from tests.clients import PolledUser
from tests.fakebot import TOKEN, FakeBotApi

ROOT = Path(__file__).resolve().parents[1]
LEADS = 50
PRESSES = 30  # answers per lead in the measured phase
ROUNDS = 5
SMALL, LARGE = 1_000, 100_000  # stored assessments for the growth runs


@dataclass(frozen=True)
class Measured:
    per_second: float  # updates per second of wall-clock time
    per_cpu_second: float  # updates per second of the bot process's own CPU time
    rss_mb: float


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _env(fake: FakeBotApi, db: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    return {
        **clean,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_API_BASE_FILE_URL": fake.file_url,
        "BOT_DB_PATH": str(db),
        "PORT": str(_free_port()),
        "LOG_LEVEL": "WARNING",
        "PTB_TIMEDELTA": "1",
    }


# On a machine with two or more cores the bot gets one to itself and this process (fake Bot
# API and simulated leads) the other, so neither steals the other's time.
BOT_CPU = {1} if (os.cpu_count() or 1) >= 2 else None
DRIVER_CPU = {0} if BOT_CPU else None


async def _spawn(fake: FakeBotApi, db: Path, *args: str) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable, *args, cwd=ROOT, env=_env(fake, db), stderr=asyncio.subprocess.DEVNULL
    )
    if BOT_CPU:
        os.sched_setaffinity(process.pid, BOT_CPU)
    return process


async def _first_poll(fake: FakeBotApi) -> None:
    await fake.wait_for(lambda: any(c.method == "getUpdates" for c in fake.calls), 60)


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time the process (all its threads) has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()


async def _answer(user: PolledUser, presses: int) -> None:
    """Tap an answer (never the top one, so no evidence prompt) and wait for the next item."""
    for turn in range(presses):
        message_id, _, data = user.question()
        await user.press(data[min(turn % 2, len(data) - 2)], message_id)


async def _echo(user: PolledUser, presses: int) -> None:
    for _ in range(presses):
        message_id, rows = user.keyboard()
        await user.press(rows[0][0]["callback_data"], message_id)


async def measure(mode: str, db: Path, users: list[int]) -> Measured:
    """Answers (or echoes) per second with LEADS users tapping PRESSES times each."""
    fake = FakeBotApi()
    await fake.start()
    process = await _spawn(fake, db, "-m", "bench.worker", mode)
    try:
        await _first_poll(fake)
        clients = [PolledUser(fake, user, timeout=120) for user in users]
        opening = "/assess" if mode == "bot" else "hello"
        await asyncio.gather(*(client.send(opening) for client in clients))
        drive = _answer if mode == "bot" else _echo
        started, cpu = time.monotonic(), _cpu_seconds(process.pid)
        await asyncio.gather(*(drive(client, PRESSES) for client in clients))
        elapsed, cpu = time.monotonic() - started, _cpu_seconds(process.pid) - cpu
        rss = _rss_mb(process.pid)
    finally:
        await _stop(process)
        await fake.stop()
    updates = len(users) * PRESSES
    return Measured(per_second=updates / elapsed, per_cpu_second=updates / cpu, rss_mb=rss)


async def _startup(db: Path, *args: str) -> float:
    fake = FakeBotApi()
    await fake.start()
    started = time.monotonic()
    process = await _spawn(fake, db, *args)
    try:
        await _first_poll(fake)
        return time.monotonic() - started
    finally:
        await _stop(process)
        await fake.stop()


Round = tuple[Measured, Measured, Measured]  # echo, bot with few stored, bot with many


@dataclass(frozen=True)
class Paired:
    """The median of per-round ratios, the round it came from, and the ratios' range."""

    ratio: float
    round: Round
    low: float
    high: float

    @property
    def text(self) -> str:
        return f"{self.ratio:.2f} [{self.low:.2f}-{self.high:.2f}]"


def _median_round(
    rounds: list[Round], ratio: Callable[[Measured, Measured, Measured], float]
) -> Paired:
    """The round whose ratio is the median (the lower middle one for an even count)."""
    ranked = sorted(rounds, key=lambda r: ratio(*r))
    middle = ranked[(len(ranked) - 1) // 2]
    values = [ratio(*r) for r in ranked]
    return Paired(ratio(*middle), middle, values[0], values[-1])


def _median(runs: list[Measured]) -> Measured:
    return sorted(runs, key=lambda run: run.per_cpu_second)[len(runs) // 2]


def _ms(run: Measured) -> str:
    return f"{1000 / run.per_cpu_second:.2f} ms"


async def run_all() -> list[Row]:
    if DRIVER_CPU:
        os.sched_setaffinity(0, DRIVER_CPU)
    content: Content = load_content()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        small, large, echo_db, hubs_db = (base / f"{n}.sqlite3" for n in ("s", "l", "e", "h"))
        for db in (small, large, echo_db, hubs_db):
            await seed.create(db)
        seed.networks(small, content, SMALL)
        seed.networks(large, content, LARGE // 10, assessments_each=10)
        users_small = seed.leads(small, LEADS, first_user=1_000)
        users_large = seed.leads(large, LEADS, first_user=1_000)
        seed.hubs(hubs_db, 1_000)

        # Alternating rounds, median of each: a shared virtual machine's speed drifts by 20%
        # from one run to the next, and no single run should decide.
        echo_users = list(range(1_000, 1_000 + LEADS))
        runs: dict[str, list[Measured]] = {"echo": [], "small": [], "large": []}
        for round_number in range(ROUNDS):
            order = ["echo", "small", "large"]
            for name in order[round_number % 3 :] + order[: round_number % 3]:  # no fixed order
                if name == "echo":
                    runs[name].append(await measure("echo", echo_db, echo_users))
                else:
                    db, users = (small, users_small) if name == "small" else (large, users_large)
                    runs[name].append(await measure("bot", db, users))
            users_small = seed.leads(small, LEADS, first_user=users_small[-1] + 1)
            users_large = seed.leads(large, LEADS, first_user=users_large[-1] + 1)
        echo, bot_large = _median(runs["echo"]), _median(runs["large"])
        # Each round's runs follow one another within seconds, at the machine's speed of the
        # moment: ratios are taken within a round. The table shows the round whose ratio is the
        # median (so its rates and its ratio agree), with the ratios' range across rounds.
        rounds = list(zip(runs["echo"], runs["small"], runs["large"], strict=True))
        throughput = _median_round(rounds, lambda e, s, _: s.per_cpu_second / e.per_cpu_second)
        growth = _median_round(rounds, lambda _, s, g: s.per_cpu_second / g.per_cpu_second)
        echo_start = statistics.median(
            [await _startup(echo_db, "-m", "bench.worker", "echo") for _ in range(3)]
        )
        bot_start = statistics.median([await _startup(hubs_db, "-m", "bot") for _ in range(3)])

    # Rates per second of the bot process's own CPU time, the load driver's share left out. (The
    # process is busy throughout, so these are close to the wall-clock rates, also shown.)
    e, s, _ = throughput.round
    _, s2, g = growth.round
    return [
        Row(
            name=f"answer throughput, {LEADS} leads, {SMALL} stored",
            measured=f"{s.per_cpu_second:.0f}/CPU-s ({s.per_second:.0f}/s)",
            baseline=f"echo {e.per_cpu_second:.0f}/CPU-s ({e.per_second:.0f}/s)",
            ratio=throughput.text,
            goal=">= 0.80 of echo",
            met=throughput.ratio >= 0.8,
            command="python -m bench throughput",
        ),
        Row(
            name=f"cost per answer, {LARGE} vs {SMALL} stored",
            measured=f"{_ms(g)} vs {_ms(s2)} CPU",
            baseline=f"{SMALL} stored",
            ratio=growth.text,
            goal="<= 1.20",
            met=growth.ratio <= 1.2,
            command="python -m bench throughput",
        ),
        Row(
            name="resident memory after run, 10000 networks",
            measured=f"{bot_large.rss_mb:.0f} MB",
            baseline=f"echo {echo.rss_mb:.0f} MB",
            ratio=f"{bot_large.rss_mb / echo.rss_mb:.2f}",
            goal="(reported)",
            met=True,
            command="python -m bench throughput",
        ),
        Row(
            name="start-up to first getUpdates, 1000 hubs",
            measured=f"{bot_start:.2f} s",
            baseline=f"echo {echo_start:.2f} s",
            ratio=f"{bot_start / echo_start:.2f}",
            goal="(reported)",
            met=True,
            command="python -m bench throughput",
        ),
    ]
