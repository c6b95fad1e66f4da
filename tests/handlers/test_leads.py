"""/leads: a lead lists the network's leads and removes a co-lead after confirming."""

from __future__ import annotations

from content import Content
from tests.harness import Harness
from tests.seed import seed_result

LEAD = 1801
CO_LEAD = 1802
THIRD = 1803


async def _network_of_three(bot: Harness) -> None:
    await bot.register(LEAD)
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    for user in (CO_LEAD, THIRD):
        await bot.join(user, LEAD)


async def test_leads_lists_you_and_the_others_with_remove_buttons(bot: Harness) -> None:
    """/leads shows "you" and the others by joining date, names the owner, and gives the owner
    a Remove (and a hand-over) button for each other lead."""
    await _network_of_three(bot)
    calls = await bot.send(LEAD, "/leads")
    text = calls[-1].text
    assert "1. you · joined 1 Mar 2027 · <b>owner</b>" in text
    assert "2. Lead joined 1 Mar 2027" in text
    assert "/forget" in text
    assert bot.buttons(LEAD) == [
        "Remove lead 2 (joined 1 Mar 2027)",
        "Make lead 2 the owner",
        "Remove lead 3 (joined 1 Mar 2027)",
        "Make lead 3 the owner",
    ]


async def test_a_co_lead_sees_the_owner_and_no_remove_buttons(bot: Harness) -> None:
    """A co-lead's /leads names the owner and offers no Remove button."""
    await _network_of_three(bot)
    calls = await bot.send(CO_LEAD, "/leads")
    assert "1. Lead joined 1 Mar 2027 · <b>owner</b>" in calls[-1].text
    assert "Only the network's owner" in calls[-1].text
    assert calls[-1].buttons == []


async def test_remove_asks_to_confirm_and_keep_changes_nothing(bot: Harness) -> None:
    """Remove asks first; "No, keep them" goes back to the list and removes no one."""
    await _network_of_three(bot)
    await bot.send(LEAD, "/leads")
    await bot.tap(LEAD, "Remove lead 2")
    assert "Remove the lead who joined on 1 Mar 2027" in bot.fake.shown(LEAD)[-1].text
    await bot.tap(LEAD, "No, keep them")
    network = await bot.storage.network_of(CO_LEAD)
    assert network is not None
    assert "Leads of" in bot.fake.shown(LEAD)[-1].text


async def test_removed_lead_is_told_loses_access_and_others_are_told(
    bot: Harness, content: Content
) -> None:
    """Confirmed, the co-lead is told and loses /score, /compare, /report and /share at once;
    the remaining lead is told too."""
    await _network_of_three(bot)
    await seed_result(bot.storage, content.model, LEAD)
    await bot.send(CO_LEAD, "/assess")  # an open assessment, which goes with them
    await bot.send(LEAD, "/leads")
    await bot.tap(LEAD, "Remove lead 2")
    await bot.tap(LEAD, "Yes, remove them")
    assert "Removed" in bot.fake.shown(LEAD)[-1].text
    assert "owner of Barts BME Network has removed you" in bot.fake.sent(CO_LEAD)[-1].text
    assert "has been removed" in bot.fake.sent(THIRD)[-1].text
    assert await bot.storage.network_of(CO_LEAD) is None
    assert await bot.storage.open_assessment(CO_LEAD) is None
    for command in ("/score", "/compare", "/report", "/share A practice"):
        calls = await bot.send(CO_LEAD, command)
        assert "/178" not in calls[-1].text, command
        assert all(c.method != "sendDocument" for c in calls), command
        assert "/assess" in calls[-1].text, command


async def test_only_a_lead_of_the_same_network_may_remove(bot: Harness) -> None:
    """A forged press from someone outside the network, against oneself, or from a co-lead
    against the owner (who registered the network) removes no one."""
    await _network_of_three(bot)
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    await bot.register(9100, name="Other Network")
    calls = await bot.press(9100, f"1:lr:{network.id}:{CO_LEAD}:1", message_id=1)
    assert "no longer works" in calls[-1].params["text"]
    calls = await bot.press(LEAD, f"1:lr:{network.id}:{LEAD}:1", message_id=1)
    assert "no longer works" in calls[-1].params["text"]
    calls = await bot.press(CO_LEAD, f"1:lr:{network.id}:{LEAD}:1", message_id=1)
    assert "Only the network's owner" in calls[-1].params["text"]
    calls = await bot.press(CO_LEAD, f"1:lr:{network.id}:{THIRD}:1", message_id=1)
    assert "Only the network's owner" in calls[-1].params["text"]
    assert len(await bot.storage.leads(network.id)) == 3
    assert not any("removed you" in c.text for c in bot.fake.sent(LEAD))


async def test_last_lead_is_pointed_to_forget(bot: Harness) -> None:
    """Alone, /leads offers no Remove button and says the last lead leaves with /forget."""
    await bot.register(LEAD)
    calls = await bot.send(LEAD, "/leads")
    assert "only lead" in calls[-1].text
    assert "/forget" in calls[-1].text
    assert calls[-1].buttons == []


async def test_leads_without_a_network_says_how_to_start(bot: Harness) -> None:
    """Someone who leads no network is told how to register or join."""
    calls = await bot.send(THIRD, "/leads")
    assert "/assess" in calls[-1].text
