"""The member pulse's rules: shares, spread, the minimum-answers rule, gaps, and that no
sequence of pulses, extensions, closes or new pulses reveals one member's answer."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring import pulse as rules
from scoring.model import Option
from scoring.pulse import Gap, PulseState, Spread

OPENED = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
MINIMUM = 5


def _state(*, closed: bool = False, answers: int = 0, days: int = 14) -> PulseState:
    return PulseState(OPENED, OPENED + timedelta(days=days), closed, answers)


@pytest.mark.parametrize(
    ("counts", "share"),
    [
        ((0, 0, 0, 0, 0, 0), None),
        ((3, 0, 0, 0, 0, 0), None),  # only "Prefer not to say": nobody gave a view
        ((0, 1, 2, 0, 1, 1), 40),
        ((9, 1, 2, 0, 1, 1), 40),  # Prefer not to say is left out of the share
        ((0, 0, 1, 1, 1, 0), 33),
        ((0, 0, 0, 1, 1, 0), 50),
        ((0, 1, 0, 0, 1, 6), 88),  # 87.5 rounds up
        ((0, 7, 0, 0, 1, 0), 13),  # 12.5 rounds up
        ((0, 0, 0, 0, 3, 2), 100),
    ],
)
def test_share_agreeing(counts: tuple[int, ...], share: int | None) -> None:
    assert rules.share_agreeing(counts) == share


@pytest.mark.parametrize(
    ("counts", "spread"),
    [
        ((0, 0, 0, 0, 0, 0), None),
        ((0, 1, 2, 0, 1, 1), Spread(60, 0, 40)),
        ((0, 0, 1, 1, 1, 0), Spread(34, 33, 33)),  # a tie goes to the first
        ((4, 1, 1, 1, 1, 2), Spread(33, 17, 50)),
    ],
)
def test_spread_adds_up_to_100(counts: tuple[int, ...], spread: Spread | None) -> None:
    assert rules.spread(counts) == spread


@pytest.mark.parametrize(
    ("state", "shown"),
    [
        (_state(closed=False, answers=50), False),  # never while open
        (_state(closed=True, answers=4), False),
        (_state(closed=True, answers=5), True),
        (_state(closed=True, answers=0), False),
    ],
)
def test_figures_only_for_a_closed_pulse_with_enough_answers(
    state: PulseState, shown: bool
) -> None:
    assert rules.may_show(state, MINIMUM) is shown


@pytest.mark.parametrize(
    ("counts", "shown"),
    [((0, 1, 1, 1, 1, 0), False), ((5, 1, 1, 1, 1, 0), False), ((0, 1, 1, 1, 1, 1), True)],
)
def test_a_statement_few_gave_a_view_on_is_not_shown(counts: tuple[int, ...], shown: bool) -> None:
    assert rules.statement_shown(counts, MINIMUM) is shown


@pytest.mark.parametrize(
    ("now", "closes", "expected"),
    [
        (OPENED + timedelta(days=1), 14, OPENED + timedelta(days=21)),
        (OPENED + timedelta(days=20), 21, OPENED + timedelta(days=28)),
        (OPENED + timedelta(days=20), 25, OPENED + timedelta(days=28)),  # capped
        (OPENED + timedelta(days=20), 28, None),  # at the longest already
        (OPENED + timedelta(days=15), 14, None),  # its time is up
    ],
)
def test_extension(now: datetime, closes: int, expected: datetime | None) -> None:
    assert rules.extended(_state(days=closes), now) == expected


def test_a_closed_pulse_cannot_be_extended() -> None:
    assert rules.extended(_state(closed=True), OPENED) is None


@pytest.mark.parametrize(
    ("option", "maximum", "level"),
    [
        (Option("Don't know", 0, dont_know=True), 4, None),
        (Option("Strongly disagree", 0), 4, 0),
        (Option("Disagree", 1), 4, 25),
        (Option("Partly", 2), 4, 50),
        (Option("Agree", 3, demonstrates=True), 4, 100),
        (Option("No", 0), 2, 0),
        (Option("Yes", 2, demonstrates=True), 2, 100),
    ],
)
def test_lead_level(option: Option, maximum: int, level: int | None) -> None:
    assert rules.lead_level(option, maximum) == level


def test_gaps_widest_first_then_those_without_leads() -> None:
    """Widest gap first (either way), ties in statement order, unmatched last, hidden out."""
    members = {"a": 80, "b": 40, "c": 50, "d": None, "e": 10}
    leads: dict[str, list[int | None]] = {"a": [100], "b": [100, 50], "c": [0], "e": [None]}
    assert rules.gaps(members, leads) == [
        Gap("c", 50, 0, -50),
        Gap("b", 40, 75, 35),
        Gap("a", 80, 100, 20),
        Gap("e", 10, None, None),
    ]


def test_wide_gaps_are_worth_talking_about() -> None:
    assert rules.worth_talking_about(Gap("a", 40, 100, 60))
    assert not rules.worth_talking_about(Gap("a", 80, 100, 20))
    assert not rules.worth_talking_about(Gap("a", 80, None, None))


# -- the anonymity property ---------------------------------------------------------------------


@dataclass
class _Pulse:
    state: PulseState
    responses: dict[int, int] = field(default_factory=dict)  # response id -> answer


@dataclass
class _World:
    """The bot as the rules run it, and every set of figures a lead could see along the way."""

    now: datetime = OPENED
    pulses: list[_Pulse] = field(default_factory=list)
    views: set[tuple[int, frozenset[tuple[int, int]]]] = field(default_factory=set)
    next_response: int = 0

    def open_pulse(self) -> None:
        if all(p.state.closed for p in self.pulses):
            state = PulseState(self.now, self.now + rules.PULSE_LENGTH, False, 0)
            self.pulses.append(_Pulse(state))

    def current(self) -> _Pulse | None:
        return next((p for p in self.pulses if not p.state.closed), None)

    def apply(self, event: tuple[str, int]) -> None:
        kind, value = event
        pulse = self.current()
        if kind == "wait":
            self.now += timedelta(hours=value)
        elif kind == "new":
            self.open_pulse()
        elif pulse is None:
            pass
        elif kind == "answer" and rules.is_open(pulse.state, self.now):
            pulse.responses[self.next_response] = value
            self.next_response += 1
            pulse.state = replace(pulse.state, answers=pulse.state.answers + 1)
        elif kind == "extend":
            later = rules.extended(pulse.state, self.now)
            if later is not None:
                pulse.state = replace(pulse.state, closes_at=later)
        elif kind == "close":
            pulse.state = replace(pulse.state, closed=True)
        for p in self.pulses:
            if rules.due_to_close(p.state, self.now):
                p.state = replace(p.state, closed=True)
        self.look()

    def look(self) -> None:
        """What the lead sees now: each showable pulse's answers (as a set of responses)."""
        for index, p in enumerate(self.pulses):
            if rules.may_show(p.state, MINIMUM):
                self.views.add((index, frozenset(p.responses.items())))


EVENTS = st.one_of(
    st.tuples(st.just("answer"), st.integers(0, rules.OPTIONS - 1)),
    st.tuples(st.sampled_from(["extend", "close", "new"]), st.just(0)),
    st.tuples(st.just("wait"), st.integers(1, 24 * 10)),
)


@given(st.lists(EVENTS, max_size=80))
def test_no_sequence_of_pulses_reveals_one_members_answer(events: list[tuple[str, int]]) -> None:
    """Whatever the lead does (close early or late, extend, start new pulses), every set of
    figures they can see covers at least MINIMUM answers, and any two sets they can see either
    are the same or differ by at least MINIMUM answers: subtracting one from another never
    isolates a member."""
    world = _World()
    world.open_pulse()
    for event in events:
        world.apply(event)
    views = [responses for _, responses in world.views]
    for responses in views:
        assert len(responses) >= MINIMUM
    for first in views:
        for second in views:
            assert first == second or len(first ^ second) >= MINIMUM
    shown_per_pulse: dict[int, set[frozenset[tuple[int, int]]]] = {}
    for index, responses in world.views:
        shown_per_pulse.setdefault(index, set()).add(responses)
    assert all(len(shown) == 1 for shown in shown_per_pulse.values())


@given(st.integers(0, 30), st.integers(0, 40))
def test_an_answer_after_close_or_after_time_never_counts(answers: int, hours: int) -> None:
    """Once closed (or past its time) a pulse takes no answer and its figures never change."""
    state = _state(closed=True, answers=answers)
    later = OPENED + timedelta(days=14, hours=hours)
    assert not rules.is_open(state, later)
    assert not rules.is_open(_state(answers=answers), later)
