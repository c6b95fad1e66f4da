"""Registering a network, and co-leads joining it by invite."""

from __future__ import annotations

import pytest

from handlers.registration import Registering
from tests.harness import Harness

LEAD = 601
CO_LEAD = 602
STRANGER = 603


async def _state(bot: Harness, user_id: int) -> Registering | None:
    user = await bot.storage.user(user_id)
    assert user is not None
    assert user.entry is None or isinstance(user.entry, Registering)
    return user.entry


async def test_registration_records_organisation_region_age_and_name(bot: Harness) -> None:
    """The four steps create the network with this user as its lead."""
    await bot.register(LEAD, name="Barts BME Network")
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    assert (network.organisation, network.region, network.age, network.name) == (
        "Barts Health NHS Trust",
        "london",
        "y1-3",
        "Barts BME Network",
    )
    assert await bot.storage.lead_ids(network.id) == [LEAD]


async def test_organisation_matches_are_offered_with_use_what_i_typed(bot: Harness) -> None:
    """Typed text brings the closest directory entries as buttons, plus "use what I typed"."""
    await bot.send(LEAD, "/assess")
    await bot.send(LEAD, "kings college hospital")
    labels = bot.buttons(LEAD)
    assert labels[0] == "King's College Hospital NHS Foundation Trust"
    assert labels[-1] == "Use “kings college hospital”"


async def test_region_is_prefilled_from_the_directory(bot: Harness) -> None:
    """A directory match suggests its NHS England region first, ticked."""
    await bot.send(LEAD, "/assess")
    await bot.send(LEAD, "Newcastle upon tyne")
    await bot.tap(LEAD, "The Newcastle upon Tyne")
    assert bot.buttons(LEAD)[0] == "✓ North East and Yorkshire"


@pytest.mark.parametrize(
    ("typed", "top"),
    [
        ("NELFT", "North East London NHS Foundation Trust"),
        ("GSTT", "Guy's and St Thomas' NHS Foundation Trust"),
        ("UCLH", "University College London Hospitals NHS Foundation Trust"),
        ("NEL ICB", "NHS North East London Integrated Care Board"),
        ("Poole Hospital", "University Hospitals Dorset NHS Foundation Trust"),
        ("Mid Essex Hospital Services", "Mid and South Essex NHS Foundation Trust"),
        ("Northern Care Alliance", "Northern Care Alliance NHS Foundation Trust"),
        ("Guy's and St Thomas'", "Guy's and St Thomas' NHS Foundation Trust"),
        ("guys & saint thomas", "Guy's and St Thomas' NHS Foundation Trust"),
        ("Kings College Hospital Foundation", "King's College Hospital NHS Foundation Trust"),
    ],
)
async def test_abbreviations_and_former_names_put_todays_organisation_on_top(
    bot: Harness, typed: str, top: str
) -> None:
    """An abbreviation, a variant spelling or a former name offers today's organisation first."""
    await bot.send(LEAD, "/assess")
    await bot.send(LEAD, typed)
    assert bot.buttons(LEAD)[0] == top


@pytest.mark.parametrize(
    ("typed", "only"),
    [
        ("Northern Care Alliance", "Northern Care Alliance NHS Foundation Trust"),
        ("Guy's and St Thomas'", "Guy's and St Thomas' NHS Foundation Trust"),
    ],
)
async def test_an_organisations_own_name_is_offered_alone(
    bot: Harness, typed: str, only: str
) -> None:
    """A name that is one organisation's brings that one and "use what I typed", nothing else."""
    await bot.send(LEAD, "/assess")
    calls = await bot.send(LEAD, typed)
    assert bot.buttons(LEAD) == [only, f"Use “{typed}”"]
    assert "Is it this one?" in calls[-1].text


async def test_a_former_name_prefills_todays_region(bot: Harness) -> None:
    """Picking today's organisation for a pre-merger name suggests that organisation's region."""
    await bot.send(LEAD, "/assess")
    await bot.send(LEAD, "Poole Hospital")
    await bot.tap(LEAD, "University Hospitals Dorset")
    assert bot.buttons(LEAD)[0] == "✓ South West"
    entry = await _state(bot, LEAD)
    assert entry is not None
    assert (entry.step, entry.organisation, entry.suggested_region) == (
        "region",
        "University Hospitals Dorset NHS Foundation Trust",
        "south-west",
    )
    assert entry == Registering(
        entry.began, "region", organisation=entry.organisation, suggested_region="south-west"
    )


async def test_an_icb_abbreviation_registers_the_board(bot: Harness) -> None:
    """'NEL ICB' finds the North East London board, whose London region is then suggested."""
    await bot.send(LEAD, "/assess")
    await bot.send(LEAD, "NEL ICB")
    await bot.tap(LEAD, "NHS North East London Integrated Care Board")
    assert bot.buttons(LEAD)[0] == "✓ London"


async def test_typed_organisation_asks_for_region_without_a_guess(bot: Harness) -> None:
    """An organisation not in the directory can be used as typed; all seven regions offered."""
    await bot.send(LEAD, "/assess")
    await bot.send(LEAD, "Zebra Community Interest Company")
    await bot.tap(LEAD, "Use")
    labels = bot.buttons(LEAD)
    assert len(labels) == 7
    assert not any(label.startswith("✓") for label in labels)
    entry = await _state(bot, LEAD)
    assert entry is not None
    assert (entry.step, entry.organisation) == ("region", "Zebra Community Interest Company")


async def test_region_can_be_typed_forgivingly(bot: Harness) -> None:
    """At the region step a typed region name is accepted however it is written."""
    await bot.send(LEAD, "/assess")
    await bot.send(LEAD, "Zebra CIC")
    await bot.tap(LEAD, "Use")
    await bot.send(LEAD, "north east & yorkshire")
    entry = await _state(bot, LEAD)
    assert entry is not None
    assert (entry.step, entry.region) == ("age", "north-east-and-yorkshire")


async def test_over_long_organisation_is_refused(bot: Harness) -> None:
    """An organisation name over 120 characters gets a hint and changes nothing."""
    await bot.send(LEAD, "/assess")
    calls = await bot.send(LEAD, "x" * 121)
    assert "120 characters" in calls[-1].text
    entry = await _state(bot, LEAD)
    assert entry is not None
    assert entry == Registering(entry.began)  # the first step, nothing answered


async def test_over_long_network_name_is_refused(bot: Harness) -> None:
    """A network name over 120 characters is refused and the step stays."""
    await bot.send(LEAD, "/assess")
    await bot.send(LEAD, "Barts Health")
    await bot.tap(LEAD, "Barts Health NHS Trust")
    await bot.tap(LEAD, "✓ London")
    await bot.tap(LEAD, "Under a year")
    before = await _state(bot, LEAD)
    calls = await bot.send(LEAD, "N" * 121)
    assert "120 characters" in calls[-1].text
    assert await _state(bot, LEAD) == before
    assert await bot.storage.network_of(LEAD) is None


async def test_text_at_a_button_step_gets_a_hint(bot: Harness) -> None:
    """Typing at the age step (a button step) gets a hint and changes nothing."""
    await bot.send(LEAD, "/assess")
    await bot.send(LEAD, "Barts Health")
    await bot.tap(LEAD, "Barts Health NHS Trust")
    await bot.tap(LEAD, "✓ London")
    before = await _state(bot, LEAD)
    calls = await bot.send(LEAD, "about two years")
    assert "tap one of the buttons" in calls[-1].text
    assert await _state(bot, LEAD) == before


async def test_old_registration_button_is_refused(bot: Harness) -> None:
    """Pressing an organisation button after moving on to the region step changes nothing."""
    await bot.send(LEAD, "/assess")
    calls = await bot.send(LEAD, "Barts Health")
    old = calls[-1].params["reply_markup"]["inline_keyboard"][1][0]["callback_data"]
    await bot.tap(LEAD, "Barts Health NHS Trust")
    before = await _state(bot, LEAD)
    pressed = await bot.press(LEAD, old)
    assert [c.method for c in pressed] == ["answerCallbackQuery"]
    assert await _state(bot, LEAD) == before


async def test_assess_mid_registration_reasks_the_current_step(bot: Harness) -> None:
    """/assess during registration asks the step the user stopped at."""
    await bot.send(LEAD, "/assess")
    await bot.send(LEAD, "Barts Health")
    await bot.tap(LEAD, "Barts Health NHS Trust")
    calls = await bot.send(LEAD, "/assess")
    assert "Which NHS England region" in calls[-1].text


async def test_default_name_button_finishes_registration(bot: Harness) -> None:
    """Tapping the suggested name registers the network and shows question 1."""
    await bot.send(LEAD, "/assess")
    await bot.send(LEAD, "Barts Health")
    await bot.tap(LEAD, "Barts Health NHS Trust")
    await bot.tap(LEAD, "✓ London")
    await bot.tap(LEAD, "5 years to under 10")
    await bot.tap(LEAD, "Call it")
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    assert network.name == "BME Staff Network"
    assert "Question 1 of 50" in bot.fake.shown(LEAD)[-1].text


async def test_user_text_is_escaped(bot: Harness) -> None:
    """HTML in what a user types is shown literally, never parsed."""
    await bot.send(LEAD, "/assess")
    calls = await bot.send(LEAD, "<b>Evil</b> & Co")
    assert "&lt;b&gt;Evil&lt;/b&gt; &amp; Co" in calls[-1].text


async def test_co_lead_joins_by_invite_and_answers_their_own(bot: Harness) -> None:
    """The invite deep link adds a co-lead, who goes straight to their own questions."""
    await bot.register(LEAD)
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    await bot.join(CO_LEAD, LEAD)
    assert "co-lead of <b>" in bot.fake.sent(CO_LEAD)[-1].text
    assert "let a new co-lead in" not in bot.fake.sent(LEAD)[-1].text  # the owner let them in
    assert "Approved" in bot.fake.shown(LEAD)[-1].text
    assert await bot.storage.lead_ids(network.id) == [LEAD, CO_LEAD]
    calls = await bot.send(CO_LEAD, "/assess")
    assert "Question 1 of 50" in calls[-1].text
    await bot.answer_all(CO_LEAD, "lowest")
    completed = await bot.storage.completed_assessments(network.id)
    assert [a.user_id for a in completed] == [CO_LEAD]


async def test_invite_link_is_shown_at_registration(bot: Harness) -> None:
    """Registration ends with the t.me invite link for co-leads."""
    await bot.register(LEAD)
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    link = f"https://t.me/hub_test_bot?start=join_{network.invite_code}"
    assert any(link in c.text for c in bot.fake.sent(LEAD))


async def test_unknown_invite_code_is_refused(bot: Harness) -> None:
    """A wrong or forged invite code joins nothing."""
    for code in ("nope", "", "💥", "A" * 60):
        calls = await bot.send(STRANGER, f"/start join_{code}")
        assert "does not work" in calls[-1].text
    assert await bot.storage.network_of(STRANGER) is None


async def test_lead_of_one_network_cannot_join_another(bot: Harness) -> None:
    """Someone already leading a network is told so and not moved."""
    await bot.register(LEAD)
    await bot.register(STRANGER)
    other = await bot.storage.network_of(STRANGER)
    assert other is not None
    calls = await bot.send(LEAD, f"/start join_{other.invite_code}")
    assert "already a lead" in calls[-1].text
    mine = await bot.storage.network_of(LEAD)
    assert mine is not None
    assert mine.id != other.id


async def test_new_invite_link_retires_the_old_one(bot: Harness) -> None:
    """ "New invite link" under /score replaces the code; the old link no longer joins."""
    await bot.register(LEAD)
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    await bot.send(LEAD, "/score")
    await bot.tap(LEAD, "New invite link")
    renewed = await bot.storage.network_of(LEAD)
    assert renewed is not None
    assert renewed.invite_code != network.invite_code
    assert renewed.invite_code in bot.fake.sent(LEAD)[-1].text
    calls = await bot.send(STRANGER, f"/start join_{network.invite_code}")
    assert "does not work" in calls[-1].text
    await bot.send(STRANGER, f"/start join_{renewed.invite_code}")
    await bot.tap(LEAD, "✅ Approve")
    assert await bot.storage.lead_ids(network.id) == [LEAD, STRANGER]


async def test_only_a_lead_can_replace_the_invite_link(bot: Harness) -> None:
    """A forged press for another network's link changes nothing."""
    await bot.register(LEAD)
    await bot.register(STRANGER)
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    calls = await bot.press(STRANGER, f"1:ni:{network.id}", message_id=1)
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    unchanged = await bot.storage.network_of(LEAD)
    assert unchanged == network


async def test_private_buttons_pressed_from_a_group_are_refused(bot: Harness) -> None:
    """A private flow's button data sent from a group message starts nothing in the group."""
    group = -1019001
    calls = await bot.press(LEAD, "1:go", chat_id=group, message_id=5)
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert await bot.storage.user(LEAD) is None


EVIL = "URGENT: hub moved, all leads re-register at https://evil.example/login"


async def test_organisation_with_a_web_address_is_refused_and_asked_again(bot: Harness) -> None:
    """A typed organisation holding a link is refused, saying why; the same step asks again."""
    await bot.send(LEAD, "/assess")
    calls = await bot.send(LEAD, EVIL)
    assert "web address" in calls[-1].text
    entry = await _state(bot, LEAD)
    assert entry is not None
    assert entry == Registering(entry.began)  # the first step, nothing answered
    await bot.send(LEAD, "Barts Health")
    assert "Barts Health NHS Trust" in bot.buttons(LEAD)


async def test_network_name_with_a_bare_domain_mention_or_line_break_is_refused(
    bot: Harness,
) -> None:
    """A network name with a bare domain, an @mention or a line break is refused; then a plain
    one is taken."""
    await bot.send(LEAD, "/assess")
    await bot.send(LEAD, "Barts Health")
    await bot.tap(LEAD, "Barts Health NHS Trust")
    _, rows = bot.keyboard(LEAD)
    await bot.press(LEAD, rows[0][0]["callback_data"])
    await bot.tap(LEAD, "1 year to under 3")
    for name, why in (
        ("Re-register at evil.example/login", "link"),
        ("Ask @fake_hub_admin", "@mention"),
        ("Barts\nBME Network", "one line"),
    ):
        calls = await bot.send(LEAD, name)
        assert why in calls[-1].text, name
        assert await bot.storage.network_of(LEAD) is None
    await bot.send(LEAD, "Barts BME Network")
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    assert network.name == "Barts BME Network"


async def test_use_what_i_typed_button_is_unescaped(bot: Harness) -> None:
    """An organisation typed with "&" shows "&" on its "use what I typed" button."""
    await bot.send(LEAD, "/assess")
    await bot.send(LEAD, "Smith & Jones Community Care")
    assert bot.buttons(LEAD)[-1] == "Use “Smith & Jones Community Care”"
