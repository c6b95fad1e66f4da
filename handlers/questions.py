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
from scoring.plan import Levels, moved
from scoring.progress import first_unanswered, score_answers
from scoring.records import result_from_dict, result_to_dict

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
    """Show the evidence prompt, the item on screen, or — with every item answered and the
    assessment past its last item — the review, whose "Finish" works out the result.

    `answers` may be passed when the caller has just read (and updated) them.
    """
    model, content = context.content.model, context.content
    if answers is None:
        answers = await context.storage.answers(assessment.id)
    if assessment.awaiting_evidence and model.has_item(assessment.awaiting_evidence):
        position = model.items.index(model.item(assessment.awaiting_evidence))
        awaited = answers[assessment.awaiting_evidence]
        text, markup = render.evidence_prompt(
            content, assessment, position, awaited.option, note=awaited.evidence
        )
    elif (first := first_unanswered(model, answers)) >= len(model.items) and (
        assessment.position >= len(model.items)
    ):
        network = await context.storage.network_of(assessment.user_id)
        age = network.age if network else None
        text, markup = render.review(content, assessment, options(answers), age)
    else:
        position = assessment.position if assessment.position < len(model.items) else first
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
    """Score a fully answered assessment, store the result, and send it with its chart. An
    assessment that changes a completed one re-scores that one instead."""
    content = context.content
    result = score_answers(content.model, options(answers))
    total, band, stored_result = result.total, result.band.value, result_to_dict(result)
    if assessment.revises is not None:
        before = await context.storage.completed(assessment.revises)
        stored = await context.storage.apply_revision(
            assessment, total=total, band=band, result=stored_result
        )
        finished = content.strings(
            "assess.rescored",
            before=before.total if before else result.total,
            after=result.total,
            maximum=result.maximum,
        )
        result_id = assessment.revises
    else:
        stored = await context.storage.complete_assessment(
            assessment.id, total=total, band=band, result=stored_result
        )
        finished = content.strings("assess.finished", count=len(content.model.items))
        result_id = assessment.id
    await show(context, chat_id, finished, None, replace=replace)
    if not stored:
        return  # another update completed it first and sent the result
    await send_result(context, chat_id, result, result_id)


async def send_result(
    context: BotContext, chat_id: int, result: Result, assessment_id: int
) -> None:
    """The result, with the opt-in button to share the band (only) with the region's hub."""
    content = context.content
    buttons = keyboard(
        [
            [(content.strings("share_band.button"), callbacks.encode("sh", assessment_id))],
            [(content.strings("result.add_to_plan"), callbacks.encode("pl", assessment_id))],
        ]
    )
    text = render.result(content, result)
    since = await _since_last_time(context, result, assessment_id)
    if since is not None:
        text = Safe(f"{since}\n\n{text}")
    await context.bot.send_message(chat_id, text, reply_markup=buttons)
    # Delivered only now: until then /assess and /score send it again.
    await context.storage.mark_result_sent(assessment_id)
    png = await asyncio.to_thread(charts.result_chart, content.model, content.baseline, result)
    caption = render.chart_caption(content, result)
    await context.bot.send_photo(chat_id, InputFile(png, filename="result.png"), caption=caption)


async def resend_undelivered(context: BotContext, chat_id: int, user_id: int) -> bool:
    """Send the user's result that never reached them (with its share button); True if so."""
    undelivered = await context.storage.undelivered_result(user_id)
    if undelivered is None or undelivered.result is None:
        return False
    result = result_from_dict(undelivered.result)
    await context.bot.send_message(chat_id, context.strings("assess.result_resent"))
    await send_result(context, chat_id, result, undelivered.id)
    return True


async def _since_last_time(context: BotContext, result: Result, assessment_id: int) -> Safe | None:
    """Plan steps done since the network's previous result, and whether what they relate to
    moved; None for a first result or a network without a plan."""
    done = await context.storage.plan_done_since_previous(assessment_id)
    if done is None:
        return None
    previous, steps = done
    earlier = Levels(
        await context.storage.assessment_points(previous.id),
        {key: 100 * points / maximum for key, points, maximum in previous.result["enablers"]},
    )
    later = Levels(
        await context.storage.assessment_points(assessment_id),
        {e.key: e.percent for e in result.enablers},
    )
    moves = [(step.text, moved(step.source, earlier, later)) for step in steps]
    return render.since_last_time(context.content, moves)
