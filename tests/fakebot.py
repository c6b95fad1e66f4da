"""A fake Telegram Bot API server on loopback, for the real Application to talk HTTP to.

It serves updates through getUpdates, records every call, keeps the messages it "sent" so edits
can be checked, enforces Telegram's limits (4,096 characters of text, 1,024 of caption, 64 bytes
of callback data, "message is not modified"), and can be told to fail calls: 429 RetryAfter,
403 Forbidden, 400 with a migrated chat, 5xx, or a time-out (an answer slower than the client
waits for). Optionally it enforces flood limits (messages per second overall, per minute per
group) and answers 429 beyond them, as Telegram does.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import random
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = 7000001
BOT_USERNAME = "hub_test_bot"
TOKEN = f"{BOT_ID}:AAFakeTokenForTestsOnly_0123456789abc"

# Parameters Telegram takes as plain strings; everything else arrives JSON-encoded.
STRING_PARAMS = {
    "text",
    "caption",
    "callback_query_id",
    "parse_mode",
    "url",
    "secret_token",
    "title",
    "description",
    "short_description",
    "language_code",
    "file_id",
}
SEND_METHODS = {"sendMessage", "sendPhoto", "sendDocument"}
EDIT_METHODS = {"editMessageText", "editMessageReplyMarkup", "editMessageCaption"}
TAG = re.compile(r"<[^>]+>")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)
    outcome: str = "ok"  # "ok", or the kind of failure returned
    result: Any = None

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return value if isinstance(value, int) else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        markup = self.params.get("reply_markup") or {}
        rows: list[list[dict[str, Any]]] = markup.get("inline_keyboard", [])
        return rows


@dataclass
class Failure:
    """A scripted failure for the next matching calls."""

    method: str
    # retry_after | forbidden | migrate | server_error | timeout | bad_request | unauthorized
    kind: str
    times: int = 1
    chat_id: int | None = None
    retry_after: int = 1
    migrate_to: int | None = None
    deliver: bool = False  # for time-outs: perform the call before answering too late
    description: str = ""


class TelegramError(Exception):
    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


@dataclass
class Chaos:
    """Fail a share of calls at random: 5xx answers, or time-outs (some of which still act)."""

    rate: float = 0.3
    kinds: tuple[str, ...] = ("server_error", "timeout")
    seed: int = 0
    spare: frozenset[str] = frozenset({"getUpdates", "getMe"})

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def failure(self, method: str) -> Failure | None:
        if method in self.spare or self._random.random() >= self.rate:
            return None
        kind = self._random.choice(self.kinds)
        return Failure(method, kind, deliver=kind == "timeout" and self._random.random() < 0.5)


@dataclass
class FloodLimits:
    """About 30 messages a second overall (a bucket that holds `slack` more than a second's
    worth, as Telegram tolerates small bursts), and 20 a minute in any one group."""

    per_second: float = 30.0
    per_group_minute: int = 20
    slack: float = 2.0


class FakeBotApi:
    """The server. `await start()`, point the bot at `base_url`, `await stop()` when done."""

    def __init__(self, *, timeout_delay: float = 1.5, limits: FloodLimits | None = None) -> None:
        self.calls: list[Call] = []
        self.failures: list[Failure] = []
        self.timeout_delay = timeout_delay
        self.limits = limits
        self.chaos: Chaos | None = None
        self.admins: dict[int, set[int]] = defaultdict(set)
        self.creator: dict[int, int] = {}
        self.anonymous_admins: dict[int, set[int]] = defaultdict(set)
        self.chat_types: dict[int, str] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.webhook: dict[str, Any] = {}
        # Extra getWebhookInfo fields, e.g. last_error_date and last_error_message.
        self.webhook_info: dict[str, Any] = {}
        self.rejected_429 = 0
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._update_ids = itertools.count(1)
        self._updates: list[dict[str, Any]] = []
        self._new_update = asyncio.Event()
        self._tokens = (limits.per_second + limits.slack) if limits else 0.0
        self._refilled = time.monotonic()
        self._per_group: dict[int, deque[float]] = defaultdict(deque)
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Condition()
        self._shown_counts: dict[int, int] = defaultdict(int)
        self.port = 0

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", [])
        self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._new_update.set()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # -- scripting -----------------------------------------------------------------------------

    def fail(self, method: str, kind: str, **options: Any) -> Failure:
        failure = Failure(method, kind, **options)
        self.failures.append(failure)
        return failure

    def set_admins(
        self, chat_id: int, user_ids: Iterable[int], *, creator: int | None = None
    ) -> None:
        self.admins[chat_id] = set(user_ids)
        if creator is not None:
            self.creator[chat_id] = creator

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates; returns it with its update_id."""
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        self._new_update.set()
        return update

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def calls_to(self, method: str, chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method
            and c.outcome == "ok"
            and (chat_id is None or c.chat_id == chat_id)
        ]

    def sent(self, chat_id: int | None = None) -> list[Call]:
        """Messages delivered (sendMessage/Photo/Document that succeeded), oldest first."""
        return [
            c
            for c in self.calls
            if c.method in SEND_METHODS
            and c.outcome == "ok"
            and (chat_id is None or c.chat_id == chat_id)
        ]

    def shown(self, chat_id: int | None = None) -> list[Call]:
        """Sends and successful edits: every text a user saw appear or change."""
        return [
            c
            for c in self.calls
            if c.method in SEND_METHODS | EDIT_METHODS
            and c.outcome == "ok"
            and (chat_id is None or c.chat_id == chat_id)
        ]

    def shown_count(self, chat_id: int) -> int:
        """How many sends and edits succeeded in the chat (cheap, for waiting on replies)."""
        return self._shown_counts[chat_id]

    # -- HTTP ----------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != TOKEN:
            return _error(404, "Not Found")
        params, files = await _params(request)
        call = Call(method, params, files)
        self.calls.append(call)
        failure = self._failure_for(method, params) or (
            self.chaos.failure(method) if self.chaos else None
        )
        try:
            if failure is not None:
                call.outcome = failure.kind
                return await self._fail(failure, method, params, files)
            self._flood_check(method, params, call)
            result = await self._dispatch(method, params, files)
            call.result = result
            if method in SEND_METHODS | EDIT_METHODS and isinstance(params.get("chat_id"), int):
                self._shown_counts[params["chat_id"]] += 1
        except TelegramError as error:
            if call.outcome == "ok":
                call.outcome = "error"
            return _error(error.status, error.description, error.parameters)
        finally:
            async with self._changed:
                self._changed.notify_all()
        return web.json_response({"ok": True, "result": result})

    async def wait_for(self, predicate: Callable[[], bool], seconds: float = 10.0) -> None:
        """Wait until `predicate()` holds after some call; TimeoutError if it never does."""
        async with asyncio.timeout(seconds), self._changed:
            await self._changed.wait_for(predicate)

    def _failure_for(self, method: str, params: dict[str, Any]) -> Failure | None:
        for failure in self.failures:
            if failure.method != method or failure.times <= 0:
                continue
            if failure.chat_id is not None and params.get("chat_id") != failure.chat_id:
                continue
            failure.times -= 1
            return failure
        return None

    async def _fail(
        self, failure: Failure, method: str, params: dict[str, Any], files: dict[str, bytes]
    ) -> web.Response:
        if failure.kind == "retry_after":
            description = f"Too Many Requests: retry after {failure.retry_after}"
            return _error(429, description, {"retry_after": failure.retry_after})
        if failure.kind == "forbidden":
            return _error(
                403, failure.description or "Forbidden: bot was kicked from the group chat"
            )
        if failure.kind == "migrate":
            parameters = {"migrate_to_chat_id": failure.migrate_to}
            return _error(
                400, "Bad Request: group chat was upgraded to a supergroup chat", parameters
            )
        if failure.kind == "bad_request":
            return _error(400, failure.description or "Bad Request: chat not found")
        if failure.kind == "unauthorized":
            return _error(401, "Unauthorized")
        if failure.kind == "server_error":
            return _error(502, "Bad Gateway")
        if failure.kind == "timeout":
            if failure.deliver:
                with contextlib.suppress(TelegramError):
                    await self._dispatch(method, params, files)
            await asyncio.sleep(self.timeout_delay)
            return _error(504, "Gateway Timeout")
        raise ValueError(f"unknown failure kind {failure.kind!r}")

    def _flood_check(self, method: str, params: dict[str, Any], call: Call) -> None:
        """Telegram's flood control, as a token bucket per second overall and a sliding window
        per group per minute; over either, 429 with retry_after."""
        if self.limits is None or method not in SEND_METHODS | EDIT_METHODS:
            return
        now = time.monotonic()
        limits = self.limits
        capacity = limits.per_second + limits.slack
        self._tokens = min(capacity, self._tokens + (now - self._refilled) * limits.per_second)
        self._refilled = now
        chat_id = params.get("chat_id")
        group = self._per_group[chat_id] if isinstance(chat_id, int) and chat_id < 0 else None
        if group is not None:
            while group and now - group[0] >= 60.0:
                group.popleft()
        if self._tokens < 1 or (group is not None and len(group) >= limits.per_group_minute):
            self.rejected_429 += 1
            call.outcome = "retry_after"
            raise TelegramError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        self._tokens -= 1
        if group is not None:
            group.append(now)

    # -- methods -------------------------------------------------------------------------------

    async def _dispatch(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            raise TelegramError(404, f"Not Found: method {method} is not faked")
        if method == "getUpdates":
            return await self._m_getUpdates(params)
        return handler(params, files)

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout=min(timeout, 1.0))
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        return self._updates[:limit]

    def _m_getMe(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        return _bot_user()

    def _m_deleteWebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        self.webhook = {}
        return True

    def _m_setWebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        self.webhook = dict(params)
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": 0,
            **self.webhook_info,
        }

    def _m_setMyCommands(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        commands = params.get("commands") or []
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command["command"]):
                raise TelegramError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command["description"]) <= 256:
                raise TelegramError(400, "Bad Request: command description is invalid")
        scope = params.get("scope") or {"type": "default"}
        self.commands[scope["type"]] = commands
        return True

    def _m_answerCallbackQuery(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        if len(str(params.get("text") or "")) > 200:
            raise TelegramError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def _m_sendMessage(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        text = str(params.get("text") or "")
        self._check_text(text, 4096, params)
        return self._store(params, {"text": text})

    def _m_sendPhoto(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        photo = files.get("photo", b"")
        if not photo.startswith(b"\x89PNG") and not photo.startswith(b"\xff\xd8"):
            raise TelegramError(400, "Bad Request: IMAGE_PROCESS_FAILED")
        self._check_text(str(params.get("caption") or ""), 1024, params)
        extra = {"photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 10, "height": 10}]}
        return self._store(params, {"caption": params.get("caption"), **extra})

    def _m_sendDocument(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        if not files.get("document"):
            raise TelegramError(400, "Bad Request: file must be non-empty")
        self._check_text(str(params.get("caption") or ""), 1024, params)
        document = {"file_id": "d1", "file_unique_id": "u2", "file_name": "file"}
        return self._store(params, {"caption": params.get("caption"), "document": document})

    def _m_editMessageText(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        key = (params.get("chat_id"), params.get("message_id"))
        stored = self.messages.get(key)  # type: ignore[arg-type]
        if stored is None:
            raise TelegramError(400, "Bad Request: message to edit not found")
        text = str(params.get("text") or "")
        self._check_text(text, 4096, params)
        markup = params.get("reply_markup")
        if stored.get("text") == text and stored.get("reply_markup") == markup:
            raise TelegramError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        stored["text"] = text
        stored["reply_markup"] = markup
        stored["edit_date"] = int(time.time())
        return _without_none(stored)

    def _m_editMessageCaption(
        self, params: dict[str, Any], files: dict[str, bytes]
    ) -> dict[str, Any]:
        key = (params.get("chat_id"), params.get("message_id"))
        stored = self.messages.get(key)  # type: ignore[arg-type]
        if stored is None or ("document" not in stored and "photo" not in stored):
            raise TelegramError(400, "Bad Request: message to edit not found")
        caption = str(params.get("caption") or "")
        self._check_text(caption, 1024, params)
        markup = params.get("reply_markup")
        self._check_markup(markup)
        if stored.get("caption") == caption and stored.get("reply_markup") == markup:
            raise TelegramError(400, "Bad Request: message is not modified")
        stored["caption"] = caption
        stored["reply_markup"] = markup
        return _without_none(stored)

    def _m_editMessageReplyMarkup(
        self, params: dict[str, Any], files: dict[str, bytes]
    ) -> dict[str, Any]:
        key = (params.get("chat_id"), params.get("message_id"))
        stored = self.messages.get(key)  # type: ignore[arg-type]
        if stored is None:
            raise TelegramError(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        self._check_markup(markup)
        if stored.get("reply_markup") == markup:
            raise TelegramError(400, "Bad Request: message is not modified")
        stored["reply_markup"] = markup
        return _without_none(stored)

    def _m_getChatMember(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        return self._member(chat_id, user_id)

    def _m_getChatAdministrators(
        self, params: dict[str, Any], files: dict[str, bytes]
    ) -> list[dict[str, Any]]:
        chat_id = int(params["chat_id"])
        return [self._member(chat_id, user_id) for user_id in sorted(self.admins[chat_id])]

    def _m_getChat(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        chat = _chat(chat_id, self.chat_types.get(chat_id))
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _m_close(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        return True

    def _m_logOut(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        return True

    # -- helpers -------------------------------------------------------------------------------

    def _member(self, chat_id: int, user_id: int) -> dict[str, Any]:
        user = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        anonymous = user_id in self.anonymous_admins[chat_id]
        if self.creator.get(chat_id) == user_id:
            return {"status": "creator", "user": user, "is_anonymous": anonymous}
        if user_id in self.admins[chat_id]:
            return {
                "status": "administrator",
                "user": user,
                "can_be_edited": False,
                "is_anonymous": anonymous,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": True,
                "can_restrict_members": True,
                "can_promote_members": False,
                "can_change_info": True,
                "can_invite_users": True,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
            }
        return {"status": "member", "user": user}

    def _check_text(self, text: str, limit: int, params: dict[str, Any]) -> None:
        visible = html.unescape(TAG.sub("", text)) if params.get("parse_mode") == "HTML" else text
        if params.get("parse_mode") == "HTML":
            _check_html(text)
        if len(visible) > limit:
            raise TelegramError(400, "Bad Request: message is too long")
        if limit == 4096 and not visible.strip():
            raise TelegramError(400, "Bad Request: message text is empty")
        self._check_markup(params.get("reply_markup"))

    @staticmethod
    def _check_markup(markup: Any) -> None:
        if not markup:
            return
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise TelegramError(400, "Bad Request: BUTTON_DATA_INVALID")
                if not str(button.get("text", "")).strip():
                    raise TelegramError(400, "Bad Request: text buttons are unallowed")

    def _store(self, params: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            raise TelegramError(400, "Bad Request: chat not found")
        message_id = next(self._message_ids[chat_id])
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": _chat(chat_id, self.chat_types.get(chat_id)),
            "from": _bot_user(),
            "reply_markup": params.get("reply_markup"),
            **content,
        }
        self.messages[(chat_id, message_id)] = message
        return _without_none(message)


def _check_html(text: str) -> None:
    """Reject unbalanced or unsupported tags and raw '<' the way Telegram's parser does."""
    allowed = {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "tg-spoiler",
        "span",
        "blockquote",
        "tg-emoji",
    }
    stack: list[str] = []
    for match in re.finditer(r"<(/?)([a-zA-Z-]*)[^>]*>|<", text):
        if match.group(0) == "<":
            raise TelegramError(400, "Bad Request: can't parse entities: unexpected '<'")
        closing, name = match.group(1), match.group(2).lower()
        if name not in allowed:
            raise TelegramError(400, f"Bad Request: can't parse entities: unsupported tag {name}")
        if closing:
            if not stack or stack.pop() != name:
                raise TelegramError(400, "Bad Request: can't parse entities: unmatched end tag")
        else:
            stack.append(name)
    if stack:
        raise TelegramError(400, "Bad Request: can't parse entities: unclosed start tag")


def _bot_user() -> dict[str, Any]:
    return {
        "id": BOT_ID,
        "is_bot": True,
        "first_name": "Staff Network Hub",
        "username": BOT_USERNAME,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


def _chat(chat_id: int, kind: str | None = None) -> dict[str, Any]:
    if kind is None:
        kind = (
            "private"
            if chat_id > 0
            else "supergroup"
            if str(chat_id).startswith("-100")
            else "group"
        )
    chat: dict[str, Any] = {"id": chat_id, "type": kind}
    if kind == "private":
        chat["first_name"] = f"User{chat_id}"
    else:
        chat["title"] = f"Hub {chat_id}"
    return chat


def _without_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


async def _params(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    params: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    if request.method == "GET":
        raw: Iterable[tuple[str, Any]] = request.query.items()
    elif request.content_type == "application/json":
        raw = (await request.json()).items()
    else:
        raw = (await request.post()).items()
    for name, value in raw:
        if isinstance(value, web.FileField):
            files[name] = value.file.read()
        elif isinstance(value, str) and name not in STRING_PARAMS:
            try:
                params[name] = json.loads(value)
            except ValueError:
                params[name] = value
        else:
            params[name] = value
    return params, files


# -- updates a test sends ------------------------------------------------------------------------


_incoming_ids = itertools.count(1_000_000)


def user_json(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}


def message_update(
    user_id: int,
    text: str | None = None,
    *,
    chat_id: int | None = None,
    message_id: int | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A message from `user_id` (in their private chat unless `chat_id` names a group)."""
    chat = chat_id if chat_id is not None else user_id
    message: dict[str, Any] = {
        # Users' messages get ids far above the bot's own, so the two never collide.
        "message_id": message_id if message_id is not None else next(_incoming_ids),
        "date": int(time.time()),
        "chat": _chat(chat),
        "from": user_json(user_id),
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    message.update(extra or {})
    return {"message": message}


def callback_update(
    user_id: int, data: str, *, message: dict[str, Any], query_id: str | None = None
) -> dict[str, Any]:
    return {
        "callback_query": {
            "id": query_id or f"q{time.monotonic_ns()}",
            "from": user_json(user_id),
            "chat_instance": f"ci{user_id}",
            "data": data,
            "message": _without_none(message),
        }
    }
