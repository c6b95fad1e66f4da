"""Showing an assessment where it stands: the current item, the evidence prompt or the result."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardMarkup, InputFile, Message
from telegram.error import TelegramError

from bot import charts
from bot.context import BotContext
from bot.db.assessments import LastRound
from bot.rows import Agreement, Answer, OpenAssessment
from content.strings import Safe
from handlers import callbacks, render
from handlers.common import keyboard, show
from scoring import Result
from scoring import agreement as agreement_rules
from scoring.baseline import newer_network
from scoring.plan import Levels, moved
from scoring.progress import carry_over, first_unanswered, score_answers
from scoring.standing import View, view_on_completion

log = logging.getLogger(__name__)


def options(answers: dict[str, Answer]) -> dict[str, int]:
    """The option given for each answered item, as the progress rules take them."""
    return {key: answer.option for key, answer in answers.items()}


async def last_time(context: BotContext, assessment: OpenAssessment) -> dict[str, Answer]:
    """The network's answers in its last round (with their notes), as the current model numbers
    options; empty for a first round or a change to a result."""
    return as_now(context, await context.storage.last_round(assessment.id))


def as_now(context: BotContext, found: LastRound | None) -> dict[str, Answer]:
    """Last round's answers (as read with the round) as the current model numbers options."""
    if found is None:
        return {}
    version, answers = found
    model = context.content.model
    carried = carry_over(model, version, options(answers))
    return {
        key: Answer(
            key,
            option,
            model.item(key).scale.options[option].points,
            answers[key].evidence,
        )
        for key, option in carried.items()
    }


async def present(
    context: BotContext,
    chat_id: int,
    assessment: OpenAssessment,
    *,
    replace: Message | None = None,
    intro: str | None = None,
    answers: dict[str, Answer] | None = None,
    last: dict[str, Answer] | None = None,
) -> None:
    """Show the evidence prompt, the item on screen, or — with every item answered and the
    assessment past its last item — the review, whose "Finish" works out the result.

    `answers` (and `last`, the last round's) may be passed when the caller has just read them.
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
        if last is None:
            last = await last_time(context, assessment)
        text, markup = render.question(
            content,
            assessment,
            position,
            current.option if current else None,
            last=last.get(model.items[position].key),
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
    total, band = result.total, result.band.value
    if assessment.revises is not None:
        before = await context.storage.completed(assessment.revises)
        stored = await context.storage.apply_revision(
            assessment, total=total, band=band, result=result
        )
        was = before.total if before else result.total
        finished = content.strings(
            "assess.rescored" if was != result.total else "reassess.rescored_same",
            before=was,
            after=result.total,
            maximum=result.maximum,
        )
        result_id = assessment.revises
    else:
        stored = await context.storage.complete_assessment(
            assessment.id, total=total, band=band, result=result
        )
        finished = content.strings("assess.finished", count=len(content.model.items))
        result_id = assessment.id
    await show(context, chat_id, finished, None, replace=replace)
    if not stored:
        return  # another update completed it first and sent the result
    joined = await join_round(context, assessment) if assessment.revises is None else None
    await send_result(context, chat_id, result, result_id)
    if joined is not None:
        await after_round(context, joined, assessment.user_id)


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
    if await context.storage.agreement_pending(assessment_id):
        done = await context.storage.completed(assessment_id)
        round_ = await context.storage.open_agreement(done.network_id) if done else None
        alone = round_ is not None and len(round_.members) < 2
        key = "gov.not_yet_alone" if alone else "agree.not_yet"
        text = Safe(f"{content.strings(key)}\n\n{text}")
    since = await _since_last_time(context, result, assessment_id)
    if since is not None:
        text = Safe(f"{since}\n\n{text}")
    await context.bot.send_message(chat_id, text, reply_markup=buttons)
    # Delivered only now: until then /assess and /score send it again.
    await context.storage.mark_result_sent(assessment_id)
    png = await asyncio.to_thread(charts.result_chart, content.model, result)
    caption = render.chart_caption(content, result)
    await context.bot.send_photo(chat_id, InputFile(png, filename="result.png"), caption=caption)


async def resend_undelivered(context: BotContext, chat_id: int, user_id: int) -> bool:
    """Send the user's result that never reached them (with its share button); True if so."""
    undelivered = await context.storage.undelivered_result(user_id)
    if undelivered is None:
        return False
    result = undelivered.result
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
        {e.key: e.percent for e in previous.result.enablers},
    )
    later = Levels(
        await context.storage.assessment_points(assessment_id),
        {e.key: e.percent for e in result.enablers},
    )
    moves = [(step.text, moved(step.source, earlier, later)) for step in steps]
    return render.since_last_time(context.content, moves)


# -- co-leads side by side ---------------------------------------------------------------------


async def join_round(context: BotContext, assessment: OpenAssessment) -> Agreement | None:
    """Put a just-completed assessment side by side with other leads' of the same round (30
    days); the agreement it joined, or None when it is the network's result on its own.

    The owner's round (or a sole lead's) is the network's result at once; a co-lead's awaits
    agreement, in a round of its own until another lead answers (scoring.standing)."""
    storage = context.storage
    network = await storage.network(assessment.network_id)
    leads = await storage.lead_ids(assessment.network_id)
    view = view_on_completion(
        author_is_owner=network is not None and network.owner_id == assessment.user_id,
        leads=len(leads),
    )
    if view == View.PENDING:
        await storage.set_view(assessment.id, view)
    since = context.services.clock.now() - agreement_rules.ROUND
    partners = await storage.round_partners(assessment.network_id, assessment.user_id, since)
    if not partners and view == View.NETWORK:
        return None
    pending = await storage.open_agreement(assessment.network_id)
    ids = [*(a.id for a in partners), assessment.id]
    joined = await storage.join_agreement(
        assessment.network_id, pending.id if pending else None, ids
    )
    return await storage.agreement(joined)


async def round_answers(context: BotContext, agreement: Agreement) -> dict[int, dict[str, int]]:
    """Each member assessment's options, carried over to the current content."""
    by_lead: dict[int, dict[str, int]] = {}
    for member in agreement.members:
        done = await context.storage.completed(member)
        if done is None:
            continue
        stored = options(await context.storage.answers(member))
        by_lead[member] = carry_over(context.content.model, done.content_version, stored)
    return by_lead


async def after_round(context: BotContext, agreement: Agreement, user_id: int) -> None:
    """Agree the network's result once nothing is left to settle; otherwise show each lead of
    the round the differences and the next item to settle."""
    model = context.content.model
    by_lead = await round_answers(context, agreement)
    left = agreement_rules.unsettled(model, by_lead, agreement.settled)
    owners = await _owners(context, agreement)
    if len(by_lead) < 2:
        # A co-lead's round alone: it waits for another lead's round (30 days).
        network = await context.storage.network(agreement.network_id)
        name = network.name if network else ""
        await context.bot.send_message(user_id, context.strings("gov.round_waits"))
        for lead in await context.storage.lead_ids(agreement.network_id):
            if lead != user_id:
                text = context.strings("gov.round_waits_others", network=name)
                try:
                    await context.bot.send_message(lead, text)
                except TelegramError as error:
                    log.info("could not tell lead %s a round awaits agreement: %s", lead, error)
        return
    if not left:
        await _agree(context, agreement, by_lead, user_id, owners, at_once=not agreement.settled)
        return
    age = await _age(context, user_id)
    for member, owner in owners.items():
        text, markup = _differences(context, agreement, by_lead, left, member, age)
        await context.bot.send_message(owner, text, reply_markup=markup)


async def show_round(
    context: BotContext, chat_id: int, agreement: Agreement, user_id: int, replace: Message
) -> None:
    """Refresh one lead's view of the round after a settle press (or agree it)."""
    model = context.content.model
    by_lead = await round_answers(context, agreement)
    left = agreement_rules.unsettled(model, by_lead, agreement.settled)
    owners = await _owners(context, agreement)
    if not left:
        await _agree(context, agreement, by_lead, user_id, owners, at_once=False)
        return
    viewer = next((m for m, owner in owners.items() if owner == user_id), None)
    text, markup = _differences(
        context, agreement, by_lead, left, viewer, await _age(context, user_id)
    )
    await show(context, chat_id, text, markup, replace=replace)


async def _age(context: BotContext, user_id: int) -> str | None:
    network = await context.storage.network_of(user_id)
    return network.age if network else None


async def _owners(context: BotContext, agreement: Agreement) -> dict[int, int]:
    owners = {}
    for member in agreement.members:
        done = await context.storage.completed(member)
        if done is not None:
            owners[member] = done.user_id
    return owners


def _differences(
    context: BotContext,
    agreement: Agreement,
    by_lead: dict[int, dict[str, int]],
    left: tuple[str, ...],
    viewer: int | None,
    age: str | None,
) -> tuple[Safe, InlineKeyboardMarkup]:
    """Which items differ (you said …, a co-lead said …) and buttons to settle the first."""
    strings, model = context.strings, context.content.model
    lines: list[str] = [strings("agree.differences", count=len(left))]
    shown = left[:DIFFERENCE_LINES]
    for key in shown:
        item = model.item(key)
        said = []
        for member, answers in by_lead.items():
            if key not in answers:
                continue
            label = item.scale.options[answers[key]].label
            said.append(
                strings("agree.you_said" if member == viewer else "agree.other_said", answer=label)
            )
        lines.append(
            strings(
                "agree.line",
                number=model.items.index(item) + 1,
                label=item.label,
                answers=Safe(", ".join(said)),
            )
        )
    if len(left) > len(shown):
        lines.append(strings("agree.more", count=len(left) - len(shown)))
    first = model.item(left[0])
    position = model.items.index(first)
    if newer_network(age):
        lines += ["", strings("agree.optimism", age=strings(f"ages.{age}"))]
    lines += ["", strings("agree.settle", number=position + 1, label=first.label)]
    rows = [
        [
            (
                first.scale.options[option].label,
                callbacks.encode("ag", agreement.id, position, option),
            )
        ]
        for option in agreement_rules.options_given(model, by_lead, first.key)
    ]
    return Safe("\n".join(lines)), keyboard(rows)


DIFFERENCE_LINES = 12  # keeps the list within one message


async def _agree(
    context: BotContext,
    agreement: Agreement,
    by_lead: dict[int, dict[str, int]],
    user_id: int,
    owners: dict[int, int],
    *,
    at_once: bool,
) -> None:
    """Store the agreed result as the network's and send it to every lead of the round."""
    model = context.content.model
    agreed = agreement_rules.agreed_answers(model, by_lead, agreement.settled)
    result = score_answers(model, agreed)
    rows = [
        (key, option, model.item(key).scale.options[option].points)
        for key, option in agreed.items()
    ]
    agreed_id = await context.storage.record_agreed(
        agreement,
        user_id=user_id,
        version=model.version,
        answers=rows,
        total=result.total,
        band=result.band.value,
        result=result,
    )
    if agreed_id is None:
        return  # another press agreed it first
    await context.storage.settle_views(agreement.id)
    intro = context.strings("agree.agreed_at_once" if at_once else "agree.agreed")
    for owner in sorted(set(owners.values())):
        await context.bot.send_message(owner, intro)
        await send_result(context, owner, result, agreed_id)
