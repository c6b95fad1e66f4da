"""The nudge rotation: no repeats within a cycle, favouring the region's weakest enabler."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from scoring.rotation import Entry, Pick, next_entry, turn

LIBRARY = [Entry(f"{enabler}{n}", enabler) for enabler in "CRAFT" for n in range(4)]


def _run(library: list[Entry], weeks: int, favour: str | None) -> list[Pick]:
    picks: list[Pick] = []
    cycle, used, last = 1, frozenset[str](), None
    enablers = {entry.key: entry.enabler for entry in library}
    for _ in range(weeks):
        pick = next_entry(library, cycle=cycle, used=used, last_enabler=last, favour=favour)
        if pick.cycle != cycle:
            used = frozenset()
        cycle, used, last = pick.cycle, used | {pick.key}, enablers[pick.key]
        picks.append(pick)
    return picks


@given(st.sampled_from([None, *"CRAFT"]), st.integers(1, 3))
def test_each_cycle_uses_every_entry_exactly_once(favour: str | None, cycles: int) -> None:
    """Over whole cycles every entry comes once per cycle, whatever is favoured."""
    picks = _run(LIBRARY, len(LIBRARY) * cycles, favour)
    for cycle in range(1, cycles + 1):
        keys = [p.key for p in picks if p.cycle == cycle]
        assert sorted(keys) == sorted(e.key for e in LIBRARY)


def test_favoured_enabler_comes_every_other_week_while_it_lasts() -> None:
    """With F favoured, the first weeks alternate F and something else until F runs out."""
    picks = _run(LIBRARY, 10, "F")
    enablers = [p.key[0] for p in picks]
    assert enablers[:8:2] == ["F", "F", "F", "F"]
    assert "F" not in enablers[1:8:2]
    assert "F" not in enablers[8:]


def test_without_favour_consecutive_weeks_differ_in_enabler() -> None:
    """With nothing favoured, no two weeks in a row share an enabler while others remain."""
    picks = _run(LIBRARY, 15, None)
    enablers = [p.key[0] for p in picks]
    assert all(a != b for a, b in itertools.pairwise(enablers))


def test_untagged_entries_take_part() -> None:
    """Shared practices (no enabler) are part of the cycle like any other entry."""
    library = [*LIBRARY[:3], Entry("practice:1", None)]
    picks = _run(library, 4, None)
    assert sorted(p.key for p in picks) == sorted(e.key for e in library)


def test_a_waiting_practice_is_the_next_nudge() -> None:
    """An approved practice never sent to the hub goes out next, ahead of the favoured enabler."""
    library = [*LIBRARY, Entry("practice:7", None, waiting=True)]
    pick = next_entry(library, cycle=1, used=frozenset({"C0"}), last_enabler="R", favour="C")
    assert pick == Pick("practice:7", 1)


@given(st.integers(1, 4), st.sampled_from([None, *"CRAFT"]))
def test_waiting_practices_go_out_one_a_week_in_order(count: int, favour: str | None) -> None:
    """k practices approved together go out in the next k nudges, earliest first, as turn says."""
    practices = [Entry(f"practice:{n}", None, waiting=True) for n in range(count)]
    library = [*LIBRARY, *practices]
    turns = [turn(library, p.key) for p in practices]
    assert turns == list(range(count))
    cycle, used = 1, frozenset({"A0", "T1"})
    last: str | None = "T"
    sent = []
    for _ in range(count):
        pick = next_entry(library, cycle=cycle, used=used, last_enabler=last, favour=favour)
        used, last = used | {pick.key}, None
        sent.append(pick.key)
    assert sent == [p.key for p in practices]


def test_a_practice_already_sent_is_not_waiting() -> None:
    """turn says None for an entry that is not waiting (already sent, or a library nudge)."""
    library = [*LIBRARY, Entry("practice:1", None)]
    assert turn(library, "practice:1") is None
    assert turn(library, "C0") is None
