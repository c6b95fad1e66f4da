"""Co-leads' rounds: settling the items where the leads' answers differ, and closing a round left
unsettled after 30 days (part of the assessment feature)."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.scheduling import Kind
from handlers import questions
from handlers.common import (
    answer_query,
    read_press,
)
from scoring import agreement as agreement_rules
from scoring.standing import AGREEMENT_DEADLINE

EVIDENCE_LIMIT = 1000

log = logging.getLogger(__name__)


async def settle_pressed(update: Update, context: BotContext) -> None:
    """A lead settles one item where the round's leads differ; the last one agrees the
    network's result."""
    pressed = await read_press(update, context, private=True)
    if pressed is None:
        return
    query, press, message = pressed
    agreement_id, position, option = press.args
    storage, model = context.storage, context.content.model
    user_id = query.from_user.id
    agreement = await storage.agreement(agreement_id)
    network = await storage.network_of(user_id)
    if (
        agreement is None
        or network is None
        or agreement.network_id != network.id
        or position >= len(model.items)
    ):
        await answer_query(query, context.strings("assess.stale"))
        return
    key = model.items[position].key
    by_lead = await questions.round_answers(context, agreement)
    settled = (
        key in agreement_rules.unsettled(model, by_lead, agreement.settled)
        and option in agreement_rules.options_given(model, by_lead, key)
        and await storage.settle(agreement_id, key, option, user_id)
    )
    current = await storage.agreement(agreement_id)
    if not settled or current is None:
        await answer_query(query, context.strings("assess.stale"))
        return
    await answer_query(query, context.strings("agree.settled"))
    await questions.show_round(context, message.chat.id, current, user_id, message)


# -- rounds left unsettled ---------------------------------------------------------------------

# The hourly check that closes rounds unsettled after 30 days.
ROUNDS = Kind("rounds")
ROUNDS_EVERY = timedelta(hours=1)


async def close_overdue_rounds_job(context: BotContext) -> None:
    """Close each round still unsettled 30 days after it opened: its co-leads' answers stay
    as their own view (seen by the network's leads only), and the network's result stays the
    previous agreed one. The leads are told."""
    opened_before = context.services.clock.now() - AGREEMENT_DEADLINE
    told = await context.storage.close_overdue_agreements(opened_before)
    for _network_id, lead in told:
        try:
            await context.bot.send_message(lead, context.strings("gov.round_closed"))
        except TelegramError as error:
            log.info("could not tell lead %s a round was closed: %s", lead, error)
