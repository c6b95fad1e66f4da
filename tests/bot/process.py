"""`python -m bot` as a child process against the fake Bot API, and plain HTTP to its server."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from tests.fakebot import TOKEN, FakeBotApi

ROOT = Path(__file__).resolve().parents[2]
WEBHOOK_URL = "https://example.invalid/telegram"
WEBHOOK_SECRET = "webhook-secret-for-tests_0123456789"
# Seconds a child gets to come up (imports, getMe, the database) and to go down on SIGTERM.
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0

_logs = itertools.count(1)


def free_port() -> int:
    """A port nothing listens on now (bind to port 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("", 0))
        port: int = probe.getsockname()[1]
    return port


def bot_env(fake: FakeBotApi, db: Path, **settings: str) -> dict[str, str]:
    """The environment for `python -m bot` on `db` against `fake`, plus `settings`."""
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "BOT_", "WEBHOOK_")) and k not in ("PORT", "LOG_LEVEL")
    }
    return {
        **inherited,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_API_BASE_FILE_URL": fake.file_url,
        "BOT_DB_PATH": str(db),
        "LOG_LEVEL": "INFO",
        "BOT_ENV_FILE": "",  # a developer's .env must not leak into a test
        **settings,
    }


def webhook_settings(port: int) -> dict[str, str]:
    return {
        "BOT_MODE": "webhook",
        "WEBHOOK_URL": WEBHOOK_URL,
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "PORT": str(port),
    }


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        """Everything the process wrote to stdout and stderr so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def wait_healthy(self, seconds: float = START_TIMEOUT) -> None:
        """Wait until GET /health answers 200; fail at once if the process exits."""
        deadline = time.monotonic() + seconds
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                if self.process.returncode is not None:
                    raise AssertionError(f"the bot exited early:\n{self.log()}")
                try:
                    async with session.get(f"{self.url}/health") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"/health never answered 200:\n{self.log()}")

    async def health(self) -> tuple[int, dict[str, Any]]:
        """GET /health: the status and the JSON report."""
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{self.url}/health") as response,
        ):
            return response.status, await response.json()

    async def terminate(
        self, signum: signal.Signals = signal.SIGTERM, seconds: float = STOP_TIMEOUT
    ) -> int:
        """Send `signum`, then the exit status (TimeoutError if it takes over `seconds`)."""
        self.process.send_signal(signum)
        async with asyncio.timeout(seconds):
            return await self.process.wait()


@asynccontextmanager
async def bot_process(
    fake: FakeBotApi, db: Path, logs: Path, **settings: str
) -> AsyncIterator[BotProcess]:
    """`python -m bot` in its own process, output to a file in `logs`; killed if still running
    after the block. `settings` are extra environment variables (PORT defaults to a free one)."""
    port = int(settings.setdefault("PORT", str(free_port())))
    log_path = logs / f"bot-{next(_logs)}.log"
    with log_path.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=ROOT,
            env=bot_env(fake, db, **settings),
            stdout=output,
            stderr=output,
        )
    try:
        yield BotProcess(process, port, log_path)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


@dataclass(frozen=True)
class Finished:
    status: int | None
    stdout: str
    stderr: str


async def run_bot(
    *args: str, env: dict[str, str], seconds: float = START_TIMEOUT, cwd: Path = ROOT
) -> Finished:
    """Run `python -m bot ARGS` in `cwd` to completion (killed after `seconds`)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(seconds):
            out, err = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return Finished(process.returncode, out.decode(), err.decode())
