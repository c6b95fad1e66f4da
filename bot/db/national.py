"""The national picture (issue 25): what it is built from (verified networks, their latest
agreed results and WRES figures) and every picture published."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiosqlite

from bot.db.core import Core


@dataclass(frozen=True)
class NationalRows:
    """The raw rows a picture is built from, read in one snapshot of the database.

    networks: (id, region, age) of each verified network.
    history: (network id, assessment id, completed_at, band) of each verified network's
        completed results that count, oldest first: an assessment of a co-lead round whose
        differences are not settled is not the network's result until its leads agree (the
        agreed one, stored later, is then its latest).
    latest: (network id, assessment id, completed_at, result JSON) of each one's latest.
    answers: (assessment id, item key, option) of each one's latest result, `items` only.
    wres: (network id, indicator, quarter, white size, white count, bme size, bme count): each
        verified network's latest whole-organisation figures per indicator from `since_quarter`.
    pulses: (network id, pulse id, statement, option, count) of each verified network's latest
        closed member pulse with enough answers (as `PulseStore.latest_pulse_figures` picks it),
        where that pulse closed within the window; statement, option and count are None for a
        pulse without counts.
    """

    networks: list[tuple[int, str, str]]
    history: list[tuple[int, int, str, str]]
    latest: list[tuple[int, int, str, str]]
    answers: list[tuple[int, str, int]]
    wres: list[tuple[int, int, str, int, int, int, int]]
    pulses: list[tuple[int, int, str | None, int | None, int | None]]


@dataclass(frozen=True)
class StoredPicture:
    id: int
    quarter: str | None
    as_of: str
    members: dict[str, str]
    data: dict[str, Any]


class NationalStore(Core):
    """The national picture's reads, and the pictures published."""

    # -- national picture (issue 25) --

    async def latest_picture(self) -> tuple[int, dict[str, Any]] | None:
        """The picture published last (its id and tables), if any."""
        row = await self._one("SELECT id, data FROM national_pictures ORDER BY id DESC LIMIT 1")
        return (row["id"], json.loads(row["data"])) if row else None

    async def picture_for_quarter(self, picture_id: int, quarter: str) -> bool:
        """Record a picture published before as `quarter`'s too (it stands, unchanged); False
        if that quarter's picture was recorded before."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO national_pictures (quarter, as_of, members, data, created_at) "
                "SELECT ?, as_of, members, data, ? FROM national_pictures WHERE id = ? "
                "ON CONFLICT (quarter) DO NOTHING",
                (quarter, self._now(), picture_id),
            )
            return cursor.rowcount == 1

    async def quarter_before(self, quarter: str | None) -> tuple[str, dict[str, Any]] | None:
        """The last quarter's picture before `quarter` (any quarter's when None): its quarter
        and its tables (not its member list)."""
        row = await self._one(
            "SELECT quarter, data FROM national_pictures WHERE quarter IS NOT NULL "
            "AND (? IS NULL OR quarter < ?) ORDER BY quarter DESC LIMIT 1",
            (quarter, quarter),
        )
        return (row["quarter"], json.loads(row["data"])) if row else None

    async def national_pictures(self) -> list[StoredPicture]:
        """Every picture published, oldest first."""
        rows = await self._all(
            "SELECT id, quarter, as_of, members, data FROM national_pictures ORDER BY id"
        )
        return [_picture(row) for row in rows]

    async def quarter_picture(self, quarter: str) -> StoredPicture | None:
        """The picture published for a quarter (e.g. 2027Q1), if any."""
        row = await self._one(
            "SELECT id, quarter, as_of, members, data FROM national_pictures WHERE quarter = ?",
            (quarter,),
        )
        return _picture(row) if row else None

    async def save_picture(
        self, quarter: str | None, as_of: str, members: str, data: dict[str, Any]
    ) -> bool:
        """Record a published picture (`members`: its member list as JSON); False if that
        quarter's picture was recorded before (the first one recorded for a quarter stands)."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO national_pictures (quarter, as_of, members, data, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (quarter) DO NOTHING",
                (quarter, as_of, members, json.dumps(data), self._now()),
            )
            return cursor.rowcount == 1


def _picture(row: aiosqlite.Row | sqlite3.Row) -> StoredPicture:
    return StoredPicture(
        id=row["id"],
        quarter=row["quarter"],
        as_of=row["as_of"],
        members=json.loads(row["members"]),
        data=json.loads(row["data"]),
    )


def read_national(
    path: Path, since: str, items: Sequence[str], since_quarter: str, minimum: int
) -> tuple[NationalRows, list[dict[str, str]]]:
    """`NationalRows` and the member list of every picture published (oldest first), read in
    one snapshot over a read-only connection of its own: for a worker process, so the bot's
    event loop never waits on building the picture."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True, isolation_level=None)) as db:
        db.execute("PRAGMA busy_timeout = 5000")
        db.execute("BEGIN")
        try:
            rows = _national_rows(db, since, items, since_quarter, minimum)
            history = [
                json.loads(row[0])
                for row in db.execute("SELECT members FROM national_pictures ORDER BY id")
            ]
        finally:
            db.execute("COMMIT")
    return rows, history


def _national_rows(
    db: sqlite3.Connection, since: str, items: Sequence[str], since_quarter: str, minimum: int
) -> NationalRows:
    networks = db.execute(
        "SELECT id, region, age FROM networks WHERE verified_at IS NOT NULL ORDER BY id"
    ).fetchall()
    pending = {
        row[0]
        for row in db.execute(
            "SELECT m.assessment_id FROM agreement_members m "
            "JOIN agreements g ON g.id = m.agreement_id WHERE g.agreed_at IS NULL"
        )
    }
    history = [
        (row[0], row[1], row[2], row[3])
        for row in db.execute(
            "SELECT a.network_id, a.id, a.completed_at, a.band FROM assessments a "
            "JOIN networks n ON n.id = a.network_id WHERE n.verified_at IS NOT NULL "
            "AND a.status = 'completed' ORDER BY a.network_id, a.completed_at, a.id"
        )
        if row[1] not in pending
    ]
    last: dict[int, tuple[int, str]] = {}
    for network_id, assessment_id, completed_at, _ in history:
        last[network_id] = (assessment_id, completed_at)
    ids = json.dumps(sorted(a for a, completed_at in last.values() if completed_at >= since))
    latest = db.execute(
        "SELECT network_id, id, completed_at, result FROM assessments "
        "WHERE id IN (SELECT value FROM json_each(?)) ORDER BY network_id",
        (ids,),
    ).fetchall()
    answers = db.execute(
        "SELECT assessment_id, item_key, option FROM answers "
        "WHERE assessment_id IN (SELECT value FROM json_each(?)) "
        "AND item_key IN (SELECT value FROM json_each(?))",
        (ids, json.dumps(list(items))),
    ).fetchall()
    wres = db.execute(
        "SELECT w.network_id, w.indicator, w.quarter, w.white_size, w.white_count, "
        "w.bme_size, w.bme_count FROM wres_quarters w "
        "JOIN networks n ON n.id = w.network_id "
        "WHERE n.verified_at IS NOT NULL AND w.label = '' AND w.quarter >= ? "
        "AND w.quarter = (SELECT MAX(quarter) FROM wres_quarters l "
        "  WHERE l.network_id = w.network_id AND l.indicator = w.indicator "
        "  AND l.label = '') ORDER BY w.network_id, w.indicator",
        (since_quarter,),
    ).fetchall()
    # Each verified network's latest closed pulse with at least `minimum` answers (the pulse's
    # own rule for showing anything), counted only when it closed within the window.
    pulses = db.execute(
        "SELECT p.network_id, p.id, c.statement, c.option, c.count FROM pulses p "
        "JOIN networks n ON n.id = p.network_id "
        "LEFT JOIN pulse_counts c ON c.pulse_id = p.id "
        "WHERE n.verified_at IS NOT NULL AND p.closed_at >= ? "
        "AND p.id = (SELECT l.id FROM pulses l WHERE l.network_id = p.network_id "
        "  AND l.closed_at IS NOT NULL AND l.answers >= ? "
        "  ORDER BY l.closed_at DESC, l.id DESC LIMIT 1) "
        "ORDER BY p.network_id, c.statement, c.option",
        (since, minimum),
    ).fetchall()
    return NationalRows(
        networks=[(r[0], r[1], r[2]) for r in networks],
        history=history,
        latest=[(r[0], r[1], r[2], r[3]) for r in latest],
        answers=[(r[0], r[1], r[2]) for r in answers],
        wres=[(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in wres],
        pulses=[(r[0], r[1], r[2], r[3], r[4]) for r in pulses],
    )
