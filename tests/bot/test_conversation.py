"""Half-typed entries at the storage boundary: every feature's entry survives encode/decode,
is stored in the shapes the previous code used, and anything unreadable decodes to None."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.conversation import DRAFT_EXPIRES, LONG_AGO, Entry, decode, encode, entry_types
from handlers.plan import PlanEdit
from handlers.pulse import PulseComment
from handlers.registration import STEPS, Registering
from handlers.wres import CONFIRM, COUNT, QUARTER, WresGuided

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)

# Stored to the second, in UTC.
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=0))
words = st.text(max_size=30)
maybe_words = st.none() | words

entries = st.one_of(
    st.builds(
        Registering,
        began=moments,
        step=st.sampled_from(STEPS),
        typed=words,
        matches=st.lists(words, max_size=5).map(tuple),
        organisation=maybe_words,
        suggested_region=maybe_words,
        existing=st.integers(min_value=0),
        existing_name=words,
        separate_reason=maybe_words,
        region=maybe_words,
        age=maybe_words,
    ),
    st.builds(PlanEdit, began=moments, step=st.none() | st.integers(), field=words),
    st.builds(
        WresGuided,
        began=moments,
        step=st.sampled_from((QUARTER, COUNT, CONFIRM)),
        indicator=st.integers(),
        quarter=words,
        counts=st.lists(st.integers(min_value=0), max_size=4).map(tuple),
        label=maybe_words,
    ),
    st.builds(PulseComment, began=moments, pulse=st.integers()),
)


@given(entries)
def test_every_entry_survives_encode_and_decode(entry: Entry) -> None:
    state, draft = encode(entry)
    assert decode(state, draft) == entry


@given(st.none() | st.text(max_size=20), st.none() | st.text(max_size=40))
def test_anything_stored_decodes_to_an_entry_or_none_without_raising(
    state: str | None, draft: str | None
) -> None:
    decoded = decode(state, draft)
    assert decoded is None or isinstance(decoded, Entry)


def test_nothing_encodes_as_two_nulls() -> None:
    assert encode(None) == (None, None)
    assert decode(None, None) is None


def test_the_registry_is_every_feature_s_own_entry() -> None:
    """Each entry is declared in its feature's module; defining it registers it."""
    kinds = entry_types()
    assert {name: kind.__module__ for name, kind in kinds.items()} == {
        "reg": "handlers.registration",
        "plan:edit": "handlers.plan",
        "wres": "handlers.wres",
        "pulse_comment": "handlers.pulse",
    }


def test_a_state_name_declared_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="declared twice"):

        @dataclass(frozen=True)
        class Another(Entry, state="plan:edit"):
            field: str = ""


@pytest.mark.parametrize(
    ("entry", "state", "fields"),
    [
        (
            Registering(NOW, "region", organisation="Zebra Trust", suggested_region="london"),
            "reg:region",
            {"organisation": "Zebra Trust", "suggested_region": "london"},
        ),
        (PlanEdit(NOW, step=7, field="owner"), "plan:edit", {"step": 7, "field": "owner"}),
        (
            WresGuided(NOW, COUNT, 4, "2026Q3", (1000, 490)),
            "wres:count",
            {"indicator": 4, "quarter": "2026Q3", "counts": [1000, 490]},
        ),
        (PulseComment(NOW, 12), "pulse_comment", {"pulse": 12}),
    ],
)
def test_entries_are_stored_in_the_previous_shapes(
    entry: Entry, state: str, fields: dict[str, object]
) -> None:
    """The same users.state and the same draft keys as before (the pulse store finds a
    member's comment entry by `$.pulse`), with `since` for the moment it began."""
    stored_state, draft = encode(entry)
    assert stored_state == state
    assert draft is not None
    stored = json.loads(draft)
    assert stored["since"] == "2027-03-01T10:00:00+00:00"
    assert {key: stored[key] for key in fields} == fields


def test_an_old_draft_without_a_start_time_began_long_ago() -> None:
    """Registration and pulse entries stored before had no `since`: they decode (and never go
    stale); plan and WRES entries without one were stale before and still are."""
    registering = decode("reg:age", '{"organisation": "T", "region": "london"}')
    assert registering == Registering(LONG_AGO, "age", organisation="T", region="london")
    assert not registering.stale(NOW)
    wres = decode("wres:quarter", '{"indicator": 3}')
    assert wres == WresGuided(LONG_AGO, QUARTER, 3)
    assert wres.stale(NOW)


@pytest.mark.parametrize(
    ("entry", "expires"),
    [
        (Registering(NOW), None),
        (PlanEdit(NOW, field="new"), DRAFT_EXPIRES),
        (WresGuided(NOW, QUARTER, 4), DRAFT_EXPIRES),
        (PulseComment(NOW, 1), None),
    ],
)
def test_each_kind_s_staleness(entry: Entry, expires: timedelta | None) -> None:
    """Plan edits and WRES entries go stale after the same hour as before; registration and
    the pulse's free text never do."""
    assert entry.expires == expires
    assert not entry.stale(NOW + (expires or timedelta(days=365)) - timedelta(seconds=1))
    assert entry.stale(NOW + (expires or timedelta(days=365)) + timedelta(seconds=1)) is (
        expires is not None
    )


@pytest.mark.parametrize(
    ("state", "draft"),
    [
        ("wres:count", "not json"),
        ("wres:count", '{"indicator": true}'),
        ("wres:count", '{"indicator": 4, "counts": [1, 2, 3, 4, 5]}'),
        ("wres", '{"indicator": 4}'),
        ("wres:elsewhere", '{"indicator": 4}'),
        ("reg:nowhere", "{}"),
        ("reg:age", '{"matches": "not a list"}'),
        ("plan:edit", "[1, 2]"),
        ("plan:edit:more", "{}"),
        ("pulse_comment", "{}"),
        ("pulse_comment", '{"pulse": "7"}'),
        ("mystery", '{"a": 1}'),
        ("", "{}"),
    ],
)
def test_an_unreadable_or_unknown_entry_decodes_to_none(state: str, draft: str) -> None:
    assert decode(state, draft) is None
