"""Co-leads side by side: which items differ, and the agreed answers, by table and property."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from content import load_content
from scoring.agreement import (
    agreed_answers,
    differences,
    options_given,
    unsettled,
)

MODEL = load_content().model
ITEMS = MODEL.items
AGREE = "op-smart-objectives"  # agreement scale: 0 Don't know, 1 SD, 2 D, 3 Partly, 4 A, 5 SA
YESNO = "op-terms-of-reference"  # yes/no: 0 Don't know, 1 No, 2 Yes


@pytest.mark.parametrize(
    ("mine", "theirs", "differ"),
    [
        ({AGREE: 5}, {AGREE: 4}, False),  # one point apart
        ({AGREE: 5}, {AGREE: 3}, True),  # two points apart
        ({AGREE: 0}, {AGREE: 1}, False),  # "Don't know" and "Strongly disagree": both 0
        ({AGREE: 0}, {AGREE: 3}, True),
        ({YESNO: 1}, {YESNO: 2}, True),  # "No" and "Yes": two points
        ({AGREE: 5}, {}, False),  # only one lead answered
    ],
)
def test_items_differ_at_two_points_or_more(
    mine: dict[str, int], theirs: dict[str, int], differ: bool
) -> None:
    """An item needs settling when two leads' answers are two points or more apart."""
    assert bool(differences(MODEL, {1: mine, 2: theirs})) is differ


def test_settled_items_are_no_longer_unsettled_and_win() -> None:
    """A settled item leaves the list to settle, and its settled option is the agreed one."""
    by_lead = {1: {AGREE: 5, YESNO: 2}, 2: {AGREE: 2, YESNO: 1}}
    assert unsettled(MODEL, by_lead, {AGREE: 5}) == (YESNO,)
    assert agreed_answers(MODEL, by_lead, {AGREE: 5, YESNO: 2}) == {AGREE: 5, YESNO: 2}


def test_unsettled_agreement_takes_the_cautious_answer() -> None:
    """Where leads were not asked to settle, the answer with fewer points is taken, and a known
    answer before "Don't know" at the same points."""
    assert agreed_answers(MODEL, {1: {AGREE: 5}, 2: {AGREE: 4}}, {}) == {AGREE: 4}
    assert agreed_answers(MODEL, {1: {AGREE: 0}, 2: {AGREE: 1}}, {}) == {AGREE: 1}


def test_the_choices_to_settle_are_the_answers_given() -> None:
    """Settling offers the distinct answers the leads gave, lowest first."""
    assert options_given(MODEL, {1: {AGREE: 5}, 2: {AGREE: 2}, 3: {AGREE: 5}}, AGREE) == (2, 5)


answers = st.fixed_dictionaries({item.key: st.integers(0, item.scale.top) for item in ITEMS})


@given(answers, answers)
def test_agreed_answers_never_score_above_either_lead_when_unsettled(
    first: dict[str, int], second: dict[str, int]
) -> None:
    """With nothing settled, each agreed answer scores no more than either lead's, and the
    leads' differing items are exactly those two points or more apart."""
    agreed = agreed_answers(MODEL, {1: first, 2: second}, {})
    for item in ITEMS:
        points = [item.scale.options[a[item.key]].points for a in (first, second)]
        assert item.scale.options[agreed[item.key]].points == min(points)
        assert (item.key in differences(MODEL, {1: first, 2: second})) is (
            abs(points[0] - points[1]) >= 2
        )


@given(answers, answers, st.data())
def test_settling_every_difference_leaves_nothing_unsettled(
    first: dict[str, int], second: dict[str, int], data: st.DataObject
) -> None:
    """Settling each differing item with one of the answers given leaves nothing to settle,
    and the agreed answers use every settled option."""
    by_lead = {1: first, 2: second}
    settled = {
        key: data.draw(st.sampled_from(options_given(MODEL, by_lead, key)))
        for key in differences(MODEL, by_lead)
    }
    assert unsettled(MODEL, by_lead, settled) == ()
    agreed = agreed_answers(MODEL, by_lead, settled)
    assert all(agreed[key] == option for key, option in settled.items())
