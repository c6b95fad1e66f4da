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
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import snapshots
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.context import SERVICES_KEY, BotApplication, BotContext, Services, services_of
from bot.request import RetryingRequest
from bot.routes import Routes, TextRoute
from bot.scheduling import (
    BUDDY_PAIRING,
    DIGESTS,
    LEAD_REMINDERS,
    OPERATOR_DIGESTS,
    PLAN_REMINDERS,
    RETENTION_CHECKS,
    SNAPSHOT,
    STARTUP_JOB,
    WRES_REMINDERS,
    Schedules,
    startup_job,
)
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
    operators,
    plan,
    privacy,
    registration,
    reminders,
    report,
    retention,
    score,
    share,
    start,
    stats,
    wres,
)
from handlers.callbacks import pattern
from handlers.errors import error_handler

log = logging.getLogger(__name__)

# How often AIORateLimiter retries a request Telegram answered with RetryAfter.
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
    """The bot, wired: settings, content, storage (opened in post_init) and all handlers.

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
        .rate_limiter(rate_limiter or AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
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
    _register(application)
    _register_schedules(services.schedules)
    _register_routes(services.routes)
    return application


def _register(app: Application) -> None:  # type: ignore[type-arg]
    """Every handler, in the order they are tried (first match wins within group 0)."""
    private = filters.ChatType.PRIVATE

    # Lead activity (for the retention schedule), before anything else handles the update.
    app.add_handler(TypeHandler(Update, retention.record_activity), group=-1)

    # Commands.
    app.add_handler(CommandHandler("start", start.start_command))
    app.add_handler(CommandHandler("help", start.help_command))
    app.add_handler(CommandHandler("about", start.about_command))
    app.add_handler(CommandHandler("glossary", start.glossary_command))
    app.add_handler(CommandHandler("assess", assessment.assess_command))
    app.add_handler(CommandHandler("score", score.score_command))
    app.add_handler(CommandHandler("compare", compare.compare_command))
    app.add_handler(CommandHandler("report", report.report_command))
    app.add_handler(CommandHandler("plan", plan.plan_command))
    app.add_handler(CommandHandler("privacy", privacy.privacy_command))
    app.add_handler(CommandHandler("export", privacy.export_command))
    app.add_handler(CommandHandler("forget", privacy.forget_command))
    app.add_handler(CommandHandler("stats", stats.stats_command))
    app.add_handler(CommandHandler("whoami", operators.whoami_command))
    app.add_handler(CommandHandler("share", share.share_command))
    app.add_handler(CommandHandler("leads", leads.leads_command))
    app.add_handler(CommandHandler("hub", hubs.hub_command))
    app.add_handler(CommandHandler("nudges", hubs.nudges_command))
    app.add_handler(CommandHandler("nudge", hubs.nudge_now_command))
    app.add_handler(CommandHandler("meeting", meetings.meeting_command))
    app.add_handler(CommandHandler("meetings", meetings.meetings_command))
    app.add_handler(CommandHandler("digest", digest.digest_command))
    app.add_handler(CommandHandler("buddy", buddy.buddy_command))
    app.add_handler(CommandHandler("wres", wres.wres_command))
    app.add_handler(CommandHandler("audit", audit_trail.audit_command))

    # Buttons: each kind of callback data to its handler; anything else is an expired button.
    app.add_handler(CallbackQueryHandler(assessment.answer_pressed, pattern=pattern("a")))
    app.add_handler(CallbackQueryHandler(assessment.back_pressed, pattern=pattern("b")))
    app.add_handler(CallbackQueryHandler(assessment.pause_pressed, pattern=pattern("p")))
    app.add_handler(CallbackQueryHandler(assessment.skip_pressed, pattern=pattern("s", "sr")))
    app.add_handler(CallbackQueryHandler(assessment.continue_pressed, pattern=pattern("c", "go")))
    app.add_handler(CallbackQueryHandler(assessment.help_pressed, pattern=pattern("h")))
    app.add_handler(CallbackQueryHandler(assessment.change_section_pressed, pattern=pattern("rc")))
    app.add_handler(CallbackQueryHandler(assessment.finish_pressed, pattern=pattern("f")))
    app.add_handler(CallbackQueryHandler(assessment.change_answers_pressed, pattern=pattern("ca")))
    app.add_handler(CallbackQueryHandler(assessment.settle_pressed, pattern=pattern("ag")))
    app.add_handler(
        CallbackQueryHandler(registration.button_pressed, pattern=pattern("o", "t", "r", "g", "n"))
    )
    app.add_handler(CallbackQueryHandler(meetings.cancel_pressed, pattern=pattern("mc")))
    app.add_handler(CallbackQueryHandler(meetings.rsvp_pressed, pattern=pattern("mr")))
    app.add_handler(CallbackQueryHandler(meetings.file_pressed, pattern=pattern("mf")))
    app.add_handler(CallbackQueryHandler(meetings.who_pressed, pattern=pattern("mw")))
    app.add_handler(CallbackQueryHandler(buddy.choice_pressed, pattern=pattern("bw", "bo", "bs")))
    app.add_handler(CallbackQueryHandler(share.credit_pressed, pattern=pattern("sc")))
    app.add_handler(CallbackQueryHandler(share.review_pressed, pattern=pattern("pa")))
    app.add_handler(CallbackQueryHandler(compare.share_band_pressed, pattern=pattern("sh")))
    app.add_handler(CallbackQueryHandler(privacy.forget_pressed, pattern=pattern("fg")))
    app.add_handler(CallbackQueryHandler(score.new_invite_pressed, pattern=pattern("ni")))
    app.add_handler(
        CallbackQueryHandler(wres.button_pressed, pattern=pattern("wi", "wq", "wr", "wx"))
    )
    app.add_handler(CallbackQueryHandler(hubs.approval_pressed, pattern=pattern("ha")))
    app.add_handler(CallbackQueryHandler(leads.remove_pressed, pattern=pattern("lr")))
    app.add_handler(CallbackQueryHandler(plan.add_pressed, pattern=pattern("pl", "pp")))
    app.add_handler(
        CallbackQueryHandler(plan.step_pressed, pattern=pattern("pv", "ps", "pe", "pr", "py"))
    )
    app.add_handler(CallbackQueryHandler(privacy.notice_pressed, pattern=pattern("pn")))
    app.add_handler(CallbackQueryHandler(audit_trail.next_pressed, pattern=pattern("au")))
    app.add_handler(CallbackQueryHandler(fallback.expired_button))

    # Group housekeeping: migration to a supergroup, the bot being removed.
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, hubs.chat_migrated))
    app.add_handler(ChatMemberHandler(hubs.membership_changed, ChatMemberHandler.MY_CHAT_MEMBER))

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


def _register_routes(routes: Routes) -> None:
    """Who takes free text (first come, first served) and /start payloads."""
    routes.text.append(TextRoute(registration.text_route, registration.waiting))
    routes.text.append(TextRoute(wres.text_received, wres.waiting))
    routes.text.append(TextRoute(plan.text_received, plan.waiting))
    routes.text.append(TextRoute(assessment.text_in_assessment, assessment.waiting))
    routes.start["assess"] = assessment.begin_or_resume
    routes.start["score"] = score.show_score


def _register_schedules(schedules: Schedules) -> None:
    """Every scheduled message: what is rebuilt at start-up, and what repeats."""
    schedules.rebuild("hubs", hubs.active_hubs, hubs.rebuild_hub)
    schedules.rebuild("upcoming meetings", meetings.upcoming, meetings.rebuild_meeting)
    schedules.every(LEAD_REMINDERS, reminders.CHECK_EVERY, reminders.lead_reminders_job)
    schedules.every(WRES_REMINDERS, wres.CHECK_EVERY, wres.wres_reminders_job)
    schedules.every(OPERATOR_DIGESTS, operators.CHECK_EVERY, operators.operator_digest_job)
    schedules.every(PLAN_REMINDERS, plan.CHECK_EVERY, plan.plan_reminders_job)
    schedules.every(DIGESTS, digest.CHECK_EVERY, digest.digest_check_job)
    schedules.every(BUDDY_PAIRING, buddy.CHECK_EVERY, buddy.buddy_pairing_job)
    schedules.daily(SNAPSHOT, snapshots.SNAPSHOT_TIME, snapshots.snapshot_job)
    schedules.every(RETENTION_CHECKS, retention.CHECK_EVERY, retention.retention_job)


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
    await menu.set_commands(application.bot, services.content.strings, services.settings.admin_ids)
    if application.job_queue is not None:
        # Runs as soon as the job queue starts (application.start()), beside update handling.
        application.job_queue.run_once(startup_job, when=0, name=STARTUP_JOB)
    log.info("bot @%s ready", application.bot.username)


async def _post_shutdown(application: BotApplication) -> None:
    services = services_of(application)
    if services.storage_ is not None:
        await services.storage_.close()
        services.storage_ = None


def allowed_updates() -> list[str]:
    return [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
