"""Start-up failures an operator meets: a database from a newer release (a downgrade), and a
Bot API that cannot be reached. Each is one clear line, never a traceback."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.migrations import MIGRATIONS
from bot.storage import DatabaseTooNew, Storage
from tests.bot.process import bot_env, free_port, run_bot
from tests.fakebot import TOKEN, FakeBotApi
from tests.harness import FakeClock

TOKEN_SECRET = TOKEN.split(":", 1)[1]
NEWER = len(MIGRATIONS) + 1


def newer_database(path: Path) -> None:
    with closing(sqlite3.connect(path)) as connection:
        connection.execute(f"PRAGMA user_version = {NEWER}")


async def test_storage_refuses_a_newer_schema(tmp_path: Path) -> None:
    """Storage.open refuses a database migrated by a newer release, and leaves it as it was."""
    db = tmp_path / "bot.sqlite3"
    newer_database(db)
    with pytest.raises(DatabaseTooNew, match=f"has schema version {NEWER}, but this version"):
        await Storage.open(db, FakeClock())
    with closing(sqlite3.connect(db)) as connection:
        assert connection.execute("PRAGMA user_version").fetchone() == (NEWER,)
        assert connection.execute("SELECT count(*) FROM sqlite_schema").fetchone() == (0,)


async def test_bot_on_a_newer_database_stops_with_one_line(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    """`python -m bot` on a newer schema exits 1 with a line saying so, and no traceback."""
    db = tmp_path / "bot.sqlite3"
    newer_database(db)
    finished = await run_bot(env=bot_env(fake, db, PORT=str(free_port())))
    assert finished.status == 1
    assert (
        f"cannot start: the database {db} has schema version {NEWER}, but this version of the "
        f"bot knows only up to {len(MIGRATIONS)}"
    ) in finished.stderr
    assert "Traceback" not in finished.stderr


async def test_unreachable_bot_api_is_said_so_with_its_address(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    """No Bot API at the address: the log says it could not be reached there (no token), not
    that it answered."""
    closed = f"http://127.0.0.1:{free_port()}/bot"
    env = bot_env(fake, tmp_path / "bot.sqlite3", TELEGRAM_API_BASE_URL=closed)
    finished = await run_bot(env=env)
    assert finished.status == 1
    assert f"cannot start: could not reach the Bot API at {closed} (" in finished.stderr
    assert "answered" not in finished.stderr
    assert TOKEN_SECRET not in finished.stderr
    assert "Traceback" not in finished.stderr


async def test_an_address_that_is_not_the_bot_api_is_said_so_at_start(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    """TELEGRAM_API_BASE_URL answering a non-JSON 404 once gave a traceback and "Telegram
    rejected TELEGRAM_BOT_TOKEN"; now one line says the address is not the Bot API."""
    wrong = fake.base_url.removesuffix("/bot") + "/not-the-api/bot"
    env = bot_env(fake, tmp_path / "bot.sqlite3", TELEGRAM_API_BASE_URL=wrong)
    finished = await run_bot(env=env)
    assert finished.status == 1
    assert (
        f"cannot start: the API address {wrong} answered something that is not the Bot API"
        in finished.stderr
    )
    assert "rejected" not in finished.stderr
    assert "Traceback" not in finished.stderr
    assert TOKEN_SECRET not in finished.stderr
