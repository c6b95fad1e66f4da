"""The bot's HTTP server (tornado): `GET /health` in both modes, `POST /telegram` in webhook mode.

Telegram posts updates to WEBHOOK_URL, which a TLS-terminating proxy forwards here as plain HTTP
to WEBHOOK_PATH; python-telegram-bot's own request handler parses them onto the application's
update queue. Telegram may deliver an update again (when it did not see our answer in time): the
last RECENT_UPDATES update ids are kept, and a repeat is acknowledged but not processed. A body
that is not a JSON update (nested too deeply to read, or not an update) gets 400 and one log line,
never the body; a message without its chat is acknowledged and ignored. Request lines are logged
at DEBUG with the method, path and status only: never headers (the webhook secret travels in one)
nor query strings.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections import deque
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Update
from telegram.ext import ExtBot
from telegram.ext._utils.webhookhandler import TelegramHandler
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from bot import logs
from bot.config import Settings
from bot.context import BotApplication, services_of

log = logging.getLogger(__name__)

HEALTH_PATH = "/health"
WEBHOOK_PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Seconds the health check waits for the database before answering 503.
HEALTH_TIMEOUT = 2.0
# Updates are a few kilobytes; anything far larger is not from Telegram.
MAX_BODY_BYTES = 1024 * 1024
# Seconds to wait for open connections to close when the server stops.
CLOSE_TIMEOUT = 5.0
# How many of the latest webhook update ids are remembered to drop repeats.
RECENT_UPDATES = 10_000


async def health(application: BotApplication, mode: str) -> tuple[bool, dict[str, Any]]:
    """Whether the bot is running and its database answers, with a small report."""
    if not application.running:
        return False, {"status": "unavailable", "reason": "not running"}
    updater = application.updater
    if mode == "polling" and (updater is None or not updater.running):
        return False, {"status": "unavailable", "reason": "not polling"}
    storage = services_of(application).storage
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT):
            version = await storage.schema_version()
    except Exception as error:
        log.warning("health check: the database did not answer: %r", error)
        return False, {"status": "unavailable", "reason": "database"}
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT):
            await storage.check_writable()
    except Exception as error:
        held = logs.DATABASE_ERRORS.allow()
        if held is not None:
            log.error(
                "health check: the database cannot be written: %r "
                "(logged at most once a minute; %d more since the last)",
                error,
                held,
            )
        return False, {"status": "unavailable", "reason": "database not writable"}
    return True, {"status": "ok", "mode": mode, "schema": version}


class HealthHandler(tornado.web.RequestHandler):
    """`GET /health`: 200 while the bot runs and its database answers, 503 otherwise."""

    def initialize(self, bot_application: BotApplication, mode: str) -> None:
        self.bot_application = bot_application
        self.mode = mode

    async def get(self) -> None:
        healthy, report = await health(self.bot_application, self.mode)
        self.set_status(HTTPStatus.OK if healthy else HTTPStatus.SERVICE_UNAVAILABLE)
        self.set_header("Cache-Control", "no-store")
        self.finish(report)


class RecentUpdates:
    """The last `size` update ids seen, in arrival order: memory stays bounded."""

    def __init__(self, size: int = RECENT_UPDATES) -> None:
        self._size = size
        self._order: deque[int] = deque()
        self._ids: set[int] = set()

    def __len__(self) -> int:
        return len(self._ids)

    def first_time(self, update_id: int) -> bool:
        """Remember `update_id`; whether it was new (not among the last `size`)."""
        if update_id in self._ids:
            return False
        self._ids.add(update_id)
        self._order.append(update_id)
        if len(self._order) > self._size:
            self._ids.discard(self._order.popleft())
        return True


class WebhookHandler(TelegramHandler):
    """python-telegram-bot's webhook handler, checking the secret first: in constant time, and
    without logging what a rejected request presented (the parent logs a wrong token). Then a
    body that is not a JSON update gets 400, and an update id seen lately is dropped."""

    def initialize(  # type: ignore[override]
        self, bot: Any, update_queue: asyncio.Queue[object], secret_token: str, recent: Any
    ) -> None:
        super().initialize(bot, update_queue, secret_token)
        self.recent: RecentUpdates = recent

    async def post(self) -> None:
        presented = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(presented.encode(), self.secret_token.encode()):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        if self.request.headers.get("Content-Type") != "application/json":
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)  # as the parent would
        try:
            data = json.loads(self.request.body)
        except RecursionError:  # nested too deeply to be an update
            log.warning("webhook: a body nested too deeply to read: answered 400")
            self.send_error(HTTPStatus.BAD_REQUEST)
            return
        except ValueError:  # not UTF-8, or not JSON
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        if not self.recent.first_time(update_id):
            log.info("update %d delivered again: dropped", update_id)
            self.set_status(HTTPStatus.OK)  # acknowledged, so Telegram stops resending it
            return
        # Parsed here rather than by the parent, which logs the raw body at CRITICAL when an
        # update cannot be read: one line naming the update is enough, and keeps users' text out.
        try:
            update = Update.de_json(data, self.bot)
        except Exception as error:
            log.warning(
                "webhook: update %d could not be read (%s): answered 400",
                update_id,
                type(error).__name__,
            )
            self.send_error(HTTPStatus.BAD_REQUEST)
            return
        self.set_status(HTTPStatus.OK)
        if update is None:
            return
        if _without_chat(update):
            # Telegram never sends one; no handler can answer it, so it is acknowledged and left.
            log.info("webhook: update %d has a message without a chat: ignored", update_id)
            return
        if isinstance(self.bot, ExtBot):
            self.bot.insert_callback_data(update)
        await self.update_queue.put(update)


def _without_chat(update: Update) -> bool:
    """Whether a message the update carries lacks its chat (or its sender's chat id)."""
    for message in (
        update.message,
        update.edited_message,
        update.channel_post,
        update.edited_channel_post,
    ):
        if message is not None and getattr(message, "chat", None) is None:
            return True
    return False


def log_request(handler: tornado.web.RequestHandler) -> None:
    """tornado's access log, reduced to what is safe to keep: method, path and status."""
    request = handler.request
    log.debug("%s %s %d", request.method, request.path, handler.get_status())


class Server:
    """One HTTP server on PORT for the health check and, in webhook mode, Telegram's posts."""

    def __init__(self, application: BotApplication, settings: Settings) -> None:
        routes: list[Any] = [
            (HEALTH_PATH, HealthHandler, {"bot_application": application, "mode": settings.mode}),
        ]
        if settings.mode == "webhook":
            if not settings.webhook_secret:
                raise ValueError("webhook mode needs a webhook secret")
            shared = {
                "bot": application.bot,
                "update_queue": application.update_queue,
                "secret_token": settings.webhook_secret,
                "recent": RecentUpdates(),
            }
            routes.append((WEBHOOK_PATH, WebhookHandler, shared))
        web_app = tornado.web.Application(routes, log_function=log_request)
        self._http = HTTPServer(web_app, max_body_size=MAX_BODY_BYTES)
        self.port: int | None = None

    def listen(self, port: int, address: str) -> int:
        """Bind and start serving; return the port (the one chosen, when `port` is 0)."""
        sockets = bind_sockets(port, address)
        self._http.add_sockets(sockets)
        self.port = int(sockets[0].getsockname()[1])
        return self.port

    async def stop(self) -> None:
        """Stop accepting connections, then close the open ones."""
        self._http.stop()
        try:
            async with asyncio.timeout(CLOSE_TIMEOUT):
                await self._http.close_all_connections()
        except TimeoutError:
            log.warning("HTTP connections still open after %.0f s; leaving them", CLOSE_TIMEOUT)
