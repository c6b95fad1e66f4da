"""/score: the network's latest result, its history and a trend chart."""

from __future__ import annotations

import asyncio

from telegram import InlineKeyboardMarkup, InputFile, Update

from bot import charts
from bot.context import BotContext
from bot.feature import Buttons, Command, Feature
from content.strings import Safe
from handlers import callbacks, questions, render
from handlers.common import (
    answer_query,
    deep_link,
    is_private,
    keyboard,
    point_to_private,
    read_press,
)
from scoring.standing import invite_open


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
    record = await storage.network_history(user_id)
    if record is None:
        await context.bot.send_message(chat_id, strings("assess.not_registered"))
        return
    network, completed = record.network, record.completed
    # A result that never reached this lead comes first, with its share button.
    await questions.resend_undelivered(context, chat_id, user_id)
    if invite_open(network.invite_issued_at, context.services.clock.now()):
        link = deep_link(context, f"join_{network.invite_code}")
        invite = strings("score.invite", invite=link)
    else:
        invite = strings("gov.invite_expired")
    renew = _new_invite_button(context, network.id)
    awaiting = strings("gov.round_awaiting", count=len(record.pending)) if record.pending else None
    if record.latest is None:
        parts = [strings("score.none"), *([awaiting] if awaiting else []), invite]
        none = Safe("\n\n".join(parts))
        await context.bot.send_message(chat_id, none, reply_markup=renew)
        return
    region = content.directory.region(network.region).name
    header = strings(
        "score.network_line",
        network=network.name,
        organisation=network.organisation,
        region=region,
    )
    latest = record.latest.result
    timezone = context.settings.timezone
    text = Safe(
        "\n\n".join(
            [
                header,
                *([awaiting] if awaiting else []),
                render.result(content, latest),
                render.history(
                    content, completed, timezone, await storage.assessment_changes(network.id)
                ),
                invite,
            ]
        )
    )
    rows = [
        [(strings("result.add_to_plan"), callbacks.encode("pl", record.latest.id))],
        [(strings("score.new_invite"), callbacks.encode("ni", network.id))],
    ]
    await context.bot.send_message(chat_id, text, reply_markup=keyboard(rows))
    if len(completed) >= 2:
        points = [(a.completed_at, a.total) for a in completed]
        png = await asyncio.to_thread(
            charts.trend_chart, points, content.model.max_total, content.baseline
        )
        caption = strings("score.trend_caption", count=len(completed))
        await context.bot.send_photo(chat_id, InputFile(png, filename="trend.png"), caption=caption)


def _new_invite_button(context: BotContext, network_id: int) -> InlineKeyboardMarkup:
    return keyboard([[(context.strings("score.new_invite"), callbacks.encode("ni", network_id))]])


async def new_invite_pressed(update: Update, context: BotContext) -> None:
    """Replace the network's invite link (a lead's own network only); the old one stops working."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    network = await context.storage.network_of(query.from_user.id)
    if network is None or network.id != press.args[0]:
        await answer_query(query, context.strings("errors.button_expired"))
        return
    renewed = await context.storage.rotate_invite(network.id)
    await answer_query(query)
    if renewed is not None:
        link = deep_link(context, f"join_{renewed.invite_code}")
        await message.reply_text(context.strings("score.invite_renewed", invite=link))


FEATURE = Feature(
    name="score",
    commands=(Command("score", score_command, ("private",)),),
    buttons=(Buttons(new_invite_pressed, {"ni": 1}),),  # replace the network's invite link
    start_payloads={"score": show_score},
)
