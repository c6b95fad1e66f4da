"""/wres: WRES indicators 2, 3 and 4 quarter by quarter, through the fake Bot API: the
one-message and guided forms, bad input, replacing a quarter, the chart, the quarterly reminder,
the hub aggregate, export and forget."""

from __future__ import annotations

import io
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.rows import Delivery, Network, WresRow
from content import Content, load_content
from content.loader import DATA_DIR
from handlers.wres import WRES_REMINDERS, wres_reminders_job
from tests.fakebot import FakeBotApi
from tests.harness import OPERATOR, FakeClock, Harness, running
from tests.seed import seed_result

LEAD = 1401
CO_LEAD = 1402
STRANGER = 1403
GROUP = -1014001
ADMIN = 1499
EXAMPLE = "/wres 4 2026Q3 white 1000 490 bme 500 190"
NOTHING = "Nothing has been recorded."


async def _network(bot: Harness, user_id: int = LEAD, region: str = "london") -> Network:
    await bot.storage.ensure_user(user_id)
    network = await bot.storage.create_network(
        user_id, organisation="Test Trust", name=f"Network {user_id}", region=region, age="y1-3"
    )
    await bot.storage.verify_network(network.id, 0)  # as an operator would: it counts
    return network


async def _rows(bot: Harness, network: Network) -> list[WresRow]:
    return await bot.storage.wres_rows(network.id)


async def test_one_message_records_and_states_the_ratio(bot: Harness) -> None:
    """The format example from the help (made-up figures): recorded, and the reply says 1.29
    in words."""
    network = await _network(bot)
    calls = await bot.send(LEAD, EXAMPLE)
    text = calls[-1].text
    assert (
        "white staff were 1.29 times as likely as BME staff to access non-mandatory training"
        in (text)
    )
    assert "95% interval: 1.13 to 1.47" in text
    assert "Too few to tell" not in text
    assert await _rows(bot, network) == [WresRow(network.id, 4, "2026Q3", "", 1000, 490, 500, 190)]


async def test_indicator_three_puts_bme_staff_first(bot: Harness) -> None:
    """Indicator 3 reads BME over white: 1.2% against 0.6% is 2.00."""
    await _network(bot)
    calls = await bot.send(LEAD, "/wres 3 2026Q2 white 1000 6 bme 1000 12")
    assert (
        "BME staff were 2.00 times as likely as white staff to enter the formal disciplinary"
        in calls[-1].text
    )


async def test_the_ratio_is_never_outside_its_interval(bot: Harness) -> None:
    """white 5 0 bme 5 5 once said 0.00 with an interval of 0.01 to 1.28; 40/40 against 40/40
    said "1.00 to 1.00"; 1 and 1 was not flagged."""
    await _network(bot)
    zero = (await bot.send(LEAD, "/wres 4 2026Q3 white 5 0 bme 5 5"))[-1].text
    # No point is given when a group has none counted: the words say so, beside the interval
    # (computed with the zero-cell correction).
    assert "none of the white group was counted" in zero
    assert "0.00 times" not in zero
    assert "0.01 to 1.31" in zero
    full = (await bot.send(LEAD, "/wres 4 2026Q2 white 40 40 bme 40 40"))[-1].text
    assert "1.00 to 1.00" not in full
    assert "0.95 to 1.05" in full
    tiny = (await bot.send(LEAD, "/wres 4 2026Q1 white 1 1 bme 1 1"))[-1].text
    assert "too few" in tiny.lower()


async def test_small_groups_are_too_few_to_tell(bot: Harness) -> None:
    """Ten people a group: the reply gives the ratio but says it is too few to tell."""
    await _network(bot)
    calls = await bot.send(LEAD, "/wres 2 2026Q3 white 10 3 bme 10 2")
    assert "1.50 times as likely" in calls[-1].text
    assert "Too few to tell" in calls[-1].text


async def test_a_label_records_a_breakdown(bot: Harness) -> None:
    """Words after the counts are the breakdown label, kept apart from the whole."""
    network = await _network(bot)
    await bot.send(LEAD, EXAMPLE)
    calls = await bot.send(LEAD, "/wres 4 2026Q3 white 200 100 bme 100 40 band 5")
    assert "Q2 2026/27 (July–September 2026)</b> · band 5" in calls[-1].text
    assert "In Q2 2026/27 (July–September 2026), for band 5, white staff" in calls[-1].text
    assert [row.label for row in await _rows(bot, network)] == ["", "band 5"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ("4 2026Q3 white 1000 lots bme 500 190", "not a whole number"),
        ("4 2026Q3 white 1000 -5 bme 500 190", "cannot be negative"),
        ("4 2026Q3 white 100 490 bme 500 190", "cannot be larger than its group"),
        ("4 2026Q3 white 1000 490 bme 0 0", "group of zero has no rate"),
        ("4 2027Q2 white 1000 490 bme 500 190", "has not begun yet"),
        ("4 2026-3 white 1000 490 bme 500 190", "could not read that quarter"),
        ("5 2026Q3 white 1000 490 bme 500 190", "indicators 2, 3 and 4 only"),
        ("four 2026Q3 white 1000 490 bme 500 190", "indicators 2, 3 and 4 only"),
        ("4 2026Q3 white 1000 490", "one-message form"),
        # Once read as 1000 and 105: commas are thousands separators only.
        ("4 2026Q3 white 1,0,0,0 490 bme 500 190", "not a whole number"),
        ("4 2026Q3 white 1000 10,5 bme 500 190", "not a whole number"),
    ],
)
async def test_bad_input_names_the_problem_and_records_nothing(
    bot: Harness, args: str, says: str
) -> None:
    """Each kind of bad input gets its own answer, and no row is written."""
    network = await _network(bot)
    calls = await bot.send(LEAD, f"/wres {args}")
    assert says in calls[-1].text
    assert NOTHING in calls[-1].text
    assert await _rows(bot, network) == []


async def test_the_example_is_marked_as_made_up(bot: Harness) -> None:
    """The one-message example in /wres is a format example only, never a case study's figures,
    and warns against breakdowns small enough to point to individuals."""
    await _network(bot)
    text = (await bot.send(LEAD, "/wres"))[0].text
    assert "white 1000 490 bme 500 190</code>\n(made-up figures, only to show the format" in text
    assert "never one so small it could point to individuals" in text
    assert "case study" not in text


async def test_indicator_three_mentions_the_two_year_rolling_average(bot: Harness) -> None:
    """Disciplinary counts are small: the guided entry says WRES uses a two-year average."""
    await _network(bot)
    await bot.send(LEAD, "/wres")
    await bot.tap(LEAD, "3 ·")
    await bot.tap(LEAD, "Q2 2026/27")
    assert "two-year rolling average" in bot.fake.shown(LEAD)[-1].text


async def test_the_group_word_follows_the_staff_group_setting(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    """With staff_group set to "global majority", /wres reads that name (any case) for the group
    and shows it in its example; "bme" still works."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "terms.toml").write_text('staff_group = "global majority"\n')
    changed = load_content(data)
    async with running(fake, changed, tmp_path / "bot.sqlite3", clock) as bot:
        network = await _network(bot)
        overview = (await bot.send(LEAD, "/wres"))[0].text
        assert "white 1000 490 global majority 500 190</code>" in overview
        calls = await bot.send(LEAD, "/wres 4 2026Q3 white 1000 490 Global Majority 500 190")
        assert "white staff were 1.29 times as likely as global majority staff" in calls[-1].text
        await bot.send(LEAD, "/wres 4 2026Q2 white 1000 490 bme 500 190 global majority nurses")
        rows = await _rows(bot, network)
        assert {(r.quarter, r.label, r.bme_size) for r in rows} == {
            ("2026Q2", "global majority nurses", 500),
            ("2026Q3", "", 500),
        }
        bad = (await bot.send(LEAD, "/wres 4 2026Q3 white 1000 490"))[-1].text
        assert "white 1000 490 global majority 500 190</code> (made-up figures)" in bad
        assert bot.errors == []


async def test_guided_entry_asks_each_count_in_turn(bot: Harness) -> None:
    """Indicator and quarter by buttons, then four typed counts, each question named exactly."""
    network = await _network(bot)
    await bot.send(LEAD, "/wres")
    await bot.tap(LEAD, "4 ·")
    assert "Which quarter" in bot.fake.shown(LEAD)[-1].text
    await bot.tap(LEAD, "Q2 2026/27")
    assert "How many white staff" in bot.fake.shown(LEAD)[-1].text
    questions = []
    for typed in ("1,000", "490", "500"):
        questions.append((await bot.send(LEAD, typed))[-1].text)
    assert "Of the 1000 white staff, how many accessed non-mandatory training" in questions[0]
    assert "How many BME staff" in questions[1]
    assert "Of the 500 BME staff" in questions[2]
    calls = await bot.send(LEAD, "190")
    assert "1.29 times as likely" in calls[-1].text
    assert await _rows(bot, network) == [WresRow(network.id, 4, "2026Q3", "", 1000, 490, 500, 190)]
    user = await bot.storage.user(LEAD)
    assert user is not None
    assert user.entry is None


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        (["lots"], "not a whole number"),
        (["-4"], "cannot be negative"),
        (["0"], "group of zero"),
        (["100", "101"], "cannot be larger than its group"),
        (["10,5"], "not a whole number"),
        (["1,0,0,0"], "not a whole number"),
    ],
)
async def test_guided_bad_count_is_refused_and_asked_again(
    bot: Harness, typed: list[str], says: str
) -> None:
    """A bad count is named, the step stays where it was, and nothing is recorded."""
    network = await _network(bot)
    await bot.send(LEAD, "/wres")
    await bot.tap(LEAD, "2 ·")
    await bot.tap(LEAD, "Q2 2026/27")
    before = await bot.storage.user(LEAD)
    assert before is not None
    for text in typed[:-1]:
        await bot.send(LEAD, text)
    before = await bot.storage.user(LEAD)
    calls = await bot.send(LEAD, typed[-1])
    assert says in calls[-1].text
    # The entry goes on, so it asks for the number again rather than saying nothing was kept.
    assert NOTHING not in calls[-1].text
    assert "type that number again" in calls[-1].text
    assert await bot.storage.user(LEAD) == before
    assert await _rows(bot, network) == []


async def test_guided_entry_can_be_cancelled(bot: Harness) -> None:
    """Cancel ends the entry: later text is not taken as a count."""
    network = await _network(bot)
    await bot.send(LEAD, "/wres")
    await bot.tap(LEAD, "3 ·")
    await bot.tap(LEAD, "Q2 2026/27")
    await bot.tap(LEAD, "Cancel")
    calls = await bot.send(LEAD, "120")
    assert "not sure what to do" in calls[-1].text
    assert await _rows(bot, network) == []


async def test_an_abandoned_guided_entry_stops_claiming_text(bot: Harness) -> None:
    """Two hours after the last step, typed text is no longer taken as a count."""
    network = await _network(bot)
    await bot.send(LEAD, "/wres")
    await bot.tap(LEAD, "4 ·")
    await bot.tap(LEAD, "Q2 2026/27")
    bot.clock.advance(timedelta(hours=2))
    calls = await bot.send(LEAD, "1000")
    assert "not sure what to do" in calls[-1].text
    user = await bot.storage.user(LEAD)
    assert user is not None
    assert user.entry is None
    assert await _rows(bot, network) == []


async def test_entering_a_quarter_again_asks_before_replacing(bot: Harness) -> None:
    """A second entry for the quarter asks first; Replace then overwrites."""
    network = await _network(bot)
    await bot.send(LEAD, EXAMPLE)
    calls = await bot.send(LEAD, "/wres 4 2026Q3 white 1000 500 bme 500 250")
    assert "already has figures" in calls[-1].text
    assert bot.buttons(LEAD) == ["Replace", "Keep the old figures"]
    assert (await _rows(bot, network))[0].white_count == 490
    await bot.tap(LEAD, "Replace")
    assert "Replaced" in bot.fake.shown(LEAD)[-1].text
    assert "white and BME staff were equally likely" in bot.fake.shown(LEAD)[-1].text
    assert (await _rows(bot, network))[0].white_count == 500


async def test_keeping_the_old_figures_changes_nothing(bot: Harness) -> None:
    """Keep leaves the first figures, and a second press of Replace no longer works."""
    network = await _network(bot)
    await bot.send(LEAD, EXAMPLE)
    await bot.send(LEAD, "/wres 4 2026Q3 white 1000 500 bme 500 250")
    message_id, rows = bot.keyboard(LEAD)
    replace = rows[0][0]["callback_data"]
    await bot.tap(LEAD, "Keep the old figures")
    assert "nothing changed" in bot.fake.shown(LEAD)[-1].text
    await bot.press(LEAD, replace, message_id=message_id)
    assert (await _rows(bot, network))[0].white_count == 490


async def test_overview_lists_quarters_latest_first_with_a_chart_from_two(bot: Harness) -> None:
    """One quarter: a list and no chart; two: latest first and a trend chart photo."""
    await _network(bot)
    await bot.send(LEAD, "/wres 4 2026Q2 white 1000 400 bme 500 200")
    calls = await bot.send(LEAD, "/wres")
    assert [c.method for c in calls] == ["sendMessage"]
    await bot.send(LEAD, EXAMPLE)
    await bot.send(LEAD, "/wres 4 2026Q3 white 100 50 bme 50 20 nursing")
    calls = await bot.send(LEAD, "/wres")
    text = calls[0].text
    assert text.index("Q2 2026/27 (July–September 2026): 1.29") < text.index(
        "Q1 2026/27 (April–June 2026): 1.00"
    )
    assert "Q2 2026/27 (July–September 2026) · nursing: 1.25" in text
    assert [c.method for c in calls] == ["sendMessage", "sendPhoto"]
    assert "parity" in calls[1].text
    assert bot.fake.calls_to("sendPhoto", LEAD)[-1].files["photo"].startswith(b"\x89PNG")


async def test_only_a_networks_lead_in_private_can_use_it(bot: Harness) -> None:
    """Someone without a network is sent to /assess; a group is told it is private only."""
    calls = await bot.send(STRANGER, EXAMPLE)
    assert "/assess" in calls[-1].text
    calls = await bot.send(STRANGER, EXAMPLE, chat_id=GROUP)
    assert "private chat" in calls[-1].text


async def test_report_pdf_carries_the_last_year_of_each_indicator(
    bot: Harness, content: Content
) -> None:
    """/report's board pack writes out each whole-organisation quarter of the last year."""
    await seed_result(bot.storage, content.model, LEAD)
    await bot.send(LEAD, "/wres 4 2026Q2 white 1000 400 bme 500 200")
    await bot.send(LEAD, EXAMPLE)
    calls = await bot.send(LEAD, "/report")
    reader = PdfReader(io.BytesIO(calls[-1].files["document"]))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "(WRES) monitor" in text
    assert "Indicator 4: Non-mandatory training and CPD" in text
    assert (
        "In Q2 2026/27 (July–September 2026), white staff were 1.29 times as likely as BME staff"
        in text
    )
    assert "In Q1 2026/27 (April–June 2026), white and BME staff were equally likely" in text
    assert "Nothing was recorded for this indicator in these four quarters." in text


# -- the quarterly reminder --------------------------------------------------------------------


def _reminders(bot: Harness) -> list[str]:
    return [c.text for c in bot.fake.sent(LEAD) if "A new quarter has begun" in c.text]


async def test_reminder_goes_once_in_the_first_week_of_a_quarter(bot: Harness) -> None:
    """Thursday 1 April 2027, 11:00 BST: one reminder (slot wres:2027Q2:<lead>), never two."""
    await _network(bot)
    await bot.send(LEAD, EXAMPLE)
    bot.clock.set(datetime(2027, 4, 1, 10, 0, tzinfo=UTC))
    await bot.run_callback(wres_reminders_job)
    await bot.run_callback(wres_reminders_job)
    assert len(_reminders(bot)) == 1
    assert "Q4 2026/27 (January–March 2027)" in _reminders(bot)[0]
    assert await bot.storage.deliveries("wres") == [Delivery(f"wres:2027Q2:{LEAD}", LEAD, "sent")]


async def test_reminder_waits_for_working_hours(bot: Harness) -> None:
    """A quarter starting on a Saturday: nothing at the weekend, nor on Monday 3 January 2028
    (the bank holiday for New Year's Day), nor before 09:00 on Tuesday."""
    await _network(bot)
    await bot.send(LEAD, EXAMPLE)
    for moment in (
        datetime(2028, 1, 1, 12, 0, tzinfo=UTC),  # Saturday
        datetime(2028, 1, 3, 12, 0, tzinfo=UTC),  # Monday, a bank holiday
        datetime(2028, 1, 4, 8, 59, tzinfo=UTC),  # Tuesday 08:59 GMT
    ):
        bot.clock.set(moment)
        await bot.run_callback(wres_reminders_job)
        assert _reminders(bot) == [], moment
    bot.clock.set(datetime(2028, 1, 4, 9, 0, tzinfo=UTC))
    await bot.run_callback(wres_reminders_job)
    assert len(_reminders(bot)) == 1


async def test_no_reminder_after_the_first_week_or_without_figures(bot: Harness) -> None:
    """Day eight of a quarter is too late; a network with no figures is never reminded."""
    await _network(bot)
    bot.clock.set(datetime(2027, 4, 1, 10, 0, tzinfo=UTC))
    await bot.run_callback(wres_reminders_job)
    assert _reminders(bot) == []
    await bot.send(LEAD, EXAMPLE)
    bot.clock.set(datetime(2027, 4, 8, 10, 0, tzinfo=UTC))
    await bot.run_callback(wres_reminders_job)
    assert _reminders(bot) == []


async def test_startup_starts_the_reminder_check_and_the_menu_lists_wres(bot: Harness) -> None:
    """After start-up one repeating WRES reminder job runs; /wres is in the private menu."""
    await bot.run_job("startup")
    await bot.run_job("startup")
    assert len(bot.jobs(WRES_REMINDERS.job())) == 1
    private = [c["command"] for c in bot.fake.commands["all_private_chats"]]
    assert "wres" in private


# -- the hub aggregate -------------------------------------------------------------------------


async def test_hub_compare_shows_wres_only_from_five_networks(bot: Harness) -> None:
    """Four networks tracking indicator 4: too few; five: the count and the median, no names."""
    bot.fake.set_admins(GROUP, [ADMIN])
    await bot.send(OPERATOR, "/hub London", chat_id=GROUP)
    for index in range(5):
        user = 5000 + index
        await _network(bot, user)
        await bot.send(user, f"/wres 4 2026Q3 white 100 {22 + 2 * index} bme 100 20")
        bot.clock.advance(timedelta(days=1))  # the hub's figures come from the day's snapshot
        text = (await bot.send(ADMIN, "/compare", chat_id=GROUP))[-1].text
        if index < 4:
            assert "Indicator 4 (Non-mandatory training and CPD): <i>too few networks" in text
            assert "median relative likelihood" not in text
    assert "Indicator 4 (Non-mandatory training and CPD): 5 networks track it" in text
    assert "median relative likelihood 1.30" in text
    assert "Indicator 2 (Appointed from shortlisting): <i>too few networks" in text
    assert "Network 500" not in text


async def test_hub_wres_figures_do_not_give_away_one_network(bot: Harness) -> None:
    """Once shown, the region's WRES figures stay as they were when one more network enters a
    quarter, the same day and the next: they change only after five networks' entries have."""
    bot.fake.set_admins(GROUP, [ADMIN])
    await bot.send(OPERATOR, "/hub London", chat_id=GROUP)
    for index in range(5):
        await _network(bot, 5000 + index)
        await bot.send(5000 + index, "/wres 4 2026Q3 white 100 30 bme 100 20")
    bot.clock.advance(timedelta(days=1))
    shown = (await bot.send(ADMIN, "/compare", chat_id=GROUP))[-1].text
    assert "5 networks track it; median relative likelihood 1.50" in shown
    await _network(bot, 5005)
    await bot.send(5005, "/wres 4 2026Q3 white 100 90 bme 100 20")
    assert (await bot.send(ADMIN, "/compare", chat_id=GROUP))[-1].text == shown
    bot.clock.advance(timedelta(days=1))
    assert (await bot.send(ADMIN, "/compare", chat_id=GROUP))[-1].text == shown


async def test_hub_compare_ignores_breakdowns_and_other_regions(bot: Harness) -> None:
    """Labelled breakdowns and networks of another region do not count toward the five."""
    bot.fake.set_admins(GROUP, [ADMIN])
    await bot.send(OPERATOR, "/hub London", chat_id=GROUP)
    for index in range(5):
        user = 5000 + index
        await _network(bot, user, region="london" if index < 4 else "north-west")
        await bot.send(user, "/wres 4 2026Q3 white 100 30 bme 100 20")
    await bot.send(5000, "/wres 4 2026Q3 white 100 30 bme 100 20 nursing")
    text = (await bot.send(ADMIN, "/compare", chat_id=GROUP))[-1].text
    assert "median relative likelihood" not in text


# -- data rights -------------------------------------------------------------------------------


async def test_export_includes_the_networks_wres_quarters(bot: Harness) -> None:
    """/export's JSON lists each recorded quarter with its counts."""
    await _network(bot)
    await bot.send(LEAD, EXAMPLE)
    calls = await bot.send(LEAD, "/export")
    data = json.loads(calls[-1].files["document"])
    [row] = data["wres_quarters"]
    assert (row["indicator"], row["quarter"], row["white_size"], row["bme_count"]) == (
        4,
        "2026Q3",
        1000,
        190,
    )
    assert row["entered_by_you"] == 1


async def test_forget_deletes_the_wres_quarters_with_the_network(bot: Harness) -> None:
    """The last lead's /forget removes the network and every quarter it recorded."""
    network = await _network(bot)
    await bot.send(LEAD, EXAMPLE)
    await bot.send(LEAD, "/forget")
    await bot.tap(LEAD, "Yes, delete everything")
    assert await _rows(bot, network) == []


async def test_forget_by_a_co_lead_keeps_the_figures_without_their_id(bot: Harness) -> None:
    """A co-lead who entered figures and forgets: the network keeps them, unattributed."""
    network = await _network(bot)
    await bot.join(CO_LEAD, LEAD)
    await bot.send(CO_LEAD, EXAMPLE)
    await bot.send(CO_LEAD, "/forget")
    await bot.tap(CO_LEAD, "Yes, delete everything")
    assert len(await _rows(bot, network)) == 1
    data = await bot.storage.export_user(LEAD)
    assert data["wres_quarters"][0]["entered_by_you"] == 0
    assert str(CO_LEAD) not in json.dumps(data)


# -- financial-year quarters and direction-aware wording (issue 22) -----------------------------


@pytest.mark.parametrize("quarter", ["2026/27Q2", "2026/27 Q2", "Q2 2026/27", "2026Q3"])
async def test_every_quarter_form_records_the_same_months(bot: Harness, quarter: str) -> None:
    """Financial-year and calendar forms name July–September 2026, stored as 2026Q3."""
    network = await _network(bot)
    calls = await bot.send(LEAD, f"/wres 4 {quarter} white 1000 490 bme 500 190")
    assert "Q2 2026/27 (July–September 2026)" in calls[-1].text
    assert await _rows(bot, network) == [WresRow(network.id, 4, "2026Q3", "", 1000, 490, 500, 190)]


async def test_a_lone_year_after_the_quarter_is_asked_about_not_guessed(bot: Harness) -> None:
    network = await _network(bot)
    calls = await bot.send(LEAD, "/wres 4 Q3 2026 white 1000 490 bme 500 190")
    assert "Q3 2026/27" in calls[-1].text
    assert "2026Q3" in calls[-1].text
    assert NOTHING in calls[-1].text
    assert await _rows(bot, network) == []


async def test_guided_entry_offers_only_ended_quarters(bot: Harness) -> None:
    """On 4 December 2026 Q3 2026/27 (October–December) has not ended and is not offered."""
    await _network(bot)
    bot.clock.set(datetime(2026, 12, 4, 11, 0, tzinfo=UTC))
    await bot.send(LEAD, "/wres")
    await bot.tap(LEAD, "4 ·")
    buttons = bot.buttons(LEAD)
    assert buttons[:4] == [
        "Q2 2026/27 (July–September 2026)",
        "Q1 2026/27 (April–June 2026)",
        "Q4 2025/26 (January–March 2026)",
        "Q3 2025/26 (October–December 2025)",
    ]
    assert not any("Q3 2026/27" in text for text in buttons)


async def test_a_lower_likelihood_is_read_the_other_way_too(bot: Harness) -> None:
    """Indicator 2 at 0.50: white applicants less likely, so BME applicants 2.00 times as likely;
    small groups get "too few to tell"."""
    await _network(bot)
    calls = await bot.send(LEAD, "/wres 2 2026Q3 white 20 2 bme 20 4")
    text = calls[-1].text
    assert (
        "white applicants were less likely than BME applicants to be appointed from "
        "shortlisting: 0.50 times as likely, which means BME applicants were 2.00 times as "
        "likely as white applicants" in text
    )
    assert "95% interval: 0.10 to 2.43" in text
    assert "Too few to tell" in text


async def test_none_counted_in_the_first_group_is_said_plainly(bot: Harness) -> None:
    """Indicator 4 with no white staff trained: said in words, without a ratio's inverse that
    the zero-cell correction would make look certain."""
    await _network(bot)
    calls = await bot.send(LEAD, "/wres 4 2026Q3 white 100 0 bme 100 20")
    text = calls[-1].text
    assert "none of the white group was counted and some of the BME group were" in text
    assert "∞" not in text
