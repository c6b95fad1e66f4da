"""/national (issue 25): the operators' PDF and CSV from a seeded database checked against hand
counts, a lead refused, a hub's region beside England, and the quarterly delivery sent exactly
once across a restart."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from bot.rows import WresRow
from content import Content
from handlers import national as national_handlers
from handlers.national import national_job, quarter_due
from handlers.national_doc import Built, documents
from scoring import national, score
from tests.fakebot import FakeBotApi
from tests.harness import OPERATOR, FakeClock, Harness, running
from tests.seed import seed_result, uniform

LEAD = 7001
ADMIN = 7002
GROUP = -1025001
LONDON = ZoneInfo("Europe/London")
# Monday 4 January 2027 is the first working day of 2027Q1 (1 January is a bank holiday).
FIRST_WORKING_DAY = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
NOW = datetime(2027, 2, 10, 11, 0, tzinfo=UTC)


def _total(content: Content, option: int) -> int:
    model = content.model
    choose = uniform(option)
    return score(model, {item.key: choose(i, item) for i, item in enumerate(model.items)}).total


async def _seed(bot: Harness, content: Content) -> None:
    """London: 6 verified networks, Pathfinder (uniform 1) a year ago and Cultivator (uniform 3)
    now. North West: 5 verified, Pathfinder now. Midlands: 2 verified, Cultivator now. Also a
    verified London network with no result, and an unverified London one with a result."""
    model = content.model
    bot.clock.set(NOW - timedelta(days=360))
    for index in range(6):
        await seed_result(bot.storage, model, 100 + index, choose=uniform(1))
    bot.clock.set(NOW - timedelta(days=2))
    for index in range(6):
        await seed_result(bot.storage, model, 100 + index, choose=uniform(3))
    for index in range(5):
        await seed_result(bot.storage, model, 200 + index, region="north-west", choose=uniform(1))
    for index in range(2):
        await seed_result(bot.storage, model, 300 + index, region="midlands", choose=uniform(3))
    await seed_result(bot.storage, model, 400, choose=uniform(4), verified=False)  # never verified
    await bot.storage.ensure_user(500)
    await bot.storage.create_network(
        500, organisation="Quiet Trust", name="Quiet", region="london", age="lt1"
    )
    for user in [*range(100, 106), *range(200, 205), 300, 301, 500]:
        network = await bot.storage.network_of(user)
        assert network is not None
        await bot.storage.verify_network(network.id, OPERATOR)
        if user < 106:  # London tracks WRES indicator 2: white 40 of 100, BME 20 of 100 (2.00)
            row = WresRow(network.id, 2, "2026Q4", "", 100, 40, 100, 10 + 2 * (user - 100))
            assert await bot.storage.save_wres(row, user, replace=False)
    bot.clock.set(NOW)


def _table(csv_bytes: bytes) -> dict[tuple[str, str, str], str]:
    reader = csv.reader(io.StringIO(csv_bytes.decode()))
    assert next(reader) == ["table", "row", "column", "value"]
    return {(t, r, c): v for t, r, c, v in reader}


async def test_operator_gets_pdf_and_csv_matching_hand_counts(
    bot: Harness, content: Content
) -> None:
    """The CSV's cells are the hand counts of the seeded networks, small cells hidden."""
    await _seed(bot, content)
    calls = await bot.send(OPERATOR, "/national")
    assert bot.errors == []
    documents = [c for c in calls if c.method == "sendDocument"]
    assert [next(iter(c.files.values()))[:4] for c in documents] == [b"%PDF", b"tabl"]
    cells = _table(next(iter(documents[1].files.values())))
    by_region = "Verified networks by NHS England region"
    # Assessed in the last year: London 6, North West 5, Midlands 2 (few), 13 in all; the
    # unverified network is left out and the verified one without a result is "not assessed".
    assert cells[(by_region, "London", "Assessed in the last year")] == "6"
    assert cells[(by_region, "Midlands", "Assessed in the last year")] == "fewer than 5"
    assert cells[(by_region, "England", "Assessed in the last year")] == "13"
    # One network not assessed: too few to show, and so are the totals it would give away.
    assert cells[(by_region, "England", "Not assessed in the last year")] == "fewer than 5"
    assert cells[(by_region, "England", "Verified networks")] == "not shown"
    # Midlands' 2 could be worked out from 13 - 6 - 5: another cell is hidden with it.
    shown = [cells[(by_region, name, "Assessed in the last year")] for name in ("North West",)]
    hidden = [
        v
        for (table, _, column), v in cells.items()
        if table == by_region and column == "Assessed in the last year" and v == "not shown"
    ]
    assert shown == ["5"]
    assert len(hidden) == 1
    totals = "Totals and bands, England"
    mean = (8 * _total(content, 3) + 5 * _total(content, 1)) / 13
    assert cells[(totals, "Mean total (of 178)", "Today")] == str(round(mean, 1))
    assert cells[(totals, "Mean total (of 178)", "2017")] == "105"
    assert cells[(totals, "Pathfinder, share of networks", "Today")] == "38% (5)"
    assert cells[(totals, "Cultivator, share of networks", "Today")] == "62% (8)"
    assert cells[(totals, "Pathfinder, share of networks", "2017")] == "83% (40)"
    # By region: London alone would leave 7 others; North West too would leave Midlands' 2.
    groups = "Mean and median total by region"
    assert cells[(groups, "London", "Mean")] == f"{_total(content, 3):.1f}"
    assert cells[(groups, "North West", "Networks assessed")] == "not shown"
    items = "Share of networks agreeing today beside the 2017 review"
    # The purpose figure is no longer set against an item (op-purpose asks something else).
    purpose = "said their purpose was clearly defined"
    assert cells[(items, purpose, "Today")] == "—"
    terms = "said they had clear terms of reference"
    assert cells[(items, terms, "Today")] == "62%"  # 8 of 13 agree, 5 do not
    assert cells[(items, terms, "2017")] == "over 90%"
    expectations = next(f.text for f in content.baseline.figures if f.item is None)
    assert cells[(items, expectations, "Today")] == "—"
    assert cells[(items, expectations, "Like for like?")].startswith("No")
    craft = "Median share of each CRAFT enabler's points, England and by region (%)"
    assert cells[(craft, "London", "Senior commitment")] == "81"
    assert cells[(craft, "North West", "Senior commitment")] == "not shown"
    # London's six networks track indicator 2: white 40% against BME 10% to 20% (median of
    # 4.00, 3.33, 2.86, 2.50, 2.22, 2.00 is 2.68); no other region tracks it.
    wres = (
        "Indicator 2 (Appointed from shortlisting): "
        "networks tracking it and their median relative likelihood"
    )
    assert cells[(wres, "England", "Networks tracking it")] == "6"
    assert cells[(wres, "England", "Median relative likelihood")] == "2.68"
    assert cells[(wres, "London", "Median relative likelihood")] == "2.68"
    assert cells[(wres, "North West", "Networks tracking it")] == "not shown"
    pdf_caption = documents[0].text
    assert "fewer than 5 networks" not in pdf_caption
    assert "5 networks" in pdf_caption


async def test_year_apart_and_what_moved(bot: Harness, content: Content) -> None:
    """The six London networks rose from Pathfinder a year ago; too few moved otherwise."""
    await _seed(bot, content)
    documents = [c for c in await bot.send(OPERATOR, "/national") if c.method == "sendDocument"]
    pdf = next(iter(documents[0].files.values()))
    assert pdf.startswith(b"%PDF")
    data = (await bot.storage.national_pictures())[-1].data
    assert data["year_apart"] == {"pairs": 6, "up": 6, "same": 0, "down": 0}


async def test_a_lead_is_refused(bot: Harness, content: Content) -> None:
    """A lead's /national says it is for operators and sends no file."""
    await seed_result(bot.storage, content.model, LEAD)
    calls = await bot.send(LEAD, "/national")
    assert [c.method for c in calls] == ["sendMessage"]
    assert "for the bot's operators" in calls[0].text
    assert await bot.storage.national_pictures() == []


async def test_national_is_in_the_group_menus_and_the_group_help(bot: Harness) -> None:
    for scope in ("all_group_chats", "all_chat_administrators"):
        assert "national" in [c["command"] for c in bot.fake.commands[scope]]
    await bot.send(LEAD, "/help", chat_id=GROUP)
    assert "/national" in bot.fake.sent(GROUP)[-1].text


async def test_a_group_that_is_not_a_hub_is_told(bot: Harness) -> None:
    calls = await bot.send(LEAD, "/national", chat_id=GROUP)
    assert [c.method for c in calls] == ["sendMessage"]
    assert "approved regional hub group" in calls[0].text


async def test_hub_sees_its_region_beside_england(bot: Harness, content: Content) -> None:
    """An approved London hub gets London's row beside England's and a chart with its figures
    in the caption; never a network's name."""
    bot.fake.set_admins(GROUP, [ADMIN])
    await bot.send(OPERATOR, "/hub London", chat_id=GROUP)
    await _seed(bot, content)
    calls = await bot.send(ADMIN, "/national", chat_id=GROUP)
    assert bot.errors == []
    [text] = [c.text for c in calls if c.method == "sendMessage"]
    assert "London beside England" in text
    assert f"London: 6 networks assessed, mean total {_total(content, 3):.1f} of 178" in text
    assert "England: 13 networks assessed" in text
    assert "WRES indicator 2: London 6 networks, median 2.68." in text
    assert "Network 10" not in text
    [photo] = [c for c in calls if c.method == "sendPhoto"]
    assert "Senior commitment London 81%" in photo.text


async def test_quarterly_picture_is_sent_once_across_a_restart(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """On the quarter's first working day each operator gets the picture once, also when the
    check runs again after a restart."""
    db = tmp_path / "bot.sqlite3"
    operators = frozenset({OPERATOR, OPERATOR + 1})
    assert quarter_due(FIRST_WORKING_DAY - timedelta(minutes=1), LONDON) is None
    assert quarter_due(FIRST_WORKING_DAY + timedelta(hours=1), LONDON) == "2027Q1"
    async with running(fake, content, db, clock, admin_ids=operators) as bot:
        clock.set(FIRST_WORKING_DAY - timedelta(days=3))
        await _seed_small(bot, content)
        clock.set(FIRST_WORKING_DAY + timedelta(minutes=5))
        calls = await bot.run_callback(national_job)
        assert bot.errors == []
        sent = [c.chat_id or 0 for c in calls if c.method == "sendDocument"]
        assert sorted(sent) == [OPERATOR, OPERATOR, OPERATOR + 1, OPERATOR + 1]
    async with running(fake, content, db, clock, admin_ids=operators) as bot:
        clock.set(FIRST_WORKING_DAY + timedelta(minutes=20))
        assert await bot.run_callback(national_job) == []
        quarters = [p.quarter for p in await bot.storage.national_pictures()]
        assert quarters == ["2027Q1"]


async def _seed_small(bot: Harness, content: Content) -> None:
    for index in range(5):
        await seed_result(bot.storage, content.model, 600 + index, choose=uniform(2))
        network = await bot.storage.network_of(600 + index)
        assert network is not None
        await bot.storage.verify_network(network.id, OPERATOR)


async def test_a_picture_stands_until_enough_networks_change(
    bot: Harness, content: Content
) -> None:
    """One more network's result does not change the published figures; five more do."""
    await _seed_small(bot, content)
    await bot.send(OPERATOR, "/national")
    first = (await bot.storage.national_pictures())[-1]
    await seed_result(bot.storage, content.model, 700, choose=uniform(4))
    network = await bot.storage.network_of(700)
    assert network is not None
    await bot.storage.verify_network(network.id, OPERATOR)
    await bot.send(OPERATOR, "/national")
    assert (await bot.storage.national_pictures())[-1].id == first.id
    for index in range(4):
        await seed_result(bot.storage, content.model, 710 + index, choose=uniform(4))
        network = await bot.storage.network_of(710 + index)
        assert network is not None
        await bot.storage.verify_network(network.id, OPERATOR)
    await bot.send(OPERATOR, "/national")
    latest = (await bot.storage.national_pictures())[-1]
    assert latest.id != first.id
    assert latest.data["england"]["n"] == 10


async def test_what_moved_since_last_quarters_picture(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """The quarter's picture is the one later pictures say what moved against."""
    async with running(fake, content, tmp_path / "bot.sqlite3", clock, admin_ids={OPERATOR}) as bot:
        clock.set(FIRST_WORKING_DAY - timedelta(days=3))
        await _seed_small(bot, content)  # 5 networks at 78 (Pathfinder)
        clock.set(FIRST_WORKING_DAY + timedelta(minutes=5))
        await bot.run_callback(national_job)
        for index in range(5):
            await seed_result(bot.storage, content.model, 720 + index, choose=uniform(3))
            network = await bot.storage.network_of(720 + index)
            assert network is not None
            await bot.storage.verify_network(network.id, OPERATOR)
        clock.set(FIRST_WORKING_DAY + timedelta(days=20))
        calls = await bot.send(OPERATOR, "/national")
        assert bot.errors == []
    [table] = [c for c in calls if c.method == "sendDocument" and "CSV" in c.text]
    cells = _table(next(iter(table.files.values())))
    moved = "National figures then and now"
    assert cells[(moved, "Networks assessed", "Then")] == "5"
    assert cells[(moved, "Networks assessed", "Now")] == "10"
    assert cells[(moved, "Mean total", "Change")] == f"{(_total(content, 3) - 78) / 2:+g}"


async def test_a_picture_that_cannot_be_built_is_said_so(
    bot: Harness, content: Content, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that fails leaves the operator a clear message, and nothing is recorded."""

    async def broken(*args: object) -> None:
        raise RuntimeError("worker died")

    monkeypatch.setattr(national_handlers, "in_worker", broken)
    await _seed_small(bot, content)
    calls = await bot.send(OPERATOR, "/national")
    assert [c.method for c in calls] == ["sendMessage", "sendMessage"]
    assert "could not be built" in calls[-1].text
    assert await bot.storage.national_pictures() == []


async def test_a_quarter_with_too_few_changes_sends_the_picture_that_stands(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """Nothing changed since an on-demand picture: the quarter's picture is that one, with its
    date, recorded as the quarter's."""
    async with running(fake, content, tmp_path / "bot.sqlite3", clock, admin_ids={OPERATOR}) as bot:
        clock.set(FIRST_WORKING_DAY - timedelta(days=3))
        await _seed_small(bot, content)
        await bot.send(OPERATOR, "/national")
        clock.set(FIRST_WORKING_DAY + timedelta(minutes=5))
        calls = await bot.run_callback(national_job)
        assert bot.errors == []
        pictures = await bot.storage.national_pictures()
    assert [p.quarter for p in pictures] == [None, "2027Q1"]
    assert pictures[1].data == pictures[0].data
    assert pictures[1].members == pictures[0].members
    [pdf] = [
        c
        for c in calls
        if c.method == "sendDocument" and "PDF" not in c.text and "CSV" not in c.text
    ]
    assert "(2027-01-01)" in pdf.text  # the standing picture's date


# -- member pulses ---------------------------------------------------------------------------

PULSES = "Share of members agreeing with each pulse statement, England"
RAN = "Networks that ran a member pulse in the last 12 months"
# Per network, each member's answer to the first statement ("purpose"); options: 0 Prefer not
# to say, 1 Strongly disagree, 2 Disagree, 3 Neither, 4 Agree, 5 Strongly agree.
PURPOSE_ANSWERS = (
    (4, 4, 5, 1, 0, 2),  # 3 agreeing of 5 views
    (5, 5, 5, 5, 5),  # 5 of 5
    (1, 2, 3, 3, 2),  # 0 of 5
    (4, 1, 1, 1, 1, 1),  # 1 of 6
    (4, 4, 3, 3, 3),  # 2 of 5
)


async def _pulse(bot: Harness, lead: int, purpose: tuple[int, ...], *, close: bool = True) -> int:
    """A pulse of the lead's network, each member answering `purpose` to the first statement,
    "Prefer not to say" to the second and Agree to the rest; closed unless `close` is False."""
    network = await bot.storage.network_of(lead)
    assert network is not None
    keys = [s.key for s in bot.app.bot_data["services"].content.pulse.statements]
    pulse = await bot.storage.open_pulse(network.id, lead, bot.clock.now() + timedelta(days=14))
    assert pulse is not None
    for member, first in enumerate(purpose, start=9000 + 100 * (lead % 100)):
        assert await bot.storage.begin_pulse(pulse.id, member)
        for position, option in enumerate([first, 0] + [4] * (len(keys) - 2)):
            assert await bot.storage.answer_pulse(pulse.id, member, position, option)
        assert await bot.storage.finish_pulse(pulse.id, member, keys, None)
    if close:
        assert await bot.storage.close_pulse(pulse.id, 5)
    return pulse.id


async def _pulse_networks(bot: Harness, content: Content, leads: range) -> None:
    for lead in leads:
        await seed_result(bot.storage, content.model, lead, choose=uniform(2))


async def test_pulses_of_five_networks_give_shares_by_hand_count(
    bot: Harness, content: Content
) -> None:
    """Five verified networks' closed pulses pool into a share per statement in the CSV; a
    statement nobody gave a view on shows nothing; the PDF has the section and no old footer;
    an approved hub sees England's shares."""
    bot.clock.set(NOW - timedelta(days=30))
    await _pulse_networks(bot, content, range(600, 605))
    for lead, answers in zip(range(600, 605), PURPOSE_ANSWERS, strict=True):
        await _pulse(bot, lead, answers)
    bot.clock.set(NOW)
    calls = await bot.send(OPERATOR, "/national")
    assert bot.errors == []
    pdf_call, csv_call = [c for c in calls if c.method == "sendDocument"]
    cells = _table(next(iter(csv_call.files.values())))
    assert cells[(RAN, "England", "Networks with a pulse")] == "5"
    statements = content.pulse.statements
    purpose = f"Members agree {statements[0].short}"
    # 3 + 5 + 0 + 1 + 2 = 11 agreeing of 5 + 5 + 5 + 6 + 5 = 26 views: 42.3%.
    assert cells[(PULSES, purpose, "Share agreeing")] == "42%"
    assert cells[(PULSES, purpose, "Networks counted")] == "5"
    assert cells[(PULSES, purpose, "Members giving a view")] == "26"
    nobody = f"Members agree {statements[1].short}"  # everyone preferred not to say
    assert cells[(PULSES, nobody, "Share agreeing")] == "not shown (too few networks or views)"
    # The rest: every member (26 in all, the one who preferred not to say on purpose too) agreed.
    for statement in statements[2:]:
        assert cells[(PULSES, f"Members agree {statement.short}", "Share agreeing")] == "100%"
        assert cells[(PULSES, f"Members agree {statement.short}", "Members giving a view")] == (
            "27"
        )
    pdf = PdfReader(io.BytesIO(next(iter(pdf_call.files.values()))))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "What members say: member pulses" in text
    assert "not part of this picture yet" not in text
    bot.fake.set_admins(GROUP, [ADMIN])
    await bot.send(OPERATOR, "/hub London", chat_id=GROUP)
    calls = await bot.send(ADMIN, "/national", chat_id=GROUP)
    [hub] = [c.text for c in calls if c.method == "sendMessage"]
    assert "Member pulses in England: 5 networks ran one in the last 12 months." in hub
    assert f"• 42% of members agree {statements[0].short}" in hub
    assert statements[1].short not in hub


async def test_pulses_of_four_networks_are_too_few(bot: Harness, content: Content) -> None:
    """Four verified networks with a closed pulse in the window: "fewer than 5" and no shares.
    A pulse that closed over a year ago, one still open, one with 4 answers and an unverified
    network's pulse do not count."""
    bot.clock.set(NOW - timedelta(days=420))
    await _pulse_networks(bot, content, range(600, 609))
    await seed_result(bot.storage, content.model, 609, verified=False)
    await _pulse(bot, 604, PURPOSE_ANSWERS[0])  # closed 420 days ago: outside the window
    bot.clock.set(NOW - timedelta(days=30))
    for lead, answers in zip(range(600, 604), PURPOSE_ANSWERS, strict=False):
        await _pulse(bot, lead, answers)
    await _pulse(bot, 605, PURPOSE_ANSWERS[1], close=False)  # still open
    await _pulse(bot, 606, (4, 4, 4, 4))  # closed with 4 answers: shows nothing anywhere
    await _pulse(bot, 609, PURPOSE_ANSWERS[1])  # an unverified network's
    bot.clock.set(NOW)
    calls = await bot.send(OPERATOR, "/national")
    assert bot.errors == []
    documents = [c for c in calls if c.method == "sendDocument"]
    cells = _table(next(iter(documents[1].files.values())))
    assert cells[(RAN, "England", "Networks with a pulse")] == "fewer than 5"
    rows = [v for (table, _, column), v in cells.items() if table == PULSES]
    assert rows
    assert all(v.startswith("not shown") for v in rows)


async def test_a_new_pulse_is_a_change_for_the_publication_rule(
    bot: Harness, content: Content
) -> None:
    """A picture stands until enough networks change: four networks' new pulses hold it, a
    fifth's lets a new picture out with the new shares."""
    bot.clock.set(NOW - timedelta(days=60))
    await _pulse_networks(bot, content, range(600, 605))
    for lead, answers in zip(range(600, 605), PURPOSE_ANSWERS, strict=True):
        await _pulse(bot, lead, answers)
    bot.clock.set(NOW - timedelta(days=40))
    await bot.send(OPERATOR, "/national")
    purpose = f"Members agree {content.pulse.statements[0].short}"

    async def share() -> str:
        calls = await bot.send(OPERATOR, "/national")
        documents = [c for c in calls if c.method == "sendDocument"]
        return _table(next(iter(documents[1].files.values())))[(PULSES, purpose, "Share agreeing")]

    bot.clock.set(NOW - timedelta(days=20))
    for lead in range(600, 604):  # every member now strongly agrees
        await _pulse(bot, lead, (5, 5, 5, 5, 5))
    bot.clock.set(NOW - timedelta(days=10))
    assert await share() == "42%"  # 4 networks changed: the picture stands
    bot.clock.set(NOW - timedelta(days=5))
    await _pulse(bot, 604, (5, 5, 5, 5, 5))
    bot.clock.set(NOW)
    assert await share() == "100%"
    assert len(await bot.storage.national_pictures()) == 2


def test_a_picture_from_before_pulses_says_so(content: Content) -> None:
    """A picture published before pulses were part of it (no pulse block) still makes its
    documents, saying the pulses will come with the next picture."""
    setting = national.Setting(["london"], ["lt1"], ["C"], (), {}, 5)
    data = national.build([], setting, "2026-12-01")
    del data["pulses"]
    text, _, _, table = documents(content, Built(data, True, None, None))
    [section] = [s for s in text.sections if s.heading == "What members say: member pulses"]
    assert not section.tables
    assert "before member pulses were part of it" in section.paragraphs[0]
    assert "member pulse" not in table
