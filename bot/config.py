"""Settings from the environment, read inside main() and never at import time."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scoring.retention import Policy

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
    # The privacy notice (UK GDPR article 13): who runs the bot, and on what lawful basis.
    controller_name: str | None = None
    controller_contact: str | None = None
    dpo_contact: str | None = None
    lawful_basis: str | None = None
    retention: Policy = field(default_factory=Policy)

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
            controller_name=_optional(env, "BOT_CONTROLLER_NAME"),
            controller_contact=_optional(env, "BOT_CONTROLLER_CONTACT"),
            dpo_contact=_optional(env, "BOT_DPO_CONTACT"),
            lawful_basis=_optional(env, "BOT_LAWFUL_BASIS"),
            retention=retention_policy(env),
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


# The privacy settings `python -m bot check` warns about when they are unset.
PRIVACY_SETTINGS = (
    "BOT_CONTROLLER_NAME",
    "BOT_CONTROLLER_CONTACT",
    "BOT_DPO_CONTACT",
    "BOT_LAWFUL_BASIS",
)
# The retention schedule: variable -> Policy field (each a whole number of at least 1).
RETENTION_SETTINGS = {
    "BOT_RETAIN_NETWORK_MONTHS": "network_months",
    "BOT_RETAIN_WARN_DAYS": "warn_days",
    "BOT_RETAIN_DELIVERY_MONTHS": "delivery_months",
    "BOT_RETAIN_PAIRING_MONTHS": "pairing_months",
    "BOT_RETAIN_RSVP_DAYS": "rsvp_days",
    "BOT_RETAIN_AUDIT_MONTHS": "audit_months",
    "BOT_BACKUPS_KEEP": "backups_kept",
}


def retention_policy(env: Mapping[str, str]) -> Policy:
    """The retention schedule from the environment, each unset value its default."""
    defaults = Policy()
    values = {
        name: _positive_int(env, variable, getattr(defaults, name))
        for variable, name in RETENTION_SETTINGS.items()
    }
    policy = Policy(**values)
    if policy.warn_days >= policy.network_months * 28:
        raise ConfigError(
            "BOT_RETAIN_WARN_DAYS must be shorter than BOT_RETAIN_NETWORK_MONTHS "
            f"({policy.warn_days} days against {policy.network_months} months)"
        )
    return policy


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
