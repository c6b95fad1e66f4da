"""A bot process for the benchmarks: `python -m bench.worker bot|echo`, configured from the
same environment variables as the real bot, polling the fake Bot API until SIGTERM.

`bot` is the real application (every handler, real SQLite) with Telegram's pacing switched off,
so the benchmark measures the bot's own cost; `echo` is the same Application machinery with one
trivial handler per update type, the baseline to compare against.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from bot.app import RATE_LIMIT_RETRIES, allowed_updates, build_application
from bot.config import Settings
from bot.updates import PerChatUpdateProcessor
from content import load_content

ECHO_BUTTON = InlineKeyboardMarkup([[InlineKeyboardButton("Echo", callback_data="1:echo")]])


def unthrottled() -> AIORateLimiter:
    return AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=RATE_LIMIT_RETRIES)


def echo_application(settings: Settings) -> Application[Any, Any, Any, Any, Any, Any]:
    """The baseline: the same builder settings as the bot, one trivial handler per update."""
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                tzinfo=settings.timezone,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(unthrottled())
        .concurrent_updates(PerChatUpdateProcessor())
    )
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url)
    app = builder.build()
    presses: dict[int, int] = {}

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text(
                f"echo: {update.effective_message.text}", reply_markup=ECHO_BUTTON
            )

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        count = presses[query.from_user.id] = presses.get(query.from_user.id, 0) + 1
        await query.answer()
        await query.edit_message_text(f"echo {query.data} #{count}", reply_markup=ECHO_BUTTON)

    app.add_handler(MessageHandler(filters.TEXT, on_text))
    app.add_handler(CallbackQueryHandler(on_press))
    return app


def main(mode: str) -> int:
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    settings = Settings.from_env(os.environ)
    if mode == "echo":
        app = echo_application(settings)
    else:
        app = build_application(settings, load_content(), rate_limiter=unthrottled())
    app.run_polling(allowed_updates=allowed_updates(), poll_interval=0, timeout=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "bot"))
