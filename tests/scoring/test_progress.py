"""The assessment's progress rules: what a press does, when a note is due, where to resume."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from content import load_content
from scoring.progress import (
    Step,
    after_answer,
    after_back,
    after_evidence,
    evidence_due,
    first_unanswered,
    outdated,
    press_counts,
    resume_step,
    score_answers,
)

MODEL = load_content().model
ITEMS = MODEL.items
EVIDENCE = next(i for i, item in enumerate(ITEMS) if item.evidence)
PLAIN = next(i for i, item in enumerate(ITEMS) if not item.evidence)
TOP = {i: len(item.scale.options) - 1 for i, item in enumerate(ITEMS)}


def test_first_unanswered_is_the_first_gap() -> None:
    """The first item without an answer, or the item count when all are answered."""
    assert first_unanswered(MODEL, set()) == 0
    assert first_unanswered(MODEL, {ITEMS[0].key, ITEMS[2].key}) == 1
    assert first_unanswered(MODEL, {item.key for item in ITEMS}) == len(ITEMS)


@pytest.mark.parametrize(
    ("step", "position", "option", "counts"),
    [
        (Step(3), 3, 0, True),
        (Step(3), 2, 0, False),  # an older screen
        (Step(3, "x"), 3, 0, False),  # a note is awaited
        (Step(3), 3, 99, False),  # no such option
        (Step(3), 3, -1, False),
        (Step(len(ITEMS)), len(ITEMS), 0, False),  # past the last item
    ],
)
def test_which_presses_count(step: Step, position: int, option: int, counts: bool) -> None:
    """Only a press for the item on screen, with no note awaited, naming a real option."""
    assert press_counts(MODEL, step, position, option) is counts


def test_top_answer_to_an_evidence_item_asks_for_a_note() -> None:
    """The evidence item at its top option stays on screen, awaiting its note."""
    item = ITEMS[EVIDENCE]
    assert evidence_due(item, TOP[EVIDENCE])
    assert after_answer(MODEL, set(), EVIDENCE, TOP[EVIDENCE]) == Step(EVIDENCE, item.key)


def test_other_answers_move_to_the_first_unanswered_item() -> None:
    """A lower answer, or any answer to a plain item, moves to the first gap."""
    answered = {ITEMS[i].key for i in range(5)}
    assert after_answer(MODEL, answered, EVIDENCE, 0) == Step(
        first_unanswered(MODEL, answered | {ITEMS[EVIDENCE].key})
    )
    assert not evidence_due(ITEMS[PLAIN], TOP[PLAIN])


def test_back_goes_one_item_back_only_from_the_screen_shown() -> None:
    """Back from item 3 shows item 2; from the first item or an old screen, nothing; from a
    note's prompt, its own question again."""
    assert after_back(Step(3), 3) == Step(2)
    assert after_back(Step(0), 0) is None
    assert after_back(Step(3), 4) is None
    assert after_back(Step(3, "x"), 3) == Step(3)
    assert after_back(Step(3, "x"), 4) is None


def test_outdated_answers_are_unknown_items_or_options_beyond_the_scale() -> None:
    """An item the model no longer has, or an option its scale no longer offers."""
    answers = {ITEMS[0].key: 0, "gone-item": 1, ITEMS[1].key: 7}
    assert sorted(outdated(MODEL, answers)) == sorted(["gone-item", ITEMS[1].key])


def test_resume_keeps_an_awaited_note_for_a_known_item_only() -> None:
    """A note still awaited for an item the model has is kept; otherwise the first gap."""
    key = ITEMS[EVIDENCE].key
    assert resume_step(MODEL, Step(EVIDENCE, key), {key}) == Step(EVIDENCE, key)
    assert resume_step(MODEL, Step(4, "gone-item"), set()) == Step(0)
    assert resume_step(MODEL, Step(9), {ITEMS[0].key}) == Step(1)


def test_scoring_leaves_out_what_the_model_cannot_take() -> None:
    """Outdated answers do not count towards the total."""
    answers = {ITEMS[PLAIN].key: TOP[PLAIN], "gone-item": 3}
    assert score_answers(MODEL, answers).total == ITEMS[PLAIN].maximum


@dataclass
class Session:
    """An assessment driven by the rules alone, as the handlers and storage apply them."""

    step: Step = field(default_factory=lambda: Step(0))
    answers: dict[str, int] = field(default_factory=dict)
    last: str | None = None

    def press(self, position: int, option: int) -> None:
        if press_counts(MODEL, self.step, position, option):
            self.step = after_answer(MODEL, self.answers, position, option)
            self.answers[ITEMS[position].key] = option
            self.last = ITEMS[position].key

    def note(self) -> None:
        if self.step.awaiting_evidence is not None:
            self.step = after_evidence(MODEL, self.answers, self.step.position)

    def back(self, position: int) -> None:
        self.step = after_back(self.step, position) or self.step


presses = st.lists(
    st.tuples(
        st.sampled_from(["press", "note", "stale"]),
        st.integers(0, 2),
        st.integers(0, 4),
    ),
    max_size=150,
)


@given(presses)
def test_position_is_the_first_gap_or_the_note_of_the_item_just_answered(
    actions: list[tuple[str, int, int]],
) -> None:
    """After any sequence of presses (current or stale), the position is the first unanswered
    item, or the evidence prompt of the item just answered."""
    session = Session()
    for action, offset, option in actions:
        position = session.step.position
        if action == "press":
            session.press(position, min(option, len(ITEMS[position].scale.options) - 1))
        elif action == "note":
            session.note()
        else:
            session.press(max(0, position - 1 - offset), option)  # an old screen: no effect
        if session.step.position >= len(ITEMS):
            break
        if session.step.awaiting_evidence is None:
            assert session.step.position == first_unanswered(MODEL, session.answers)
        else:
            assert session.step.awaiting_evidence == session.last
            assert session.step.position == ITEMS.index(MODEL.item(session.last))


@given(st.lists(st.tuples(st.sampled_from(["press", "note", "back"]), st.integers(0, 4))))
def test_with_back_the_position_never_passes_the_first_gap(
    actions: list[tuple[str, int]],
) -> None:
    """Back may show an earlier item, but never one past the first unanswered item."""
    session = Session()
    for action, option in actions:
        position = session.step.position
        if position >= len(ITEMS):
            break
        if action == "press":
            session.press(position, min(option, len(ITEMS[position].scale.options) - 1))
        elif action == "note":
            session.note()
        else:
            session.back(position)
        assert 0 <= session.step.position <= first_unanswered(MODEL, session.answers)
