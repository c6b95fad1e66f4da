"""`python -m bot` as a process: health check, one instance per database, SIGTERM, webhook mode,
and what reaches its log."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.__main__ import USAGE, main
from bot.app import allowed_updates
from bot.clock import SystemClock
from bot.storage import Storage
from content import Content
from tests.bot.process import (
    WEBHOOK_SECRET,
    WEBHOOK_URL,
    BotProcess,
    Finished,
    bot_env,
    bot_process,
    free_port,
    run_bot,
    webhook_settings,
)
from tests.fakebot import TOKEN, FakeBotApi, message_update

LEAD = 4242
INTRUDER = 6666
# The token's secret half: what must never reach a log (the bot id before the colon may).
TOKEN_SECRET = TOKEN.split(":", 1)[1]


async def post_update(
    bot: BotProcess, update: dict[str, Any], secret: str | None = WEBHOOK_SECRET
) -> int:
    """POST an update to the bot's webhook as Telegram would; the HTTP status."""
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{bot.url}/telegram", json=update, headers=headers) as response,
    ):
        return response.status


def files_beside(db: Path) -> list[str]:
    """The database's file and those SQLite and the bot keep beside it."""
    return sorted(p.name for p in db.parent.glob(f"{db.name}*"))


def start_update(fake: FakeBotApi, user_id: int) -> dict[str, Any]:
    return {"update_id": fake.next_update_id(), **message_update(user_id, "/start")}


def test_unknown_arguments_print_the_usage(capsys: pytest.CaptureFixture[str]) -> None:
    """Anything but no arguments or `backup FILE` prints the usage and exits 2."""
    assert main(["serve"]) == 2
    assert capsys.readouterr().err.strip() == USAGE


async def test_polling_bot_answers_health(fake: FakeBotApi, tmp_path: Path) -> None:
    """In polling mode GET /health answers 200 with a small JSON report."""
    async with bot_process(fake, tmp_path / "bot.sqlite3", tmp_path) as bot:
        await bot.wait_healthy()
        status, report = await bot.health()
    assert (status, report["status"], report["mode"]) == (200, "ok", "polling")


async def test_second_process_on_the_same_database_exits(fake: FakeBotApi, tmp_path: Path) -> None:
    """A second bot on a database in use exits non-zero with one line, without calling
    Telegram, and the first carries on."""
    db = tmp_path / "bot.sqlite3"
    async with bot_process(fake, db, tmp_path) as first:
        await first.wait_healthy()
        calls_before = len(fake.calls_to("getMe"))
        second = await run_bot(env=bot_env(fake, db, PORT=str(free_port())))
        assert second.status == 1
        assert second.stderr.splitlines() == [
            f"bot: another bot process (process {first.process.pid}) is already using {db} "
            f"(it holds {db}.lock); stop it first, or set BOT_DB_PATH to another database"
        ]
        assert len(fake.calls_to("getMe")) == calls_before
        assert (await first.health())[0] == 200


async def test_sigterm_stops_promptly_and_closes_the_database(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    """SIGTERM: exit 0 within seconds, the WAL checkpointed into the database and removed."""
    db = tmp_path / "bot.sqlite3"
    async with bot_process(fake, db, tmp_path) as bot:
        await bot.wait_healthy()
        fake.push(message_update(LEAD, "/start"))
        await fake.wait_for(lambda: len(fake.sent(LEAD)) == 1)
        assert "bot.sqlite3-wal" in files_beside(db)
        started = time.monotonic()
        status = await bot.terminate()
        elapsed = time.monotonic() - started
    assert status == 0
    assert elapsed < 5.0
    assert "received SIGTERM: stopping" in bot.log()
    assert bot.log().rstrip().endswith("bot: stopped")
    # The last connection to close checkpoints the WAL and deletes it and the -shm file.
    assert files_beside(db) == ["bot.sqlite3", "bot.sqlite3.lock"]
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("SELECT id FROM users").fetchall() == [(LEAD,)]


async def test_sigint_stops_the_bot_too(fake: FakeBotApi, tmp_path: Path) -> None:
    """Ctrl-C (SIGINT, as under `make run`) stops the bot the same orderly way."""
    async with bot_process(fake, tmp_path / "bot.sqlite3", tmp_path) as bot:
        await bot.wait_healthy()
        status = await bot.terminate(signal.SIGINT)
    assert status == 0
    assert "received SIGINT: stopping" in bot.log()
    assert "Traceback" not in bot.log()


async def test_busy_port_stops_the_bot_with_one_line(fake: FakeBotApi, tmp_path: Path) -> None:
    """A PORT another program listens on stops the bot with exit 1 and a line saying so."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("", 0))
        taken.listen()
        port = taken.getsockname()[1]
        finished = await run_bot(env=bot_env(fake, tmp_path / "bot.sqlite3", PORT=str(port)))
    assert finished.status == 1
    assert f"cannot start: cannot listen on 127.0.0.1:{port}" in finished.stderr
    assert "set PORT to a free port" in finished.stderr
    assert "Traceback" not in finished.stderr


async def test_rejected_token_stops_the_bot_with_one_line(fake: FakeBotApi, tmp_path: Path) -> None:
    """A well-formed token Telegram rejects stops the bot with exit 2, naming the variable,
    and without printing the token."""
    wrong = f"{TOKEN.split(':')[0]}:AAWrongTokenButWellFormed_0123456789x"
    env = bot_env(fake, tmp_path / "bot.sqlite3", TELEGRAM_BOT_TOKEN=wrong, PORT=str(free_port()))
    finished = await run_bot(env=env)
    assert finished.status == 2
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in finished.stderr
    assert wrong.split(":")[1] not in finished.stderr
    assert "Traceback" not in finished.stderr


async def test_webhook_mode_registers_url_and_secret(fake: FakeBotApi, tmp_path: Path) -> None:
    """In webhook mode the bot calls setWebhook with WEBHOOK_URL, the secret and its updates."""
    port = free_port()
    async with bot_process(fake, tmp_path / "bot.sqlite3", tmp_path, **webhook_settings(port)):
        await fake.wait_for(lambda: bool(fake.webhook), 15)
    assert fake.webhook == {
        "url": WEBHOOK_URL,
        "secret_token": WEBHOOK_SECRET,
        "allowed_updates": [str(kind) for kind in allowed_updates()],
    }
    assert fake.calls_to("getUpdates") == []


async def test_webhook_update_with_the_secret_is_answered(
    fake: FakeBotApi, content: Content, tmp_path: Path
) -> None:
    """An update posted with the right secret is processed: /start gets its reply."""
    port = free_port()
    async with bot_process(
        fake, tmp_path / "bot.sqlite3", tmp_path, **webhook_settings(port)
    ) as bot:
        await bot.wait_healthy()
        assert await post_update(bot, start_update(fake, LEAD)) == 200
        await fake.wait_for(lambda: len(fake.sent(LEAD)) == 1)
        status, report = await bot.health()
    assert fake.sent(LEAD)[0].text == content.strings("start.private")
    assert (status, report["mode"]) == (200, "webhook")


async def test_webhook_update_without_the_secret_is_refused(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    """Updates with a wrong or missing secret get 403 and are never processed."""
    port = free_port()
    async with bot_process(
        fake, tmp_path / "bot.sqlite3", tmp_path, **webhook_settings(port)
    ) as bot:
        await bot.wait_healthy()
        wrong = await post_update(bot, start_update(fake, INTRUDER), secret="not-the-secret")
        missing = await post_update(bot, start_update(fake, INTRUDER), secret=None)
        # A genuine update after them, so the refused ones had every chance to be processed.
        assert await post_update(bot, start_update(fake, LEAD)) == 200
        await fake.wait_for(lambda: len(fake.sent(LEAD)) == 1)
        assert await bot.terminate() == 0
    assert (wrong, missing) == (403, 403)
    assert fake.calls_to("sendMessage", INTRUDER) == []


async def test_debug_log_of_webhook_mode_shows_no_secret(fake: FakeBotApi, tmp_path: Path) -> None:
    """At DEBUG, with updates accepted and refused, neither the token nor the webhook secret
    (nor a wrong secret a caller presented) reaches the log; the request lines do."""
    port = free_port()
    settings = {**webhook_settings(port), "LOG_LEVEL": "DEBUG"}
    presented = f"{WEBHOOK_SECRET}-but-wrong"
    async with bot_process(fake, tmp_path / "bot.sqlite3", tmp_path, **settings) as bot:
        await bot.wait_healthy()
        assert await post_update(bot, start_update(fake, INTRUDER), secret=presented) == 403
        assert await post_update(bot, start_update(fake, LEAD)) == 200
        await fake.wait_for(lambda: len(fake.sent(LEAD)) == 1)
        assert await bot.terminate() == 0
    log = bot.log()
    assert "bot.server: POST /telegram 403" in log
    assert "bot.server: POST /telegram 200" in log
    assert TOKEN_SECRET not in log
    assert WEBHOOK_SECRET not in log
    assert "-but-wrong" not in log


async def test_debug_log_of_polling_mode_shows_no_token(fake: FakeBotApi, tmp_path: Path) -> None:
    """At DEBUG in polling mode, through start, an update and SIGTERM, the token never appears
    in the log (though the bot id does)."""
    async with bot_process(fake, tmp_path / "bot.sqlite3", tmp_path, LOG_LEVEL="DEBUG") as bot:
        await bot.wait_healthy()
        fake.push(message_update(LEAD, "/start"))
        await fake.wait_for(lambda: len(fake.sent(LEAD)) == 1)
        assert await bot.terminate() == 0
    log = bot.log()
    assert " DEBUG " in log
    assert TOKEN.split(":")[0] in log
    assert TOKEN_SECRET not in log


async def test_every_lifecycle_step_is_logged(fake: FakeBotApi, tmp_path: Path) -> None:
    """Start-up and shutdown each log one line per step, in order."""
    async with bot_process(fake, tmp_path / "bot.sqlite3", tmp_path) as bot:
        await bot.wait_healthy()
        await asyncio.sleep(0.1)
        assert await bot.terminate() == 0
    steps = [
        "bot: starting in polling mode",
        "bot: serving /health on 127.0.0.1:",
        "bot: polling Telegram for updates",
        "bot: running",
        "bot: received SIGTERM: stopping",
        "bot: polling stopped",
        "bot: HTTP server stopped",
        "bot: updates in flight finished",
        "bot: database closed",
        "bot: stopped",
    ]
    lines = bot.log().splitlines()
    found = [next((i for i, line in enumerate(lines) if step in line), -1) for step in steps]
    assert [step for step, index in zip(steps, found, strict=True) if index < 0] == []
    assert found == sorted(found)


async def read_only_database(db: Path) -> None:
    """A fully migrated database that SQLite will only read: its header's write version is 3,
    which SQLite treats as read-only (this works even for root, unlike file permissions)."""
    storage = await Storage.open(db, SystemClock())
    await storage.close()
    mark_read_only(db)


def mark_read_only(db: Path) -> None:
    with db.open("r+b") as file:
        file.seek(18)
        file.write(bytes([3]))


def one_line_naming_db_path(finished: Finished) -> str:
    """The one line of stderr that names BOT_DB_PATH; fails on a traceback or a second line."""
    assert "Traceback" not in finished.stderr, finished.stderr
    lines = [line for line in finished.stderr.splitlines() if "BOT_DB_PATH" in line]
    assert len(lines) == 1, finished.stderr
    return lines[0]


async def test_read_only_database_stops_the_bot_with_one_line(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    """A database that cannot be written stops the bot with exit 1 and one line naming
    BOT_DB_PATH, before it calls Telegram."""
    db = tmp_path / "bot.sqlite3"
    await read_only_database(db)
    finished = await run_bot(env=bot_env(fake, db, PORT=str(free_port())))
    line = one_line_naming_db_path(finished)
    assert finished.status == 1
    assert "cannot start" in line
    assert "readonly database" in line
    assert fake.calls == []


@pytest.mark.parametrize("kind", ["folder", "not a database", "folder cannot be made"])
async def test_unusable_database_path_stops_the_bot_with_one_line(
    fake: FakeBotApi, tmp_path: Path, kind: str
) -> None:
    """A path that is a folder, a file that is not a database, or a folder that cannot be
    created: exit 1, one line naming BOT_DB_PATH, no traceback."""
    db = tmp_path / "bot.sqlite3"
    if kind == "folder":
        db.mkdir()
    elif kind == "not a database":
        db.write_text("a spreadsheet, perhaps\n" * 100)
    else:
        (tmp_path / "data").write_text("a file where the folder should be")
        db = tmp_path / "data" / "bot.sqlite3"
    finished = await run_bot(env=bot_env(fake, db, PORT=str(free_port())))
    assert finished.status == 1
    assert str(db.parent) in one_line_naming_db_path(finished)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to any folder")
async def test_unwritable_folder_stops_the_bot_with_one_line(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    """A folder the bot may not write: exit 1, one line naming BOT_DB_PATH, no traceback."""
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o555)
    finished = await run_bot(env=bot_env(fake, folder / "bot.sqlite3", PORT=str(free_port())))
    assert finished.status == 1
    assert "permission denied" in one_line_naming_db_path(finished)
