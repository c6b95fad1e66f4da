"""Logging: one line per event with level and logger, and no secrets in any line."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactSecrets(logging.Filter):
    """Replace every configured secret (the bot token, the webhook secret) in a record."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        redacted = self._redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        return True

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text


class Throttle:
    """For an error that may repeat on every update: allow one log line per `interval` seconds,
    and count the occurrences held back in between."""

    def __init__(self, interval: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self._clock = clock
        self._last: float | None = None
        self._held = 0

    def allow(self) -> int | None:
        """None to stay silent; otherwise log now, and this many were held back since."""
        now = self._clock()
        if self._last is not None and now - self._last < self.interval:
            self._held += 1
            return None
        held, self._held, self._last = self._held, 0, now
        return held


# The database failing (read-only, full, broken): logged at most once a minute, however many
# updates, jobs and health checks run into it.
DATABASE_ERRORS = Throttle()


def configure(level: str, secrets: Iterable[str | None]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # At DEBUG aiosqlite logs every statement with its parameters, which hold what users type.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    quiet_libraries()


def quiet_libraries() -> None:
    """Libraries that say too much: python-telegram-bot logs a traceback with the whole body
    when an answer is not JSON (the error it raises is reported in one line instead), and
    WeasyPrint logs several INFO lines per board pack."""
    logging.getLogger("telegram.request.BaseRequest").setLevel(logging.CRITICAL)
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)
