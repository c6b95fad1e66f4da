"""Settings from the environment, read inside main() and never at import time."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Bot API tokens look like "123456789:AAH...": a numeric bot id, a colon and a 35-character secret.
TOKEN_PATTERN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{30,60}$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Where the HTTP server listens unless HEALTH_HOST says otherwise: in polling mode only this
# host needs /health; in webhook mode Telegram's posts arrive from outside (through a proxy).
LOOPBACK = "127.0.0.1"
EVERY_INTERFACE = "0.0.0.0"


class ConfigError(Exception):
    """The environment is missing a setting or holds a malformed one."""


@dataclass(frozen=True)
class Settings:
    token: str = field(repr=False)
    api_base_url: str | None = None
    api_base_file_url: str | None = None
    db_path: Path = Path("data/bot.sqlite3")
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    admin_ids: frozenset[int] = frozenset()
    min_group_size: int = 5
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    port: int = 8080
    health_host: str = LOOPBACK
    log_level: str = "INFO"

    @property
    def bot_id(self) -> int:
        return int(self.token.split(":", 1)[0])

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Build settings from environment variables; raise ConfigError naming the variable."""
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set: give the token @BotFather issued")
        if not TOKEN_PATTERN.match(token):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is malformed: expected digits, a colon and the secret "
                "(as issued by @BotFather)"
            )
        mode = env.get("BOT_MODE", "polling").strip().lower() or "polling"
        if mode not in ("polling", "webhook"):
            raise ConfigError(f"BOT_MODE must be 'polling' or 'webhook', not {mode!r}")
        settings = cls(
            token=token,
            api_base_url=_optional(env, "TELEGRAM_API_BASE_URL"),
            api_base_file_url=_optional(env, "TELEGRAM_API_BASE_FILE_URL"),
            db_path=Path(env.get("BOT_DB_PATH", "").strip() or "data/bot.sqlite3"),
            timezone=_timezone(env.get("BOT_TIMEZONE", "").strip() or "Europe/London"),
            admin_ids=_admin_ids(env.get("BOT_ADMIN_IDS", "")),
            min_group_size=_positive_int(env, "BOT_MIN_GROUP_SIZE", 5),
            mode="webhook" if mode == "webhook" else "polling",
            webhook_url=_optional(env, "WEBHOOK_URL"),
            webhook_secret=_optional(env, "WEBHOOK_SECRET"),
            port=_positive_int(env, "PORT", 8080),
            health_host=_host(
                env, "HEALTH_HOST", EVERY_INTERFACE if mode == "webhook" else LOOPBACK
            ),
            log_level=_log_level(env.get("LOG_LEVEL", "")),
        )
        if settings.mode == "webhook":
            if not settings.webhook_url or not settings.webhook_url.startswith("https://"):
                raise ConfigError("WEBHOOK_URL must be set to an https:// address in webhook mode")
            if not settings.webhook_secret or not re.fullmatch(
                r"[A-Za-z0-9_-]{1,256}", settings.webhook_secret
            ):
                raise ConfigError(
                    "WEBHOOK_SECRET must be set in webhook mode (1-256 of A-Z, a-z, 0-9, _ and -)"
                )
        return settings


def _optional(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"BOT_TIMEZONE {name!r} is not a known time zone") from None


def _admin_ids(raw: str) -> frozenset[int]:
    parts = [part for part in re.split(r"[\s,]+", raw.strip()) if part]
    try:
        return frozenset(int(part) for part in parts)
    except ValueError:
        raise ConfigError("BOT_ADMIN_IDS must be Telegram user ids separated by commas") from None


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{name} must be a whole number of at least 1, not {raw!r}")
    return int(raw)


def _host(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if raw == "localhost":
        return raw
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        raise ConfigError(
            f"{name} must be an IP address to listen on, such as 127.0.0.1 or 0.0.0.0, "
            f"not {raw[:60]!r}"
        ) from None


def _log_level(raw: str) -> str:
    level = raw.strip().upper() or "INFO"
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {raw!r}")
    return level
