"""The composition root: build the Application and register every handler, in order."""

from __future__ import annotations

import logging

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.context import SERVICES_KEY, BotApplication, BotContext, Services, services_of
from bot.storage import Storage
from bot.updates import PerChatUpdateProcessor
from content import Content
from handlers import assessment, fallback, menu, registration, score, start
from handlers.callbacks import pattern
from handlers.errors import error_handler

log = logging.getLogger(__name__)

# How often AIORateLimiter retries a request Telegram answered with RetryAfter.
RATE_LIMIT_RETRIES = 3


def build_application(
    settings: Settings,
    content: Content,
    *,
    clock: Clock | None = None,
    rate_limiter: AIORateLimiter | None = None,
) -> BotApplication:
    """The bot, wired: settings, content, storage (opened in post_init) and all handlers.

    `clock` and `rate_limiter` default to the real ones; tests and benchmarks may pass their own.
    """
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .context_types(ContextTypes(context=BotContext))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                tzinfo=settings.timezone,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(rate_limiter or AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url)
    if settings.api_base_file_url:
        builder = builder.base_file_url(settings.api_base_file_url)
    application: BotApplication = builder.build()
    application.bot_data[SERVICES_KEY] = Services(settings, content, clock or SystemClock())
    _register(application)
    return application


def _register(app: Application) -> None:  # type: ignore[type-arg]
    """Every handler, in the order they are tried (first match wins within group 0)."""
    private = filters.ChatType.PRIVATE

    # Commands.
    app.add_handler(CommandHandler("start", start.start_command))
    app.add_handler(CommandHandler("help", start.help_command))
    app.add_handler(CommandHandler("assess", assessment.assess_command))
    app.add_handler(CommandHandler("score", score.score_command))

    # Buttons: each kind of callback data to its handler; anything else is an expired button.
    app.add_handler(CallbackQueryHandler(assessment.answer_pressed, pattern=pattern("a")))
    app.add_handler(CallbackQueryHandler(assessment.back_pressed, pattern=pattern("b")))
    app.add_handler(CallbackQueryHandler(assessment.pause_pressed, pattern=pattern("p")))
    app.add_handler(CallbackQueryHandler(assessment.skip_pressed, pattern=pattern("s")))
    app.add_handler(CallbackQueryHandler(assessment.continue_pressed, pattern=pattern("c", "go")))
    app.add_handler(
        CallbackQueryHandler(registration.button_pressed, pattern=pattern("o", "t", "r", "g", "n"))
    )
    app.add_handler(CallbackQueryHandler(fallback.expired_button))

    # Free text and everything else the bot did not ask for.
    app.add_handler(
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, fallback.private_text)
    )
    app.add_handler(MessageHandler(filters.COMMAND, fallback.unknown_command))
    app.add_handler(
        MessageHandler(
            private & ~filters.COMMAND & ~filters.StatusUpdate.ALL, fallback.other_private_message
        )
    )

    app.add_error_handler(error_handler)


async def _post_init(application: BotApplication) -> None:
    """Open the database, then publish the command menus."""
    services = services_of(application)
    services.storage_ = await Storage.open(services.settings.db_path, services.clock)
    await menu.set_commands(application.bot, services.content.strings)
    log.info("bot @%s ready", application.bot.username)


async def _post_shutdown(application: BotApplication) -> None:
    services = services_of(application)
    if services.storage_ is not None:
        await services.storage_.close()
        services.storage_ = None


def allowed_updates() -> list[str]:
    return [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
