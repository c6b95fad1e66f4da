"""Keyed migrations: released ones never change, every released schema version upgrades, and
the database of the release that numbered the buddy tables 7 is repaired on start-up."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

import pytest

from bot.db import schema
from bot.migrations import LATEST, MIGRATIONS
from bot.storage import Storage
from tests.bot import legacy_migrations_5309064 as legacy
from tests.harness import FakeClock

# sha256 of every released migration: editing one fails here. A change to the schema is a
# new migration with the next number, never an edit.
RELEASED = {
    1: "41084c5059304ea2845eba623600d02045ed7e4db6b3818f8ff7f5f64d7670ad",
    2: "9f08c8049a27da4df81a180b45dad7ca6bc4a491f90772c2070d264682cb086b",
    3: "6270318558e59e887856a473866929891958f14d8c04cde567d444c9b4af3efe",
    4: "ae82115b2f8699ddc38fb5273a57287772d954c4e0b9e830507f18cd496a31b7",
    5: "2ff1da4981e30a15bbc8b0a1ae0b761fcf973c10013395a5f0752453dcea27c9",
    6: "8bb1223cf9a8db0a7027f0b9aadfcbd5610078ff6735addfc5ba3abe988ce725",
    7: "78f61c191a897f7a0b684c5d3e3afbcef9edc5b6029f77a6f81e4e8a4c32b438",
    8: "730d297d61ec4c7a5fa1b8b972264b0e540a57e07b2e218c678493fe9a5e020a",
}
NOW = "2027-01-04T09:00:00+00:00"
LEAD = 1901
GROUP = -1019001


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def build(path: Path, scripts: Sequence[str], version: int) -> None:
    """A database made by applying `scripts` in order, marked as `version`, with a lead, their
    network, an assessment in progress with one answer, and (from version 2) a hub."""
    with closing(sqlite3.connect(path)) as db:
        for script in scripts:
            db.executescript(script)
        db.execute(f"PRAGMA user_version = {int(version)}")
        db.execute("INSERT INTO users (id, created_at) VALUES (?, ?)", (LEAD, NOW))
        db.execute(
            "INSERT INTO networks (id, organisation, name, region, age, invite_code, created_at) "
            "VALUES (1, 'Barts Health NHS Trust', 'Barts BME', 'london', 'new', 'code', ?)",
            (NOW,),
        )
        db.execute(
            "INSERT INTO leads (user_id, network_id, role, joined_at) VALUES (?, 1, 'lead', ?)",
            (LEAD, NOW),
        )
        db.execute(
            "INSERT INTO assessments (id, network_id, user_id, content_version, status, "
            "position, started_at, updated_at) VALUES (1, 1, ?, '2026.1', 'in_progress', 1, ?, ?)",
            (LEAD, NOW, NOW),
        )
        db.execute(
            "INSERT INTO answers (assessment_id, item_key, option, points, answered_at) "
            "VALUES (1, 'op-purpose', 2, 2, ?)",
            (NOW,),
        )
        if version >= 2:
            db.execute(
                "INSERT INTO hubs (chat_id, region, schedule_since, registered_by, "
                "registered_at) VALUES (?, 'london', ?, ?, ?)",
                (GROUP, NOW, LEAD, NOW),
            )
        db.commit()


def test_released_migrations_are_unchanged() -> None:
    """Each released migration has the checksum it was released with."""
    assert {number: _sha(MIGRATIONS[number]) for number in RELEASED} == RELEASED


def test_migrations_are_numbered_one_to_latest_without_gaps() -> None:
    """Migration numbers run 1, 2, ... LATEST."""
    assert sorted(MIGRATIONS) == list(range(1, LATEST + 1))


@pytest.mark.parametrize("version", sorted(RELEASED))
async def test_a_database_at_each_released_version_upgrades(
    tmp_path: Path, clock: FakeClock, version: int
) -> None:
    """A database made at schema `version` opens with today's code, is migrated to the newest
    schema, and keeps its rows."""
    path = tmp_path / "old.sqlite3"
    build(path, [MIGRATIONS[n] for n in range(1, version + 1)], version)
    storage = await Storage.open(path, clock)
    try:
        assert await storage.schema_version() == LATEST
        network = await storage.network_of(LEAD)
        assert network is not None
        assert network.name == "Barts BME"
        assessment = await storage.open_assessment(LEAD)
        assert assessment is not None
        assert {k: a.option for k, a in (await storage.answers(assessment.id)).items()} == {
            "op-purpose": 2
        }
        if version >= 2:
            hub = await storage.hub_by_chat(GROUP)
            assert hub is not None
            assert hub.status == "approved"
    finally:
        await storage.close()
    with closing(sqlite3.connect(path)) as db:
        assert schema.shape(db) == schema.expected(tuple(range(1, LATEST + 1)))


def test_the_5309064_fixture_is_that_release() -> None:
    """The fixture has seven migrations: today's 1 to 6, and today's 8 (buddy) as its 7."""
    assert [_sha(script) for script in legacy.MIGRATIONS] == [
        RELEASED[n] for n in (1, 2, 3, 4, 5, 6, 8)
    ]


async def test_a_database_with_buddy_tables_as_7_is_repaired(
    tmp_path: Path, clock: FakeClock
) -> None:
    """A database made at 5309064 (buddy tables as version 7) opens: the co-lead tables are
    added, it is marked version 8, and its rows (a buddy choice among them) are kept."""
    path = tmp_path / "buddy7.sqlite3"
    build(path, legacy.MIGRATIONS, len(legacy.MIGRATIONS))
    with closing(sqlite3.connect(path)) as db:
        db.execute(
            "INSERT INTO buddies (user_id, wants, offers, share, joined_at) "
            "VALUES (?, 'enabler:time', 'theme:mentoring', 1, ?)",
            (LEAD, NOW),
        )
        db.commit()
    storage = await Storage.open(path, clock)
    try:
        assert await storage.schema_version() == LATEST
        choice = await storage.buddy(LEAD)
        assert choice is not None
        assert (choice.wants, choice.share) == ("enabler:time", True)
        network = await storage.network_of(LEAD)
        assert network is not None
        assert await storage.open_agreement(network.id) is None
    finally:
        await storage.close()
    with closing(sqlite3.connect(path)) as db:
        assert schema.shape(db) == schema.expected(tuple(range(1, LATEST + 1)))
    reopened = await Storage.open(path, clock)
    await reopened.close()


def test_a_version_7_database_with_co_lead_tables_is_not_taken_for_the_buddy_one(
    tmp_path: Path,
) -> None:
    """Today's version 7 (co-lead tables, no buddy tables) is not the 5309064 database."""
    path = tmp_path / "today7.sqlite3"
    build(path, [MIGRATIONS[n] for n in range(1, 8)], 7)
    with closing(sqlite3.connect(path)) as db:
        assert not schema.is_legacy_buddies(db)
        assert schema.problem(db) is None
