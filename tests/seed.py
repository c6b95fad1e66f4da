"""Put completed assessments straight into storage, for tests about what is done with results."""

from __future__ import annotations

from collections.abc import Callable

from bot.storage import Storage
from scoring import Model, score
from scoring.model import Item
from scoring.progress import Step

Choice = Callable[[int, Item], int]


def uniform(option: int) -> Choice:
    """Every agreement item at the level `option` (0 "Strongly disagree" .. 4 "Strongly
    agree", after "Don't know"); yes/no items "Yes" from "Agree" up, else "No"."""

    def choose(position: int, item: Item) -> int:
        if item.scale.key == "yesno":
            return 2 if option >= 3 else 1
        return option + 1

    return choose


async def seed_result(
    storage: Storage,
    model: Model,
    user_id: int,
    *,
    region: str = "london",
    name: str | None = None,
    choose: Choice | None = None,
    verified: bool = True,
) -> int:
    """Register the user's network if needed and store one completed assessment; its id.

    Answers default to "Partly" throughout (`uniform(2)`); a network it registers is verified
    unless `verified` is False."""
    choose = choose or uniform(2)
    await storage.ensure_user(user_id)
    network = await storage.network_of(user_id)
    if network is None:
        network = await storage.create_network(
            user_id,
            organisation="Test Trust",
            name=name or f"Network {user_id}",
            region=region,
            age="y1-3",
        )
        if verified:  # as an operator would, so the network counts in figures
            await storage.verify_network(network.id, 0)
    assessment = await storage.start_assessment(user_id, network.id, model.version)
    answers = {}
    for position, item in enumerate(model.items):
        option = choose(position, item)
        answers[item.key] = option
        await storage.record_answer(
            assessment.id,
            expected=Step(position),
            to=Step(position + 1),
            item_key=item.key,
            option=option,
            points=item.scale.options[option].points,
        )
    result = score(model, answers)
    await storage.complete_assessment(
        assessment.id, total=result.total, band=result.band.value, result=result
    )
    await storage.mark_result_sent(assessment.id)  # as if the lead had seen it
    return assessment.id
