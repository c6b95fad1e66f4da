"""Hub approval: a group becomes a region's hub only once an operator (BOT_ADMIN_IDS) says so."""

from __future__ import annotations

import logging
from pathlib import Path

import aiosqlite
import pytest

from bot.migrations import MIGRATIONS
from bot.storage import Storage
from content import Content
from handlers import callbacks
from tests.fakebot import FakeBotApi
from tests.harness import OPERATOR, FakeClock, Harness, running

ADMIN = 1701
MEMBER = 1702
LEAD = 1703
GROUP = -1017001


def _london(content: Content) -> int:
    """London's index among the directory's regions, as the card's data carries it."""
    return [region.key for region in content.directory.regions].index("london")


async def _request(bot: Harness, region: str = "London") -> None:
    """A group admin (not an operator) asks for the group to be the region's hub."""
    bot.fake.set_admins(GROUP, [ADMIN])
    await bot.send(ADMIN, f"/hub {region}", chat_id=GROUP)


async def test_operators_hub_is_approved_at_once(bot: Harness) -> None:
    """An operator's /hub makes the group a hub straight away, with its nudge job."""
    calls = await bot.send(OPERATOR, "/hub London", chat_id=GROUP)
    hub = await bot.storage.hub_by_chat(GROUP)
    assert hub is not None
    assert hub.live
    assert "now the hub for <b>London</b>" in calls[-1].text
    assert len(bot.jobs(f"nudge:{hub.id}")) == 1


async def test_admins_request_waits_and_each_operator_gets_a_card(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """A group admin's /hub is pending: no job, no listing, and every operator gets a card."""
    operators = frozenset({OPERATOR, OPERATOR + 1})
    async with running(fake, content, tmp_path / "db", clock, admin_ids=operators) as bot:
        await _request(bot)
        hub = await bot.storage.hub_by_chat(GROUP)
        assert hub is not None
        assert hub.status == "pending"
        assert not hub.live
        assert bot.jobs(f"nudge:{hub.id}") == []
        assert await bot.storage.active_hubs("london") == []
        assert [h.id for h in await bot.storage.pending_hubs()] == [hub.id]
        assert "approve" in bot.fake.sent(GROUP)[-1].text
        for operator in operators:
            assert bot.buttons(operator) == ["Approve", "Reject"]
        assert bot.errors == []


async def test_pending_hub_commands_say_it_awaits_approval(bot: Harness) -> None:
    """/nudge, /nudges and /meeting in a pending hub answer that it waits for approval."""
    await _request(bot)
    for command in ("/nudge", "/nudges friday 12:00", "/meeting 2027-03-10 13:00 Plans", "/hub"):
        calls = await bot.send(ADMIN, command, chat_id=GROUP)
        assert "approval" in calls[-1].text, command
        assert "Good practice" not in calls[-1].text
    assert await bot.storage.upcoming_meetings(bot.clock.now()) == []


async def test_operator_approves_and_the_group_is_told(bot: Harness) -> None:
    """Approve makes the hub live, schedules its nudge and tells the group."""
    await _request(bot)
    await bot.tap(OPERATOR, "Approve", chat_id=OPERATOR)
    hub = await bot.storage.hub_by_chat(GROUP)
    assert hub is not None
    assert hub.live
    assert len(bot.jobs(f"nudge:{hub.id}")) == 1
    assert "approved this group as the hub for <b>London</b>" in bot.fake.sent(GROUP)[-1].text
    assert "Approved" in bot.fake.shown(OPERATOR)[-1].text
    calls = await bot.send(ADMIN, "/nudges friday 12:00", chat_id=GROUP)
    assert "every <b>Friday</b>" in calls[-1].text


async def test_operator_rejects_and_the_group_is_told(bot: Harness) -> None:
    """Reject leaves the group no hub, and says so there."""
    await _request(bot)
    await bot.tap(OPERATOR, "Reject", chat_id=OPERATOR)
    hub = await bot.storage.hub_by_chat(GROUP)
    assert hub is not None
    assert hub.status == "rejected"
    assert "did not approve" in bot.fake.sent(GROUP)[-1].text
    assert await bot.storage.active_hubs() == []
    assert "not a hub" in (await bot.send(ADMIN, "/nudge", chat_id=GROUP))[-1].text


async def test_only_operators_may_decide(bot: Harness, content: Content) -> None:
    """The card's data pressed by anyone else (in their own chat) is refused; nothing changes."""
    await _request(bot)
    hub = await bot.storage.hub_by_chat(GROUP)
    assert hub is not None
    data = callbacks.encode("ha", hub.id, _london(content), 1)
    calls = await bot.press(ADMIN, data, chat_id=ADMIN, message_id=1)
    assert "Only the bot's operators" in calls[-1].params["text"]
    stored = await bot.storage.hub(hub.id)
    assert stored is not None
    assert stored.status == "pending"


async def test_a_card_for_another_region_does_not_approve(bot: Harness, content: Content) -> None:
    """A card issued for London cannot approve the request once it asks for the Midlands."""
    await _request(bot)
    message_id, _ = bot.keyboard(OPERATOR)
    await bot.send(ADMIN, "/hub Midlands", chat_id=GROUP)
    hub = await bot.storage.hub_by_chat(GROUP)
    assert hub is not None
    data = callbacks.encode("ha", hub.id, _london(content), 1)
    calls = await bot.press(OPERATOR, data, chat_id=OPERATOR, message_id=message_id)
    assert "already decided" in calls[-1].params["text"]
    assert await bot.storage.active_hubs() == []


async def test_second_decision_changes_nothing(bot: Harness) -> None:
    """Once decided, a repeated press answers that it was already decided."""
    await _request(bot)
    message_id, rows = bot.keyboard(OPERATOR)
    reject = rows[0][1]["callback_data"]
    await bot.tap(OPERATOR, "Approve", chat_id=OPERATOR)
    calls = await bot.press(OPERATOR, reject, chat_id=OPERATOR, message_id=message_id)
    assert "already decided" in calls[-1].params["text"]
    hub = await bot.storage.hub_by_chat(GROUP)
    assert hub is not None
    assert hub.live


async def test_without_operators_the_group_is_told_hubs_need_one(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """With no BOT_ADMIN_IDS, /hub answers in one line naming it, and registers nothing."""
    async with running(fake, content, tmp_path / "db", clock, admin_ids=frozenset()) as bot:
        await _request(bot)
        text = bot.fake.sent(GROUP)[-1].text
        assert "BOT_ADMIN_IDS" in text
        assert "\n" not in text
        assert await bot.storage.hub_by_chat(GROUP) is None
        assert bot.errors == []


async def test_operator_who_never_started_the_bot_is_logged(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """A card that fails with "chat not found" logs that the operator must /start the bot."""
    bot.fake.fail("sendMessage", "bad_request", chat_id=OPERATOR)
    with caplog.at_level(logging.WARNING):
        await _request(bot)
    assert any(
        "/start" in r.getMessage() and str(OPERATOR) in r.getMessage() for r in caplog.records
    )
    assert "approve" in bot.fake.sent(GROUP)[-1].text


async def test_hub_off_ends_the_hub(bot: Harness) -> None:
    """/hub off by an admin ends the hub and removes its job; a member is refused."""
    bot.fake.set_admins(GROUP, [ADMIN])
    await bot.send(OPERATOR, "/hub London", chat_id=GROUP)
    hub = await bot.storage.hub_by_chat(GROUP)
    assert hub is not None
    calls = await bot.send(MEMBER, "/hub off", chat_id=GROUP)
    assert "Only an admin" in calls[-1].text
    assert len(bot.jobs(f"nudge:{hub.id}")) == 1
    calls = await bot.send(ADMIN, "/hub off", chat_id=GROUP)
    assert "no longer a hub" in calls[-1].text
    assert bot.jobs(f"nudge:{hub.id}") == []
    assert await bot.storage.active_hubs() == []


async def test_operator_may_end_a_hub(bot: Harness) -> None:
    """An operator's /hub off ends the hub without being a group admin."""
    await bot.send(OPERATOR, "/hub London", chat_id=GROUP)
    calls = await bot.send(OPERATOR, "/hub off", chat_id=GROUP)
    assert "no longer a hub" in calls[-1].text
    assert await bot.storage.active_hubs() == []


async def test_pending_hub_gets_no_review_cards_or_band_posts(bot: Harness) -> None:
    """Until approved, a region's shared practices and band posts skip the group."""
    await _request(bot)
    await bot.register(LEAD)  # Barts Health: London
    await bot.send(LEAD, "/share We rotate meeting times")
    await bot.tap(LEAD, "Share anonymously")
    await bot.answer_all(LEAD, "lowest")
    calls = await bot.tap(LEAD, "Share my band")
    assert "no hub" in calls[-1].params["text"]
    assert [c.text for c in bot.fake.sent(GROUP) if "rotate" in c.text or "band" in c.text] == []


async def test_admin_of_a_pending_hub_cannot_review_practices(bot: Harness) -> None:
    """A review press from a group that is not an approved hub is refused."""
    await _request(bot)
    await bot.register(LEAD)
    await bot.send(LEAD, "/share We rotate meeting times")
    await bot.tap(LEAD, "Share anonymously")
    calls = await bot.press(ADMIN, callbacks.encode("pa", 1, 1), chat_id=GROUP, message_id=1)
    assert "Only an admin" in calls[-1].params["text"]
    practice = await bot.storage.practice(1)
    assert practice is not None
    assert practice.status == "pending"


async def test_hubs_from_before_approval_stay_approved(tmp_path: Path, clock: FakeClock) -> None:
    """Migrating a database from before approval keeps its hubs approved."""
    path = tmp_path / "old.sqlite3"
    before = 4  # migration 5 brought hub approval
    scripts = "".join(MIGRATIONS[v] for v in range(1, before + 1))
    async with aiosqlite.connect(path) as db:
        await db.executescript(scripts + f"PRAGMA user_version = {before};")
        await db.execute(
            "INSERT INTO hubs (chat_id, region, schedule_since, registered_by, registered_at) "
            "VALUES (?, 'london', '2027-01-01T00:00:00+00:00', 1, '2027-01-01T00:00:00+00:00')",
            (GROUP,),
        )
        await db.commit()
    storage = await Storage.open(path, clock)
    try:
        assert [h.chat_id for h in await storage.active_hubs("london")] == [GROUP]
        assert await storage.pending_hubs() == []
    finally:
        await storage.close()
