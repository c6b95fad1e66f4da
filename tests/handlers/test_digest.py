"""The monthly hub digest: when it goes, exactly once, what it holds, and /digest."""

from __future__ import annotations

from pathlib import Path

from content import Content
from handlers.digest import digest_check_job
from scoring import Model
from tests.fakebot import FakeBotApi
from tests.harness import OPERATOR, FakeClock, Harness, running
from tests.seed import seed_result

ADMIN = 2301
MEMBER = 2302
GROUP = -1002301
# The conftest clock is Monday 1 March 2027 10:00 GMT: the first working day of March, an hour
# after the default nudge time (Monday 09:00).


async def _hub(bot: Harness, chat_id: int = GROUP) -> None:
    bot.fake.set_admins(chat_id, [ADMIN])
    await bot.send(OPERATOR, "/hub London", chat_id=chat_id)


def _digests(bot: Harness, chat_id: int = GROUP) -> list[str]:
    return [c.text for c in bot.fake.sent(chat_id) if "hub digest" in c.text]


async def test_digest_goes_once_on_the_first_working_day(bot: Harness) -> None:
    """Run again and again, the check sends the month's digest once."""
    await _hub(bot)
    for _ in range(3):
        await bot.run_callback(digest_check_job)
    assert len(_digests(bot)) == 1
    assert "London hub digest, March 2027" in _digests(bot)[0]


async def test_digest_waits_for_the_hubs_nudge_time(bot: Harness) -> None:
    """A hub nudging at 11:00 gets nothing at 10:00."""
    await _hub(bot)
    await bot.send(ADMIN, "/nudges monday 11:00", chat_id=GROUP)
    await bot.run_callback(digest_check_job)
    assert _digests(bot) == []


async def test_pending_hub_gets_no_digest(bot: Harness) -> None:
    """A hub still waiting for approval is left out."""
    bot.fake.set_admins(GROUP, [ADMIN])
    await bot.send(ADMIN, "/hub London", chat_id=GROUP)
    await bot.run_callback(digest_check_job)
    assert _digests(bot) == []


async def test_digest_is_caught_up_after_a_restart(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """Down at 09:00 and up at 10:00, the bot sends the digest once, even after two restarts."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, content, db, clock) as bot:
        await _hub(bot)
    for _ in range(2):
        async with running(fake, content, db, clock) as bot:
            await bot.run_callback(digest_check_job)
    assert len([c for c in fake.sent(GROUP) if "hub digest" in c.text]) == 1


async def test_small_counts_say_fewer_than_five(bot: Harness, model: Model) -> None:
    """Four assessed networks show as "fewer than 5", with no weakest enabler."""
    await _hub(bot)
    for user in range(2310, 2314):
        await seed_result(bot.storage, model, user)
    text = (await bot.send(ADMIN, "/digest", chat_id=GROUP))[-1].text
    assert "fewer than 5 networks" in text
    assert "Too few networks" in text


async def test_no_network_is_told_apart_from_a_few(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock, model: Model
) -> None:
    """0 once read "0" and 1-4 "a few": now none is "no network … yet", 1 and 4 are "fewer than
    5", each day's figure as its snapshot has it."""
    from datetime import timedelta

    db = tmp_path / "bot.sqlite3"
    seen = {}
    users = iter(range(2330, 2340))
    for networks in (0, 1, 4):
        async with running(fake, content, db, clock) as bot:
            if networks == 0:
                await _hub(bot)
            while (
                len(
                    {
                        r.network_id
                        for r in await bot.storage.latest_results(clock.now() - timedelta(days=365))
                    }
                )
                < networks
            ):
                await seed_result(bot.storage, model, next(users))
            seen[networks] = (await bot.send(ADMIN, "/digest", chat_id=GROUP))[-1].text
        clock.advance(timedelta(days=1))
    assert "no network in the region has a result yet" in seen[0]
    assert "fewer than 5 networks" in seen[1]
    assert "fewer than 5 networks" in seen[4]


async def test_digest_count_comes_from_the_days_snapshot(bot: Harness, model: Model) -> None:
    """A sixth result on the same day does not change the count (it was once live)."""
    await _hub(bot)
    for user in range(2310, 2315):
        await seed_result(bot.storage, model, user)
    first = (await bot.send(ADMIN, "/digest", chat_id=GROUP))[-1].text
    await seed_result(bot.storage, model, 2316)
    again = (await bot.send(ADMIN, "/digest", chat_id=GROUP))[-1].text
    assert "5 networks" in first
    assert "5 networks" in again
    assert "6 networks" not in again


async def test_five_networks_give_the_number_and_the_weakest_enabler(
    bot: Harness, model: Model
) -> None:
    """From five networks the count is given and the weakest enabler comes with a nudge."""
    await _hub(bot)
    for user in range(2310, 2315):
        await seed_result(bot.storage, model, user)
    text = (await bot.send(ADMIN, "/digest", chat_id=GROUP))[-1].text
    assert "5 networks" in text
    assert "This month's focus" in text
    assert "💡" in text


async def test_digest_lists_approved_practices_and_meetings(bot: Harness, model: Model) -> None:
    """Approved practices and upcoming meetings appear; a rejected practice does not."""
    await _hub(bot)
    await seed_result(bot.storage, model, 2320)
    for text, approve in (("Reverse mentoring pairs", True), ("Something rejected", False)):
        practice = await bot.storage.add_practice(2320, "london", text)
        await bot.storage.submit_practice(practice.id, 2320, None)
        await bot.storage.decide_practice(practice.id, approve, OPERATOR)
    await bot.send(ADMIN, "/meeting 25/03/2027 6pm WRES plans", chat_id=GROUP)
    text = (await bot.send(ADMIN, "/digest", chat_id=GROUP))[-1].text
    assert "Reverse mentoring pairs" in text
    assert "Something rejected" not in text
    assert "Thursday 25 March 2027, 18:00: WRES plans" in text


async def test_digest_command_is_for_admins(bot: Harness) -> None:
    """A member's /digest is refused, and told when the digest comes (not about hub
    settings)."""
    await _hub(bot)
    calls = await bot.send(MEMBER, "/digest", chat_id=GROUP)
    assert "Only an admin" in calls[-1].text
    assert "first working day of each month" in calls[-1].text
    assert "settings" not in calls[-1].text
    assert _digests(bot) == []
