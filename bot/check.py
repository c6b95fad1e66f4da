"""`python -m bot check`: check a configuration without starting the bot.

One line per check (settings, the privacy notice's settings, content, database, the Bot API
and, in webhook mode, the webhook), `ok`, `warn` (passed, but something to do) or `FAIL` and
what was found; the exit status is 0 only if every check passed. The token and
the webhook secret never appear in the output. It may run beside a running bot: it only reads,
apart from a write probe that it rolls back.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from urllib.parse import quote

import httpx
from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.request import HTTPXRequest

from bot import logs
from bot.backup import db_path_from_env
from bot.config import PRIVACY_SETTINGS, ConfigError, Settings
from bot.db import schema
from bot.migrations import LATEST
from content import ContentError, load_content

# Telegram's Bot API when TELEGRAM_API_BASE_URL is not set.
DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
# Seconds to wait for the Bot API.
API_TIMEOUT = 10.0


@dataclass(frozen=True)
class Result:
    name: str
    passed: bool
    detail: str
    warning: bool = False  # passed, but something should be done (printed as `warn`)


def main(args: list[str], env: Mapping[str, str]) -> int:
    """Run every check, print one line each and a summary; 0 only if all passed."""
    if args:
        print("usage: python -m bot check")
        return 2
    secrets = [env.get("TELEGRAM_BOT_TOKEN", "").strip(), env.get("WEBHOOK_SECRET", "").strip()]
    results = asyncio.run(run_checks(env))
    for result in results:
        status = "FAIL" if not result.passed else "warn" if result.warning else "ok"
        print(_redact(f"{status:<4} {result.name}: {result.detail}", secrets))
    failed = [result for result in results if not result.passed]
    if failed:
        print(f"bot: {len(failed)} of {len(results)} checks failed")
        return 1
    warnings = sum(result.warning for result in results)
    noted = f" ({warnings} with a warning)" if warnings else ""
    print(f"bot: all {len(results)} checks passed{noted}")
    return 0


async def run_checks(env: Mapping[str, str]) -> list[Result]:
    results = []
    settings: Settings | None = None
    try:
        settings = Settings.from_env(env)
    except ConfigError as error:
        results.append(Result("settings", False, str(error)))
    else:
        results.append(Result("settings", True, _describe(settings)))
        results.append(check_privacy(env))
    results.append(check_content())
    results.append(check_database(settings.db_path if settings else db_path_from_env(env)))
    if settings is None:
        results.append(Result("Bot API", False, "not checked: the settings are not valid"))
    else:
        results.extend(await check_bot_api(settings))
    return results


def _describe(settings: Settings) -> str:
    operators = len(settings.admin_ids)
    webhook = f"webhook mode at {settings.webhook_url}"
    mode = webhook if settings.mode == "webhook" else "polling mode"
    return (
        f"{mode}, database {settings.db_path}, time zone {settings.timezone.key}, "
        f"{operators} operator{'' if operators == 1 else 's'}, port {settings.port}"
    )


def check_privacy(env: Mapping[str, str]) -> Result:
    """The privacy notice's settings: a warning (not a failure) for each one unset, since
    /privacy then tells people the controller's details are not given yet."""
    unset = [name for name in PRIVACY_SETTINGS if not env.get(name, "").strip()]
    if unset:
        return Result(
            "privacy notice",
            True,
            f"{', '.join(unset)} not set: /privacy will say these are not given yet, which a "
            "privacy notice under UK GDPR article 13 needs (see docs/data-protection.md)",
            warning=True,
        )
    return Result("privacy notice", True, "controller, contact, DPO and lawful basis are set")


def check_content() -> Result:
    try:
        content = load_content()
    except ContentError as error:
        return Result("content", False, str(error))
    return Result(
        "content",
        True,
        f"{len(content.model.items)} questions, {len(content.nudges)} nudges, "
        f"{len(content.directory.regions)} regions",
    )


def check_database(path: Path) -> Result:
    """Can the bot open and write the database, and does it know the schema's version?"""
    if path.is_dir():
        return Result("database", False, f"{path} is a folder, not a database file")
    if not path.exists():
        problem = _folder_problem(path.parent)
        if problem:
            return Result("database", False, f"cannot create {path}: {problem}")
        return Result(
            "database", True, f"{path} does not exist yet; the bot creates it when it starts"
        )
    problem = _folder_problem(path.parent)
    if problem:
        return Result("database", False, f"{path}: {problem} (SQLite keeps files beside it)")
    uri = f"file:{quote(str(path.resolve()))}?mode=rw"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True, isolation_level=None)) as db:
            db.execute("PRAGMA busy_timeout = 5000")
            version: int = db.execute("PRAGMA user_version").fetchone()[0]
            foreign = schema.problem(db)
            # The write probe: take the write lock and change something, then roll it back.
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("CREATE TABLE check_write_probe (x INTEGER)")
            finally:
                db.execute("ROLLBACK")
    except sqlite3.Error as error:
        return Result("database", False, f"{path} cannot be opened for writing: {error}")
    known = LATEST
    if version > known:
        return Result(
            "database",
            False,
            f"{path} has schema version {version}, newer than this version of the bot knows "
            f"({known}): the bot will refuse to start (a downgrade); run the newer release",
        )
    if foreign is not None:
        return Result(
            "database",
            False,
            f"{path} is not a database of this bot: {foreign}; the bot will refuse to start",
        )
    if version < known:
        due = known - version
        plural = "" if due == 1 else "s"
        return Result(
            "database",
            True,
            f"{path} writable, schema version {version}; {due} migration{plural} will run "
            "when the bot starts",
        )
    return Result("database", True, f"{path} writable, schema version {version} (current)")


def _folder_problem(folder: Path) -> str | None:
    """Why files cannot be created in `folder` (or the folder created), or None."""
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is not a folder"
    try:
        with tempfile.NamedTemporaryFile(dir=existing, prefix=".check-"):
            pass
    except OSError as error:
        return f"cannot write in {existing} ({error.strerror})"
    return None


async def check_bot_api(settings: Settings) -> list[Result]:
    """getMe with the token; in webhook mode, what Telegram knows of the webhook."""
    base = settings.api_base_url or DEFAULT_API_BASE_URL
    logs.quiet_libraries()
    request = HTTPXRequest(connect_timeout=API_TIMEOUT, read_timeout=API_TIMEOUT)
    bot = Bot(
        settings.token,
        base_url=base,
        base_file_url=settings.api_base_file_url or "https://api.telegram.org/file/bot",
        request=request,
        get_updates_request=request,
    )
    try:
        return await _ask_bot_api(bot, settings, base)
    finally:
        with contextlib.suppress(Exception):
            await request.shutdown()


def not_the_bot_api(error: TelegramError) -> bool:
    """Whether the error is an answer that is not the Bot API's (not JSON: a web page, a
    proxy's 404), rather than Telegram's own refusal."""
    seen: BaseException | None = error
    while seen is not None:  # Bot.initialize wraps the error it got in another
        if isinstance(seen.__cause__, TelegramError) and "Parsing the server response" in str(seen):
            return True
        seen = seen.__cause__
    return False


def not_the_bot_api_line(base: str) -> str:
    return (
        f"the API address {base} answered something that is not the Bot API (not JSON): "
        "check TELEGRAM_API_BASE_URL"
    )


async def _ask_bot_api(bot: Bot, settings: Settings, base: str) -> list[Result]:
    try:
        me = await bot.get_me()
    except TelegramError as error:
        if not_the_bot_api(error):
            return [Result("Bot API", False, not_the_bot_api_line(base))]
        if isinstance(error, InvalidToken):
            return [Result("Bot API", False, f"Telegram rejected TELEGRAM_BOT_TOKEN ({error})")]
        return _unanswered(error, base)
    results = [Result("Bot API", True, f"the token belongs to @{me.username} (id {me.id})")]
    if settings.mode == "webhook":
        results.extend(await check_webhook(bot, settings))
    return results


def _unanswered(error: TelegramError, base: str) -> list[Result]:
    if isinstance(error, NetworkError) and isinstance(error.__cause__, httpx.TransportError):
        detail = f"could not reach the Bot API at {base} ({error})"
    else:
        detail = f"the Bot API at {base} answered: {error}"
    return [Result("Bot API", False, detail)]


async def check_webhook(bot: Bot, settings: Settings) -> Iterable[Result]:
    try:
        info = await bot.get_webhook_info()
    except TelegramError as error:
        return [Result("webhook", False, f"getWebhookInfo failed: {error}")]
    pending = info.pending_update_count
    if info.url == settings.webhook_url:
        result = Result(
            "webhook", True, f"Telegram posts updates to WEBHOOK_URL ({pending} waiting)"
        )
    elif not info.url:
        result = Result(
            "webhook",
            True,
            "no webhook is set yet; the bot sets WEBHOOK_URL when it starts",
        )
    else:
        result = Result(
            "webhook",
            False,
            f"Telegram posts updates to {info.url}, not to WEBHOOK_URL ({settings.webhook_url}): "
            "the bot sets its own when it starts, unless another process with this token "
            "has set one since",
        )
    results = [result]
    if info.last_error_date is not None:
        when = info.last_error_date.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        # An error with updates still waiting means delivery is failing now.
        results.append(
            Result(
                "webhook delivery",
                pending == 0,
                f"Telegram's last error delivering an update, at {when}: "
                f"{info.last_error_message or 'no message'} ({pending} updates waiting)",
            )
        )
    return results


def _redact(line: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            line = line.replace(secret, "[redacted]")
    return line
