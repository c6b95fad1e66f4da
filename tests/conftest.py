"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from telegram.ext import AIORateLimiter

from bot.app import RATE_LIMIT_RETRIES, build_application
from bot.config import Settings
from bot.context import BotApplication
from content import Content, load_content
from scoring import Model
from tests.fakebot import TOKEN, FakeBotApi
from tests.harness import OPERATOR, FakeClock, Harness

# Property tests judge correctness, not speed: no per-example deadline on a busy CI machine.
hypothesis.settings.register_profile("project", deadline=None)
hypothesis.settings.load_profile("project")

# Seconds the bot waits for the fake's answer; the fake's scripted time-outs take longer.
READ_TIMEOUT = 1.0

# Opt in to python-telegram-bot's timedelta durations, as the bot itself does.
os.environ["PTB_TIMEDELTA"] = "1"


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


@pytest.fixture(scope="session")
def model(content: Content) -> Model:
    return content.model


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi(timeout_delay=READ_TIMEOUT + 0.5)
    await server.start()
    yield server
    await server.stop()


def settings_for(fake: FakeBotApi, db_path: Path, **overrides: Any) -> Settings:
    overrides.setdefault("admin_ids", frozenset({OPERATOR}))
    return Settings(
        token=TOKEN,
        api_base_url=fake.base_url,
        api_base_file_url=fake.file_url,
        db_path=db_path,
        **overrides,
    )


def unthrottled() -> AIORateLimiter:
    """The bot's rate limiter with its RetryAfter handling but without Telegram's pacing, which
    would turn tests of behaviour into waits (the fan-out benchmark measures the pacing)."""
    return AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=RATE_LIMIT_RETRIES)


@asynccontextmanager
async def running(
    fake: FakeBotApi,
    content: Content,
    db_path: Path,
    clock: FakeClock,
    *,
    read_timeout: float = READ_TIMEOUT,
    **overrides: Any,
) -> AsyncIterator[Harness]:
    """A real Application on `db_path`, initialised as run_polling would, torn down after."""
    app = build_application(
        settings_for(fake, db_path, **overrides),
        content,
        clock=clock,
        rate_limiter=unthrottled(),
        read_timeout=read_timeout,
    )
    harness = Harness(app, fake, clock)

    async def collect(update: object, context: Any) -> None:
        harness.errors.append(context.error)

    app.add_error_handler(collect)
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    try:
        yield harness
    finally:
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def bot(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[Harness]:
    """The bot on a fresh database; fails the test if any handler raised."""
    async with running(fake, content, tmp_path / "bot.sqlite3", clock) as harness:
        yield harness
        assert harness.errors == []


@asynccontextmanager
async def polling(app: BotApplication) -> AsyncIterator[BotApplication]:
    """Run `app` as run_polling would, against the fake's getUpdates, until the block ends."""
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=timedelta(seconds=1))
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)
