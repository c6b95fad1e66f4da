"""Settings from the environment, and `python -m bot` refusing a bad configuration."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, Settings
from bot.logs import RedactSecrets
from tests.fakebot import TOKEN

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_follow_the_spec() -> None:
    """With only a token, every other setting takes the spec's default."""
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert settings.db_path == Path("data/bot.sqlite3")
    assert settings.timezone == ZoneInfo("Europe/London")
    assert settings.min_group_size == 5
    assert settings.mode == "polling"
    assert settings.admin_ids == frozenset()
    assert settings.api_base_url is None


def test_every_variable_is_read() -> None:
    """Each documented variable changes its setting."""
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
            "TELEGRAM_API_BASE_FILE_URL": "http://127.0.0.1:8081/file/bot",
            "BOT_DB_PATH": "/data/x.sqlite3",
            "BOT_TIMEZONE": "Europe/Dublin",
            "BOT_ADMIN_IDS": "1, 2,3",
            "BOT_MIN_GROUP_SIZE": "7",
            "BOT_MODE": "webhook",
            "WEBHOOK_URL": "https://bot.example.nhs.uk/hook",
            "WEBHOOK_SECRET": "s3cret-value",
            "PORT": "8443",
            "HEALTH_HOST": "10.0.0.5",
            "LOG_LEVEL": "debug",
        }
    )
    assert settings.api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.api_base_file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.db_path == Path("/data/x.sqlite3")
    assert settings.timezone == ZoneInfo("Europe/Dublin")
    assert settings.admin_ids == frozenset({1, 2, 3})
    assert settings.min_group_size == 7
    assert (settings.mode, settings.port, settings.log_level) == ("webhook", 8443, "DEBUG")
    assert settings.health_host == "10.0.0.5"


def test_health_host_is_loopback_by_default_in_polling_mode() -> None:
    """Polling needs /health only on this host: the server listens on 127.0.0.1."""
    assert Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN}).health_host == "127.0.0.1"


def test_health_host_is_every_interface_by_default_in_webhook_mode() -> None:
    """Webhook mode must be reachable from the proxy: the server listens on 0.0.0.0."""
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "BOT_MODE": "webhook",
            "WEBHOOK_URL": "https://bot.example.nhs.uk/hook",
            "WEBHOOK_SECRET": "s3cret-value",
        }
    )
    assert settings.health_host == "0.0.0.0"


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "TELEGRAM_BOT_TOKEN"),
        ({"BOT_TIMEZONE": "Mars/Olympus"}, "BOT_TIMEZONE"),
        ({"BOT_ADMIN_IDS": "alice"}, "BOT_ADMIN_IDS"),
        ({"BOT_MIN_GROUP_SIZE": "0"}, "BOT_MIN_GROUP_SIZE"),
        ({"BOT_MODE": "carrier-pigeon"}, "BOT_MODE"),
        ({"BOT_MODE": "webhook"}, "WEBHOOK_URL"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"HEALTH_HOST": "every interface"}, "HEALTH_HOST"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], names: str) -> None:
    """A missing or malformed variable is refused with its name in the message."""
    full = {"TELEGRAM_BOT_TOKEN": TOKEN, **env} if env and "TELEGRAM_BOT_TOKEN" not in env else env
    with pytest.raises(ConfigError, match=names):
        Settings.from_env(full)


def test_token_never_appears_in_repr() -> None:
    """The token and webhook secret are kept out of the settings' repr."""
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "BOT_MODE": "webhook",
            "WEBHOOK_URL": "https://x.example/h",
            "WEBHOOK_SECRET": "topsecretvalue",
        }
    )
    assert TOKEN not in repr(settings)
    assert "topsecretvalue" not in repr(settings)


def test_log_filter_redacts_the_token() -> None:
    """A log line carrying the token (say, a request URL in an error) shows it redacted."""
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "failed: https://api/bot%s/getMe", (TOKEN,), None
    )
    RedactSecrets([TOKEN]).filter(record)
    assert TOKEN not in record.getMessage()
    assert "[redacted]" in record.getMessage()


def _run_bot(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_missing_token_stops_with_one_clear_line() -> None:
    """`python -m bot` without a token exits non-zero with one line naming the variable."""
    completed = _run_bot({})
    assert completed.returncode != 0
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "TELEGRAM_BOT_TOKEN" in lines[0]
    assert "Traceback" not in completed.stderr


def test_malformed_token_stops_with_one_clear_line() -> None:
    """A malformed token is refused the same way, without echoing it."""
    completed = _run_bot({"TELEGRAM_BOT_TOKEN": "12345:short"})
    lines = completed.stderr.strip().splitlines()
    assert completed.returncode != 0
    assert len(lines) == 1
    assert "malformed" in lines[0]
    assert "12345:short" not in completed.stderr


def test_privacy_and_retention_settings_are_read() -> None:
    """The privacy notice's settings and the retention schedule come from the environment;
    unset, the notice's are None and the schedule takes its defaults."""
    defaults = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert defaults.controller_name is None
    assert defaults.lawful_basis is None
    assert (defaults.retention.network_months, defaults.retention.warn_days) == (24, 30)
    assert (defaults.retention.delivery_months, defaults.retention.pairing_months) == (13, 12)
    assert (defaults.retention.rsvp_days, defaults.retention.audit_months) == (90, 24)
    assert defaults.retention.backups_kept == 7
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "BOT_CONTROLLER_NAME": " North Region ",
            "BOT_CONTROLLER_CONTACT": "leads@example.nhs.uk",
            "BOT_DPO_CONTACT": "dpo@example.nhs.uk",
            "BOT_LAWFUL_BASIS": "public task",
            "BOT_RETAIN_NETWORK_MONTHS": "36",
            "BOT_RETAIN_WARN_DAYS": "14",
            "BOT_RETAIN_DELIVERY_MONTHS": "6",
            "BOT_RETAIN_PAIRING_MONTHS": "3",
            "BOT_RETAIN_RSVP_DAYS": "30",
            "BOT_RETAIN_AUDIT_MONTHS": "72",
            "BOT_BACKUPS_KEEP": "30",
        }
    )
    assert settings.controller_name == "North Region"
    assert settings.controller_contact == "leads@example.nhs.uk"
    assert settings.dpo_contact == "dpo@example.nhs.uk"
    assert settings.lawful_basis == "public task"
    policy = settings.retention
    assert (policy.network_months, policy.warn_days, policy.delivery_months) == (36, 14, 6)
    assert (policy.pairing_months, policy.rsvp_days, policy.audit_months) == (3, 30, 72)
    assert policy.backups_kept == 30


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BOT_RETAIN_NETWORK_MONTHS": "0"}, "BOT_RETAIN_NETWORK_MONTHS must be a whole number"),
        ({"BOT_RETAIN_RSVP_DAYS": "ninety"}, "BOT_RETAIN_RSVP_DAYS must be a whole number"),
        (
            {"BOT_RETAIN_NETWORK_MONTHS": "1", "BOT_RETAIN_WARN_DAYS": "60"},
            "BOT_RETAIN_WARN_DAYS must be shorter than BOT_RETAIN_NETWORK_MONTHS",
        ),
    ],
)
def test_a_bad_retention_setting_is_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, **env})
