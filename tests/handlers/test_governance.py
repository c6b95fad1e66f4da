"""Who speaks for a network (issue 20): the owner, invitations the owner accepts, the agreed
result, verified networks, one network per organisation, hub requests once at a time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import aiosqlite

from bot.migrations import MIGRATIONS
from bot.storage import Storage
from content import Content
from handlers.coleads import close_overdue_rounds_job
from tests.harness import OPERATOR, FakeClock, Harness
from tests.seed import seed_result

LEAD = 2001
CO_LEAD = 2002
THIRD = 2003
ADMIN = 2004
MEMBER = 2005
GROUP = -1020001


async def _pair(bot: Harness) -> int:
    """LEAD registers (and owns) a network; CO_LEAD joins with the owner's Approve."""
    await bot.register(LEAD)
    await bot.join(CO_LEAD, LEAD)
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    return network.id


# -- invitations the owner accepts -------------------------------------------------------------


async def test_join_asks_the_owner_who_sees_the_name_and_approves(
    bot: Harness, tmp_path: Path
) -> None:
    """Opening the link asks the owner (a card with the person's Telegram name, Approve and
    Decline); nobody joins before Approve; afterwards the link's code has changed and the
    name is stored nowhere."""
    await bot.register(LEAD)
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    calls = await bot.send(CO_LEAD, f"/start join_{network.invite_code}")
    assert "asked the owner" in calls[-1].text
    card = bot.fake.sent(LEAD)[-1]
    assert f"User{CO_LEAD}" in card.text
    assert bot.buttons(LEAD) == ["✅ Approve", "❌ Decline"]
    assert await bot.storage.network_of(CO_LEAD) is None
    await bot.tap(LEAD, "✅ Approve")
    assert await bot.storage.lead_ids(network.id) == [LEAD, CO_LEAD]
    assert "co-lead of <b>Barts BME Network</b>" in bot.fake.sent(CO_LEAD)[-1].text
    renewed = await bot.storage.network(network.id)
    assert renewed is not None
    assert renewed.invite_code != network.invite_code
    await bot.storage.checkpoint()
    assert f"User{CO_LEAD}".encode() not in (tmp_path / "bot.sqlite3").read_bytes()


async def test_decline_tells_the_person_and_adds_no_one(bot: Harness) -> None:
    await bot.register(LEAD)
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    await bot.send(CO_LEAD, f"/start join_{network.invite_code}")
    _, rows = bot.keyboard(LEAD)
    approve = rows[0][0]["callback_data"]
    await bot.tap(LEAD, "❌ Decline")
    assert await bot.storage.lead_ids(network.id) == [LEAD]
    assert "did not let you in" in bot.fake.sent(CO_LEAD)[-1].text
    calls = await bot.press(LEAD, approve, message_id=1)  # a late press on the old card
    assert "no longer stands" in calls[-1].params["text"]
    assert await bot.storage.lead_ids(network.id) == [LEAD]


async def test_a_co_lead_cannot_answer_a_join_request(bot: Harness) -> None:
    """Only the owner decides: a co-lead's forged Approve lets nobody in."""
    network_id = await _pair(bot)
    network = await bot.storage.network(network_id)
    assert network is not None
    await bot.send(THIRD, f"/start join_{network.invite_code}")
    _, rows = bot.keyboard(LEAD)
    calls = await bot.press(CO_LEAD, rows[0][0]["callback_data"], message_id=1)
    assert "no longer stands" in calls[-1].params["text"]
    assert THIRD not in await bot.storage.lead_ids(network_id)


async def test_removed_lead_cannot_come_back_through_the_old_link(bot: Harness) -> None:
    """The owner removes a co-lead; the link they came through no longer works, and the
    owner's new link needs the owner's Approve again."""
    await bot.register(LEAD)
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    used = network.invite_code
    await bot.send(CO_LEAD, f"/start join_{used}")
    await bot.tap(LEAD, "✅ Approve")
    await bot.send(LEAD, "/leads")
    await bot.tap(LEAD, "Remove lead 2")
    await bot.tap(LEAD, "Yes, remove them")
    calls = await bot.send(CO_LEAD, f"/start join_{used}")
    assert "does not work" in calls[-1].text
    current = await bot.storage.network(network.id)
    assert current is not None
    await bot.send(CO_LEAD, f"/start join_{current.invite_code}")
    assert await bot.storage.network_of(CO_LEAD) is None
    assert "asks to join" in bot.fake.sent(LEAD)[-1].text


async def test_invite_link_expires_after_14_days(bot: Harness) -> None:
    """After 14 days the code answers clearly that it does not work, and /score says the link
    expired and offers a new one."""
    await bot.register(LEAD)
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    bot.clock.advance(timedelta(days=14, minutes=1))
    calls = await bot.send(CO_LEAD, f"/start join_{network.invite_code}")
    assert "does not work any more" in calls[-1].text
    assert not any("asks to join" in c.text for c in bot.fake.sent(LEAD))
    calls = await bot.send(LEAD, "/score")
    assert any("has expired" in c.text for c in calls)
    await bot.tap(LEAD, "New invite link")
    renewed = await bot.storage.network(network.id)
    assert renewed is not None
    calls = await bot.send(CO_LEAD, f"/start join_{renewed.invite_code}")
    assert "asked the owner" in calls[-1].text


# -- the owner -----------------------------------------------------------------------------------


async def test_owner_hands_over_and_the_co_lead_accepts(bot: Harness) -> None:
    """The owner offers ownership; nothing changes until the co-lead accepts; then /leads names
    the new owner, who alone may remove, and the old owner is told."""
    network_id = await _pair(bot)
    await bot.send(LEAD, "/leads")
    await bot.tap(LEAD, "Make lead 2 the owner")
    network = await bot.storage.network(network_id)
    assert network is not None
    assert network.owner_id == LEAD
    assert "become its owner" in bot.fake.sent(CO_LEAD)[-1].text
    await bot.tap(CO_LEAD, "✅ Accept ownership")
    network = await bot.storage.network(network_id)
    assert network is not None
    assert network.owner_id == CO_LEAD
    assert "passed to another lead" in bot.fake.sent(LEAD)[-1].text
    calls = await bot.send(CO_LEAD, "/leads")
    assert "2. you · joined 1 Mar 2027 · <b>owner</b>" in calls[-1].text
    calls = await bot.press(LEAD, f"1:lr:{network_id}:{CO_LEAD}:1", message_id=1)
    assert "Only the network's owner" in calls[-1].params["text"]
    assert await bot.storage.lead_ids(network_id) == [LEAD, CO_LEAD]


async def test_an_offer_cannot_be_accepted_by_someone_else(bot: Harness) -> None:
    network_id = await _pair(bot)
    await bot.join(THIRD, LEAD)
    await bot.send(LEAD, "/leads")
    await bot.tap(LEAD, "Make lead 2 the owner")
    calls = await bot.press(THIRD, f"1:la:{network_id}", message_id=1)
    assert "no longer works" in calls[-1].params["text"]
    network = await bot.storage.network(network_id)
    assert network is not None
    assert network.owner_id == LEAD


async def test_operator_restores_a_lead_and_transfers_ownership(bot: Harness) -> None:
    """/restorelead and /transfer: operators only; a removed lead comes back, and a lead
    becomes owner (the owner has left, say)."""
    network_id = await _pair(bot)
    await bot.send(LEAD, "/leads")
    await bot.tap(LEAD, "Remove lead 2")
    await bot.tap(LEAD, "Yes, remove them")
    calls = await bot.send(CO_LEAD, f"/restorelead {network_id} {CO_LEAD}")
    assert "for the bot's operators" in calls[-1].text
    calls = await bot.send(OPERATOR, "/restorelead")
    assert "/restorelead &lt;network number&gt;" in calls[-1].text
    await bot.send(OPERATOR, f"/restorelead {network_id} {CO_LEAD}")
    assert "Restored" in bot.fake.sent(OPERATOR)[-1].text
    assert "restored you" in bot.fake.sent(CO_LEAD)[-1].text
    assert await bot.storage.lead_ids(network_id) == [LEAD, CO_LEAD]
    calls = await bot.send(OPERATOR, f"/transfer {network_id} 424242")
    assert "could not transfer" in calls[-1].text
    calls = await bot.send(CO_LEAD, f"/transfer {network_id} {CO_LEAD}")
    assert "for the bot's operators" in calls[-1].text
    await bot.send(OPERATOR, f"/transfer {network_id} {CO_LEAD}")
    assert "transferred" in bot.fake.sent(OPERATOR)[-1].text
    network = await bot.storage.network(network_id)
    assert network is not None
    assert network.owner_id == CO_LEAD
    assert "You are now the owner" in bot.fake.sent(CO_LEAD)[-1].text
    assert "passed to another lead" in bot.fake.sent(LEAD)[-1].text


async def test_help_lists_the_operator_commands_for_operators_only(bot: Harness) -> None:
    calls = await bot.send(OPERATOR, "/help")
    assert "/transfer" in calls[-1].text
    assert "/restorelead" in calls[-1].text
    calls = await bot.send(LEAD, "/help")
    assert "/restorelead" not in calls[-1].text


async def test_an_owner_who_forgets_hands_the_network_to_the_next_lead(bot: Harness) -> None:
    network_id = await _pair(bot)
    await bot.send(LEAD, "/forget")
    await bot.tap(LEAD, "Yes, delete everything")
    network = await bot.storage.network(network_id)
    assert network is not None
    assert network.owner_id == CO_LEAD


# -- the agreed result -------------------------------------------------------------------------


async def test_a_co_leads_unsettled_round_does_not_become_the_networks_result(
    bot: Harness,
) -> None:
    """The owner's round (top answers) is the network's; a co-lead's low round differs and,
    until settled, changes neither /score nor the aggregates; sharing it is refused; 30 days
    on, it is closed as the co-lead's own view and the leads are told."""
    network_id = await _pair(bot)
    await bot.answer_all(LEAD, "top")
    owners = await bot.storage.network_history(LEAD)
    assert owners is not None
    assert owners.latest is not None
    top = owners.latest.total
    await bot.send(CO_LEAD, "/assess")
    await bot.answer_all(CO_LEAD, "lowest")
    record = await bot.storage.network_history(LEAD)
    assert record is not None
    assert record.latest is not None
    assert (record.latest.user_id, record.latest.total) == (LEAD, top)
    assert [a.user_id for a in record.pending] == [CO_LEAD]
    calls = await bot.send(LEAD, "/score")
    assert any("await agreement" in c.text and f"{top}/178" in c.text for c in calls)
    [latest] = await bot.storage.latest_results(bot.clock.now() - timedelta(days=1))
    assert latest.assessment_id == owners.latest.id
    pending = record.pending[0]
    calls = await bot.press(CO_LEAD, f"1:sh:{pending.id}", message_id=1)
    assert "awaiting agreement" in calls[-1].params["text"]
    bot.clock.advance(timedelta(days=30, hours=1))
    await bot.run_callback(close_overdue_rounds_job)
    assert "not settled within 30 days" in bot.fake.sent(LEAD)[-1].text
    assert "not settled within 30 days" in bot.fake.sent(CO_LEAD)[-1].text
    record = await bot.storage.network_history(LEAD)
    assert record is not None
    assert record.pending == ()
    assert record.latest is not None
    assert record.latest.total == top
    own = await bot.storage.completed(pending.id)
    assert own is not None
    assert own.view == "own"
    assert await bot.storage.open_agreement(network_id) is None


async def test_settled_round_becomes_the_networks_result(bot: Harness) -> None:
    """Once every difference is settled, the agreed result is the network's and the co-lead's
    own round no longer waits."""
    await _pair(bot)
    await bot.answer_all(LEAD, "top")
    await bot.send(CO_LEAD, "/assess")
    await bot.answer_all(CO_LEAD, "lowest")
    for _ in range(60):
        record = await bot.storage.network_history(LEAD)
        assert record is not None
        if not record.pending:
            break
        _, rows = bot.keyboard(CO_LEAD)
        await bot.press(CO_LEAD, rows[0][0]["callback_data"])
    record = await bot.storage.network_history(LEAD)
    assert record is not None
    assert record.latest is not None
    assert record.latest.agreed
    assert record.pending == ()


async def test_a_co_lead_who_answers_first_waits_for_the_owner(bot: Harness) -> None:
    """A co-lead's round alone waits (the owner is asked to answer theirs); the owner's round
    with the same answers agrees it at once, and the agreed result is the network's."""
    await bot.register(LEAD)  # the owner's first question waits on screen
    await bot.join(CO_LEAD, LEAD)
    await bot.send(CO_LEAD, "/assess")
    await bot.answer_all(CO_LEAD, "top")
    assert any("waits for agreement" in c.text for c in bot.fake.sent(CO_LEAD))
    assert "has finished a round" in bot.fake.sent(LEAD)[-1].text
    record = await bot.storage.network_history(LEAD)
    assert record is not None
    assert record.latest is None
    assert len(record.pending) == 1
    await bot.answer_all(LEAD, "top")
    record = await bot.storage.network_history(LEAD)
    assert record is not None
    assert record.latest is not None
    assert record.latest.agreed
    assert record.pending == ()


# -- verified networks ---------------------------------------------------------------------------


async def _approved_hub(bot: Harness) -> None:
    bot.fake.set_admins(GROUP, [ADMIN])
    await bot.send(OPERATOR, "/hub London", chat_id=GROUP)


async def test_registration_sends_verify_cards_privately_and_tells_the_lead(bot: Harness) -> None:
    """The lead is told at registration; the operator and the hub's admin get a private card
    naming the organisation and network (no answers), never the group; a member's press is
    refused; the admin's Verify verifies it and the lead hears so."""
    await _approved_hub(bot)
    group_before = len(bot.fake.sent(GROUP))
    await bot.register(LEAD)
    assert any("checks that it is real" in c.text for c in bot.fake.sent(LEAD))
    for reviewer in (OPERATOR, ADMIN):
        card = bot.fake.sent(reviewer)[-1]
        assert "Barts Health NHS Trust" in card.text
        assert "Barts BME Network" in card.text
        assert "/178" not in card.text
        assert bot.buttons(reviewer) == ["✅ Verify"]
    assert len(bot.fake.sent(GROUP)) == group_before
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    calls = await bot.press(MEMBER, f"1:nv:{network.id}", message_id=1)
    assert "Only an operator or an admin" in calls[-1].params["text"]
    assert not (await bot.storage.network(network.id) or network).verified
    await bot.tap(ADMIN, "✅ Verify")
    verified = await bot.storage.network(network.id)
    assert verified is not None
    assert verified.verified
    assert "has been verified" in bot.fake.sent(LEAD)[-1].text
    calls = await bot.tap(OPERATOR, "✅ Verify")
    assert "already been verified" in calls[-1].params["text"]


async def test_operator_verify_lists_the_networks_waiting(bot: Harness) -> None:
    await bot.register(LEAD)
    calls = await bot.send(OPERATOR, "/verify")
    assert "1 network(s) await verification" in calls[0].text
    assert "Barts BME Network" in calls[-1].text
    await bot.tap(OPERATOR, "✅ Verify")
    calls = await bot.send(OPERATOR, "/verify")
    assert "No network is waiting" in calls[-1].text
    calls = await bot.send(LEAD, "/verify")
    assert "for the bot's operators" in calls[-1].text


async def test_four_made_up_networks_cannot_move_the_regions_published_figures(
    bot: Harness, content: Content
) -> None:
    """The attack of issue 20: a target alone in its region and four throw-away accounts that
    register four networks there, two answering lowest and two highest. Unverified, they
    count in no figure: the region stays "not enough networks" (the target's own total is
    never published), the group /compare shows nothing, and /stats, digest counts and WRES
    medians leave them out. The target keeps every feature of its own."""
    await _approved_hub(bot)
    await seed_result(bot.storage, content.model, LEAD)  # the target, verified
    fakes = [3001, 3002, 3003, 3004]
    for index, fake in enumerate(fakes):
        await bot.register(fake, organisation=f"Madeup Trust {index}", name=f"Fake {index}")
        await bot.answer_all(fake, "lowest" if index < 2 else "top")
        await bot.send(fake, "/wres 4 2026Q4 white 1000 100 bme 500 90")
    bot.clock.advance(timedelta(days=1))
    calls = await bot.send(LEAD, "/compare")
    london = calls[0].text.split("<b>Networks in London</b>")[1].split("<b>All networks")[0]
    assert "Not enough networks" in london
    assert "Median" not in london
    calls = await bot.send(ADMIN, "/compare", chat_id=GROUP)
    assert "Median" not in calls[-1].text
    since = bot.clock.now() - timedelta(days=30)
    assert [r.network_id for r in await bot.storage.latest_results(since) if r.verified] == [1]
    assert await bot.storage.wres_latest_in_region("london", "2026Q1") == []
    [london_stats] = [s for s in await bot.storage.region_statistics(since) if s.region == "london"]
    assert london_stats.networks == 1
    # Their own features still work for the made-up networks.
    calls = await bot.send(fakes[0], "/score")
    assert any("/178" in c.text for c in calls)


async def test_verified_networks_do_count(bot: Harness, content: Content) -> None:
    """The same five networks, once verified, make the region's figures appear."""
    await seed_result(bot.storage, content.model, LEAD)
    for index in range(4):
        await seed_result(bot.storage, content.model, 3100 + index, verified=False)
    calls = await bot.send(LEAD, "/compare")
    assert "Not enough networks" in calls[0].text.split("<b>Networks in London</b>")[1]
    for index in range(4):
        await bot.verify(3100 + index)
    bot.clock.advance(timedelta(days=1))
    calls = await bot.send(LEAD, "/compare")
    assert "5 networks with a result" in calls[0].text


# -- one network per organisation ------------------------------------------------------------


async def test_second_registration_at_an_organisation_offers_to_ask_the_owner(
    bot: Harness,
) -> None:
    await bot.register(LEAD)
    await bot.send(CO_LEAD, "/assess")
    await bot.send(CO_LEAD, "Barts Health")
    await bot.tap(CO_LEAD, "Barts Health NHS Trust")
    text = bot.fake.shown(CO_LEAD)[-1].text
    assert "already has a network" in text
    assert "Barts BME Network" in text
    assert bot.buttons(CO_LEAD) == ["Ask its owner to let me join", "Register a separate network"]
    await bot.tap(CO_LEAD, "Ask its owner")
    assert "asks to join" in bot.fake.sent(LEAD)[-1].text
    await bot.tap(LEAD, "✅ Approve")
    network = await bot.storage.network_of(CO_LEAD)
    assert network is not None
    assert network.name == "Barts BME Network"


async def test_a_separate_network_needs_a_reason_shown_on_the_verify_card(bot: Harness) -> None:
    await bot.register(LEAD)
    await bot.send(CO_LEAD, "/assess")
    await bot.send(CO_LEAD, "Barts Health")
    await bot.tap(CO_LEAD, "Barts Health NHS Trust")
    await bot.tap(CO_LEAD, "Register a separate network")
    calls = await bot.send(CO_LEAD, "x" * 201)
    assert "up to 200 characters" in calls[-1].text
    await bot.send(CO_LEAD, "Our Whipps Cross site has its own network")
    _, rows = bot.keyboard(CO_LEAD)
    await bot.press(CO_LEAD, rows[0][0]["callback_data"])
    await bot.tap(CO_LEAD, "1 year to under 3")
    await bot.send(CO_LEAD, "Whipps Cross Network")
    network = await bot.storage.network_of(CO_LEAD)
    assert network is not None
    assert network.separate_reason == "Our Whipps Cross site has its own network"
    card = bot.fake.sent(OPERATOR)[-1].text
    assert "A second network at this organisation" in card
    assert "Whipps Cross site" in card


# -- hub requests --------------------------------------------------------------------------------


async def test_hub_request_waits_once_and_a_rejected_group_waits_seven_days(
    bot: Harness, content: Content
) -> None:
    bot.fake.set_admins(GROUP, [ADMIN])
    await bot.send(ADMIN, "/hub London", chat_id=GROUP)
    cards = len(bot.fake.sent(OPERATOR))
    calls = await bot.send(ADMIN, "/hub London", chat_id=GROUP)
    assert "already waiting" in calls[-1].text
    assert len(bot.fake.sent(OPERATOR)) == cards
    await bot.tap(OPERATOR, "Reject")
    calls = await bot.send(ADMIN, "/hub London", chat_id=GROUP)
    assert "can ask again from 8 March 2027" in calls[-1].text
    assert len(bot.fake.sent(OPERATOR)) == cards
    bot.clock.advance(timedelta(days=7, minutes=1))
    await bot.send(ADMIN, "/hub London", chat_id=GROUP)
    assert len(bot.fake.sent(OPERATOR)) == cards + 1


# -- the upgrade ---------------------------------------------------------------------------------


# The migration that brought owners, invitations and verification.
OWNERSHIP_MIGRATION = 10


async def test_upgrade_names_the_earliest_lead_owner_and_leaves_networks_unverified(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "old.sqlite3"
    before = OWNERSHIP_MIGRATION - 1
    older = "".join(MIGRATIONS[number] for number in range(1, before + 1))
    async with aiosqlite.connect(path) as db:
        await db.executescript(older + f"PRAGMA user_version = {before};")
        await db.executescript(
            "INSERT INTO users (id, created_at) VALUES (1, '2027-01-01T00:00:00+00:00'), "
            "(2, '2027-01-01T00:00:00+00:00');"
            "INSERT INTO networks (id, organisation, name, region, age, invite_code, created_at) "
            "VALUES (7, 'T', 'N', 'london', 'y1-3', 'abc', '2027-01-01T00:00:00+00:00');"
            "INSERT INTO leads VALUES (2, 7, 'co-lead', '2027-01-03T00:00:00+00:00'), "
            "(1, 7, 'lead', '2027-01-02T00:00:00+00:00');"
        )
        await db.commit()
    storage = await Storage.open(path, clock)
    try:
        network = await storage.network(7)
        assert network is not None
        assert network.owner_id == 1
        assert not network.verified
        assert network.invite_issued_at is not None
    finally:
        await storage.close()
