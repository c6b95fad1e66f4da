"""`python -m bot`: load settings and content, then run the bot until SIGTERM or SIGINT.

`python -m bot backup FILE` copies the database instead (bot/backup.py) and `restore FILE` puts
a backup back (bot/restore.py); they need only BOT_DB_PATH, so they are dispatched before the
token is required. `python -m bot check` checks the configuration without starting the bot
(bot/check.py). Every form first reads `.env` from the current folder, if there is one
(bot/dotenv.py), without overriding the environment.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Sequence

import httpx
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Updater

from bot import backup, check, dotenv, logs, restore
from bot.app import allowed_updates, build_application
from bot.config import ConfigError, Settings
from bot.context import BotApplication, services_of
from bot.instance import AlreadyRunning, InstanceLock, file_in_the_way
from bot.server import HEALTH_PATH, WEBHOOK_PATH, Server
from bot.storage import DatabaseTooNew, DatabaseUnavailable, Storage
from content import ContentError, load_content

log = logging.getLogger("bot")

USAGE = "usage: python -m bot [check | backup FILE | restore FILE]"
# Where the Bot API is when TELEGRAM_API_BASE_URL is not set (python-telegram-bot's default).
DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"


class StartupError(Exception):
    """The bot cannot start; the message says why in one line."""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    commands = {"backup": backup.main, "restore": restore.main, "check": check.main}
    if args and args[0] not in commands:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        _load_env_file()
    except dotenv.DotenvError as error:
        print(f"bot: {error}", file=sys.stderr)
        return 2
    # Durations such as RetryAfter.retry_after as timedeltas (python-telegram-bot's future default).
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    if args:
        return commands[args[0]](args[1:], os.environ)
    try:
        settings = Settings.from_env(os.environ)
    except ConfigError as error:
        print(f"bot: configuration error: {error}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level, [settings.token, settings.webhook_secret])
    try:
        content = load_content()
    except ContentError as error:
        print(f"bot: {error}", file=sys.stderr)
        return 2
    try:
        lock = InstanceLock(settings.db_path).acquire()
    except AlreadyRunning as error:
        print(f"bot: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # the folder cannot be created or written
        if (blocking := file_in_the_way(settings.db_path)) is not None:
            print(
                f"bot: BOT_DB_PATH {settings.db_path} goes through {blocking}, which is a file, "
                "not a folder; set BOT_DB_PATH to a file in a folder the bot can write",
                file=sys.stderr,
            )
            return 1
        reason = (error.strerror or str(error)).lower()
        print(
            f"bot: cannot create {error.filename or settings.db_path}: {reason}; "
            "set BOT_DB_PATH to a file in a folder the bot can write",
            file=sys.stderr,
        )
        return 1
    with lock:
        application = build_application(settings, content)
        try:
            return asyncio.run(run(application, settings))
        except Exception:
            # Logged rather than left to the interpreter, so the secrets filter sees it.
            log.exception("the bot stopped on an unexpected error")
            return 1


def _load_env_file() -> None:
    """Read `.env` (or BOT_ENV_FILE) into the environment; variables already set win."""
    path = dotenv.env_file(os.environ)
    if path is None:
        return
    try:
        dotenv.load(path, os.environ)
    except dotenv.DotenvError as error:
        raise dotenv.DotenvError(f"{path}: {error}") from None


async def run(application: BotApplication, settings: Settings) -> int:
    """Serve until SIGTERM or SIGINT, then stop in order; return the exit status."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal(signum: int) -> None:
        if not stop.is_set():
            log.info("received %s: stopping", signal.Signals(signum).name)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)
    try:
        return await serve(application, settings, stop)
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)


async def serve(application: BotApplication, settings: Settings, stop: asyncio.Event) -> int:
    """Start the bot, wait for `stop`, and take everything down in reverse order.

    The order matters on the way down: first no new updates (the updater or the webhook server
    stops), then `Application.stop()` lets the updates in flight finish, and only after that does
    post_shutdown close the database.
    """
    status = 0
    async with contextlib.AsyncExitStack() as started:
        try:
            await _start(application, settings, started)
        except InvalidToken as error:
            if check.not_the_bot_api(error):
                base = settings.api_base_url or check.DEFAULT_API_BASE_URL
                log.error("cannot start: %s", check.not_the_bot_api_line(base))
                status = 1
            else:
                log.error("Telegram rejected TELEGRAM_BOT_TOKEN: check the token @BotFather issued")
                status = 2
        except (StartupError, DatabaseTooNew) as error:
            log.error("cannot start: %s", error)
            status = 1
        except DatabaseUnavailable as error:
            log.error("cannot start: %s; check BOT_DB_PATH", error)
            status = 1
        except TelegramError as error:
            if unreachable(error):
                log.error(
                    "cannot start: could not reach the Bot API at %s (%s): check the network "
                    "and TELEGRAM_API_BASE_URL",
                    settings.api_base_url or DEFAULT_API_BASE_URL,
                    error,
                )
            else:
                log.error("cannot start: the Bot API answered: %s", error)
            status = 1
        else:
            log.info("running")
            await stop.wait()
    log.info("stopped")
    return status


def unreachable(error: TelegramError) -> bool:
    """Whether the call failed before any answer came back (no connection, or no reply)."""
    return isinstance(error, NetworkError) and isinstance(error.__cause__, httpx.TransportError)


async def _start(
    application: BotApplication, settings: Settings, started: contextlib.AsyncExitStack
) -> None:
    """Bring the bot up step by step, pushing each step's undo onto `started`."""
    log.info("starting in %s mode, database %s", settings.mode, settings.db_path)
    # The database first: one that cannot be used stops the bot before it calls Telegram.
    services = services_of(application)
    services.storage_ = await Storage.open(settings.db_path, services.clock)
    started.push_async_callback(_close_storage, application)
    await application.initialize()
    started.push_async_callback(_shut_down, application)
    # python-telegram-bot calls post_init only inside run_polling/run_webhook.
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    started.push_async_callback(_stop_application, application)

    server = Server(application, settings)
    host = settings.health_host
    try:
        port = server.listen(settings.port, host)
    except OSError as error:
        raise StartupError(
            f"cannot listen on {host}:{settings.port} ({error.strerror}): "
            "set PORT to a free port, or HEALTH_HOST to an address of this host"
        ) from None
    started.push_async_callback(_stop_server, server)
    paths = f"{HEALTH_PATH} and {WEBHOOK_PATH}" if settings.mode == "webhook" else HEALTH_PATH
    log.info("serving %s on %s:%d", paths, host, port)

    if settings.mode == "webhook":
        await application.bot.set_webhook(
            url=settings.webhook_url or "",
            secret_token=settings.webhook_secret,
            allowed_updates=allowed_updates(),
        )
        log.info("webhook set: Telegram posts updates to %s", settings.webhook_url)
    else:
        updater = _updater(application)
        # Also removes a webhook left from an earlier run in webhook mode.
        await updater.start_polling(allowed_updates=allowed_updates(), drop_pending_updates=False)
        started.push_async_callback(_stop_polling, updater)
        log.info("polling Telegram for updates")


def _updater(application: BotApplication) -> Updater:
    if application.updater is None:
        raise StartupError("the application was built without an updater")
    return application.updater


async def _stop_polling(updater: Updater) -> None:
    await updater.stop()
    log.info("polling stopped")


async def _stop_server(server: Server) -> None:
    await server.stop()
    log.info("HTTP server stopped")


async def _stop_application(application: BotApplication) -> None:
    await application.stop()
    if application.post_stop is not None:
        await application.post_stop(application)
    log.info("updates in flight finished")


async def _close_storage(application: BotApplication) -> None:
    """Close the database if post_shutdown has not (start-up failed before it was due)."""
    services = services_of(application)
    if services.storage_ is not None:
        await services.storage_.close()
        services.storage_ = None


async def _shut_down(application: BotApplication) -> None:
    try:
        await application.shutdown()
    finally:
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
            log.info("database closed")


if __name__ == "__main__":
    sys.exit(main())
