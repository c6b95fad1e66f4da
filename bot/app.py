"""The composition root: build the Application from the features, in order."""

from __future__ import annotations

import asyncio
import logging

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    TypeHandler,
)

from bot import feature, inbound, snapshots
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.context import SERVICES_KEY, BotApplication, BotContext, Services, services_of
from bot.feature import Feature
from bot.ratelimit import PerChatRateLimiter
from bot.request import RetryingRequest
from bot.scheduling import STARTUP_JOB, Repeating, startup_job
from bot.storage import Storage
from bot.updates import PerChatUpdateProcessor
from content import Content
from handlers import (
    assessment,
    audit_trail,
    buddy,
    compare,
    digest,
    fallback,
    hubs,
    leads,
    meetings,
    menu,
    national,
    operators,
    plan,
    privacy,
    pulse,
    reminders,
    report,
    retention,
    score,
    share,
    start,
    stats,
    wres,
)
from handlers import callbacks as callback_data
from handlers.errors import error_handler

log = logging.getLogger(__name__)

# Every feature, in the order its handlers are tried and its commands listed in the menus.
# Adding a feature is one line here; everything else it adds is in its own descriptor.
FEATURES: tuple[Feature, ...] = (
    assessment.FEATURE,
    score.FEATURE,
    compare.FEATURE,
    report.FEATURE,
    plan.FEATURE,
    wres.FEATURE,
    pulse.FEATURE,
    share.FEATURE,
    leads.FEATURE,
    buddy.FEATURE,
    privacy.FEATURE,
    operators.FEATURE,
    stats.FEATURE,
    national.FEATURE,
    hubs.FEATURE,
    meetings.FEATURE,
    digest.FEATURE,
    reminders.FEATURE,
    retention.FEATURE,
    audit_trail.FEATURE,
    start.FEATURE,
    fallback.FEATURE,  # last: what no other feature took
)
feature.check(FEATURES)
feature.check_entries(FEATURES)
callback_data.install(feature.callback_kinds(FEATURES))

# Infrastructure's own repeating job: the nightly snapshot behind every published figure.
INFRASTRUCTURE = (
    Repeating(snapshots.SNAPSHOT, snapshots.snapshot_job, daily_at=snapshots.SNAPSHOT_TIME),
)

# The handler groups that run before the usual group 0, for every update.
BEFORE_GROUP = -50

# How often the rate limiter retries a request Telegram answered with RetryAfter (waiting, and
# holding only that request's chat: bot/ratelimit.py).
RATE_LIMIT_RETRIES = 3
# Seconds to wait for the Bot API's answer (python-telegram-bot's default).
READ_TIMEOUT = 5.0


def build_application(
    settings: Settings,
    content: Content,
    *,
    clock: Clock | None = None,
    rate_limiter: AIORateLimiter | None = None,
    read_timeout: float | None = None,
) -> BotApplication:
    """The bot, wired: settings, content, storage (opened in post_init) and every feature.

    `clock`, `rate_limiter` and `read_timeout` (seconds to wait for a Bot API answer) default to
    the real ones; tests and benchmarks may pass their own.
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
        .rate_limiter(rate_limiter or PerChatRateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    builder = builder.request(RetryingRequest(read_timeout=read_timeout or READ_TIMEOUT))
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url)
    if settings.api_base_file_url:
        builder = builder.base_file_url(settings.api_base_file_url)
    application: BotApplication = builder.build()
    services = Services(settings, content, clock or SystemClock())
    application.bot_data[SERVICES_KEY] = services
    install(application, services, FEATURES)
    return application


def install(application: BotApplication, services: Services, features: tuple[Feature, ...]) -> None:
    """Register what each feature declares: commands first, then buttons (each kind of
    callback data to its handler), then any other handlers in feature order; the free-text
    routes, /start payloads, start-up rebuilds and repeating jobs."""
    # The input boundary: control characters leave typed text before any handler reads it.
    application.add_handler(TypeHandler(Update, inbound.clean_update), group=BEFORE_GROUP - 1)
    # Then each feature's handlers that see every update, a group each (one runs per group).
    before = [handler for each in features for handler in each.before]
    for offset, handler in enumerate(before):
        application.add_handler(handler, group=BEFORE_GROUP + offset)
    for each in features:
        for command in each.commands:
            application.add_handler(CommandHandler(command.name, command.callback))
    for each in features:
        for buttons in each.buttons:
            kinds = callback_data.pattern(*buttons.kinds)
            application.add_handler(CallbackQueryHandler(buttons.callback, pattern=kinds))
    for each in features:
        for handler in each.handlers:
            application.add_handler(handler)
    application.add_error_handler(error_handler)

    routes = services.routes
    routes.text.extend(r for each in features for r in each.text_routes if not r.last)
    routes.text.extend(r for each in features for r in each.text_routes if r.last)
    for each in features:
        routes.start.update(each.start_payloads)
        routes.start_prefixed.update(each.start_prefixed)

    schedules = services.schedules
    for each in features:
        schedules.rebuilds.extend(each.rebuilds)
        schedules.repeating.extend(each.repeating)
        schedules.kept.extend(kind.recorded_as for kind in each.kinds if kind.kept)
    schedules.repeating.extend(INFRASTRUCTURE)


async def _post_init(application: BotApplication) -> None:
    """Open the database, publish the command menus, and queue the rebuild of schedules."""
    services = services_of(application)
    if services.storage_ is None:  # `python -m bot` opens it first, before calling Telegram
        services.storage_ = await Storage.open(services.settings.db_path, services.clock)
    log.info(
        "%s",
        await operators.describe_operators(
            services.storage, services.settings.admin_ids, application.bot.username
        ),
    )
    await menu.set_commands(
        application.bot, services.content.strings, services.settings.admin_ids, menu_of(FEATURES)
    )
    if application.job_queue is not None:
        # Runs as soon as the job queue starts (application.start()), beside update handling.
        application.job_queue.run_once(startup_job, when=0, name=STARTUP_JOB)
    log.info("bot @%s ready", application.bot.username)


def menu_of(features: tuple[Feature, ...]) -> menu.Menus:
    """The command menus, derived from the features' commands."""
    return menu.Menus(
        private=feature.menu(features, "private"),
        group=feature.menu(features, "group"),
        group_admin=feature.menu(features, "group_admin"),
        operator=feature.menu(features, "operator"),
    )


async def _post_shutdown(application: BotApplication) -> None:
    services = services_of(application)
    await asyncio.to_thread(services.packer.shutdown)
    for each in FEATURES:
        for stop in each.on_shutdown:
            await asyncio.to_thread(stop)
    if services.storage_ is not None:
        await services.storage_.close()
        services.storage_ = None


def allowed_updates() -> list[str]:
    return [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
