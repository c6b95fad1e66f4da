"""Information governance (issue 26), through the fake Bot API: the full privacy notice, the
audit trail and /audit, and the daily retention run on the fake clock."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from bot.backup import remember_backup
from bot.context import BotContext
from content import Content
from handlers.common import privacy_fields
from handlers.operators import operator_digest_job
from handlers.retention import RETENTION, retention_job
from scoring.retention import Policy
from tests.fakebot import FakeBotApi
from tests.harness import OPERATOR, FakeClock, Harness, running

LEAD = 2601
CO_LEAD = 2602
ADMIN = 2603
STRANGER = 2604
GROUP = -1026001
PRIVACY: dict[str, Any] = {
    "controller_name": "North Region BME Leads Network",
    "controller_contact": "leads@example.nhs.uk",
    "dpo_contact": "dpo@example.nhs.uk",
    "lawful_basis": "legitimate interests (UK GDPR article 6(1)(f))",
}
# The fake clock starts Monday 1 March 2027 10:00 (London, GMT). A network registered then is
# quiet for 24 months on Thursday 1 March 2029; its leads are warned from 30 days before.
WARN_DAY = datetime(2029, 1, 30, 10, 5, tzinfo=UTC)  # a Tuesday, in working hours
ERASE_DAY = datetime(2029, 3, 1, 10, 5, tzinfo=UTC)


async def _notice(bot: Harness, user_id: int) -> list[str]:
    """Every page of /privacy, following "More" to the last page."""
    pages = [(await bot.send(user_id, "/privacy"))[-1].text]
    while bot.buttons(user_id) == ["More ›"]:
        edits = await bot.tap(user_id, "More ›")
        pages.append(next(c.text for c in edits if c.method == "editMessageText"))
    return pages


# -- the privacy notice ------------------------------------------------------------------------


async def test_privacy_notice_names_controller_rights_ico_telegram_and_retention(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """A short first screen names the controller, contact, DPO and lawful basis, with More;
    the pages after it give the retention periods, each right and how to use it here, the ICO
    and Telegram's part; every page fits a message, and the last goes back to the start."""
    async with running(fake, content, tmp_path / "db", clock, **PRIVACY) as bot:
        pages = await _notice(bot, LEAD)
        assert len(pages) == 4  # who and why; what is kept; member pulses; rights
        first, whole = pages[0], "\n".join(pages)
        assert len(first) < 1200  # a phone screen or so
        for value in PRIVACY.values():
            assert value in first
        for words in ("24 months", "Information Commissioner's Office", "Telegram"):
            assert words in first  # the interface contract: named on the first screen
        assert bot.buttons(LEAD) == ["« Back to the start"]
        for words in (
            "24 months",  # a quiet network
            "30 days before",
            "13 months",  # delivery records
            "12 months after the month ends",  # buddy pairings
            "90 days after the meeting",
            "/export",  # access and portability
            "Correct it",  # rectification
            "/forget",  # erasure
            "Limit its use",  # restriction
            "<b>object</b>",
            "Information Commissioner's Office",
            "ico.org.uk/make-a-complaint",
            "0303 123 1113",
            "travels through Telegram",
            "telegram.org/privacy",
        ):
            assert words in whole, words
        assert all(len(page) < 4096 for page in pages)
        edits = await bot.tap(LEAD, "« Back to the start")
        assert [c.text for c in edits if c.method == "editMessageText"] == [first]
        assert bot.errors == []


async def test_privacy_notice_says_when_the_controller_is_not_set(bot: Harness) -> None:
    """Unset settings are said to be not given yet, never left blank."""
    first = (await bot.send(LEAD, "/privacy"))[-1].text
    assert "the organisation running this bot (not named here yet)" in first
    assert "Contact: not given yet" in first
    assert "Lawful basis: not given yet" in first


async def test_short_notice_for_a_pulse_renders_from_the_same_settings(
    content: Content, tmp_path: Path, fake: FakeBotApi
) -> None:
    """`notice.short` (for a member pulse, before its first question) carries the controller,
    the lawful basis, the ICO and Telegram's part, in well under a message."""
    from tests.harness import settings_for

    settings = settings_for(fake, tmp_path / "db", **PRIVACY)
    context = cast(BotContext, SimpleNamespace(settings=settings, strings=content.strings))
    text = content.strings("notice.short", **privacy_fields(context))
    for words in (*PRIVACY.values(), "Information Commissioner's Office", "Telegram", "/privacy"):
        assert words in text
    assert len(text) < 1200


# -- the audit trail ---------------------------------------------------------------------------


def _audit_rows(db: Path) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db)) as connection:
        return connection.execute("SELECT actor, action, subject FROM audit ORDER BY id").fetchall()


async def test_sensitive_actions_are_recorded_and_operators_read_them(bot: Harness) -> None:
    """A hub approved on an operator's card and ended with /hub off, a lead removed, a /forget
    and a network going with its last lead: each is in the trail (who, what, on what), which
    /audit shows the operator newest first."""
    bot.fake.set_admins(GROUP, [ADMIN])
    await bot.send(ADMIN, "/hub London", chat_id=GROUP)
    await bot.tap(OPERATOR, "Approve", chat_id=OPERATOR)
    hub = await bot.storage.hub_by_chat(GROUP)
    assert hub is not None
    await bot.send(ADMIN, "/hub off", chat_id=GROUP)
    await bot.register(LEAD)
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    await bot.join(CO_LEAD, LEAD)
    await bot.send(LEAD, "/leads")
    await bot.tap(LEAD, "Remove lead 2")
    await bot.tap(LEAD, "Yes, remove them")
    await bot.send(LEAD, "/forget")
    await bot.tap(LEAD, "Yes, delete everything")
    assert _audit_rows(bot.app.bot_data["services"].settings.db_path) == [
        (OPERATOR, "hub_approved", hub.id),
        (ADMIN, "hub_ended", hub.id),
        # After the lead's /forget the trail keeps what happened and when, not who did it:
        # the erasure is recorded without the erased person's id.
        (None, "lead_removed", CO_LEAD),
        (None, "user_forgotten", None),
        (None, "network_erased", network.id),
    ]
    text = (await bot.send(OPERATOR, "/audit"))[-1].text
    lines = text.splitlines()
    assert lines[0].startswith("<b>Record of sensitive actions</b> (1–5 of 5")
    assert "network erased with its last lead</b> · by the bot" in lines[1]
    assert f"hub approved</b> · by <code>{OPERATOR}</code> · on {hub.id}" in lines[-1]
    assert "Barts" not in text  # names and content never appear


async def test_export_holds_last_seen_and_the_lead_s_own_audited_actions(bot: Harness) -> None:
    """/export includes when the lead last used the bot and the sensitive actions they took."""
    await bot.register(LEAD)
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    await bot.join(CO_LEAD, LEAD)
    await bot.send(LEAD, "/leads")
    await bot.tap(LEAD, "Remove lead 2")
    await bot.tap(LEAD, "Yes, remove them")
    calls = await bot.send(LEAD, "/export")
    document = next(c for c in calls if c.method == "sendDocument")
    data = json.loads(document.files["document"])
    assert data["user"]["last_seen"] == "2027-03-01T10:00:00+00:00"
    assert data["audit_actions"] == [
        {"at": "2027-03-01T10:00:00+00:00", "action": "lead_removed", "subject": CO_LEAD}
    ]


async def test_audit_is_for_operators_in_private(bot: Harness) -> None:
    """Anyone else is refused; an operator in a group is pointed to the private chat."""
    await bot.storage.audit(OPERATOR, "hub_approved", 1)
    assert "for the bot's operators" in (await bot.send(STRANGER, "/audit"))[-1].text
    assert "for the bot's operators" in (await bot.send(STRANGER, "/audit csv"))[-1].text
    reply = (await bot.send(OPERATOR, "/audit", chat_id=GROUP))[-1]
    assert reply.chat_id == GROUP
    assert "private chat" in reply.text
    assert "hub approved" not in reply.text


async def test_audit_pages_with_next_and_exports_csv(bot: Harness) -> None:
    """60 entries: three pages of at most 25, Next on the first two, each under 4,096
    characters; `/audit csv` holds all 60 oldest first, with only who, what, on what, when."""
    for number in range(60):
        await bot.storage.audit(OPERATOR, "hub_approved", number)
        bot.clock.advance(timedelta(minutes=1))
    pages = [(await bot.send(OPERATOR, "/audit"))[-1]]
    while pages[-1].buttons:
        edits = await bot.tap(OPERATOR, "Next ›")
        pages.append(next(c for c in edits if c.method == "editMessageText"))
    assert [page.text.splitlines()[0].split("(")[1].split(",")[0] for page in pages] == [
        "1–25 of 60",
        "26–50 of 60",
        "51–60 of 60",
    ]
    assert [len(page.text.splitlines()) - 1 for page in pages] == [25, 25, 10]
    assert all(len(page.text) < 4096 for page in pages)
    assert "on 59" in pages[0].text.splitlines()[1]  # newest first
    calls = await bot.send(OPERATOR, "/audit csv")
    [document] = [c for c in calls if c.method == "sendDocument"]
    rows = list(csv.reader(io.StringIO(document.files["document"].decode("utf-8-sig"))))
    assert rows[0] == ["when_utc", "actor", "action", "subject"]
    assert [row[3] for row in rows[1:]] == [str(n) for n in range(60)]
    assert {row[1] for row in rows[1:]} == {str(OPERATOR)}


def test_the_audit_table_holds_no_content(tmp_path: Path) -> None:
    """The trail's columns are who, what, on what and when: no free text beside the action."""
    from bot.migrations import MIGRATIONS

    with closing(sqlite3.connect(tmp_path / "db")) as connection:
        for number in sorted(MIGRATIONS):
            connection.executescript(MIGRATIONS[number])
        columns = [row[1] for row in connection.execute("PRAGMA table_info(audit)")]
    assert columns == ["id", "at", "actor", "action", "subject"]


# -- retention ---------------------------------------------------------------------------------


def _ledger(bot: Harness, kind: str) -> list[tuple[str, str, str | None]]:
    db = bot.app.bot_data["services"].settings.db_path
    with closing(sqlite3.connect(db)) as connection:
        rows = connection.execute(
            "SELECT slot, status, detail FROM deliveries WHERE kind = ? ORDER BY slot", (kind,)
        ).fetchall()
    return [tuple(row) for row in rows]


async def test_a_quiet_network_is_warned_then_erased_once_a_day(bot: Harness) -> None:
    """24 months without lead activity: the lead is warned 30 days before (once, however
    often the job runs that day), then the network is erased as /forget erases, recorded in
    the trail by the bot, and the operators' digest gives the counts."""
    await bot.register(LEAD)
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    bot.clock.set(WARN_DAY - timedelta(days=1))
    await bot.run_callback(retention_job)
    assert not [c for c in bot.fake.sent(LEAD) if "will be deleted" in c.text]
    bot.clock.set(WARN_DAY)
    await bot.run_callback(retention_job)
    await bot.run_callback(retention_job)  # the same day again: nothing more
    warnings = [c.text for c in bot.fake.sent(LEAD) if "will be deleted" in c.text]
    assert len(warnings) == 1
    assert "deleted on 1 March 2029" in warnings[0]
    assert "Barts BME Network" in warnings[0]
    assert [row[:2] for row in _ledger(bot, RETENTION.recorded_as)] == [
        ("retention:2029-01-29", "sent"),
        ("retention:2029-01-30", "sent"),
    ]
    bot.clock.set(ERASE_DAY - timedelta(days=1))
    await bot.run_callback(retention_job)
    assert await bot.storage.network(network.id) is not None
    bot.clock.set(ERASE_DAY)
    await bot.run_callback(retention_job)
    assert await bot.storage.network(network.id) is None
    assert await bot.storage.user(LEAD) is None
    assert not any((await bot.storage.export_user(LEAD)).values())
    [entry] = await bot.storage.audit_entries()
    assert (entry.actor, entry.action, entry.subject) == (None, "network_expired", network.id)
    # The next Monday 08:00: the operators' digest counts what went.
    bot.clock.set(datetime(2029, 3, 5, 8, 0, tzinfo=UTC))
    await bot.run_callback(operator_digest_job)
    digest = bot.fake.sent(OPERATOR)[-1].text
    assert "in the last 7 days</b>: networks with no lead activity 1 (leads of 0 more" in digest
    assert "Barts" not in digest


async def test_retention_erasure_leaves_no_trace(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """After a quiet network is erased, neither the database file nor its WAL holds its lead's
    evidence note (as after /forget)."""
    marker = b"QUIET-NETWORK-7Z"
    db = tmp_path / "bot.sqlite3"

    def scan() -> bool:
        files = [db, db.with_name(db.name + "-wal")]
        return any(marker in path.read_bytes() for path in files if path.exists())

    async with running(fake, content, db, clock) as bot:
        await bot.register(LEAD)
        await bot.answer_all(LEAD, "top", evidence=marker.decode())
        assert scan()
        bot.clock.set(WARN_DAY)
        await bot.run_callback(retention_job)
        bot.clock.set(ERASE_DAY)
        await bot.run_callback(retention_job)
        assert await bot.storage.network_of(LEAD) is None
        assert not scan()
        assert bot.errors == []
    assert not scan()


async def test_lead_activity_after_the_warning_keeps_the_network(bot: Harness) -> None:
    """Any command from a lead after the warning keeps the network past the erasure date."""
    await bot.register(LEAD)
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    bot.clock.set(WARN_DAY)
    await bot.run_callback(retention_job)
    assert "will be deleted" in bot.fake.sent(LEAD)[-1].text
    bot.clock.advance(timedelta(days=2))
    await bot.send(LEAD, "/score")
    bot.clock.set(ERASE_DAY)
    await bot.run_callback(retention_job)
    assert await bot.storage.network(network.id) is not None
    assert len([c for c in bot.fake.sent(LEAD) if "will be deleted" in c.text]) == 1


async def test_warnings_wait_for_working_hours(bot: Harness) -> None:
    """A run on a Saturday warns nobody; the network is not erased without a warning."""
    await bot.register(LEAD)
    bot.clock.set(datetime(2029, 3, 3, 10, 5, tzinfo=UTC))  # a Saturday, past the erase date
    await bot.run_callback(retention_job)
    assert not [c for c in bot.fake.sent(LEAD) if "will be deleted" in c.text]
    assert await bot.storage.network_of(LEAD) is not None
    bot.clock.set(datetime(2029, 3, 5, 10, 5, tzinfo=UTC))  # Monday
    await bot.run_callback(retention_job)
    assert [c for c in bot.fake.sent(LEAD) if "will be deleted" in c.text]


async def test_old_records_are_pruned_on_schedule(bot: Harness) -> None:
    """Delivery records after 13 months (not those still stopping a reminder repeating),
    finished buddy pairings 12 months after their month, meeting replies 90 days after the
    meeting, audit entries after 24 months."""
    storage = bot.storage
    await bot.register(LEAD)
    await storage.ensure_user(CO_LEAD)
    await storage.claim("nudge:old", GROUP, "nudge")
    await storage.finish("nudge:old", "sent")
    await storage.claim("idle:guard", LEAD, "idle")
    await storage.finish("idle:guard", "sent")
    await storage.save_buddy_round("2027-03", [("london", [LEAD, CO_LEAD])], [])
    await storage.audit(OPERATOR, "hub_approved", 1)
    await bot.send(OPERATOR, "/hub London", chat_id=GROUP)
    hub = await storage.hub_by_chat(GROUP)
    assert hub is not None
    meeting = await storage.add_meeting(hub.id, bot.clock.now() + timedelta(days=1), "T", ADMIN)
    assert await storage.answer_rsvp(meeting.id, CO_LEAD, True)
    assert (await storage.rsvps(meeting.id)).going == (CO_LEAD,)

    bot.clock.set(datetime(2027, 6, 1, 10, 5, tzinfo=UTC))  # 92 days on: replies go
    await bot.run_callback(retention_job)
    assert (await storage.rsvps(meeting.id)).going == ()
    assert await storage.delivery_status("nudge:old") == "sent"

    db_path = bot.app.bot_data["services"].settings.db_path
    made = [db_path.with_name(f"backup-{n}.sqlite3") for n in range(9)]
    for path in made:
        path.write_bytes(b"a backup")
        remember_backup(db_path, path)

    bot.clock.set(datetime(2028, 4, 3, 10, 5, tzinfo=UTC))  # 13 months on
    await bot.run_callback(retention_job)
    assert [path.exists() for path in made] == [False] * 2 + [True] * 7  # the newest 7 kept
    assert await storage.delivery_status("nudge:old") is None
    assert await storage.delivery_status("idle:guard") == "sent"
    assert await storage.buddy_groups("2027-03") == []
    report = json.loads(_ledger(bot, "retention")[-1][2] or "{}")
    assert report["pairings"] == 2
    assert report["deliveries"] >= 1
    assert report["backups"] == 2
    assert len(await storage.audit_entries()) == 2  # the test's and the hub's approval

    bot.clock.set(datetime(2029, 3, 5, 10, 5, tzinfo=UTC))  # 24 months on
    await bot.run_callback(retention_job)
    assert [e.action for e in await storage.audit_entries()] == []


async def test_retention_settings_change_the_schedule(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """A shorter schedule in settings is what runs, and what /privacy says."""
    policy = Policy(network_months=6, warn_days=7)
    async with running(fake, content, tmp_path / "db", clock, retention=policy) as bot:
        assert "6 months" in (await bot.send(LEAD, "/privacy"))[-1].text
        await bot.register(LEAD)
        bot.clock.set(datetime(2027, 8, 25, 10, 5, tzinfo=UTC))  # a Wednesday, 6 days before
        await bot.run_callback(retention_job)
        assert "deleted on 1 September 2027" in bot.fake.sent(LEAD)[-1].text
        assert bot.errors == []
