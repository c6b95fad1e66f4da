"""`python -m bot`: load settings and content, then run the bot until stopped."""

from __future__ import annotations

import os
import sys

from bot import logs
from bot.app import allowed_updates, build_application
from bot.config import ConfigError, Settings
from content import ContentError, load_content


def main() -> int:
    # Durations such as RetryAfter.retry_after as timedeltas (python-telegram-bot's future default).
    os.environ.setdefault("PTB_TIMEDELTA", "1")
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
    application = build_application(settings, content)
    application.run_polling(allowed_updates=allowed_updates())
    return 0


if __name__ == "__main__":
    sys.exit(main())
