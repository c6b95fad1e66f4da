"""Where an assessment stands and what comes after each step: pure rules, no storage.

An assessment in progress is a position (the item on screen), at most one item whose optional
evidence note is awaited, and the options given so far (item key -> option index). Every press
carries the position it was shown for; these rules say whether it still counts and where the
assessment goes next. Storage applies the outcome only if the state it was decided on still holds.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from scoring.engine import Result, score
from scoring.model import Item, Model


@dataclass(frozen=True)
class Step:
    """Where an assessment is: the item on screen, and the item whose note is awaited."""

    position: int
    awaiting_evidence: str | None = None


def first_unanswered(model: Model, answered: Collection[str]) -> int:
    """Index of the first item without an answer; len(items) when every item has one."""
    return next(
        (i for i, item in enumerate(model.items) if item.key not in answered), len(model.items)
    )


def evidence_due(item: Item, option: int) -> bool:
    """An evidence item answered at its top option asks for an optional note."""
    return item.evidence and option == len(item.scale.options) - 1


def press_counts(model: Model, step: Step, position: int, option: int) -> bool:
    """Whether an answer press for `position` may be taken while the assessment is at `step`:
    it must be for the item on screen, with no note awaited, and name one of its options."""
    return (
        step.awaiting_evidence is None
        and step.position == position
        and 0 <= position < len(model.items)
        and 0 <= option < len(model.items[position].scale.options)
    )


def after_answer(model: Model, answered: Collection[str], position: int, option: int) -> Step:
    """Where the assessment goes once the item at `position` is answered with `option`: its
    evidence prompt when a note is due, otherwise the first item still unanswered."""
    item = model.items[position]
    if evidence_due(item, option):
        return Step(position, item.key)
    return Step(first_unanswered(model, {*answered, item.key}))


def after_evidence(model: Model, answered: Collection[str]) -> Step:
    """Where the assessment goes once a note was given or skipped."""
    return Step(first_unanswered(model, answered))


def after_back(step: Step, position: int) -> Step | None:
    """The previous item, when Back was pressed on the item on screen; None if it no longer
    counts (another item is on screen, a note is awaited, or this is the first item)."""
    if step.awaiting_evidence is not None or step.position != position or position <= 0:
        return None
    return Step(position - 1)


def outdated(model: Model, answers: Mapping[str, int]) -> list[str]:
    """Answers the current model cannot take: items it no longer has, or options beyond an
    item's scale (when content changed after they were given)."""
    return [
        key
        for key, option in answers.items()
        if not model.has_item(key) or not 0 <= option < len(model.item(key).scale.options)
    ]


def resume_step(model: Model, step: Step, answered: Collection[str]) -> Step:
    """Where a resumed assessment continues: the note still awaited for an item the model has,
    otherwise the first unanswered item."""
    if step.awaiting_evidence is not None and model.has_item(step.awaiting_evidence):
        return step
    return Step(first_unanswered(model, answered))


def score_answers(model: Model, answers: Mapping[str, int]) -> Result:
    """Score the given options against the current model, leaving out any it cannot take."""
    stale = set(outdated(model, answers))
    return score(model, {key: option for key, option in answers.items() if key not in stale})
