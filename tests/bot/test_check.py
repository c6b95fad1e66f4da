"""`python -m bot check`: one line per check against the fake Bot API, exit 0 only if all pass,
and never the token or the webhook secret in the output."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from bot.check import Result, run_checks
from bot.migrations import MIGRATIONS
from tests.bot.process import (
    WEBHOOK_SECRET,
    WEBHOOK_URL,
    bot_env,
    free_port,
    run_bot,
    webhook_settings,
)
from tests.fakebot import BOT_USERNAME, TOKEN, FakeBotApi

TOKEN_SECRET = TOKEN.split(":", 1)[1]


def by_name(results: list[Result]) -> dict[str, Result]:
    return {result.name: result for result in results}


def failed(results: list[Result]) -> list[str]:
    return [result.name for result in results if not result.passed]


PRIVACY = {
    "BOT_CONTROLLER_NAME": "North Region BME Leads Network",
    "BOT_CONTROLLER_CONTACT": "leads@example.nhs.uk",
    "BOT_DPO_CONTACT": "dpo@example.nhs.uk",
    "BOT_LAWFUL_BASIS": "legitimate interests (article 6(1)(f))",
}


async def test_good_configuration_passes_every_check(fake: FakeBotApi, tmp_path: Path) -> None:
    """A good polling configuration: five `ok` lines, a summary, exit 0, no token."""
    env = bot_env(fake, tmp_path / "bot.sqlite3", **PRIVACY)
    finished = await run_bot("check", env=env)
    lines = finished.stdout.splitlines()
    assert finished.status == 0, finished.stdout
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "ok   settings",
        "ok   privacy notice",
        "ok   content",
        "ok   database",
        "ok   Bot API",
    ]
    assert f"@{BOT_USERNAME}" in lines[4]
    assert lines[-1] == "bot: all 5 checks passed"
    assert TOKEN_SECRET not in finished.stdout + finished.stderr
    assert not (tmp_path / "bot.sqlite3").exists()  # checking creates no database


async def test_rejected_token_fails_with_exit_1(fake: FakeBotApi, tmp_path: Path) -> None:
    """A token Telegram answers 401 Unauthorized for fails the Bot API check, exit 1."""
    fake.fail("getMe", "unauthorized")
    finished = await run_bot("check", env=bot_env(fake, tmp_path / "bot.sqlite3"))
    assert finished.status == 1
    assert "FAIL Bot API: Telegram rejected TELEGRAM_BOT_TOKEN" in finished.stdout
    assert finished.stdout.splitlines()[-1] == "bot: 1 of 5 checks failed"
    assert TOKEN_SECRET not in finished.stdout + finished.stderr


async def test_unreachable_api_names_the_address(fake: FakeBotApi, tmp_path: Path) -> None:
    """A Bot API nobody listens at fails with its address (no token) and "could not reach"."""
    closed = f"http://127.0.0.1:{free_port()}/bot"
    env = bot_env(fake, tmp_path / "bot.sqlite3", TELEGRAM_API_BASE_URL=closed)
    results = by_name(await run_checks(env))
    assert not results["Bot API"].passed
    assert results["Bot API"].detail.startswith(f"could not reach the Bot API at {closed} (")
    assert TOKEN_SECRET not in results["Bot API"].detail


async def test_unwritable_database_fails(fake: FakeBotApi, tmp_path: Path) -> None:
    """A database path that cannot be created (under a plain file) fails the database check."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    env = bot_env(fake, blocker / "bot.sqlite3")
    results = await run_checks(env)
    assert failed(results) == ["database"]
    assert by_name(results)["database"].detail == (
        f"cannot create {blocker / 'bot.sqlite3'}: {blocker} is not a folder"
    )


async def test_database_that_is_not_sqlite_fails(fake: FakeBotApi, tmp_path: Path) -> None:
    """A file that is not an SQLite database fails the write probe."""
    db = tmp_path / "bot.sqlite3"
    db.write_bytes(b"this is not a database" * 100)
    results = await run_checks(bot_env(fake, db))
    assert failed(results) == ["database"]
    assert (
        "cannot be opened for writing: file is not a database"
        in by_name(results)["database"].detail
    )


async def test_database_from_a_newer_release_fails(fake: FakeBotApi, tmp_path: Path) -> None:
    """A schema newer than this code's migrations is a failure that names the refusal."""
    db = tmp_path / "bot.sqlite3"
    with closing(sqlite3.connect(db)) as connection:
        connection.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 2}")
    results = await run_checks(bot_env(fake, db))
    assert failed(results) == ["database"]
    assert "the bot will refuse to start (a downgrade)" in by_name(results)["database"].detail


async def test_older_database_passes_and_says_migrations_will_run(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    """An older schema passes, saying how many migrations the next start runs."""
    db = tmp_path / "bot.sqlite3"
    with closing(sqlite3.connect(db)) as connection:
        connection.executescript(MIGRATIONS[1])
        connection.execute("PRAGMA user_version = 1")
    results = await run_checks(bot_env(fake, db))
    assert failed(results) == []
    assert by_name(results)["database"].detail == (
        f"{db} writable, schema version 1; {len(MIGRATIONS) - 1} migrations will run when the "
        "bot starts"
    )


async def test_invalid_settings_fail_and_skip_the_bot_api(fake: FakeBotApi, tmp_path: Path) -> None:
    """A bad setting fails its check, names the variable, and the Bot API is not called."""
    env = bot_env(fake, tmp_path / "bot.sqlite3", BOT_MODE="sideways")
    results = await run_checks(env)
    assert failed(results) == ["settings", "Bot API"]
    assert "BOT_MODE must be 'polling' or 'webhook'" in by_name(results)["settings"].detail
    assert fake.calls == []


async def test_webhook_set_to_another_url_fails(fake: FakeBotApi, tmp_path: Path) -> None:
    """In webhook mode a webhook Telegram has for another address fails, naming both."""
    fake.webhook = {"url": "https://old.example.invalid/telegram"}
    env = bot_env(fake, tmp_path / "bot.sqlite3", **webhook_settings(free_port()))
    finished = await run_bot("check", env=env)
    assert finished.status == 1
    assert (
        "FAIL webhook: Telegram posts updates to https://old.example.invalid/telegram, "
        f"not to WEBHOOK_URL ({WEBHOOK_URL})"
    ) in finished.stdout
    assert WEBHOOK_SECRET not in finished.stdout + finished.stderr
    assert TOKEN_SECRET not in finished.stdout + finished.stderr


async def test_webhook_matching_url_passes(fake: FakeBotApi, tmp_path: Path) -> None:
    """A webhook set to WEBHOOK_URL passes."""
    fake.webhook = {"url": WEBHOOK_URL}
    env = bot_env(fake, tmp_path / "bot.sqlite3", **webhook_settings(free_port()))
    results = await run_checks(env)
    assert failed(results) == []
    assert by_name(results)["webhook"].detail == "Telegram posts updates to WEBHOOK_URL (0 waiting)"


async def test_webhook_delivery_error_is_reported(fake: FakeBotApi, tmp_path: Path) -> None:
    """Telegram's last delivery error is shown, and fails while updates are waiting."""
    fake.webhook = {"url": WEBHOOK_URL}
    error_at = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
    fake.webhook_info = {
        "last_error_date": int(error_at.timestamp()),
        "last_error_message": "Wrong response from the webhook: 502 Bad Gateway",
        "pending_update_count": 4,
    }
    env = bot_env(fake, tmp_path / "bot.sqlite3", **webhook_settings(free_port()))
    results = await run_checks(env)
    assert failed(results) == ["webhook delivery"]
    assert by_name(results)["webhook delivery"].detail == (
        "Telegram's last error delivering an update, at 2027-03-01 09:30 UTC: "
        "Wrong response from the webhook: 502 Bad Gateway (4 updates waiting)"
    )


async def test_an_address_that_is_not_the_bot_api_is_named(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    """A non-JSON 404 from TELEGRAM_API_BASE_URL is one line saying the address answered
    something that is not the Bot API, not that Telegram rejected the token."""
    wrong = fake.base_url.removesuffix("/bot") + "/not-the-api/bot"
    env = bot_env(fake, tmp_path / "bot.sqlite3", TELEGRAM_API_BASE_URL=wrong)
    finished = await run_bot("check", env=env)
    assert finished.status == 1
    assert (
        f"FAIL Bot API: the API address {wrong} answered something that is not the Bot API"
        in finished.stdout
    )
    assert "rejected" not in finished.stdout
    assert "Traceback" not in finished.stdout + finished.stderr
    assert TOKEN_SECRET not in finished.stdout + finished.stderr


async def test_unset_privacy_settings_warn_but_pass(fake: FakeBotApi, tmp_path: Path) -> None:
    """Without the privacy notice's settings the check warns, naming each one unset, and
    still exits 0 (the bot runs; /privacy says the details are not given yet)."""
    env = bot_env(fake, tmp_path / "bot.sqlite3", BOT_CONTROLLER_NAME="Leads Network")
    finished = await run_bot("check", env=env)
    assert finished.status == 0, finished.stdout
    [line] = [line for line in finished.stdout.splitlines() if "privacy notice" in line]
    assert line.startswith(
        "warn privacy notice: BOT_CONTROLLER_CONTACT, BOT_DPO_CONTACT, BOT_LAWFUL_BASIS not set"
    )
    assert finished.stdout.splitlines()[-1] == "bot: all 5 checks passed (1 with a warning)"
