"""/buddy: opting in and out, the monthly pairing, introductions in private, and sharing."""

from __future__ import annotations

from datetime import timedelta

from content import Content
from handlers.buddy import buddy_pairing_job
from scoring import Model
from tests.harness import Harness
from tests.seed import seed_result, uniform

LEADS = (2101, 2102, 2103, 2104, 2105)
# The conftest clock is Monday 1 March 2027 10:00, the first working Monday of March.


async def _opt_in(bot: Harness, user: int, wants: str, offers: str, share: bool = False) -> None:
    await bot.send(user, "/buddy")
    await bot.tap(user, wants)
    await bot.tap(user, offers)
    await bot.tap(user, "Yes, share" if share else "No, keep them private")


async def test_opting_in_stores_the_choices(bot: Harness, model: Model) -> None:
    """Want, offer and share are chosen with buttons and stored; the next pairing is named."""
    await seed_result(bot.storage, model, 2101)
    await bot.send(2101, "/buddy")
    await bot.tap(2101, "Relationships and allies")
    await bot.tap(2101, "Operating environment")
    calls = await bot.tap(2101, "Yes, share")
    choice = await bot.storage.buddy(2101)
    assert choice is not None
    assert (choice.wants, choice.offers, choice.share) == ("enabler:R", "theme:operating", True)
    assert "Monday 1 March 2027" in calls[-1].text


async def test_buddy_is_for_leads_in_private(bot: Harness) -> None:
    """A non-lead is told to register; in a group /buddy points to the private chat."""
    calls = await bot.send(2199, "/buddy")
    assert "for network leads" in calls[-1].text
    calls = await bot.send(2199, "/buddy", chat_id=-100777)
    assert "private chat" in calls[-1].text


async def test_buddy_off_leaves(bot: Harness, model: Model) -> None:
    """/buddy off removes the choices; a second /buddy off says so."""
    await seed_result(bot.storage, model, 2101)
    await _opt_in(bot, 2101, "Relationships", "Operating")
    await bot.send(2101, "/buddy off")
    assert await bot.storage.buddy(2101) is None
    calls = await bot.send(2101, "/buddy off")
    assert "not in buddy pairing" in calls[-1].text


async def _five(bot: Harness, model: Model, *, share: bool = False) -> None:
    picks = [
        ("Consistent", "Relationships"),
        ("Relationships", "Consistent"),
        ("Accountability", "Time"),
        ("Frugal", "Accountability"),
        ("Time", "Frugal"),
    ]
    for user, (wants, offers) in zip(LEADS, picks, strict=True):
        await seed_result(bot.storage, model, user, choose=uniform(2 + user % 2))
        await _opt_in(bot, user, wants, offers, share)


async def test_monthly_pairing_introduces_each_lead_once(bot: Harness, model: Model) -> None:
    """On the first working Monday at 10:00 five leads become a pair and a three, each told
    privately once with a suggested first conversation."""
    await _five(bot, model)
    for _ in range(2):
        await bot.run_callback(buddy_pairing_job)
    groups = await bot.storage.buddy_groups("2027-03")
    assert sorted(map(sorted, groups)) == [[2101, 2102], [2103, 2104, 2105]]
    for user in LEADS:
        intros = [c for c in bot.fake.sent(user) if "Your buddy this month" in c.text]
        assert len(intros) == 1, user
        assert "first conversation" in intros[0].text
    intro = next(c for c in bot.fake.sent(2101) if "Your buddy" in c.text).text
    assert 'href="tg://user?id=2102"' in intro


async def test_no_pairing_before_ten(bot: Harness, model: Model) -> None:
    """Before 10:00 on the day nothing is paired."""
    await _five(bot, model)
    bot.clock.set(bot.clock.now() - timedelta(minutes=5))
    await bot.run_callback(buddy_pairing_job)
    assert await bot.storage.buddy_groups("2027-03") == []


async def test_scores_shown_only_when_both_share(bot: Harness, model: Model) -> None:
    """Band and score appear in an introduction only if both partners chose to share."""
    await _five(bot, model, share=True)
    await bot.send(2102, "/buddy")
    await bot.tap(2102, "Relationships")
    await bot.tap(2102, "Consistent")
    await bot.tap(2102, "No, keep them private")
    await bot.run_callback(buddy_pairing_job)
    intro_1 = next(c for c in bot.fake.sent(2101) if "Your buddy" in c.text).text
    intro_3 = next(c for c in bot.fake.sent(2103) if "Your buddy" in c.text).text
    assert "latest result" not in intro_1
    assert "latest result" in intro_3


async def test_removed_and_forgotten_leads_are_not_paired(
    bot: Harness, model: Model, content: Content
) -> None:
    """A co-lead removed from their network and a lead who used /forget are left out."""
    await _five(bot, model)
    network = await bot.storage.network_of(2101)
    assert network is not None
    await bot.join(2106, 2101)
    await _opt_in(bot, 2106, "Time", "Consistent")
    assert await bot.storage.remove_lead(network.id, 2106, 2101)
    await bot.storage.forget_user(2105)
    await bot.run_callback(buddy_pairing_job)
    placed = {m for g in await bot.storage.buddy_groups("2027-03") for m in g}
    assert placed == {2101, 2102, 2103, 2104}
    assert not any("Your buddy" in c.text for c in bot.fake.sent(2106))


async def test_pairs_are_not_repeated_next_month(bot: Harness, model: Model) -> None:
    """April's pairing splits March's groups."""
    await _five(bot, model)
    await bot.run_callback(buddy_pairing_job)
    bot.clock.set(bot.clock.now().replace(month=4, day=5, hour=9))  # Mon 5 April 2027, 10:00 BST
    await bot.run_callback(buddy_pairing_job)
    march = {frozenset(g) for g in await bot.storage.buddy_groups("2027-03")}
    april = await bot.storage.buddy_groups("2027-04")
    assert april
    for group in april:
        for other in march:
            assert len(set(group) & other) < 2


async def test_export_and_forget_cover_buddy_choices(bot: Harness, model: Model) -> None:
    """/export holds the buddy choice and months; /forget removes both."""
    await _five(bot, model)
    await bot.run_callback(buddy_pairing_job)
    exported = await bot.storage.export_user(2101)
    assert exported["buddy"]["wants"] == "enabler:C"
    assert exported["buddy_months"] == [{"month": "2027-03", "region": "london"}]
    await bot.storage.forget_user(2101)
    assert await bot.storage.buddy(2101) is None
    assert 2101 not in {m for g in await bot.storage.buddy_groups("2027-03") for m in g}
