"""Operators: /whoami, the start-up line naming them, and their weekly digest (Monday 08:00)."""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.backup import record_backup
from content import Content
from handlers.operators import OPERATOR_DIGESTS, operator_digest_job
from tests.fakebot import BOT_USERNAME, FakeBotApi
from tests.harness import FakeClock, Harness, running

OPERATOR = 5001
OTHER_OPERATOR = 5002
LEAD = 1101
OPERATORS = frozenset({OPERATOR, OTHER_OPERATOR})
# Monday 1 March 2027, 08:00 in London (GMT).
MONDAY_8 = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


def digests(bot: Harness, user_id: int) -> list[str]:
    return [c.text for c in bot.fake.sent(user_id) if "Weekly operator summary" in c.text]


async def test_whoami_for_an_operator(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """An operator's /whoami gives their id and says they are an operator."""
    async with running(fake, content, tmp_path / "bot.sqlite3", clock, admin_ids=OPERATORS) as bot:
        await bot.send(OPERATOR, "/whoami")
    [reply] = fake.sent(OPERATOR)
    assert f"<code>{OPERATOR}</code>" in reply.text
    assert "You are one of this bot's operators" in reply.text


async def test_whoami_for_anyone_else(bot: Harness) -> None:
    """Anyone else's /whoami gives their id and says how someone becomes an operator."""
    await bot.send(LEAD, "/whoami")
    [reply] = bot.fake.sent(LEAD)
    assert f"<code>{LEAD}</code>" in reply.text
    assert "You are not an operator" in reply.text
    assert "BOT_ADMIN_IDS" in reply.text


async def test_whoami_in_a_group_points_to_the_private_chat(bot: Harness) -> None:
    """/whoami in a group tells nothing there and says it works privately."""
    await bot.send(LEAD, "/whoami", chat_id=-100123)
    [reply] = bot.fake.sent(-100123)
    assert str(LEAD) not in reply.text
    assert "private chat" in reply.text


async def test_whoami_is_in_the_private_menu_and_help(bot: Harness) -> None:
    """The private command menu and /help list /whoami."""
    assert "whoami" in [c["command"] for c in bot.fake.commands["all_private_chats"]]
    await bot.send(LEAD, "/help")
    assert "/whoami" in bot.fake.sent(LEAD)[-1].text


async def test_startup_line_names_operators_without_a_private_chat(
    fake: FakeBotApi,
    content: Content,
    tmp_path: Path,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """At start-up the log lists the operators and which have not yet started the bot."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, content, db, clock, admin_ids=OPERATORS) as bot:
        await bot.send(OPERATOR, "/start")
    caplog.set_level(logging.INFO)
    async with running(fake, content, db, clock, admin_ids=OPERATORS):
        pass
    [line] = [
        r.getMessage() for r in caplog.records if "operators (BOT_ADMIN_IDS)" in r.getMessage()
    ]
    assert line == (
        f"operators (BOT_ADMIN_IDS): {OPERATOR}, {OTHER_OPERATOR}; not yet in a private chat with "
        f"the bot, so it cannot message them: {OTHER_OPERATOR} "
        f"(each should open @{BOT_USERNAME} and send /start)"
    )


async def test_startup_line_without_operators_says_how_to_add_them(
    fake: FakeBotApi,
    content: Content,
    tmp_path: Path,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With BOT_ADMIN_IDS empty the start-up line says how to find an id for it."""
    caplog.set_level(logging.INFO)
    async with running(fake, content, tmp_path / "bot.sqlite3", clock, admin_ids=frozenset()):
        pass
    assert any("no operators: set BOT_ADMIN_IDS" in r.getMessage() for r in caplog.records)


async def _seed(bot: Harness) -> None:
    """Two practices awaiting review (3 and 10 days old) and some delivery problems."""
    storage = bot.storage
    bot.clock.set(MONDAY_8 - timedelta(days=10))
    await storage.ensure_user(LEAD)
    old = await storage.add_practice(LEAD, "london", "Old practice")
    await storage.submit_practice(old.id, LEAD, None)
    bot.clock.set(MONDAY_8 - timedelta(days=3))
    new = await storage.add_practice(LEAD, "north-west", "New practice")
    await storage.submit_practice(new.id, LEAD, None)
    await storage.claim("nudge:1:a", -100, "nudge")
    await storage.finish("nudge:1:a", "failed", "forbidden")
    await storage.claim("nudge:1:b", -100, "nudge")
    await storage.finish("nudge:1:b", "failed", "forbidden")
    await storage.skip("meeting:1:day", -100, "meeting", "too late")
    await storage.claim("idle:1:x", LEAD, "idle")
    await storage.finish("idle:1:x", "sent")
    bot.clock.set(MONDAY_8 - timedelta(days=9))  # older than a week: not counted
    await storage.skip("meeting:0:day", -100, "meeting", "too late")


async def test_digest_content(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """The digest lists pending practices with their age, last week's skipped and failed
    deliveries by kind, the database size and the last backup time."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, content, db, clock, admin_ids=OPERATORS) as bot:
        await _seed(bot)
        record_backup(db, datetime(2027, 2, 27, 22, 30, tzinfo=UTC))
        bot.clock.set(MONDAY_8 + timedelta(minutes=5))
        await bot.run_callback(operator_digest_job)
        [text] = digests(bot, OPERATOR)
    lines = text.splitlines()
    assert lines[0] == "<b>Weekly operator summary</b> · week 2027-W09"
    assert lines[1] == "<b>Hubs awaiting your approval</b>: none"
    assert lines[2] == "<b>Networks awaiting verification</b>: none"
    assert lines[3] == "<b>Practices awaiting review</b>: 2"
    assert lines[4].startswith("• #1 for London, waiting 10 days")
    assert lines[5].startswith("• #2 for North West, waiting 3 days")
    assert lines[6] == "<b>Deliveries skipped or failed in the last 7 days</b>:"
    assert lines[7:9] == ["• meeting: 1 skipped", "• nudge: 2 failed"]
    assert lines[9] == "<b>Deleted under the retention schedule in the last 7 days</b>: nothing"
    assert lines[10].startswith("<b>Database size</b>: ")
    assert lines[10].endswith(" KB")
    assert lines[11] == "<b>Last backup</b>: 2027-02-27 22:30 (Europe/London)"
    assert digests(bot, OTHER_OPERATOR) == [text]


async def test_digest_lists_hubs_awaiting_approval(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """A group admin's /hub waits for an operator; the next digest lists it."""
    group = -1017001
    async with running(fake, content, tmp_path / "bot.sqlite3", clock, admin_ids=OPERATORS) as bot:
        bot.fake.set_admins(group, [555])
        await bot.send(555, "/hub London", chat_id=group)
        bot.clock.set(MONDAY_8 + timedelta(minutes=5))
        await bot.run_callback(operator_digest_job)
        [text] = digests(bot, OPERATOR)
    assert "<b>Hubs awaiting your approval</b>: 1" in text
    assert f"• group {group} for London" in text


async def test_digest_without_anything_to_report(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """With nothing pending, no problems and no backup, each line says so."""
    async with running(fake, content, tmp_path / "bot.sqlite3", clock, admin_ids=OPERATORS) as bot:
        bot.clock.set(MONDAY_8)
        await bot.run_callback(operator_digest_job)
        [text] = digests(bot, OPERATOR)
    assert "<b>Practices awaiting review</b>: none" in text
    assert "<b>Deliveries skipped or failed in the last 7 days</b>: none" in text
    assert "<b>Last backup</b>: none recorded" in text


async def test_digest_only_from_monday_8_for_12_hours(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """Nothing before Monday 08:00 local time, nor from 20:00 on; BST is respected."""
    async with running(fake, content, tmp_path / "bot.sqlite3", clock, admin_ids=OPERATORS) as bot:
        for moment in (
            MONDAY_8 - timedelta(minutes=1),
            MONDAY_8 + timedelta(hours=12),
            MONDAY_8 + timedelta(days=1),
            datetime(2027, 6, 7, 7, 30, tzinfo=UTC),  # Monday 08:30 BST: due
        ):
            bot.clock.set(moment)
            await bot.run_callback(operator_digest_job)
        assert [c.text.splitlines()[0] for c in fake.sent(OPERATOR)] == [
            "<b>Weekly operator summary</b> · week 2027-W23"
        ]


async def test_digest_exactly_once_per_week_across_runs_and_a_restart(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """Two checks in the window send once; after a restart, still once; next week, again."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, content, db, clock, admin_ids=OPERATORS) as bot:
        bot.clock.set(MONDAY_8 + timedelta(minutes=1))
        await bot.run_callback(operator_digest_job)
        bot.clock.advance(timedelta(minutes=15))
        await bot.run_callback(operator_digest_job)
        assert len(digests(bot, OPERATOR)) == 1
    async with running(fake, content, db, clock, admin_ids=OPERATORS) as bot:
        await bot.run_job("startup")  # starts the repeating check, as at every start-up
        await bot.run_job(OPERATOR_DIGESTS.job())
        assert len(digests(bot, OPERATOR)) == 1
        bot.clock.advance(timedelta(days=7))
        await bot.run_job(OPERATOR_DIGESTS.job())
        assert len(digests(bot, OPERATOR)) == 2
        assert len(digests(bot, OTHER_OPERATOR)) == 2
    slots = [slot for slot, _, _ in _deliveries(db)]
    assert slots == [
        f"opdigest:2027-W09:{OPERATOR}",
        f"opdigest:2027-W09:{OTHER_OPERATOR}",
        f"opdigest:2027-W10:{OPERATOR}",
        f"opdigest:2027-W10:{OTHER_OPERATOR}",
    ]


def _deliveries(db: Path) -> list[tuple[str, int, str]]:
    with closing(sqlite3.connect(db)) as connection:
        rows = connection.execute(
            "SELECT slot, chat_id, status FROM deliveries WHERE kind = 'opdigest' ORDER BY rowid"
        ).fetchall()
    return [(str(a), int(b), str(c)) for a, b, c in rows]


async def test_digest_lists_networks_awaiting_verification(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """A network registered and not yet verified is listed (number, name, organisation,
    region); once verified it is not."""
    async with running(fake, content, tmp_path / "bot.sqlite3", clock, admin_ids=OPERATORS) as bot:
        await bot.register(LEAD)
        bot.clock.set(MONDAY_8 + timedelta(minutes=5))
        await bot.run_callback(operator_digest_job)
        [text] = digests(bot, OPERATOR)
        assert "<b>Networks awaiting verification</b>: 1" in text
        assert "• number 1: Barts BME Network, Barts Health NHS Trust (London)" in text
        await bot.verify(LEAD)
        bot.clock.set(MONDAY_8 + timedelta(days=7, minutes=5))
        await bot.run_callback(operator_digest_job)
        assert "<b>Networks awaiting verification</b>: none" in digests(bot, OPERATOR)[-1]
