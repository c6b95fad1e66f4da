"""Bulk-load a benchmark database: the schema comes from the bot's own migrations, the rows
from plain parameterised inserts (the bot's one-at-a-time API would take minutes)."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import iso
from bot.storage import Storage
from content import Content
from scoring import score
from scoring.records import result_to_dict

REGIONS = (
    "london",
    "midlands",
    "north-west",
    "north-east-and-yorkshire",
    "east-of-england",
    "south-east",
    "south-west",
)
PATTERNS = 40  # distinct answer sets to draw results from
# Seeded networks are verified (since their registration), so they count in every figure.
NETWORK_INSERT = (
    "INSERT INTO networks (id, organisation, name, region, age, invite_code, created_at, "
    "verified_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)"
)


class _Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


async def create(db: Path) -> None:
    """An empty database with the bot's current schema."""
    storage = await Storage.open(db, _Clock())
    await storage.close()


def _patterns(content: Content, rng: random.Random) -> list[tuple[dict[str, int], str]]:
    patterns = []
    for _ in range(PATTERNS):
        answers = {item.key: rng.randrange(len(item.scale.options)) for item in content.model.items}
        patterns.append((answers, json.dumps(result_to_dict(score(content.model, answers)))))
    return patterns


def networks(
    db: Path, content: Content, count: int, *, assessments_each: int = 1, first_user: int = 10**9
) -> None:
    """`count` networks with one lead each and `assessments_each` completed assessments, all
    answered in full, completed over the last year."""
    rng = random.Random(20171)
    patterns = _patterns(content, rng)
    now = datetime.now(UTC)
    version = content.model.version
    items = content.model.items
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = OFF")
        next_network = (
            (connection.execute("SELECT COALESCE(MAX(id), 0) FROM networks").fetchone()[0]) + 1
        )
        next_assessment = (
            (connection.execute("SELECT COALESCE(MAX(id), 0) FROM assessments").fetchone()[0]) + 1
        )
        for offset in range(count):
            network_id = next_network + offset
            user_id = first_user + offset
            created = iso(now - timedelta(days=400))
            connection.execute(
                "INSERT INTO users (id, created_at) VALUES (?, ?)", (user_id, created)
            )
            connection.execute(
                NETWORK_INSERT,
                (
                    network_id,
                    "Bench Trust",
                    f"Bench {network_id}",
                    REGIONS[offset % 7],
                    "y1-3",
                    f"b{network_id}",
                    created,
                ),
            )
            connection.execute(
                "INSERT INTO leads (user_id, network_id, role, joined_at) VALUES (?, ?, 'lead', ?)",
                (user_id, network_id, created),
            )
            for _ in range(assessments_each):
                answers, result = patterns[rng.randrange(PATTERNS)]
                data = json.loads(result)
                done = iso(now - timedelta(days=rng.randrange(1, 360)))
                connection.execute(
                    "INSERT INTO assessments (id, network_id, user_id, content_version, status, "
                    "position, started_at, updated_at, completed_at, total, band, result) "
                    "VALUES (?, ?, ?, ?, 'completed', ?, ?, ?, ?, ?, ?, ?)",
                    (
                        next_assessment,
                        network_id,
                        user_id,
                        version,
                        len(items),
                        done,
                        done,
                        done,
                        data["total"],
                        data["band"],
                        result,
                    ),
                )
                connection.executemany(
                    "INSERT INTO answers (assessment_id, item_key, option, points, answered_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [
                        (
                            next_assessment,
                            item.key,
                            answers[item.key],
                            item.scale.options[answers[item.key]].points,
                            done,
                        )
                        for item in items
                    ],
                )
                next_assessment += 1
        connection.commit()


def leads(db: Path, count: int, *, first_user: int) -> list[int]:
    """`count` registered leads of their own new networks, with no assessment yet."""
    now = iso(datetime.now(UTC))
    with sqlite3.connect(db) as connection:
        next_network = (
            (connection.execute("SELECT COALESCE(MAX(id), 0) FROM networks").fetchone()[0]) + 1
        )
        for offset in range(count):
            user_id, network_id = first_user + offset, next_network + offset
            connection.execute("INSERT INTO users (id, created_at) VALUES (?, ?)", (user_id, now))
            connection.execute(
                NETWORK_INSERT,
                (
                    network_id,
                    "Bench Trust",
                    f"Lead {user_id}",
                    "london",
                    "y1-3",
                    f"l{user_id}",
                    now,
                ),
            )
            connection.execute(
                "INSERT INTO leads (user_id, network_id, role, joined_at) VALUES (?, ?, 'lead', ?)",
                (user_id, network_id, now),
            )
        connection.commit()
    return [first_user + offset for offset in range(count)]


def hubs(db: Path, count: int, *, weekday: int = 0, at: str = "09:00") -> None:
    """`count` active hub groups (ids 1 to `count` in a new database), nudging weekly at
    `weekday` (0 Monday) and `at` (HH:MM, the bot's time zone), registered a week ago."""
    since = iso(datetime.now(UTC) - timedelta(days=7))
    with sqlite3.connect(db) as connection:
        connection.executemany(
            "INSERT INTO hubs (chat_id, region, nudge_weekday, nudge_time, schedule_since, "
            "registered_by, registered_at) VALUES (?, ?, ?, ?, ?, 1, ?)",
            [
                (-1_000_000_000_000 - i, REGIONS[i % 7], weekday, at, since, since)
                for i in range(count)
            ],
        )
        connection.commit()
