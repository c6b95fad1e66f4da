"""Where an assessment stands and what comes after each step: pure rules, no storage.

An assessment in progress is a position (the item on screen), at most one item whose optional
evidence note is awaited, and the options given so far (item key -> option index). Every press
carries the position it was shown for; these rules say whether it still counts and where the
assessment goes next. Storage applies the outcome only if the state it was decided on still holds.

Once every item has an answer the assessment stands at the review (position == number of items):
a summary with a "Change" button per section and a "Finish" button. Only Finish scores it.
"Change" lists the section's questions; the one picked is asked, and then the review comes back.

A new round starts from the network's last result: each question offers "Same as last time",
and an answer the same as last time keeps last time's evidence note without asking again.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from scoring.engine import Result, score
from scoring.model import Item, Model

CHANGE_WINDOW = timedelta(days=30)
"""How long after completing an assessment its answers can still be changed (and re-scored)."""


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


def review_position(model: Model) -> int:
    """The position of the review step: just past the last item."""
    return len(model.items)


def at_review(model: Model, step: Step) -> bool:
    return step.awaiting_evidence is None and step.position == review_position(model)


def evidence_due(item: Item, option: int) -> bool:
    """An evidence item answered at its top option asks for an optional note."""
    return item.evidence and option == item.scale.top


def following(model: Model, answered: Collection[str], position: int) -> Step:
    """Where the assessment goes after the item at `position` is settled: the first item still
    unanswered; with every item answered (one picked from the review), the review."""
    first = first_unanswered(model, answered)
    if first < len(model.items):
        return Step(first)
    return Step(review_position(model))


def press_counts(model: Model, step: Step, position: int, option: int) -> bool:
    """Whether an answer press for `position` may be taken while the assessment is at `step`:
    it must be for the item on screen, with no note awaited, and name one of its options."""
    return (
        step.awaiting_evidence is None
        and step.position == position
        and 0 <= position < len(model.items)
        and 0 <= option < len(model.items[position].scale.options)
    )


def after_answer(
    model: Model,
    answered: Collection[str],
    position: int,
    option: int,
    *,
    before: int | None = None,
) -> Step:
    """Where the assessment goes once the item at `position` is answered with `option`: its
    evidence prompt when a note is due, otherwise the first item still unanswered.

    `before` is the item's answer in the last round, when it has none yet in this one: the same
    answer again is not asked for its note a second time (last round's note carries over)."""
    item = model.items[position]
    if evidence_due(item, option) and option != before:
        return Step(position, item.key)
    return following(model, {*answered, item.key}, position)


def same_as_last(model: Model, position: int, last: Mapping[str, int]) -> int | None:
    """The option "Same as last time" gives the item at `position`: its answer in the last
    round (as the current model numbers options), or None when it had none."""
    if not 0 <= position < len(model.items):
        return None
    option = last.get(model.items[position].key)
    if option is None or not 0 <= option < len(model.items[position].scale.options):
        return None
    return option


def _plain_words(text: str) -> str:
    kept = "".join(c if c.isalnum() or c.isspace() else "" for c in text.casefold())
    return " ".join(kept.split())


def typed_option(item: Item, text: str) -> int | None:
    """The option whose label was typed instead of tapped ("agree", "Don't know", "yes."),
    whatever the case, spacing, apostrophes or full stop; None for anything else."""
    typed = _plain_words(text)
    if not typed:
        return None
    matches = [i for i, o in enumerate(item.scale.options) if _plain_words(o.label) == typed]
    return matches[0] if len(matches) == 1 else None


def note_carries(option: int, last_option: int | None, answered_now: bool) -> bool:
    """Whether last round's evidence note comes with an answer: the first answer to the item in
    this round, and the same as last time."""
    return not answered_now and last_option is not None and option == last_option


def after_evidence(model: Model, answered: Collection[str], position: int) -> Step:
    """Where the assessment goes once the note for the item at `position` was given or skipped."""
    return following(model, answered, position)


def after_back(step: Step, position: int) -> Step | None:
    """Back from the screen at `position`: from an evidence prompt, its own question again;
    from a question, the previous item. None if it no longer counts (another item is on
    screen, or this is the first question)."""
    if step.position != position:
        return None
    if step.awaiting_evidence is not None:
        return Step(position)
    if position <= 0:
        return None
    return Step(position - 1)


def section_positions(model: Model, step: Step, section: int) -> tuple[int, ...] | None:
    """ "Change" on the review for the section at index `section`: the positions of its
    questions, to pick one from; None unless the review is on screen and the section exists."""
    if not at_review(model, step) or not 0 <= section < len(model.sections):
        return None
    key = model.sections[section].key
    return tuple(i for i, item in enumerate(model.items) if item.section == key)


def jump_to(model: Model, step: Step, position: int) -> Step | None:
    """A question picked from the review's list: that question; None unless the review is on
    screen and the question exists."""
    if not at_review(model, step) or not 0 <= position < len(model.items):
        return None
    return Step(position)


def finish_counts(model: Model, step: Step, answered: Collection[str]) -> bool:
    """Whether "Finish" may score the assessment: the review is on screen and every item of the
    current model has an answer."""
    return at_review(model, step) and first_unanswered(model, answered) == len(model.items)


def can_change(completed_at: datetime, now: datetime) -> bool:
    """Whether a completed assessment's answers may still be changed and re-scored."""
    return now - completed_at <= CHANGE_WINDOW


def carry_over(model: Model, version: str, answers: Mapping[str, int]) -> dict[str, int]:
    """Answers given under content `version`, as the current model numbers its options: each
    version note since `version` renumbers options and drops the answers it asks again; then
    any answer the model cannot take is dropped. An unknown version only loses the latter."""
    carried = dict(answers)
    versions = [change.previous for change in model.changes]
    if version != model.version and version in versions:
        for change in model.changes[versions.index(version) :]:
            renumbered: dict[str, int] = {}
            for key, option in carried.items():
                if key in change.ask_again or not model.has_item(key):
                    continue
                mapping = change.options.get(model.item(key).scale.key)
                new = mapping[option] if mapping and 0 <= option < len(mapping) else option
                if mapping is not None and not 0 <= option < len(mapping):
                    new = -1
                if new >= 0:
                    renumbered[key] = new
            carried = renumbered
    stale = set(outdated(model, carried))
    return {key: option for key, option in carried.items() if key not in stale}


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
    otherwise the first unanswered item (the review, once every item has an answer)."""
    if step.awaiting_evidence is not None and model.has_item(step.awaiting_evidence):
        return step
    return Step(first_unanswered(model, answered))


def score_answers(model: Model, answers: Mapping[str, int]) -> Result:
    """Score the given options against the current model, leaving out any it cannot take."""
    stale = set(outdated(model, answers))
    return score(model, {key: option for key, option in answers.items() if key not in stale})
