"""Builders of answer sets for scoring tests."""

from __future__ import annotations

from scoring import Answers, Model
from scoring.model import Item


def top(model: Model) -> dict[str, int]:
    return {item.key: len(item.scale.options) - 1 for item in model.items}


def lowest(model: Model) -> dict[str, int]:
    return {item.key: 0 for item in model.items}


def lowest_demonstrating(item: Item) -> int:
    return next(i for i, option in enumerate(item.scale.options) if option.demonstrates)


def totalling(model: Model, target: int, *, keep_attributes: bool = True) -> dict[str, int]:
    """Complete answers adding up to `target`, lowering items without an attribute first.

    With `keep_attributes`, every attribute item stays at "agree"/"yes" or above, so the gate
    never holds the band back.
    """
    answers = top(model)
    excess = model.max_total - target
    ordered = sorted(model.items, key=lambda item: item.attribute is not None)
    for item in ordered:
        floor = lowest_demonstrating(item) if keep_attributes and item.attribute else 0
        while excess > 0 and answers[item.key] > floor:
            drop = item.scale.options[answers[item.key]].points
            answers[item.key] -= 1
            excess -= drop - item.scale.options[answers[item.key]].points
    if excess != 0:
        raise ValueError(f"cannot reach a total of {target}")
    return answers


def points(model: Model, answers: Answers) -> int:
    return sum(model.item(key).scale.options[option].points for key, option in answers.items())
