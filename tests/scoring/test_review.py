"""The review step, "Don't know", changing a recent result and carrying answers over content
versions: pure rules, by table and by property."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from content import load_content
from scoring import score
from scoring.engine import missing_attributes, things_to_find_out
from scoring.model import Change
from scoring.progress import (
    Step,
    after_answer,
    after_back,
    after_evidence,
    at_review,
    can_change,
    carry_over,
    finish_counts,
    first_unanswered,
    jump_to,
    note_carries,
    press_counts,
    review_position,
    same_as_last,
    section_positions,
    typed_option,
)

MODEL = load_content().model
ITEMS = MODEL.items
REVIEW = review_position(MODEL)
ALL = {item.key for item in ITEMS}
TOP = {item.key: item.scale.top for item in ITEMS}
DONT_KNOW = {item.key: 0 for item in ITEMS}
SECTION_STARTS = [
    next(i for i, item in enumerate(ITEMS) if item.section == section.key)
    for section in MODEL.sections
]


def test_dont_know_is_the_first_option_of_every_item_and_scores_0() -> None:
    """Every item offers "Don't know" first; it scores 0 and never demonstrates."""
    for item in ITEMS:
        first = item.scale.options[0]
        assert (first.label, first.points, first.demonstrates) == ("Don't know", 0, False)
        assert first.dont_know
        assert not any(o.dont_know for o in item.scale.options[1:])


def test_all_dont_know_scores_0_and_demonstrates_nothing() -> None:
    """ "Don't know" everywhere: 0 points, every attribute missing, every item to find out."""
    result = score(MODEL, DONT_KNOW)
    assert result.total == 0
    assert len(missing_attributes(MODEL, DONT_KNOW)) == len(MODEL.attributes)
    assert [thing.key for thing in result.find_out] == [item.key for item in ITEMS]


def test_things_to_find_out_name_who_usually_knows() -> None:
    """Each thing to find out carries the item's short label and who usually knows."""
    sponsor = MODEL.item("op-sponsor")
    [thing] = things_to_find_out(MODEL, {**TOP, "op-sponsor": 0})
    assert (thing.key, thing.text, thing.who) == (sponsor.key, sponsor.label, "the board secretary")


@given(st.sampled_from([item.key for item in ITEMS]), st.data())
def test_dont_know_counts_like_the_lowest_answer_but_is_listed(
    key: str, data: st.DataObject
) -> None:
    """Switching one answer between "Don't know" and the lowest known answer leaves the total
    and band alone; only "Don't know" puts it on the list of things to find out."""
    base = {k: data.draw(st.integers(1, ITEMS[i].scale.top)) for i, k in enumerate(ALL_KEYS)}
    unknown, lowest = score(MODEL, {**base, key: 0}), score(MODEL, {**base, key: 1})
    assert (unknown.total, unknown.band) == (lowest.total, lowest.band)
    assert key in {thing.key for thing in unknown.find_out}
    assert key not in {thing.key for thing in lowest.find_out}


ALL_KEYS = [item.key for item in ITEMS]


def test_last_answer_leads_to_the_review() -> None:
    """Answering the last item, with all others answered, shows the review, not a result."""
    last = len(ITEMS) - 1
    answered = ALL - {ITEMS[last].key}
    assert after_answer(MODEL, answered, last, 1) == Step(REVIEW)
    assert at_review(MODEL, Step(REVIEW))


@pytest.mark.parametrize(
    ("step", "answered", "counts"),
    [
        (Step(REVIEW), ALL, True),
        (Step(REVIEW), ALL - {ITEMS[3].key}, False),  # an item lost its answer (content change)
        (Step(REVIEW - 1), ALL, False),  # a question is on screen, not the review
        (Step(REVIEW, "x"), ALL, False),
    ],
)
def test_finish_counts_only_at_the_review_with_every_answer(
    step: Step, answered: set[str], counts: bool
) -> None:
    """Only "Finish" on the review, with every item answered, works out the result."""
    assert finish_counts(MODEL, step, answered) is counts


@pytest.mark.parametrize("section", range(3))
def test_change_lists_the_sections_questions(section: int) -> None:
    """ "Change" on the review lists exactly that section's questions, to pick one."""
    positions = section_positions(MODEL, Step(REVIEW), section)
    assert positions is not None
    assert positions[0] == SECTION_STARTS[section]
    assert {ITEMS[p].section for p in positions} == {MODEL.sections[section].key}
    assert len(positions) == sum(1 for i in ITEMS if i.section == MODEL.sections[section].key)


@pytest.mark.parametrize(
    ("step", "section"), [(Step(3), 0), (Step(REVIEW), 3), (Step(REVIEW, "x"), 0)]
)
def test_change_counts_only_from_the_review(step: Step, section: int) -> None:
    """ "Change" from an old screen or for a section that does not exist does nothing."""
    assert section_positions(MODEL, step, section) is None


@pytest.mark.parametrize(
    ("step", "position", "expected"),
    [
        (Step(REVIEW), 7, Step(7)),
        (Step(REVIEW), REVIEW, None),
        (Step(3), 7, None),  # the review is no longer on screen: an old list's button
        (Step(REVIEW, "x"), 7, None),
    ],
)
def test_a_question_picked_from_the_list_is_asked(
    step: Step, position: int, expected: Step | None
) -> None:
    """A question picked from a section's list is asked, only while the review stands."""
    assert jump_to(MODEL, step, position) == expected


def test_a_picked_question_answered_goes_back_to_the_review() -> None:
    """With every item answered, an answer (or its note) returns to the review at once: no
    walk through the rest of the section."""
    for position in (SECTION_STARTS[1], SECTION_STARTS[1] + 1, SECTION_STARTS[2] - 1):
        assert after_answer(MODEL, ALL, position, 1) == Step(REVIEW)
        assert after_evidence(MODEL, ALL, position) == Step(REVIEW)


def test_the_same_answer_again_is_not_asked_for_its_note() -> None:
    """A note is asked for when the top option is newly chosen, not when it was last round's
    answer too (its note carries over)."""
    position = next(i for i, item in enumerate(ITEMS) if item.evidence)
    item = ITEMS[position]
    assert after_answer(MODEL, set(), position, item.scale.top) == Step(position, item.key)
    assert after_answer(MODEL, set(), position, item.scale.top, before=item.scale.top) == Step(
        position + 1
    )
    assert after_answer(MODEL, set(), position, item.scale.top, before=0) == Step(
        position, item.key
    )


def test_same_as_last_time_gives_last_rounds_option() -> None:
    """ "Same as last time" is last round's option for the item, or nothing without one."""
    last = {ITEMS[0].key: 2, ITEMS[1].key: 99}
    assert same_as_last(MODEL, 0, last) == 2
    assert same_as_last(MODEL, 1, last) is None  # out of the item's scale
    assert same_as_last(MODEL, 2, last) is None
    assert same_as_last(MODEL, REVIEW, last) is None


@pytest.mark.parametrize(
    ("option", "last", "answered_now", "carries"),
    [(2, 2, False, True), (2, 1, False, False), (2, None, False, False), (2, 2, True, False)],
)
def test_last_rounds_note_carries_with_the_same_first_answer(
    option: int, last: int | None, answered_now: bool, carries: bool
) -> None:
    assert note_carries(option, last, answered_now) is carries


def test_no_answer_press_counts_at_the_review() -> None:
    """The review has no answer buttons: a press for the position past the last item is void."""
    assert not press_counts(MODEL, Step(REVIEW), REVIEW, 0)


def test_back_from_an_evidence_prompt_returns_to_its_question() -> None:
    """Back on a note's prompt shows the question again, not the previous one."""
    key = ITEMS[0].key
    assert after_back(Step(0, key), 0) == Step(0)


@pytest.mark.parametrize(
    ("days", "allowed"),
    [(0, True), (29, True), (30, True), (31, False), (365, False)],
)
def test_a_result_can_be_changed_for_30_days(days: int, allowed: bool) -> None:
    """Answers in a completed assessment may change for 30 days after it was completed."""
    completed = datetime(2027, 3, 1, 12, tzinfo=UTC)
    assert can_change(completed, completed + timedelta(days=days)) is allowed


def test_carry_over_renumbers_options_and_drops_what_is_asked_again() -> None:
    """Answers from 2026.11.1: options move past "Don't know", "Not sure" and reworded or
    removed items are asked again, yes/no answers keep their meaning."""
    old = {
        "op-terms-of-reference": 1,  # "Yes"
        "op-smart-objectives": 3,  # "Agree"
        "op-roles": 2,  # "Not sure"
        "op-evaluation": 0,  # "Strongly disagree"
        "op-purpose": 4,  # reworded: asked again
        "od-sponsor-role": 4,  # split into two items: gone
    }
    assert carry_over(MODEL, "2026.11.1", old) == {
        "op-terms-of-reference": 2,
        "op-smart-objectives": 4,
        "op-evaluation": 1,
    }


def test_carry_over_keeps_answers_of_the_current_version() -> None:
    """Answers given under the current version stay as they are."""
    answers = {"op-roles": 3, "op-sponsor": 2}
    assert carry_over(MODEL, MODEL.version, answers) == answers


def test_carry_over_of_an_unknown_version_drops_only_what_cannot_be_taken() -> None:
    """Without a version note to follow, answers out of the scale or for unknown items go."""
    answers = {"op-roles": 3, "op-sponsor": 7, "gone": 1}
    assert carry_over(MODEL, "1999.1", answers) == {"op-roles": 3}


def test_the_content_notes_what_changed_in_this_version() -> None:
    """The model's last version note is for its own version and says what changed."""
    change = MODEL.changes[-1]
    assert isinstance(change, Change)
    assert change.version == MODEL.version
    assert "sponsor or champion" in change.note
    assert "178" in change.note
    assert change.ask_again == {"op-sponsor", "od-sponsor-role-written", "od-sponsor-meetings"}
    earlier = next(c for c in MODEL.changes if c.version == "2026.12.1")
    assert "Don't know" in earlier.note


@given(st.lists(st.tuples(st.sampled_from(["press", "note", "back"]), st.integers(0, 5))))
def test_the_review_comes_only_once_every_item_is_answered(
    actions: list[tuple[str, int]],
) -> None:
    """Whatever the presses, the assessment stands at the review only with every item
    answered, and then Finish counts."""
    step, answers = Step(0), dict[str, int]()
    for action, option in actions:
        if at_review(MODEL, step):
            break
        position = step.position
        if action == "press" and press_counts(
            MODEL, step, position, min(option, ITEMS[position].scale.top)
        ):
            chosen = min(option, ITEMS[position].scale.top)
            step = after_answer(MODEL, answers, position, chosen)
            answers[ITEMS[position].key] = chosen
        elif action == "note" and step.awaiting_evidence is not None:
            step = after_evidence(MODEL, answers, position)
        elif action == "back":
            step = after_back(step, position) or step
    if at_review(MODEL, step):
        assert first_unanswered(MODEL, answers) == len(ITEMS)
        assert finish_counts(MODEL, step, answers)
    else:
        assert not finish_counts(MODEL, step, answers)


@given(
    st.lists(st.integers(0, 5), min_size=len(ITEMS), max_size=len(ITEMS)),
    st.integers(0, len(ITEMS) - 1),
    st.integers(0, 5),
)
def test_answering_everything_then_changing_one_question_returns_to_the_review(
    first: list[int], picked: int, option: int
) -> None:
    """Any answers to every item reach the review; a question picked from its section's list
    is asked alone (with its note, if due) and the review comes back, where Finish counts."""
    step, answers = Step(0), dict[str, int]()
    while not at_review(MODEL, step):
        if step.awaiting_evidence is not None:
            step = after_evidence(MODEL, answers, step.position)
            continue
        position = step.position
        chosen = min(first[position], ITEMS[position].scale.top)
        step = after_answer(
            MODEL, answers, position, chosen, before=answers.get(ITEMS[position].key)
        )
        answers[ITEMS[position].key] = chosen
    section = MODEL.sections.index(MODEL.section(ITEMS[picked].section))
    positions = section_positions(MODEL, step, section)
    assert positions is not None
    assert picked in positions
    target = jump_to(MODEL, step, picked)
    assert target == Step(picked)
    chosen = min(option, ITEMS[picked].scale.top)
    step = after_answer(MODEL, answers, picked, chosen)
    answers[ITEMS[picked].key] = chosen
    if step.awaiting_evidence is not None:
        step = after_evidence(MODEL, answers, picked)
    assert at_review(MODEL, step)
    assert finish_counts(MODEL, step, answers)


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("agree", "Agree"),
        ("  Strongly   AGREE. ", "Strongly agree"),
        ("dont know", "Don't know"),
        ("Don’t know!", "Don't know"),
        ("agreed", None),
        ("", None),
        ("3", None),
    ],
)
def test_a_typed_label_names_its_option(typed: str, label: str | None) -> None:
    """Typing an option's label instead of tapping it gives that option (issue 22 point 7)."""
    item = next(i for i in ITEMS if any(o.label == "Strongly agree" for o in i.scale.options))
    found = typed_option(item, typed)
    assert (item.scale.options[found].label if found is not None else None) == label
