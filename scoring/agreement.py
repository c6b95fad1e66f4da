"""Co-leads side by side: when two or more leads of a network answer in the same round, the
network's result is the agreed one. Pure rules: which items differ, what the agreed answers are.

Answers are item key -> option index, one mapping per lead (as scoring.engine takes them).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from scoring.engine import Answers
from scoring.model import Model

ROUND = timedelta(days=30)
"""Leads' assessments completed within this span of each other belong to the same round."""

DIFFERENCE = 2
"""Points apart at which two leads' answers to an item need settling."""


def differences(model: Model, by_lead: Mapping[int, Answers]) -> tuple[str, ...]:
    """Items (in the model's order) where some two leads' answers are DIFFERENCE points or
    more apart; an item only one lead answered never differs."""
    found = []
    for item in model.items:
        points = [
            item.scale.options[answers[item.key]].points
            for answers in by_lead.values()
            if item.key in answers and 0 <= answers[item.key] < len(item.scale.options)
        ]
        if len(points) >= 2 and max(points) - min(points) >= DIFFERENCE:
            found.append(item.key)
    return tuple(found)


def unsettled(
    model: Model, by_lead: Mapping[int, Answers], settled: Mapping[str, int]
) -> tuple[str, ...]:
    """The differing items no lead has settled yet."""
    return tuple(key for key in differences(model, by_lead) if key not in settled)


def agreed_answers(
    model: Model, by_lead: Mapping[int, Answers], settled: Mapping[str, int]
) -> dict[str, int]:
    """The network's answers: the settled option where leads settled an item; elsewhere the
    more cautious answer (fewest points; a known answer before "Don't know" at equal points,
    then the lower option)."""
    agreed: dict[str, int] = {}
    for item in model.items:
        if item.key in settled and 0 <= settled[item.key] < len(item.scale.options):
            agreed[item.key] = settled[item.key]
            continue
        given = [
            answers[item.key]
            for answers in by_lead.values()
            if item.key in answers and 0 <= answers[item.key] < len(item.scale.options)
        ]
        if given:
            agreed[item.key] = min(
                given,
                key=lambda o: (item.scale.options[o].points, item.scale.is_dont_know(o), o),
            )
    return agreed


def options_given(model: Model, by_lead: Mapping[int, Answers], key: str) -> tuple[int, ...]:
    """The distinct options leads gave an item, lowest first: the choices for settling it."""
    item = model.item(key)
    return tuple(
        sorted(
            {
                answers[key]
                for answers in by_lead.values()
                if key in answers and 0 <= answers[key] < len(item.scale.options)
            }
        )
    )
