"""/privacy, /export and /forget: what is kept, a copy of it, and deleting it."""

from __future__ import annotations

import csv
import html
import io
import json
import logging
import re
from typing import Any

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.error import TelegramError

from bot import audit
from bot.context import BotContext
from bot.feature import Buttons, Command, Feature
from content import Content
from content.strings import Safe
from handlers import callbacks
from handlers.common import (
    answer_query,
    keyboard,
    privacy_fields,
    private_sender,
    read_press,
    show,
)

log = logging.getLogger(__name__)

TAG = re.compile(r"<[^>]+>")
CSV_COLUMNS = (
    "assessment_id",
    "completed_at",
    "section",
    "item_key",
    "question",
    "answer",
    "points",
    "max_points",
    "evidence",
    "answered_at",
)


# The privacy notice, page by page: a short first screen, then "More" for the rest.
NOTICE_PAGES = ("notice.first", "notice.kept", "pulse.privacy", "notice.rights")


async def privacy_command(update: Update, context: BotContext) -> None:
    """The privacy notice's first screen (UK GDPR article 13 in brief), with "More"."""
    message = update.effective_message
    if message is not None:
        text, markup = notice_page(context, 0)
        await message.reply_text(text, reply_markup=markup)


def notice_page(context: BotContext, page: int) -> tuple[Safe, InlineKeyboardMarkup]:
    """One page of the notice and its button: More, or back to the start on the last page."""
    strings = context.strings
    text = strings(NOTICE_PAGES[page], **privacy_fields(context))
    if page + 1 < len(NOTICE_PAGES):
        button = (strings("notice.more"), callbacks.encode("nt", page + 1))
    else:
        button = (strings("notice.again"), callbacks.encode("nt", 0))
    return text, keyboard([[button]])


async def notice_pressed(update: Update, context: BotContext) -> None:
    """More (or back to the start) under the privacy notice: that page in place."""
    pressed = await read_press(update, context)
    if pressed is None:
        return
    query, press, message = pressed
    await answer_query(query)
    page = press.args[0]
    if page >= len(NOTICE_PAGES):
        return
    text, markup = notice_page(context, page)
    await show(context, message.chat.id, text, markup, replace=message)


async def export_command(update: Update, context: BotContext) -> None:
    """Send the user their data: a JSON file that explains itself, and their answers as CSV."""
    sender = await private_sender(update, context)
    if sender is None:
        return
    message, user = sender
    data = await context.storage.export_user(user.id)
    data["pulses"] = await context.storage.export_pulses(user.id, context.settings.min_group_size)
    if not any(data.values()):
        # Someone who only answered member pulses: nothing is stored that is tied to them.
        strings = context.strings
        nothing = Safe(f"{strings('privacy.nothing_stored')}\n\n")
        await message.reply_text(Safe(nothing + strings("pulse.export_member")))
        return
    readable = readable_export(context.content, data)
    payload = json.dumps(readable, indent=2, ensure_ascii=False).encode()
    await message.reply_document(
        InputFile(payload, filename="my-staff-network-data.json"),
        caption=context.strings("privacy.export_caption"),
    )
    if readable["assessments"]:
        await message.reply_document(
            InputFile(answers_csv(readable), filename="my-staff-network-answers.csv"),
            caption=context.strings("privacy.export_csv_caption"),
        )


def _plain(text: str) -> str:
    return html.unescape(TAG.sub("", text))


def readable_export(content: Content, data: dict[str, Any]) -> dict[str, Any]:
    """The stored data with a header first, and words beside codes: each answer's question,
    section and answer label, the network's region and age, each band's name."""
    strings, model = content.strings, content.model
    header = _plain(strings("privacy.export_header")).splitlines()
    out: dict[str, Any] = {"about_this_file": [line for line in header if line.strip()]}
    network = data.get("network")
    if network:
        network = dict(network)
        regions = {region.key: region.name for region in content.directory.regions}
        network["region_name"] = regions.get(network.get("region") or "", network.get("region"))
        age_key = f"ages.{network.get('age')}"
        if age_key in strings.templates:
            network["age_in_words"] = _plain(strings(age_key))
    assessments = []
    for assessment in data.get("assessments", []):
        assessment = dict(assessment)
        if assessment.get("band") in {rule.band.value for rule in model.bands}:
            assessment["band_name"] = _plain(strings(f"bands.{assessment['band']}"))
        answers = []
        for answer in assessment.get("answers", []):
            answer = dict(answer)
            key, option = answer.get("item_key"), answer.get("option")
            if isinstance(key, str) and model.has_item(key):
                item = model.item(key)
                answer["question"] = item.text
                answer["section"] = model.section(item.section).title
                answer["max_points"] = item.maximum
                if isinstance(option, int) and 0 <= option < len(item.scale.options):
                    answer["answer"] = item.scale.options[option].label
            answers.append(answer)
        assessment["answers"] = answers
        assessments.append(assessment)
    out.update(data)
    out["member_pulses"] = _plain(strings("pulse.export_member"))
    out["network"] = network
    out["assessments"] = assessments
    return out


def answers_csv(readable: dict[str, Any]) -> bytes:
    """One row per answer, with the question and answer in words, for a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for assessment in readable["assessments"]:
        for answer in assessment["answers"]:
            writer.writerow(
                {
                    **answer,
                    "assessment_id": assessment.get("id"),
                    "completed_at": assessment.get("completed_at"),
                }
            )
    return buffer.getvalue().encode("utf-8-sig")  # the BOM lets spreadsheets read it as UTF-8


async def forget_command(update: Update, context: BotContext) -> None:
    """Ask for confirmation before deleting everything about the user."""
    sender = await private_sender(update, context)
    if sender is None:
        return
    message, _ = sender
    strings = context.strings
    rows = [
        [(strings("privacy.forget_yes"), callbacks.encode("fg", 1))],
        [(strings("privacy.forget_no"), callbacks.encode("fg", 0))],
    ]
    await message.reply_text(strings("privacy.forget_confirm"), reply_markup=keyboard(rows))


async def forget_pressed(update: Update, context: BotContext) -> None:
    """Delete (or keep) on the user's confirmation."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    strings = context.strings
    await answer_query(query)
    if not press.args[0]:
        await show(context, message.chat.id, strings("privacy.forget_kept"), None, replace=message)
        return
    storage, user_id = context.storage, query.from_user.id
    cards = await storage.pending_review_cards(user_id)
    network = await storage.network_of(user_id)
    network_gone = await storage.forget_user(user_id)
    # The trail keeps that an erasure happened and when, never whose or what was erased.
    await storage.audit(None, audit.USER_FORGOTTEN, None)
    if network_gone and network is not None:
        await storage.audit(None, audit.NETWORK_ERASED, network.id)
    key = "privacy.forgotten_with_network" if network_gone else "privacy.forgotten"
    text = Safe(f"{strings(key)}\n\n{strings('pulse.forget_member')}")
    await show(context, message.chat.id, text, None, replace=message)
    for card in cards:  # the practices are gone: nothing left to decide
        try:
            await context.bot.edit_message_text(
                strings("share.withdrawn"), chat_id=card.chat_id, message_id=card.message_id
            )
        except TelegramError as error:
            log.info(
                "could not withdraw review card %s in %s: %s", card.message_id, card.chat_id, error
            )


FEATURE = Feature(
    name="privacy",
    commands=(
        Command("privacy", privacy_command, ("private",)),
        Command("export", export_command, ("private",)),
        Command("forget", forget_command, ("private",)),
    ),
    buttons=(
        Buttons(forget_pressed, {"fg": 1}),  # /forget confirmation: 1 delete / 0 keep
        Buttons(notice_pressed, {"nt": 1}),  # a page of the privacy notice (0 the first)
    ),
)
