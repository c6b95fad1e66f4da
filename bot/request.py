"""The Bot API transport, retrying what can be retried without risking a duplicate.

One place decides, for every call the bot makes:
- a connection that failed before the request went out is retried; so is a 5xx answer, which
  almost always means Telegram did not act on the call (a rare one that did could, for a send,
  arrive twice: the one case where a scheduled message's at-most-once promise can slip);
- a time-out is retried only for calls where repeating cannot duplicate anything (reads, edits,
  answering a button press); a `sendMessage` that timed out may have arrived, so it is not;
- anything else (BadRequest, Forbidden, RetryAfter, which AIORateLimiter waits out) is left to the
  caller.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest, RequestData

log = logging.getLogger(__name__)

RETRIES = 3
BACKOFF_SECONDS = 0.2
# Calls that change nothing, or change it to the same state when repeated.
IDEMPOTENT = frozenset(
    {
        "getMe",
        "getChat",
        "getChatMember",
        "getChatAdministrators",
        "getWebhookInfo",
        "setWebhook",
        "deleteWebhook",
        "setMyCommands",
        "answerCallbackQuery",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
    }
)


class RetryingRequest(HTTPXRequest):
    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        for attempt in range(RETRIES + 1):
            last = attempt == RETRIES
            try:
                status, payload = await super().do_request(
                    url, method, request_data, *args, **kwargs
                )
            except TimedOut as error:
                never_sent = isinstance(error.__cause__, httpx.PoolTimeout | httpx.ConnectTimeout)
                if last or not (never_sent or endpoint in IDEMPOTENT):
                    raise
                reason = "timed out"
            except NetworkError as error:
                if last or not isinstance(error.__cause__, httpx.ConnectError):
                    raise
                reason = "could not connect"
            else:
                if status < 500 or last:
                    return status, payload
                reason = f"answered {status}"
            log.info("%s %s; retrying (%d of %d)", endpoint, reason, attempt + 1, RETRIES)
            await asyncio.sleep(BACKOFF_SECONDS * 2**attempt)
        raise AssertionError("unreachable")
