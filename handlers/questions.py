"""Showing an assessment where it stands: the current item, the evidence prompt or the result."""

from __future__ import annotations

import asyncio
import logging

from telegram import InputFile, Message

from bot import charts
from bot.context import BotContext
from bot.rows import Answer, OpenAssessment
from content.strings import Safe
from handlers import callbacks, render
from handlers.common import keyboard, show
from scoring import Result
from scoring.progress import first_unanswered, score_answers
from scoring.records import result_to_dict

log = logging.getLogger(__name__)


def options(answers: dict[str, Answer]) -> dict[str, int]:
    """The option given for each answered item, as the progress rules take them."""
    return {key: answer.option for key, answer in answers.items()}


async def present(
    context: BotContext,
    chat_id: int,
    assessment: OpenAssessment,
    *,
    replace: Message | None = None,
    intro: str | None = None,
    answers: dict[str, Answer] | None = None,
) -> None:
    """Show the evidence prompt, the item on screen, or — with every item answered — the result.

    `answers` may be passed when the caller has just read (and updated) them.
    """
    model, content = context.content.model, context.content
    if answers is None:
        answers = await context.storage.answers(assessment.id)
    if assessment.awaiting_evidence and model.has_item(assessment.awaiting_evidence):
        position = model.items.index(model.item(assessment.awaiting_evidence))
        option = answers[assessment.awaiting_evidence].option
        text, markup = render.evidence_prompt(content, assessment, position, option)
    elif first_unanswered(model, answers) >= len(model.items):
        await complete(context, chat_id, assessment, answers, replace=replace)
        return
    else:
        position = min(assessment.position, len(model.items) - 1)
        current = answers.get(model.items[position].key)
        text, markup = render.question(
            content, assessment, position, current.option if current else None
        )
    if intro:
        text = Safe(f"{intro}\n\n{text}")
    await show(context, chat_id, text, markup, replace=replace)


async def complete(
    context: BotContext,
    chat_id: int,
    assessment: OpenAssessment,
    answers: dict[str, Answer],
    *,
    replace: Message | None = None,
) -> None:
    """Score a fully answered assessment, store the result, and send it with its chart."""
    content = context.content
    result = score_answers(content.model, options(answers))
    stored = await context.storage.complete_assessment(
        assessment.id, total=result.total, band=result.band.value, result=result_to_dict(result)
    )
    finished = content.strings("assess.finished", count=len(content.model.items))
    await show(context, chat_id, finished, None, replace=replace)
    if not stored:
        return  # another update completed it first and sent the result
    await send_result(context, chat_id, result, assessment.id)


async def send_result(
    context: BotContext, chat_id: int, result: Result, assessment_id: int
) -> None:
    """The result, with the opt-in button to share the band (only) with the region's hub."""
    content = context.content
    share = keyboard(
        [[(content.strings("share_band.button"), callbacks.encode("sh", assessment_id))]]
    )
    await context.bot.send_message(chat_id, render.result(content, result), reply_markup=share)
    png = await asyncio.to_thread(charts.result_chart, content.model, result)
    caption = content.strings("result.chart_caption")
    await context.bot.send_photo(chat_id, InputFile(png, filename="result.png"), caption=caption)
