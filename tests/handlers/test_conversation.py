"""Half-typed entries through the real bot: the router applies the staleness rule for every
feature, and entries stored by the previous code (a prefix string and a JSON dict) carry on."""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.clock import iso
from bot.conversation import DRAFT_EXPIRES
from bot.rows import Network, WresRow
from content import Content
from handlers.callbacks import encode
from handlers.plan import PlanEdit
from handlers.pulse import PulseComment
from handlers.registration import Registering
from handlers.wres import WresGuided
from scoring.plan import OPEN_LIMIT
from tests.harness import Harness
from tests.seed import seed_result, uniform

LEAD = 2701
MEMBER = 2710
STALE = DRAFT_EXPIRES + timedelta(minutes=1)
FRESH = DRAFT_EXPIRES - timedelta(minutes=1)
UNEXPECTED = "not sure what to do"


async def _network(bot: Harness) -> Network:
    await bot.storage.ensure_user(LEAD)
    network = await bot.storage.create_network(
        LEAD, organisation="Test Trust", name="Network 2701", region="london", age="y1-3"
    )
    await bot.storage.verify_network(network.id, 0)
    return network


async def _step(bot: Harness, content: Content) -> tuple[int, int]:
    """A lead with a result and one plan step: (network id, step id)."""
    await seed_result(bot.storage, content.model, LEAD)
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    step = await bot.storage.add_plan_step(
        network.id,
        LEAD,
        text="Agree terms",
        owner="",
        due=date(2027, 6, 30),
        source="",
        open_limit=OPEN_LIMIT,
    )
    assert step is not None
    return network.id, step


def _store(db_path: Path, user_id: int, state: str | None, draft: str | None) -> None:
    """Write users.state and users.draft as the previous code did, straight with SQL."""
    with closing(sqlite3.connect(db_path)) as db:
        db.execute("UPDATE users SET state = ?, draft = ? WHERE id = ?", (state, draft, user_id))
        db.commit()


async def _entry(bot: Harness, user_id: int) -> object:
    user = await bot.storage.user(user_id)
    assert user is not None
    return user.entry


async def _open_pulse(bot: Harness, content: Content) -> str:
    await seed_result(bot.storage, content.model, LEAD, choose=uniform(3))
    calls = await bot.send(LEAD, "/pulse")
    match = re.search(r"start=pulse_([A-Za-z0-9_-]+)", " ".join(call.text for call in calls))
    assert match is not None
    return match[1]


async def _answer_every_statement(bot: Harness, code: str) -> None:
    await bot.send(MEMBER, f"/start pulse_{code}")
    await bot.tap(MEMBER, "Begin")
    while "Skip" not in bot.buttons(MEMBER):
        await bot.tap(MEMBER, "Agree")


# -- the staleness rule, applied by the router ---------------------------------------------------


@pytest.mark.parametrize(("wait", "taken"), [(FRESH, True), (STALE, False)])
async def test_a_plan_edit_is_taken_within_the_hour_and_dropped_after(
    bot: Harness, content: Content, wait: timedelta, taken: bool
) -> None:
    """A step's owner typed within the hour is saved; after it, the router drops the edit and
    the text gets the ordinary answer."""
    network_id, step_id = await _step(bot, content)
    await bot.send(LEAD, "/plan")  # a message with buttons to press under
    await bot.press(LEAD, encode("pe", step_id, 1))
    assert isinstance(await _entry(bot, LEAD), PlanEdit)
    bot.clock.advance(wait)
    calls = await bot.send(LEAD, "Chair")
    step = await bot.storage.plan_step(step_id, network_id)
    assert step is not None
    assert step.owner == ("Chair" if taken else "")
    assert (UNEXPECTED in calls[-1].text) is not taken
    assert await _entry(bot, LEAD) is None


async def test_a_new_step_asked_for_goes_stale_too(bot: Harness, content: Content) -> None:
    """ "Add a step", then nothing for over an hour: the text is not added as a step."""
    network_id, _ = await _step(bot, content)
    await bot.send(LEAD, "/plan")
    await bot.tap(LEAD, "➕ Add a step")
    bot.clock.advance(STALE)
    calls = await bot.send(LEAD, "Run a listening session")
    assert UNEXPECTED in calls[-1].text
    assert [s.text for s in await bot.storage.plan_steps(network_id)] == ["Agree terms"]


@pytest.mark.parametrize(("wait", "taken"), [(FRESH, True), (STALE, False)])
async def test_a_wres_count_is_taken_within_the_hour_and_dropped_after(
    bot: Harness, wait: timedelta, taken: bool
) -> None:
    network = await _network(bot)
    await bot.send(LEAD, "/wres")
    await bot.tap(LEAD, "4 ·")
    await bot.tap(LEAD, "Q2 2026/27")
    bot.clock.advance(wait)
    calls = await bot.send(LEAD, "1000")
    entry = await _entry(bot, LEAD)
    if taken:
        assert "Of the 1000 white staff" in calls[-1].text
        assert isinstance(entry, WresGuided)
        assert entry.counts == (1000,)
    else:
        assert UNEXPECTED in calls[-1].text
        assert entry is None
    assert await bot.storage.wres_rows(network.id) == []


async def test_a_registration_never_goes_stale(bot: Harness) -> None:
    """Registration has no time limit: two days on, typed text still answers its step."""
    await bot.send(LEAD, "/assess")
    assert isinstance(await _entry(bot, LEAD), Registering)
    bot.clock.advance(timedelta(days=2))
    await bot.send(LEAD, "Barts Health")
    assert "Barts Health NHS Trust" in bot.buttons(LEAD)
    entry = await _entry(bot, LEAD)
    assert isinstance(entry, Registering)
    assert entry.step == "organisation-pick"


async def test_a_pulse_comment_never_goes_stale(bot: Harness, content: Content) -> None:
    """The pulse's free text waits while the pulse is open, however long the member takes."""
    code = await _open_pulse(bot, content)
    await _answer_every_statement(bot, code)
    assert isinstance(await _entry(bot, MEMBER), PulseComment)
    bot.clock.advance(timedelta(days=2))
    await bot.send(MEMBER, "More evening meetings please")
    assert "Your answers are in" in bot.fake.shown(MEMBER)[-1].text
    assert await _entry(bot, MEMBER) is None


async def test_a_sticker_hint_ignores_a_stale_entry(bot: Harness, content: Content) -> None:
    """Something other than text gets the waiting hint while an edit is fresh, the ordinary
    answer once it is stale, and changes nothing either way."""
    _, step_id = await _step(bot, content)
    await bot.send(LEAD, "/plan")  # a message with buttons to press under
    await bot.press(LEAD, encode("pe", step_id, 1))
    sticker = {"message_id": 1, "date": 0, "chat": {"id": LEAD, "type": "private"}}
    sticker |= {"from": {"id": LEAD, "is_bot": False, "first_name": "L"}}
    sticker |= {"sticker": _STICKER}
    calls = await bot.process({"update_id": 91, "message": sticker})
    assert "changing a plan step" in calls[-1].text
    bot.clock.advance(STALE)
    calls = await bot.process({"update_id": 92, "message": {**sticker, "message_id": 2}})
    assert UNEXPECTED in calls[-1].text
    assert isinstance(await _entry(bot, LEAD), PlanEdit)  # read only: nothing changed


_STICKER = {
    "file_id": "s",
    "file_unique_id": "s",
    "type": "regular",
    "width": 1,
    "height": 1,
    "is_animated": False,
    "is_video": False,
}


# -- entries stored by the previous code ----------------------------------------------------------


async def test_an_old_registration_at_the_region_step_carries_on(
    bot: Harness, tmp_path: Path
) -> None:
    """A registration stored as 'reg:region' and a JSON dict (no start time) resumes: /assess
    asks the region again, and the steps after it finish the network."""
    await bot.send(LEAD, "/assess")
    draft = {"organisation": "Zebra Trust", "suggested_region": None}
    _store(tmp_path / "bot.sqlite3", LEAD, "reg:region", json.dumps(draft))
    entry = await _entry(bot, LEAD)
    assert isinstance(entry, Registering)
    assert (entry.step, entry.organisation) == ("region", "Zebra Trust")
    calls = await bot.send(LEAD, "/assess")
    assert "Zebra Trust" in calls[-1].text
    await bot.tap(LEAD, "London")
    await bot.tap(LEAD, bot.buttons(LEAD)[0])  # the first age
    await bot.send(LEAD, "Zebra BME Network")
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    assert (network.organisation, network.region, network.name) == (
        "Zebra Trust",
        "london",
        "Zebra BME Network",
    )


async def test_an_old_organisation_pick_carries_on(bot: Harness, tmp_path: Path) -> None:
    await bot.send(LEAD, "/assess")
    draft = {"typed": "Barts", "matches": ["Barts Health NHS Trust"]}
    _store(tmp_path / "bot.sqlite3", LEAD, "reg:organisation-pick", json.dumps(draft))
    await bot.send(LEAD, "/assess")
    await bot.tap(LEAD, "Barts Health NHS Trust")
    entry = await _entry(bot, LEAD)
    assert isinstance(entry, Registering)
    assert (entry.step, entry.organisation) == ("region", "Barts Health NHS Trust")


async def test_an_old_wres_entry_carries_on(bot: Harness, tmp_path: Path) -> None:
    """'wres:count' with the counts so far as a list finishes as a recorded quarter."""
    network = await _network(bot)
    draft = {
        "indicator": 4,
        "quarter": "2026Q3",
        "counts": [1000, 490],
        "since": iso(bot.clock.now()),
    }
    _store(tmp_path / "bot.sqlite3", LEAD, "wres:count", json.dumps(draft))
    await bot.send(LEAD, "500")
    calls = await bot.send(LEAD, "190")
    assert "1.29 times as likely" in calls[-1].text
    assert await bot.storage.wres_rows(network.id) == [
        WresRow(network.id, 4, "2026Q3", "", 1000, 490, 500, 190)
    ]


async def test_an_old_plan_edit_carries_on(bot: Harness, content: Content, tmp_path: Path) -> None:
    network_id, step_id = await _step(bot, content)
    draft = {"step": step_id, "field": "owner", "since": iso(bot.clock.now())}
    _store(tmp_path / "bot.sqlite3", LEAD, "plan:edit", json.dumps(draft))
    await bot.send(LEAD, "Chair")
    step = await bot.storage.plan_step(step_id, network_id)
    assert step is not None
    assert step.owner == "Chair"


async def test_an_old_pulse_comment_carries_on(
    bot: Harness, content: Content, tmp_path: Path
) -> None:
    code = await _open_pulse(bot, content)
    await _answer_every_statement(bot, code)
    entry = await _entry(bot, MEMBER)
    assert isinstance(entry, PulseComment)
    _store(tmp_path / "bot.sqlite3", MEMBER, "pulse_comment", json.dumps({"pulse": entry.pulse}))
    await bot.send(MEMBER, "More evening meetings please")
    assert "Your answers are in" in bot.fake.shown(MEMBER)[-1].text


@pytest.mark.parametrize(
    ("state", "draft"),
    [
        ("wres:count", "not json"),
        ("wres:count", '{"indicator": "four", "quarter": "2026Q3", "counts": []}'),
        ("wres:nowhere", '{"indicator": 4}'),
        ("reg:nowhere", "{}"),
        ("plan:edit", "[1, 2]"),
        ("mystery", '{"a": 1}'),
    ],
)
async def test_an_unreadable_entry_is_none_and_the_text_gets_the_ordinary_answer(
    bot: Harness, tmp_path: Path, state: str, draft: str
) -> None:
    await _network(bot)
    _store(tmp_path / "bot.sqlite3", LEAD, state, draft)
    assert await _entry(bot, LEAD) is None
    calls = await bot.send(LEAD, "1000")
    assert UNEXPECTED in calls[-1].text
