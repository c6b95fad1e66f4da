"""Member pulses: the pulse, who has answered (a keyed hash, while open), the counts, the free
text, and the hubs' published count (issue 24)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import aiosqlite

from bot.clock import iso, parse
from bot.db.core import Core, Privacy
from bot.rows import Pulse, PulseFigures, PulseTaker
from scoring.pulse import OPTIONS as PULSE_OPTIONS

PULSE_COMMENT_STATE = "pulse_comment"  # users.state while a member may type their one thing


class PulseStore(Core):
    """Pulses and their anonymous answers."""

    async def open_pulse(self, network_id: int, user_id: int, closes_at: datetime) -> Pulse | None:
        """Open a pulse for the network; None (nothing opened) if one is open already."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO pulses (network_id, code, hash_key, opened_by, opened_at, closes_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (
                    network_id,
                    secrets.token_urlsafe(9),
                    secrets.token_hex(32),
                    user_id,
                    self._now(),
                    iso(closes_at),
                ),
            )
            pulse_id = cursor.lastrowid if cursor.rowcount == 1 else None
        return await self.pulse(pulse_id) if pulse_id else None

    async def pulse(self, pulse_id: int) -> Pulse | None:
        row = await self._one("SELECT * FROM pulses WHERE id = ?", (pulse_id,))
        return _pulse(row) if row else None

    async def pulse_by_code(self, code: str) -> Pulse | None:
        row = await self._one("SELECT * FROM pulses WHERE code = ?", (code,))
        return _pulse(row) if row else None

    async def pulses(self, network_id: int) -> list[Pulse]:
        """The network's pulses, newest first."""
        rows = await self._all(
            "SELECT * FROM pulses WHERE network_id = ? ORDER BY opened_at DESC, id DESC",
            (network_id,),
        )
        return [_pulse(row) for row in rows]

    async def pulses_due(self, now: datetime) -> list[Pulse]:
        """Open pulses whose time is up."""
        rows = await self._all(
            "SELECT * FROM pulses WHERE closed_at IS NULL AND closes_at <= ? ORDER BY id",
            (iso(now),),
        )
        return [_pulse(row) for row in rows]

    async def extend_pulse(self, pulse_id: int, closes_at: datetime) -> bool:
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE pulses SET closes_at = ? WHERE id = ? AND closed_at IS NULL",
                (iso(closes_at), pulse_id),
            )
            return cursor.rowcount == 1

    async def close_pulse(self, pulse_id: int, minimum: int) -> bool:
        """Close the pulse: drop its key and every member's marker and unfinished answers; with
        fewer than `minimum` answers, drop its counts and free text too. False if it was closed."""
        now = self._now()

        def work(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                "UPDATE pulses SET closed_at = ?, hash_key = NULL "
                "WHERE id = ? AND closed_at IS NULL",
                (now, pulse_id),
            )
            if cursor.rowcount != 1:
                return False
            db.execute("DELETE FROM pulse_takers WHERE pulse_id = ?", (pulse_id,))
            db.execute(
                "UPDATE users SET state = NULL, draft = NULL WHERE state = ? "
                "AND json_extract(draft, '$.pulse') = ?",
                (PULSE_COMMENT_STATE, pulse_id),
            )
            db.execute(
                "DELETE FROM pulse_counts WHERE pulse_id = ? "
                "AND (SELECT answers FROM pulses WHERE id = ?) < ?",
                (pulse_id, pulse_id, minimum),
            )
            db.execute(
                "DELETE FROM pulse_comments WHERE pulse_id = ? "
                "AND (SELECT answers FROM pulses WHERE id = ?) < ?",
                (pulse_id, pulse_id, minimum),
            )
            return True

        return await self._atomic(work)

    async def pulse_taker(self, pulse_id: int, user_id: int) -> PulseTaker | None:
        """Where the member is in the open pulse; None if they have not begun (or it closed)."""

        def work(db: sqlite3.Connection) -> PulseTaker | None:
            taker = _taker(db, pulse_id, user_id)
            if taker is None:
                return None
            row = db.execute(
                "SELECT position, draft, done FROM pulse_takers WHERE pulse_id = ? AND taker = ?",
                (pulse_id, taker),
            ).fetchone()
            if row is None:
                return None
            return PulseTaker(row[0], tuple(json.loads(row[1] or "[]")), bool(row[2]))

        return await self._reads_with(work)

    async def begin_pulse(self, pulse_id: int, user_id: int) -> bool:
        """Start (or start over) the member's answer; False if the pulse is closed or they
        already finished it."""

        def work(db: sqlite3.Connection) -> bool:
            taker = _taker(db, pulse_id, user_id)
            if taker is None:
                return False
            cursor = db.execute(
                "INSERT INTO pulse_takers (pulse_id, taker, position, draft) "
                "VALUES (?, ?, 0, '[]') "
                "ON CONFLICT (pulse_id, taker) DO UPDATE SET position = 0, draft = '[]' "
                "WHERE done = 0",
                (pulse_id, taker),
            )
            return cursor.rowcount == 1

        return await self._atomic(work)

    async def answer_pulse(self, pulse_id: int, user_id: int, position: int, option: int) -> bool:
        """Record the member's answer to the statement at `position`, if that is where they are
        in the open pulse (a stale or repeated press changes nothing)."""

        def work(db: sqlite3.Connection) -> bool:
            taker = _taker(db, pulse_id, user_id)
            if taker is None:
                return False
            row = db.execute(
                "SELECT draft FROM pulse_takers WHERE pulse_id = ? AND taker = ? "
                "AND position = ? AND done = 0",
                (pulse_id, taker, position),
            ).fetchone()
            if row is None:
                return False
            draft = [*json.loads(row[0] or "[]"), option]
            db.execute(
                "UPDATE pulse_takers SET position = ?, draft = ? WHERE pulse_id = ? AND taker = ?",
                (position + 1, json.dumps(draft), pulse_id, taker),
            )
            return True

        return await self._atomic(work)

    async def finish_pulse(
        self, pulse_id: int, user_id: int, statements: Sequence[str], comment: str | None
    ) -> bool:
        """Count the member's answers (all of `statements`, in order) and keep the comment,
        unlinked; mark them done. False, counting nothing, if the pulse closed or its time is
        up, or they have not answered every statement, or already finished."""
        now = self._now()

        def work(db: sqlite3.Connection) -> bool:
            taker = _taker(db, pulse_id, user_id, before=now)
            if taker is None:
                return False
            row = db.execute(
                "SELECT draft FROM pulse_takers WHERE pulse_id = ? AND taker = ? "
                "AND position = ? AND done = 0",
                (pulse_id, taker, len(statements)),
            ).fetchone()
            if row is None:
                return False
            answers = json.loads(row[0] or "[]")
            if len(answers) != len(statements):
                return False
            db.executemany(
                "INSERT INTO pulse_counts (pulse_id, statement, option, count) "
                "VALUES (?, ?, ?, 1) ON CONFLICT (pulse_id, statement, option) "
                "DO UPDATE SET count = count + 1",
                [
                    (pulse_id, key, int(option))
                    for key, option in zip(statements, answers, strict=True)
                ],
            )
            if comment:
                db.execute(
                    "INSERT INTO pulse_comments (pulse_id, text) VALUES (?, ?)", (pulse_id, comment)
                )
            db.execute(
                "UPDATE pulse_takers SET done = 1, draft = NULL WHERE pulse_id = ? AND taker = ?",
                (pulse_id, taker),
            )
            db.execute("UPDATE pulses SET answers = answers + 1 WHERE id = ?", (pulse_id,))
            db.execute(
                "UPDATE users SET state = NULL, draft = NULL WHERE id = ? AND state = ?",
                (user_id, PULSE_COMMENT_STATE),
            )
            return True

        return await self._atomic(work)

    async def stop_pulse(self, pulse_id: int, user_id: int) -> None:
        """Delete the member's unfinished answer (a finished one is only in the totals)."""

        def work(db: sqlite3.Connection) -> None:
            taker = _taker(db, pulse_id, user_id)
            if taker is not None:
                db.execute(
                    "DELETE FROM pulse_takers WHERE pulse_id = ? AND taker = ? AND done = 0",
                    (pulse_id, taker),
                )
            db.execute(
                "UPDATE users SET state = NULL, draft = NULL WHERE id = ? AND state = ?",
                (user_id, PULSE_COMMENT_STATE),
            )

        await self._atomic(work)

    async def pulse_figures(self, pulse_id: int) -> PulseFigures | None:
        """A pulse's totals and free text (callers show them only as scoring.pulse allows)."""
        pulse = await self.pulse(pulse_id)
        if pulse is None:
            return None
        counts, comments = await self._reads(
            (
                "SELECT statement, option, count FROM pulse_counts WHERE pulse_id = ?",
                (pulse_id,),
            ),
            # Sorted by the text, so the order says nothing about when (or with what) it came.
            ("SELECT text FROM pulse_comments WHERE pulse_id = ? ORDER BY text", (pulse_id,)),
        )
        return PulseFigures(pulse, _pulse_counts(counts), tuple(row[0] for row in comments))

    async def latest_pulse_figures(
        self, network_ids: Sequence[int], minimum: int
    ) -> dict[int, PulseFigures]:
        """For each of the networks, its latest closed pulse with at least `minimum` answers and
        that pulse's counts per statement and option (no free text). For the national picture
        (issue 25) and the board pack."""
        found: dict[int, PulseFigures] = {}
        for network_id in network_ids:
            row = await self._one(
                "SELECT * FROM pulses WHERE network_id = ? AND closed_at IS NOT NULL "
                "AND answers >= ? ORDER BY closed_at DESC, id DESC LIMIT 1",
                (network_id, minimum),
            )
            if row is None:
                continue
            pulse = _pulse(row)
            counts = await self._all(
                "SELECT statement, option, count FROM pulse_counts WHERE pulse_id = ?", (pulse.id,)
            )
            found[network_id] = PulseFigures(pulse, _pulse_counts(counts))
        return found

    async def networks_pulsed_between(
        self, region: str, start: datetime, end: datetime
    ) -> set[int]:
        """The region's networks that opened a pulse in [start, end)."""
        rows = await self._all(
            "SELECT DISTINCT p.network_id FROM pulses p JOIN networks n ON n.id = p.network_id "
            "WHERE n.region = ? AND p.opened_at >= ? AND p.opened_at < ?",
            (region, iso(start), iso(end)),
        )
        return {int(row[0]) for row in rows}

    async def pulse_publication(self, region: str, quarter: str) -> tuple[set[int], bool] | None:
        """The networks the region's published pulse count describes, and whether it was shown."""
        row = await self._one(
            "SELECT members, shown FROM pulse_publications WHERE region = ? AND quarter = ?",
            (region, quarter),
        )
        if row is None:
            return None
        return {int(n) for n in json.loads(row["members"])}, bool(row["shown"])

    async def save_pulse_publication(
        self, region: str, quarter: str, members: set[int], shown: bool
    ) -> None:
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO pulse_publications (region, quarter, members, shown) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (region, quarter) DO UPDATE SET "
                "members = excluded.members, shown = excluded.shown",
                (region, quarter, json.dumps(sorted(members)), int(shown)),
            )

    async def export_pulses(self, user_id: int, minimum: int) -> list[dict[str, Any]]:
        """The pulses of the user's network (if they lead one): dates, answer counts, and the
        totals of those closed with at least `minimum` answers."""
        rows = await self._all(
            "SELECT p.* FROM pulses p JOIN leads l ON l.network_id = p.network_id "
            "WHERE l.user_id = ? ORDER BY p.id",
            (user_id,),
        )
        exported = []
        for row in rows:
            pulse = _pulse(row)
            entry: dict[str, Any] = {
                "opened_at": row["opened_at"],
                "closes_at": row["closes_at"],
                "closed_at": row["closed_at"],
                "answers": pulse.answers,
                "opened_by_you": row["opened_by"] == user_id,
            }
            if pulse.closed and pulse.answers >= minimum:
                figures = await self.pulse_figures(pulse.id)
                assert figures is not None
                entry["counts_by_statement"] = {k: list(v) for k, v in figures.counts.items()}
                entry["one_thing_next"] = list(figures.comments)
            exported.append(entry)
        return exported


def _taker(
    db: sqlite3.Connection, pulse_id: int, user_id: int, *, before: str | None = None
) -> str | None:
    """The member's marker in an open pulse: an HMAC of their id under the pulse's key; None
    when the pulse is closed (or, with `before`, its time is up by then)."""
    row = db.execute(
        "SELECT hash_key, closes_at FROM pulses WHERE id = ? AND closed_at IS NULL", (pulse_id,)
    ).fetchone()
    if row is None or row[0] is None or (before is not None and row[1] <= before):
        return None
    return _marker(row[0], user_id)


def _marker(key: str, user_id: int) -> str:
    """A member's marker in a pulse: an HMAC of their id under the pulse's key."""
    return hmac.new(bytes.fromhex(key), str(user_id).encode(), hashlib.sha256).hexdigest()


def _pulse(row: aiosqlite.Row | sqlite3.Row) -> Pulse:
    return Pulse(
        id=row["id"],
        network_id=row["network_id"],
        code=row["code"],
        opened_at=parse(row["opened_at"]),
        closes_at=parse(row["closes_at"]),
        closed_at=parse(row["closed_at"]) if row["closed_at"] else None,
        answers=row["answers"],
    )


def _pulse_counts(rows: Sequence[sqlite3.Row]) -> dict[str, tuple[int, ...]]:
    counts: dict[str, list[int]] = {}
    for statement, option, count in rows:
        options = counts.setdefault(statement, [0] * PULSE_OPTIONS)
        if 0 <= option < PULSE_OPTIONS:
            options[option] = count
    return {key: tuple(value) for key, value in counts.items()}


async def _export(store: Core, user_id: int) -> dict[str, Any]:
    # A lead's pulses, with their figures, are added by /export itself (it knows the minimum
    # group size); nothing a member answered can be tied to them, so there is nothing to add.
    return {}


async def _forget(db: aiosqlite.Connection, user_id: int) -> bool:
    """Delete the member's unfinished answers in every open pulse, and the record of which lead
    opened a pulse. (Finished answers are only in the totals; the marker that stops a second
    answer goes when each pulse closes.)"""
    async with db.execute("SELECT id, hash_key FROM pulses WHERE hash_key IS NOT NULL") as cursor:
        open_pulses = await cursor.fetchall()
    for pulse_id, key in open_pulses:
        await db.execute(
            "DELETE FROM pulse_takers WHERE pulse_id = ? AND taker = ? AND done = 0",
            (pulse_id, _marker(key, user_id)),
        )
    await db.execute("UPDATE pulses SET opened_by = NULL WHERE opened_by = ?", (user_id,))
    return False


PRIVACY = Privacy(columns=(("pulses", "opened_by"),), export=_export, forget=_forget)
