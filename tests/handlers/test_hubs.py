"""Regional hub groups: registering, nudge settings, rotation, and exactly-once delivery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.rows import Delivery, Hub
from content import Content
from tests.fakebot import FakeBotApi, message_update
from tests.harness import OPERATOR, FakeClock, Harness, running
from tests.seed import seed_result

ADMIN = 801
MEMBER = 802
GROUP = -1001001
OTHER_GROUP = -1001002
THIRD_GROUP = -1001003
ANONYMOUS_BOT = 1087968824  # Telegram's GroupAnonymousBot


async def _hub(bot: Harness, chat_id: int = GROUP, region: str = "London") -> Hub:
    bot.fake.set_admins(chat_id, [ADMIN])
    await bot.send(OPERATOR, f"/hub {region}", chat_id=chat_id)
    hub = await bot.storage.hub_by_chat(chat_id)
    assert hub is not None
    return hub


def _nudges(bot: Harness, chat_id: int) -> list[str]:
    return [c.text for c in bot.fake.sent(chat_id) if "Good practice" in c.text]


async def test_admin_makes_the_group_a_hub(bot: Harness) -> None:
    """An admin's /hub london registers the group for London, nudging Mondays at 09:00."""
    hub = await _hub(bot, region="london")
    assert (hub.region, hub.nudge_weekday, hub.nudge_time, hub.active) == (
        "london",
        0,
        "09:00",
        True,
    )
    assert "hub for <b>London</b>" in bot.fake.sent(GROUP)[-1].text
    assert bot.job_time(f"nudge:{hub.id}") == datetime(2027, 3, 8, 9, 0, tzinfo=UTC)


async def test_non_admin_is_refused_with_the_reason(bot: Harness) -> None:
    """A member who is not an admin cannot make the group a hub, and is told why."""
    bot.fake.set_admins(GROUP, [ADMIN])
    calls = await bot.send(MEMBER, "/hub London", chat_id=GROUP)
    assert "Only an admin" in calls[-1].text
    assert [c.method for c in calls] == ["getChatMember", "sendMessage"]
    assert await bot.storage.hub_by_chat(GROUP) is None


async def test_group_creator_counts_as_admin(bot: Harness) -> None:
    """The group's owner may register the hub."""
    bot.fake.set_admins(GROUP, [], creator=MEMBER)
    await bot.send(MEMBER, "/hub South West", chat_id=GROUP)
    hub = await bot.storage.hub_by_chat(GROUP)
    assert hub is not None
    assert hub.region == "south-west"


async def test_anonymous_admin_is_checked_with_the_bot_api(bot: Harness) -> None:
    """A post as the group itself counts only if the group really has an anonymous admin."""
    anonymous = {"sender_chat": {"id": GROUP, "type": "supergroup", "title": "Hub"}}
    bot.fake.set_admins(GROUP, [ADMIN])
    await bot.process(message_update(ANONYMOUS_BOT, "/hub London", chat_id=GROUP, extra=anonymous))
    assert await bot.storage.hub_by_chat(GROUP) is None
    bot.fake.anonymous_admins[GROUP].add(ADMIN)
    calls = await bot.process(
        message_update(ANONYMOUS_BOT, "/hub London", chat_id=GROUP, extra=anonymous)
    )
    assert "getChatAdministrators" in [c.method for c in calls]
    assert await bot.storage.hub_by_chat(GROUP) is not None


async def test_region_names_are_matched_forgivingly(bot: Harness) -> None:
    """ "North East & Yorkshire" finds the North East and Yorkshire region."""
    hub = await _hub(bot, region="North East & Yorkshire")
    assert hub.region == "north-east-and-yorkshire"


async def test_unknown_region_lists_the_valid_ones(bot: Harness) -> None:
    """An unknown region name gets the list of the seven regions and registers nothing."""
    bot.fake.set_admins(GROUP, [ADMIN])
    calls = await bot.send(ADMIN, "/hub Atlantis", chat_id=GROUP)
    assert "Atlantis" in calls[-1].text
    assert "North East and Yorkshire" in calls[-1].text
    assert await bot.storage.hub_by_chat(GROUP) is None


async def test_hub_alone_shows_the_settings(bot: Harness) -> None:
    """/hub with no region shows the group's hub settings (or that it is not a hub)."""
    calls = await bot.send(MEMBER, "/hub", chat_id=GROUP)
    assert "not a hub yet" in calls[-1].text
    await _hub(bot)
    calls = await bot.send(MEMBER, "/hub", chat_id=GROUP)
    assert "Region: <b>London</b>" in calls[-1].text
    assert "every <b>Monday</b> at <b>09:00</b>" in calls[-1].text


async def test_hub_in_private_says_it_is_for_groups(bot: Harness) -> None:
    """/hub in a private chat explains it works in a hub group."""
    calls = await bot.send(ADMIN, "/hub London")
    assert "works in a hub group" in calls[-1].text


async def test_one_region_may_have_several_groups(bot: Harness) -> None:
    """Two groups can both be London hubs; each group serves one region."""
    await _hub(bot, GROUP)
    await _hub(bot, OTHER_GROUP)
    assert [h.chat_id for h in await bot.storage.active_hubs("london")] == [GROUP, OTHER_GROUP]
    await bot.send(ADMIN, "/hub Midlands", chat_id=OTHER_GROUP)
    assert [h.chat_id for h in await bot.storage.active_hubs("london")] == [GROUP]


async def test_nudges_day_and_time_reschedule_the_job(bot: Harness) -> None:
    """/nudges friday 12:30 moves the one nudge job to Friday 12:30 London time."""
    hub = await _hub(bot)
    calls = await bot.send(ADMIN, "/nudges friday 12:30", chat_id=GROUP)
    assert "every <b>Friday</b> at <b>12:30</b>" in calls[-1].text
    assert len(bot.jobs(f"nudge:{hub.id}")) == 1
    assert bot.job_time(f"nudge:{hub.id}") == datetime(2027, 3, 5, 12, 30, tzinfo=UTC)


async def test_nudges_off_removes_the_job(bot: Harness) -> None:
    """/nudges off stops the weekly nudge."""
    hub = await _hub(bot)
    await bot.send(ADMIN, "/nudges off", chat_id=GROUP)
    assert bot.jobs(f"nudge:{hub.id}") == []
    stored = await bot.storage.hub(hub.id)
    assert stored is not None
    assert not stored.nudges_on


async def test_nudges_reads_a_time_as_people_type_it(bot: Harness) -> None:
    """/nudges takes 9am or 6.30pm as well as 18:00: one time parser for every command."""
    hub = await _hub(bot)
    calls = await bot.send(ADMIN, "/nudges tuesday 9am", chat_id=GROUP)
    assert "<b>Tuesday</b> at <b>09:00</b>" in calls[-1].text
    refreshed = await bot.storage.hub(hub.id)
    assert refreshed is not None
    assert (refreshed.nudge_weekday, refreshed.nudge_time) == (1, "09:00")


async def test_nudges_rejects_bad_days_and_times(bot: Harness) -> None:
    """A bad day, a bad time or a wrong shape gets a clear answer and changes nothing."""
    hub = await _hub(bot)
    cases = {
        "/nudges funday 09:00": "not a day",
        "/nudges monday 25:00": "not a time",
        "/nudges monday 9xm": "not a time",
        "/nudges monday": "Use <code>/nudges",
        "/nudges": "Use <code>/nudges",
    }
    for text, expected in cases.items():
        calls = await bot.send(ADMIN, text, chat_id=GROUP)
        assert expected in calls[-1].text, text
    assert await bot.storage.hub(hub.id) == hub


async def test_nudges_by_a_non_admin_is_refused(bot: Harness) -> None:
    """A member cannot change the nudge schedule."""
    hub = await _hub(bot)
    calls = await bot.send(MEMBER, "/nudges off", chat_id=GROUP)
    assert "Only an admin" in calls[-1].text
    assert await bot.storage.hub(hub.id) == hub


async def test_nudge_now_reads_well_on_a_phone(bot: Harness, content: Content) -> None:
    """/nudge sends one nudge now: a title, a few lines, its CRAFT enabler and its source."""
    await _hub(bot)
    await bot.send(ADMIN, "/nudge", chat_id=GROUP)
    [text] = _nudges(bot, GROUP)
    first = text.splitlines()[0]
    assert first.startswith("💡 <b>Good practice of the week: ")
    assert "<i>CRAFT: " in text
    assert "Source: " in text
    assert len(text) < 1000


async def test_rotation_has_no_repeats_over_a_full_cycle(bot: Harness, content: Content) -> None:
    """Every library entry comes once before any repeats; then a new cycle begins."""
    hub = await _hub(bot)
    size = len(content.nudges)
    for _ in range(size + 1):
        await bot.send(ADMIN, "/nudge", chat_id=GROUP)
    history = await bot.storage.nudge_history(hub.id)
    first_cycle = [sent.nudge_key for sent in history if sent.cycle == 1]
    assert sorted(first_cycle) == sorted(n.key for n in content.nudges)
    assert [sent.cycle for sent in history[size:]] == [2]
    assert len(_nudges(bot, GROUP)) == size + 1


async def test_nudge_job_sends_once_per_group_per_slot(bot: Harness) -> None:
    """Running every hub's slot job, even twice, gives each group exactly one nudge."""
    hubs = [await _hub(bot, chat) for chat in (GROUP, OTHER_GROUP, THIRD_GROUP)]
    for hub in hubs:
        [job] = bot.jobs(f"nudge:{hub.id}")
        await job.run(bot.app)
        await job.run(bot.app)
    for chat in (GROUP, OTHER_GROUP, THIRD_GROUP):
        assert len(_nudges(bot, chat)) == 1
    # Each run re-arms the job for the following week.
    assert bot.job_time(f"nudge:{hubs[0].id}") == datetime(2027, 3, 15, 9, 0, tzinfo=UTC)


FIRST_SLOT = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)  # the first Monday 09:00 after the clock


async def _hub_then_down(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> tuple[Path, Hub]:
    """Register a London hub, then stop the bot; the database it leaves, and the hub."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, content, db, clock) as bot:
        hub = await _hub(bot)
    return db, hub


async def _restart_at(fake: FakeBotApi, content: Content, db: Path, moment: datetime) -> list[str]:
    """Start a fresh application at `moment`, run its start-up job; the nudges it sent."""
    clock = FakeClock(moment)
    async with running(fake, content, db, clock) as bot:
        before = len(_nudges(bot, GROUP))
        await bot.run_job("startup")
        assert bot.errors == []
        return _nudges(bot, GROUP)[before:]


async def test_slot_missed_while_down_is_sent_once_after_restart(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """Down at the slot and back two hours later: one nudge; another restart sends no more."""
    db, _ = await _hub_then_down(fake, content, tmp_path, clock)
    slot = FIRST_SLOT
    assert len(await _restart_at(fake, content, db, slot + timedelta(hours=2))) == 1
    assert await _restart_at(fake, content, db, slot + timedelta(hours=3)) == []


async def test_catch_up_just_inside_twelve_hours_sends(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """A slot missed by 11 h 59 min is still sent at start-up."""
    db, _ = await _hub_then_down(fake, content, tmp_path, clock)
    slot = FIRST_SLOT
    assert len(await _restart_at(fake, content, db, slot + timedelta(hours=11, minutes=59))) == 1


async def test_catch_up_at_twelve_hours_skips_and_records(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """A slot missed by 12 hours or more is skipped, recorded as such, and never sent."""
    db, hub = await _hub_then_down(fake, content, tmp_path, clock)
    slot = FIRST_SLOT
    assert await _restart_at(fake, content, db, slot + timedelta(hours=12)) == []
    async with running(fake, content, db, clock) as bot:
        deliveries = await bot.storage.deliveries("nudge")
    assert deliveries == [Delivery(f"nudge:{hub.id}:2027-03-08T09:00:00+00:00", GROUP, "skipped")]


async def test_no_catch_up_for_a_slot_before_the_hub_existed(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """A hub registered after Monday 09:00 is not sent that morning's nudge at start-up."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, content, db, clock) as bot:  # Monday 10:00
        await _hub(bot)
    assert await _restart_at(fake, content, db, clock.now() + timedelta(hours=1)) == []


async def test_nudge_is_at_nine_london_time_in_winter_and_summer(bot: Harness) -> None:
    """Monday 09:00 in London is 09:00 UTC in January and 08:00 UTC in July (BST)."""
    bot.clock.set(datetime(2027, 1, 6, 12, 0, tzinfo=UTC))
    hub = await _hub(bot)
    assert bot.job_time(f"nudge:{hub.id}") == datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
    bot.clock.set(datetime(2027, 7, 1, 12, 0, tzinfo=UTC))
    await bot.send(ADMIN, "/nudges monday 09:00", chat_id=GROUP)
    assert bot.job_time(f"nudge:{hub.id}") == datetime(2027, 7, 5, 8, 0, tzinfo=UTC)


async def test_retry_after_is_waited_out(bot: Harness) -> None:
    """A 429 on the nudge is retried after the wait; the group gets it once."""
    hub = await _hub(bot)
    bot.fake.fail("sendMessage", "retry_after", chat_id=GROUP, retry_after=1)
    await bot.run_job(f"nudge:{hub.id}")
    assert len(_nudges(bot, GROUP)) == 1
    assert await bot.storage.deliveries("nudge") == [
        Delivery(f"nudge:{hub.id}:2027-03-08T09:00:00+00:00", GROUP, "sent")
    ]


async def test_forbidden_marks_the_hub_inactive_and_others_carry_on(bot: Harness) -> None:
    """A group that removed the bot is marked inactive; the other hubs still get theirs."""
    gone = await _hub(bot, GROUP)
    other = await _hub(bot, OTHER_GROUP)
    bot.fake.fail("sendMessage", "forbidden", chat_id=GROUP)
    await bot.run_job(f"nudge:{gone.id}")
    await bot.run_job(f"nudge:{other.id}")
    stored = await bot.storage.hub(gone.id)
    assert stored is not None
    assert not stored.active
    assert bot.jobs(f"nudge:{gone.id}") == []
    assert len(_nudges(bot, OTHER_GROUP)) == 1


async def test_timed_out_send_is_not_retried(bot: Harness) -> None:
    """A send that timed out may have arrived, so it is not sent again; the slot is closed."""
    hub = await _hub(bot)
    bot.fake.fail("sendMessage", "timeout", chat_id=GROUP, deliver=True)
    await bot.run_job(f"nudge:{hub.id}")
    attempts = [c for c in bot.fake.calls if c.method == "sendMessage" and c.chat_id == GROUP]
    assert [c.outcome for c in attempts[1:]] == ["timeout"]  # [0] is the /hub reply
    assert await bot.storage.deliveries("nudge") == [
        Delivery(f"nudge:{hub.id}:2027-03-08T09:00:00+00:00", GROUP, "unknown")
    ]
    await bot.run_job(f"nudge:{hub.id}")  # the next week's slot goes ahead as normal
    assert [d.status for d in await bot.storage.deliveries("nudge")] == [
        "unknown",
        "sent",
    ]


async def test_server_errors_are_retried(bot: Harness) -> None:
    """A 5xx means Telegram did not take the message: it is retried and arrives once."""
    hub = await _hub(bot)
    bot.fake.fail("sendMessage", "server_error", chat_id=GROUP, times=2)
    await bot.run_job(f"nudge:{hub.id}")
    assert len(_nudges(bot, GROUP)) == 1


async def test_migration_error_moves_the_hub_to_the_supergroup(bot: Harness) -> None:
    """A send answered with "migrated" follows the group to its new id, which keeps the hub."""
    old = -4001
    new = -1004001
    hub = await _hub(bot, old)
    bot.fake.fail("sendMessage", "migrate", chat_id=old, migrate_to=new)
    await bot.run_job(f"nudge:{hub.id}")
    moved = await bot.storage.hub(hub.id)
    assert moved is not None
    assert (moved.chat_id, moved.region, moved.nudge_time) == (new, "london", "09:00")
    assert len(_nudges(bot, new)) == 1
    bot.fake.set_admins(new, [ADMIN])
    await bot.send(ADMIN, "/nudge", chat_id=new)  # the hub is managed from its new id
    assert len(_nudges(bot, new)) == 2


async def test_migration_service_message_moves_the_hub(bot: Harness) -> None:
    """The "group migrated" service message moves hub, schedule and history to the new id."""
    old = -4002
    new = -1004002
    hub = await _hub(bot, old)
    await bot.send(ADMIN, "/nudge", chat_id=old)
    await bot.process(message_update(ADMIN, None, chat_id=old, extra={"migrate_to_chat_id": new}))
    moved = await bot.storage.hub_by_chat(new)
    assert moved is not None
    assert moved.id == hub.id
    assert len(await bot.storage.nudge_history(hub.id)) == 1
    assert len(bot.jobs(f"nudge:{hub.id}")) == 1


async def test_bot_removed_from_group_marks_hub_inactive(bot: Harness) -> None:
    """When the bot is removed (my_chat_member: left), the hub goes inactive and unscheduled."""
    hub = await _hub(bot)
    change = {
        "my_chat_member": {
            "chat": {"id": GROUP, "type": "supergroup", "title": "Hub"},
            "from": {"id": ADMIN, "is_bot": False, "first_name": "A"},
            "date": 0,
            "old_chat_member": {
                "status": "member",
                "user": {"id": 7000001, "is_bot": True, "first_name": "Bot"},
            },
            "new_chat_member": {
                "status": "left",
                "user": {"id": 7000001, "is_bot": True, "first_name": "Bot"},
            },
        }
    }
    await bot.process(change)
    stored = await bot.storage.hub(hub.id)
    assert stored is not None
    assert not stored.active
    assert bot.jobs(f"nudge:{hub.id}") == []


@pytest.mark.parametrize(("networks", "favoured"), [(4, False), (5, True)])
async def test_first_nudge_favours_the_regions_weakest_enabler(
    bot: Harness, content: Content, networks: int, favoured: bool
) -> None:
    """With five networks weakest on Time and investment, the first nudge is a T one; with four,
    too few to say, the library's order decides."""
    weak = {item.key for item in content.model.items if item.enabler == "T"}

    def weak_on_time(position: int, item: object) -> int:
        entry = content.model.items[position]
        return 0 if entry.key in weak else len(entry.scale.options) - 1

    for index in range(networks):
        await seed_result(bot.storage, content.model, 9500 + index, choose=weak_on_time)
    await _hub(bot)
    await bot.send(ADMIN, "/nudge", chat_id=GROUP)
    [text] = _nudges(bot, GROUP)
    time_enabler = content.model.enabler("T").name
    assert (f"CRAFT: {time_enabler}" in text) == favoured
