"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import hypothesis
import pytest

from content import Content, load_content
from scoring import Model
from tests.fakebot import FakeBotApi
from tests.harness import READ_TIMEOUT, FakeClock, Harness, running

# Property tests judge correctness, not speed: no per-example deadline on a busy CI machine.
hypothesis.settings.register_profile("project", deadline=None)
hypothesis.settings.load_profile("project")

# Opt in to python-telegram-bot's timedelta durations, as the bot itself does.
os.environ["PTB_TIMEDELTA"] = "1"
# No developer's .env leaks into a test (bot/dotenv.py).
os.environ["BOT_ENV_FILE"] = ""


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
