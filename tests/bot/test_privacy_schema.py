"""Privacy driven by the schema: every column that can hold a user's id is declared by a store's
PRIVACY part, and after /forget none of them holds the user's id any more."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

from bot.db import schema
from bot.db.privacy import PARTS
from bot.migrations import LATEST, MIGRATIONS
from bot.rows import WresRow
from content import Content
from tests.harness import Harness
from tests.seed import seed_result

USER = 1901
OTHER = 1902
GROUP = -1019001

# Columns that look like a user's but never hold one: a hub's group chat (always negative).
NOT_USERS = frozenset({("hubs", "chat_id")})


def _declared() -> set[tuple[str, str]]:
    return {column for part in PARTS for column in part.columns}


def _candidates() -> set[tuple[str, str]]:
    """From the schema: (table, column) for every foreign key to users, the users' id, and
    every column named like a person (`user_id`, `chat_id`, `..._by`)."""
    with closing(sqlite3.connect(":memory:")) as db:
        for number in range(1, LATEST + 1):
            db.executescript(MIGRATIONS[number])
        found = {("users", "id")}
        for table, columns in schema.shape(db).items():
            for row in db.execute("SELECT * FROM pragma_foreign_key_list(?)", (table,)):
                if row[2] == "users":
                    found.add((table, row[3]))
            found.update(
                (table, column)
                for column in columns
                if column in ("user_id", "chat_id") or column.endswith("_by")
            )
        return found


def test_every_user_column_in_the_schema_is_declared_by_a_store() -> None:
    """A new column that can hold a user's id fails here until a store's PRIVACY lists it."""
    assert _candidates() - NOT_USERS - _declared() == set()


def test_every_declared_column_exists() -> None:
    """Each store's declared columns are real columns of the schema."""
    shape = schema.expected(tuple(range(1, LATEST + 1)))
    assert {(t, c) for t, c in _declared() if c not in shape.get(t, frozenset())} == set()


async def _seed_everywhere(bot: Harness, content: Content) -> None:
    """Put USER's id in every declared column, through the stores; OTHER's network keeps what
    USER did there (a WRES quarter, a plan step, a settled item)."""
    storage = bot.storage
    assessment_id = await seed_result(storage, content.model, USER)
    other_id = await seed_result(storage, content.model, OTHER)
    other = await storage.network_of(OTHER)
    assert other is not None
    agreement_id = await storage.join_agreement(other.id, None, [other_id, assessment_id])
    assert await storage.settle(agreement_id, "op-purpose", 2, USER)
    hub = await storage.register_hub(GROUP, "london", USER, approved=True)
    await storage.add_practice(USER, "london", "A mentoring circle")
    theirs = await storage.add_practice(OTHER, "london", "Reverse mentoring")
    assert await storage.submit_practice(theirs.id, OTHER, None)
    assert await storage.decide_practice(theirs.id, True, USER)
    await storage.add_review_card(theirs.id, USER, 77)  # USER as an operator
    meeting = await storage.add_meeting(
        hub.id, bot.clock.now() + timedelta(days=7), "Planning", USER
    )
    assert await storage.answer_rsvp(meeting.id, USER, True)
    assert await storage.claim(f"reminder:{USER}", USER, "reminder")
    row = WresRow(other.id, 2, "2027Q1", "", 100, 10, 50, 2)
    assert await storage.save_wres(row, USER, replace=False)
    step = await storage.add_plan_step(
        other.id,
        USER,
        text="Book a room",
        owner="",
        due=date(2027, 6, 1),
        source="",
        open_limit=10,
    )
    assert step is not None
    await storage.set_buddy(USER, "enabler:time", "theme:mentoring", True)
    assert await storage.save_buddy_round("2027-03", [("london", [USER, OTHER])], [])
    assert await storage.verify_network(other.id, USER)  # USER as an operator


def _holding(path: Path) -> dict[tuple[str, str], int]:
    """How many rows of each declared column hold USER's id."""
    with closing(sqlite3.connect(path)) as db:
        return {
            (table, column): db.execute(
                # Table and column names come from the stores' own declarations, not input.
                f"SELECT COUNT(*) FROM {table} WHERE {column} = ?",
                (USER,),
            ).fetchone()[0]
            for table, column in sorted(_declared())
        }


async def test_after_forget_no_user_column_holds_the_id(
    bot: Harness, content: Content, tmp_path: Path
) -> None:
    """Every declared column held the user's id before /forget, and none does after it."""
    await _seed_everywhere(bot, content)
    path = tmp_path / "bot.sqlite3"  # the `bot` fixture's database
    before = _holding(path)
    assert [column for column, count in before.items() if count == 0] == []
    await bot.send(USER, "/forget")
    await bot.tap(USER, "Yes, delete everything")
    assert "deleted" in bot.fake.shown(USER)[-1].text
    assert {column: count for column, count in _holding(path).items() if count} == {}
    other = await bot.storage.network_of(OTHER)
    assert other is not None
    assert len(await bot.storage.wres_rows(other.id)) == 1
    assert len(await bot.storage.plan_steps(other.id)) == 1
    assert bot.errors == []
