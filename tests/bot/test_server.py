"""The HTTP server in process: what /health reports, what the webhook accepts, what is logged."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram import Update

from bot import logs, server
from bot.context import BotApplication, services_of
from bot.migrations import MIGRATIONS
from bot.server import Server
from content import Content
from tests.bot.process import WEBHOOK_SECRET, WEBHOOK_URL
from tests.fakebot import TOKEN, FakeBotApi, message_update
from tests.harness import FakeClock, Harness, running

LEAD = 4242
WEBHOOK: dict[str, Any] = {
    "mode": "webhook",
    "webhook_url": WEBHOOK_URL,
    "webhook_secret": WEBHOOK_SECRET,
}


@asynccontextmanager
async def serving(app: BotApplication) -> AsyncIterator[str]:
    """The bot's server for `app` on a free loopback port; its base URL."""
    http = Server(app, services_of(app).settings)
    port = http.listen(0, "127.0.0.1")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await http.stop()


@asynccontextmanager
async def started(app: BotApplication) -> AsyncIterator[BotApplication]:
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


@pytest.fixture
async def webhook_bot(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[Harness]:
    """The bot in webhook mode, initialised but not started (updates stay on its queue)."""
    async with running(fake, content, tmp_path / "bot.sqlite3", clock, **WEBHOOK) as harness:
        yield harness


async def get(url: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()


async def post(url: str, body: dict[str, Any], secret: str | None) -> int:
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=body, headers=headers) as response,
    ):
        return response.status


def queued(app: BotApplication) -> list[object]:
    items = []
    while not app.update_queue.empty():
        items.append(app.update_queue.get_nowait())
    return items


async def test_health_is_ok_while_running(webhook_bot: Harness) -> None:
    """A started bot whose database answers: 200 with the mode and schema version."""
    async with started(webhook_bot.app), serving(webhook_bot.app) as url:
        answer = await get(f"{url}/health")
    assert answer == (200, {"status": "ok", "mode": "webhook", "schema": len(MIGRATIONS)})


async def test_health_is_unavailable_before_start(webhook_bot: Harness) -> None:
    """A bot not (or no longer) running answers 503."""
    async with serving(webhook_bot.app) as url:
        answer = await get(f"{url}/health")
    assert answer == (503, {"status": "unavailable", "reason": "not running"})


async def test_health_is_unavailable_when_the_database_is_closed(webhook_bot: Harness) -> None:
    """A database that cannot answer makes the bot unhealthy."""
    async with started(webhook_bot.app), serving(webhook_bot.app) as url:
        await webhook_bot.storage.close()
        answer = await get(f"{url}/health")
    assert answer == (503, {"status": "unavailable", "reason": "database"})


async def test_health_is_unavailable_when_the_database_is_stuck(
    webhook_bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database busy past the health check's time limit answers 503, not never."""
    monkeypatch.setattr(server, "HEALTH_TIMEOUT", 0.05)
    storage = webhook_bot.storage
    async with started(webhook_bot.app), serving(webhook_bot.app) as url, storage._lock:
        answer = await get(f"{url}/health")
    assert answer == (503, {"status": "unavailable", "reason": "database"})


async def test_health_in_polling_mode_needs_polling(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """In polling mode a started application whose updater is not polling is unhealthy."""
    async with (
        running(fake, content, tmp_path / "bot.sqlite3", clock) as harness,
        started(harness.app),
        serving(harness.app) as url,
    ):
        answer = await get(f"{url}/health")
    assert answer == (503, {"status": "unavailable", "reason": "not polling"})


async def test_polling_mode_serves_no_webhook(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """Without webhook mode there is no /telegram to post to."""
    async with (
        running(fake, content, tmp_path / "bot.sqlite3", clock) as harness,
        serving(harness.app) as url,
    ):
        status = await post(f"{url}/telegram", {"update_id": 1}, WEBHOOK_SECRET)
    assert status == 404


async def test_webhook_queues_an_update_with_the_secret(webhook_bot: Harness) -> None:
    """An update posted with the secret lands on the application's update queue."""
    update = {"update_id": 41, **message_update(LEAD, "/start")}
    async with serving(webhook_bot.app) as url:
        status = await post(f"{url}/telegram", update, WEBHOOK_SECRET)
    updates = queued(webhook_bot.app)
    assert status == 200
    assert [u.update_id for u in updates if isinstance(u, Update)] == [41]


@pytest.mark.parametrize("secret", ["wrong-secret", f"{WEBHOOK_SECRET}x", "", None])
async def test_webhook_refuses_a_wrong_or_missing_secret(
    webhook_bot: Harness, secret: str | None
) -> None:
    """Without the exact secret: 403, and nothing is queued."""
    update = {"update_id": 42, **message_update(LEAD, "/start")}
    async with serving(webhook_bot.app) as url:
        status = await post(f"{url}/telegram", update, secret)
    assert status == 403
    assert queued(webhook_bot.app) == []


async def test_requests_are_logged_without_secrets(
    webhook_bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Each request is one DEBUG line of method, path and status; no line anywhere carries the
    secret, a wrong secret presented, the token or a query string."""
    presented = "presented-wrong-secret"
    update = {"update_id": 43, **message_update(LEAD, "/start")}
    caplog.set_level(logging.DEBUG)
    async with serving(webhook_bot.app) as url:
        await get(f"{url}/health?token={TOKEN}")
        await post(f"{url}/telegram", update, presented)
        await post(f"{url}/telegram", update, WEBHOOK_SECRET)
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "bot.server"]
    assert lines == [
        ("DEBUG", "GET /health 503"),
        ("DEBUG", "POST /telegram 403"),
        ("DEBUG", "POST /telegram 200"),
    ]
    everything = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert WEBHOOK_SECRET not in everything
    assert presented not in everything
    assert TOKEN not in everything


async def post_raw(url: str, body: bytes, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as response,
    ):
        return response.status


async def test_webhook_drops_a_repeated_update_id(webhook_bot: Harness) -> None:
    """The same update_id posted twice is acknowledged both times but queued once."""
    update = {"update_id": 44, **message_update(LEAD, "/start")}
    async with serving(webhook_bot.app) as url:
        first = await post(f"{url}/telegram", update, WEBHOOK_SECRET)
        again = await post(f"{url}/telegram", update, WEBHOOK_SECRET)
    updates = queued(webhook_bot.app)
    assert (first, again) == (200, 200)
    assert [u.update_id for u in updates if isinstance(u, Update)] == [44]


def test_recent_update_ids_are_bounded() -> None:
    """Only the last 10,000 ids are kept: the oldest is forgotten, so memory stays bounded."""
    recent = server.RecentUpdates()
    assert all(recent.first_time(i) for i in range(server.RECENT_UPDATES + 1))
    assert len(recent) == server.RECENT_UPDATES == 10_000
    assert not recent.first_time(server.RECENT_UPDATES)
    assert recent.first_time(0)


@pytest.mark.parametrize(
    "body", [b"{not json", b"\xff\xfe", b"[1, 2]", b'{"message": {}}', b'{"update_id": "7"}']
)
async def test_webhook_answers_400_to_a_body_that_is_not_an_update(
    webhook_bot: Harness, body: bytes
) -> None:
    """Malformed JSON, or JSON that is not an update, with the right secret: 400, not 500."""
    async with serving(webhook_bot.app) as url:
        status = await post_raw(f"{url}/telegram", body, WEBHOOK_SECRET)
    assert status == 400
    assert queued(webhook_bot.app) == []


async def test_webhook_answers_403_to_malformed_json_without_the_secret(
    webhook_bot: Harness,
) -> None:
    """Without the secret even a malformed body gets 403: nothing about it is looked at."""
    async with serving(webhook_bot.app) as url:
        status = await post_raw(f"{url}/telegram", b"{not json", "wrong-secret")
    assert status == 403


async def test_health_is_unavailable_when_writes_fail(webhook_bot: Harness) -> None:
    """A database that answers reads but refuses writes makes the bot unhealthy."""
    async with started(webhook_bot.app), serving(webhook_bot.app) as url:
        await webhook_bot.storage._db.execute("PRAGMA query_only = ON")
        answer = await get(f"{url}/health")
    assert answer == (503, {"status": "unavailable", "reason": "database not writable"})


async def test_failing_writes_are_logged_once_a_minute(
    fake: FakeBotApi,
    content: Content,
    tmp_path: Path,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Writes failing on every update log one line a minute, not one per update."""
    now = [0.0]
    monkeypatch.setattr(logs, "DATABASE_ERRORS", logs.Throttle(clock=lambda: now[0]))
    caplog.set_level(logging.INFO)
    async with running(fake, content, tmp_path / "bot.sqlite3", clock) as bot:
        await bot.storage._db.execute("PRAGMA query_only = ON")
        for user in range(10):
            await bot.process(message_update(LEAD + user, "/start"))
        now[0] = 61.0
        await bot.process(message_update(LEAD, "/start"))
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in failures] == [
        "the database failed: attempt to write a readonly database "
        "(logged at most once a minute; 0 more since the last)",
        "the database failed: attempt to write a readonly database "
        "(logged at most once a minute; 9 more since the last)",
    ]
    assert all(r.exc_info is None for r in failures)


async def test_webhook_answers_400_in_one_line_to_a_deeply_nested_body(
    webhook_bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """[ x100,000 ] x100,000 with the right secret once gave 500 and a RecursionError traceback;
    now 400 and one warning line, without the body."""
    caplog.set_level(logging.DEBUG)
    body = b"[" * 100_000 + b"]" * 100_000
    async with serving(webhook_bot.app) as url:
        status = await post_raw(f"{url}/telegram", body, WEBHOOK_SECRET)
    assert status == 400
    assert queued(webhook_bot.app) == []
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    [line] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "nested too deeply" in line


async def test_webhook_ignores_a_message_without_its_chat(webhook_bot: Harness) -> None:
    """A message without `chat` once reached the handlers and failed there; now it is
    acknowledged (200) and never queued."""
    update = {"update_id": 45, **message_update(LEAD, "/start")}
    del update["message"]["chat"]
    async with serving(webhook_bot.app) as url:
        status = await post(f"{url}/telegram", update, WEBHOOK_SECRET)
    assert status == 200
    assert queued(webhook_bot.app) == []


async def test_webhook_never_logs_an_unreadable_update_at_critical(
    webhook_bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """An update python-telegram-bot cannot read gets 400 and one warning; the raw body (which
    may carry what a user typed) is never logged, at CRITICAL or at all."""
    caplog.set_level(logging.DEBUG)
    body = {"update_id": 46, "message": {"text": "secret words", "date": "not a date"}}
    async with serving(webhook_bot.app) as url:
        status = await post(f"{url}/telegram", body, WEBHOOK_SECRET)
    assert status == 400
    assert not [r for r in caplog.records if r.levelno >= logging.CRITICAL]
    assert "secret words" not in caplog.text
