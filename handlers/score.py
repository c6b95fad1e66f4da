"""/score: the network's latest result, its history and a trend chart."""

from __future__ import annotations

import asyncio

from telegram import InputFile, Update

from bot import charts
from bot.context import BotContext
from content.strings import Safe
from handlers import render
from handlers.common import deep_link, is_private, point_to_private
from scoring.records import result_from_dict


async def score_command(update: Update, context: BotContext) -> None:
    """Show the network's results in private; in a group, only a link to the private chat."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    if not is_private(update):
        await point_to_private(message, context, "score")
        return
    await show_score(context, message.chat_id, user.id)


async def show_score(context: BotContext, chat_id: int, user_id: int) -> None:
    storage, content, strings = context.storage, context.content, context.strings
    network = await storage.network_of(user_id)
    if network is None:
        await context.bot.send_message(chat_id, strings("assess.not_registered"))
        return
    completed = await storage.completed_assessments(network.id)
    invite = strings("score.invite", invite=deep_link(context, f"join_{network.invite_code}"))
    if not completed or completed[-1].result is None:
        await context.bot.send_message(chat_id, Safe(f"{strings('score.none')}\n\n{invite}"))
        return
    region = content.directory.region(network.region).name
    header = strings(
        "score.network_line",
        network=network.name,
        organisation=network.organisation,
        region=region,
    )
    latest = result_from_dict(completed[-1].result)
    timezone = context.settings.timezone
    text = "\n\n".join(
        [
            header,
            render.result(content, latest),
            render.history(content, completed, timezone),
            invite,
        ]
    )
    await context.bot.send_message(chat_id, Safe(text))
    if len(completed) >= 2:
        points = [(a.completed_at or a.updated_at, a.total or 0) for a in completed]
        png = await asyncio.to_thread(
            charts.trend_chart, points, content.model.max_total, content.baseline
        )
        caption = strings("score.trend_caption", count=len(completed))
        await context.bot.send_photo(chat_id, InputFile(png, filename="trend.png"), caption=caption)
