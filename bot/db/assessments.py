"""Assessments: rounds in progress (the two-trip answer path), answers, results, revisions,
result delivery and reminders.

A completed assessment's result is decoded once here into `scoring`'s `Result`."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import aiosqlite

from bot.clock import iso, parse
from bot.db.core import Core, Privacy
from bot.db.networks import _network
from bot.rows import (
    Answer,
    CompletedAssessment,
    DueReassessment,
    NetworkHistory,
    OpenAssessment,
)
from scoring.engine import Result
from scoring.progress import Step
from scoring.records import result_from_dict, result_to_dict

# A round's answers as last time: (the content version they were given in, answers by item).
LastRound = tuple[str, dict[str, Answer]]

# The answers (with its content version) of the network's latest result completed before the
# assessment `?` began, for a new round (not a change to a result).
LAST_ROUND_ANSWERS = (
    "SELECT p.content_version, x.item_key, x.option, x.points, x.evidence "
    "FROM answers x JOIN assessments p ON p.id = x.assessment_id WHERE p.id = ("
    "  SELECT q.id FROM assessments a "
    "  JOIN assessments q ON q.network_id = a.network_id AND q.status = 'completed' "
    "  AND q.id != a.id AND q.completed_at <= a.started_at "
    "  WHERE a.id = ? AND a.revises IS NULL "
    "  ORDER BY q.completed_at DESC, q.id DESC LIMIT 1"
    ")"
)


class AssessmentStore(Core):
    """Assessments, their answers and results."""

    async def open_assessment(self, user_id: int) -> OpenAssessment | None:
        """The user's assessment in progress, if any."""
        row = await self._one(
            "SELECT * FROM assessments WHERE user_id = ? AND status = 'in_progress'", (user_id,)
        )
        return _open(row) if row else None

    async def in_progress(self, assessment_id: int) -> OpenAssessment | None:
        """This assessment, if it is still being answered."""
        row = await self._one(
            "SELECT * FROM assessments WHERE id = ? AND status = 'in_progress'", (assessment_id,)
        )
        return _open(row) if row else None

    async def completed(self, assessment_id: int) -> CompletedAssessment | None:
        """This assessment, if it is completed."""
        row = await self._one(
            "SELECT * FROM assessments WHERE id = ? AND status = 'completed'", (assessment_id,)
        )
        return _completed(row) if row else None

    async def start_assessment(self, user_id: int, network_id: int, version: str) -> OpenAssessment:
        """The user's open assessment, starting a new one if there is none."""
        now = self._now()
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO assessments "
                "(network_id, user_id, content_version, status, started_at, updated_at) "
                "VALUES (?, ?, ?, 'in_progress', ?, ?) "
                "ON CONFLICT (user_id) WHERE status = 'in_progress' DO NOTHING",
                (network_id, user_id, version, now, now),
            )
        assessment = await self.open_assessment(user_id)
        assert assessment is not None
        return assessment

    async def answers(self, assessment_id: int) -> dict[str, Answer]:
        rows = await self._all(
            "SELECT item_key, option, points, evidence FROM answers WHERE assessment_id = ?",
            (assessment_id,),
        )
        return {row["item_key"]: _answer(row) for row in rows}

    async def in_progress_with_answers(
        self, assessment_id: int
    ) -> tuple[OpenAssessment, dict[str, Answer]] | None:
        """This assessment, if it is still being answered, with its answers (one trip)."""
        found = await self.answering(assessment_id)
        return (found[0], found[1]) if found is not None else None

    async def answering(
        self, assessment_id: int
    ) -> tuple[OpenAssessment, dict[str, Answer], LastRound | None] | None:
        """This assessment, if it is still being answered, with its answers and the network's
        last round before it (as `last_round` gives it), in one trip: what an answer needs."""
        assessments, answers, last = await self._reads(
            ("SELECT * FROM assessments WHERE id = ? AND status = 'in_progress'", (assessment_id,)),
            (
                "SELECT item_key, option, points, evidence FROM answers WHERE assessment_id = ?",
                (assessment_id,),
            ),
            (LAST_ROUND_ANSWERS, (assessment_id,)),
        )
        if not assessments:
            return None
        own = {row["item_key"]: _answer(row) for row in answers}
        return _open(assessments[0]), own, _last_round(last)

    async def record_answer(
        self,
        assessment_id: int,
        *,
        expected: Step,
        to: Step,
        item_key: str,
        option: int,
        points: int,
        note: str | None = None,
    ) -> bool:
        """Store an answer and move the assessment from `expected` to `to`, if it still stands
        at `expected` (scoring.progress decided both). `note` is an evidence note carried over
        from the last round with the same answer.

        Returns False (and changes nothing) for a stale or repeated press.
        """
        now = self._now()

        def work(db: sqlite3.Connection) -> bool:
            if not _move_step(db, assessment_id, expected, to, now):
                return False
            db.execute(
                "INSERT INTO answers (assessment_id, item_key, option, points, evidence, "
                "answered_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (assessment_id, item_key) DO UPDATE SET "
                "option = excluded.option, points = excluded.points, "
                # The same answer again keeps its note; a different one drops it.
                "evidence = CASE WHEN answers.option = excluded.option "
                "THEN COALESCE(answers.evidence, excluded.evidence) ELSE excluded.evidence END, "
                "answered_at = excluded.answered_at",
                (assessment_id, item_key, option, points, note, now),
            )
            return True

        return await self._atomic(work)

    async def finish_evidence(
        self,
        assessment_id: int,
        *,
        item_key: str,
        evidence: str | None,
        to: Step,
        remove: bool = False,
    ) -> bool:
        """Store the note for the item awaiting one (None keeps any saved note; `remove` deletes
        it) and move to `to`; False if that note is no longer awaited."""
        now = self._now()

        def work(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                "UPDATE assessments SET awaiting_evidence = ?, position = ?, updated_at = ? "
                "WHERE id = ? AND status = 'in_progress' AND awaiting_evidence = ?",
                (to.awaiting_evidence, to.position, now, assessment_id, item_key),
            )
            if cursor.rowcount != 1:
                return False
            db.execute(
                "UPDATE answers SET evidence = CASE WHEN ? THEN NULL "
                "ELSE COALESCE(?, evidence) END WHERE assessment_id = ? AND item_key = ?",
                (int(remove), evidence, assessment_id, item_key),
            )
            return True

        return await self._atomic(work)

    async def move(self, assessment_id: int, *, expected: Step, to: Step) -> bool:
        """Move the assessment from `expected` to `to` (Back); False if it has moved on."""
        now = self._now()

        def work(db: sqlite3.Connection) -> bool:
            return _move_step(db, assessment_id, expected, to, now)

        return await self._atomic(work)

    async def drop_answers(self, assessment_id: int, item_keys: Sequence[str]) -> None:
        async with self._transaction() as db:
            await db.executemany(
                "DELETE FROM answers WHERE assessment_id = ? AND item_key = ?",
                [(assessment_id, key) for key in item_keys],
            )

    async def renumber_answers(
        self, assessment_id: int, keep: dict[str, tuple[int, int]], drop: Sequence[str]
    ) -> None:
        """Carry answers over to new content: set (option, points) for `keep`, delete `drop`."""
        async with self._transaction() as db:
            await db.executemany(
                "UPDATE answers SET option = ?, points = ? "
                "WHERE assessment_id = ? AND item_key = ?",
                [(option, points, assessment_id, key) for key, (option, points) in keep.items()],
            )
            await db.executemany(
                "DELETE FROM answers WHERE assessment_id = ? AND item_key = ?",
                [(assessment_id, key) for key in drop],
            )

    async def start_revision(
        self,
        user_id: int,
        original: CompletedAssessment,
        *,
        version: str,
        answers: Sequence[tuple[str, int, int, str | None]],
        to: Step,
    ) -> OpenAssessment | None:
        """Open an assessment that changes `original`'s answers, starting from `answers`
        (item, option, points, note); None if the user already has one open."""
        now = self._now()

        def work(db: sqlite3.Connection) -> int | None:
            cursor = db.execute(
                "INSERT INTO assessments (network_id, user_id, content_version, status, "
                "position, started_at, updated_at, revises) "
                "VALUES (?, ?, ?, 'in_progress', ?, ?, ?, ?) "
                "ON CONFLICT (user_id) WHERE status = 'in_progress' DO NOTHING",
                (original.network_id, user_id, version, to.position, now, now, original.id),
            )
            if cursor.rowcount != 1:
                return None
            new_id = cursor.lastrowid
            db.executemany(
                "INSERT INTO answers "
                "(assessment_id, item_key, option, points, evidence, answered_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(new_id, key, option, points, note, now) for key, option, points, note in answers],
            )
            return new_id

        created = await self._atomic(work)
        return await self.in_progress(created) if created is not None else None

    async def apply_revision(
        self, revision: OpenAssessment, *, total: int, band: str, result: Result
    ) -> bool:
        """Re-score the completed assessment `revision` changes: its answers become the
        revision's, the change is recorded, and the revision goes; False if already done."""
        now = self._now()
        original = revision.revises

        def work(db: sqlite3.Connection) -> bool:
            before = db.execute(
                "SELECT total, band FROM assessments WHERE id = ? AND status = 'completed'",
                (original,),
            ).fetchone()
            still_open = db.execute(
                "SELECT 1 FROM assessments WHERE id = ? AND status = 'in_progress'",
                (revision.id,),
            ).fetchone()
            if before is None or still_open is None:
                return False
            db.execute("DELETE FROM answers WHERE assessment_id = ?", (original,))
            db.execute(
                "UPDATE answers SET assessment_id = ? WHERE assessment_id = ?",
                (original, revision.id),
            )
            db.execute(
                "UPDATE assessments SET total = ?, band = ?, result = ?, content_version = ?, "
                "updated_at = ?, result_sent_at = NULL WHERE id = ?",
                (total, band, encode_result(result), revision.content_version, now, original),
            )
            db.execute(
                "INSERT INTO assessment_changes (assessment_id, changed_at, total_before, "
                "band_before, total_after, band_after) VALUES (?, ?, ?, ?, ?, ?)",
                (original, now, before[0], before[1], total, band),
            )
            db.execute("DELETE FROM assessments WHERE id = ?", (revision.id,))
            return True

        return await self._atomic(work)

    async def touch(self, assessment_id: int, *, version: str, to: Step) -> None:
        """Bring a resumed assessment up to the current content version and step."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE assessments SET content_version = ?, position = ?, "
                "awaiting_evidence = ?, updated_at = ? WHERE id = ? AND status = 'in_progress'",
                (version, to.position, to.awaiting_evidence, self._now(), assessment_id),
            )

    async def complete_assessment(
        self, assessment_id: int, *, total: int, band: str, result: Result
    ) -> bool:
        """Mark an assessment completed with its scored result; False if it already was."""
        now = self._now()
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE assessments SET status = 'completed', completed_at = ?, updated_at = ?, "
                "total = ?, band = ?, result = ?, awaiting_evidence = NULL "
                "WHERE id = ? AND status = 'in_progress'",
                (now, now, total, band, encode_result(result), assessment_id),
            )
            return cursor.rowcount == 1

    async def completed_assessments(self, network_id: int) -> list[CompletedAssessment]:
        """The network's completed assessments, oldest first."""
        rows = await self._all(
            "SELECT * FROM assessments WHERE network_id = ? AND status = 'completed' "
            "ORDER BY completed_at, id",
            (network_id,),
        )
        return [_completed(row) for row in rows]

    async def network_history(self, user_id: int) -> NetworkHistory | None:
        """The network this user leads, with its completed assessments (oldest first): the
        network's results and the rounds awaiting agreement (one trip)."""
        networks, assessments = await self._reads(
            (
                "SELECT n.* FROM leads l JOIN networks n ON n.id = l.network_id "
                "WHERE l.user_id = ?",
                (user_id,),
            ),
            (
                "SELECT a.* FROM leads l JOIN assessments a ON a.network_id = l.network_id "
                "AND a.status = 'completed' WHERE l.user_id = ? ORDER BY a.completed_at, a.id",
                (user_id,),
            ),
        )
        if not networks:
            return None
        done = [_completed(row) for row in assessments]
        return NetworkHistory(
            _network(networks[0]),
            tuple(a for a in done if a.view == "network"),
            tuple(a for a in done if a.view == "pending"),
        )

    async def mark_result_sent(self, assessment_id: int) -> None:
        """Record that the completed assessment's result reached its lead."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE assessments SET result_sent_at = ? "
                "WHERE id = ? AND status = 'completed' AND result_sent_at IS NULL",
                (self._now(), assessment_id),
            )

    async def undelivered_result(self, user_id: int) -> CompletedAssessment | None:
        """The user's latest completed assessment whose result never reached them, if any."""
        row = await self._one(
            "SELECT * FROM assessments WHERE user_id = ? AND status = 'completed' "
            "AND result_sent_at IS NULL ORDER BY completed_at DESC, id DESC LIMIT 1",
            (user_id,),
        )
        return _completed(row) if row else None

    async def assessment_points(self, assessment_id: int) -> dict[str, int]:
        """Points per answered item of an assessment."""
        rows = await self._all(
            "SELECT item_key, points FROM answers WHERE assessment_id = ?", (assessment_id,)
        )
        return {row["item_key"]: row["points"] for row in rows}

    async def evidence_notes(self, assessment_id: int) -> list[tuple[str, str]]:
        """(item key, note) for each evidence note given in an assessment."""
        rows = await self._all(
            "SELECT item_key, evidence FROM answers WHERE assessment_id = ? "
            "AND evidence IS NOT NULL AND evidence != '' ORDER BY item_key",
            (assessment_id,),
        )
        return [(row["item_key"], row["evidence"]) for row in rows]

    async def idle_assessments(self, idle_since: datetime) -> list[OpenAssessment]:
        """Open assessments untouched since `idle_since`, of users who have not blocked the bot
        (whether they were reminded is the ledger's business: see `delivered`)."""
        rows = await self._all(
            "SELECT a.* FROM assessments a JOIN users u ON u.id = a.user_id "
            "WHERE a.status = 'in_progress' AND a.updated_at <= ? AND u.active = 1 "
            "ORDER BY a.updated_at",
            (iso(idle_since),),
        )
        return [_open(row) for row in rows]

    async def due_reassessments(self, completed_before: datetime) -> list[DueReassessment]:
        """Each active lead with no assessment open, of networks whose latest result was
        completed before `completed_before`."""
        rows = await self._all(
            "WITH latest AS ("
            "  SELECT network_id, MAX(completed_at) AS done FROM assessments "
            "  WHERE status = 'completed' GROUP BY network_id"
            ") "
            "SELECT a.network_id, a.id AS assessment_id, l.user_id FROM latest "
            "JOIN assessments a ON a.network_id = latest.network_id "
            "  AND a.completed_at = latest.done AND a.status = 'completed' "
            "JOIN leads l ON l.network_id = a.network_id "
            "JOIN users u ON u.id = l.user_id AND u.active = 1 "
            "WHERE latest.done <= ? AND NOT EXISTS ("
            "  SELECT 1 FROM assessments o WHERE o.user_id = l.user_id AND o.status = 'in_progress'"
            ") ORDER BY a.network_id, l.user_id",
            (iso(completed_before),),
        )
        return [
            DueReassessment(row["network_id"], row["assessment_id"], row["user_id"]) for row in rows
        ]

    async def last_round(self, assessment_id: int) -> LastRound | None:
        """For a new round (not a change to a result): the network's latest result completed
        before it began, as (its content version, its answers with their notes); None for a
        first round or a change."""
        return _last_round(await self._all(LAST_ROUND_ANSWERS, (assessment_id,)))


def _last_round(rows: Sequence[sqlite3.Row | aiosqlite.Row]) -> LastRound | None:
    if not rows:
        return None
    return rows[0]["content_version"], {row["item_key"]: _answer(row) for row in rows}


def _move_step(
    db: sqlite3.Connection, assessment_id: int, expected: Step, to: Step, now: str
) -> bool:
    """Move an assessment in progress from `expected` to `to`; False if it is not at `expected`
    any more (a stale or repeated press)."""
    cursor = db.execute(
        "UPDATE assessments SET position = ?, awaiting_evidence = ?, updated_at = ? "
        "WHERE id = ? AND status = 'in_progress' AND position = ? AND awaiting_evidence IS ?",
        (
            to.position,
            to.awaiting_evidence,
            now,
            assessment_id,
            expected.position,
            expected.awaiting_evidence,
        ),
    )
    return cursor.rowcount == 1


def _answer(row: aiosqlite.Row) -> Answer:
    return Answer(row["item_key"], row["option"], row["points"], row["evidence"])


def _open(row: aiosqlite.Row) -> OpenAssessment:
    return OpenAssessment(
        id=row["id"],
        network_id=row["network_id"],
        user_id=row["user_id"],
        content_version=row["content_version"],
        position=row["position"],
        awaiting_evidence=row["awaiting_evidence"],
        started_at=parse(row["started_at"]),
        updated_at=parse(row["updated_at"]),
        revises=row["revises"],
    )


def _completed(row: aiosqlite.Row) -> CompletedAssessment:
    return CompletedAssessment(
        id=row["id"],
        network_id=row["network_id"],
        user_id=row["user_id"],
        content_version=row["content_version"],
        started_at=parse(row["started_at"]),
        completed_at=parse(row["completed_at"]),
        total=row["total"],
        band=row["band"],
        result=decode_result(row["result"]),
        result_sent_at=parse(row["result_sent_at"]) if row["result_sent_at"] else None,
        agreed=bool(row["agreed"]),
        view=row["view"],
    )


async def _export(store: Core, user_id: int) -> dict[str, Any]:
    assessments = await store._all(
        "SELECT * FROM assessments WHERE user_id = ? ORDER BY id", (user_id,)
    )
    exported = []
    for row in assessments:
        answers = await store._all(
            "SELECT item_key, option, points, evidence, answered_at FROM answers "
            "WHERE assessment_id = ? ORDER BY answered_at, item_key",
            (row["id"],),
        )
        exported.append(
            {
                "id": row["id"],
                "network_id": row["network_id"],
                "content_version": row["content_version"],
                "status": row["status"],
                "started_at": row["started_at"],
                "completed_at": row["completed_at"],
                "total": row["total"],
                "band": row["band"],
                "revises": row["revises"],
                "agreed": bool(row["agreed"]),
                "changes": [
                    dict(change)
                    for change in await store._all(
                        "SELECT changed_at, total_before, band_before, total_after, "
                        "band_after FROM assessment_changes WHERE assessment_id = ? "
                        "ORDER BY id",
                        (row["id"],),
                    )
                ],
                "answers": [dict(answer) for answer in answers],
            }
        )
    return {"assessments": exported}


async def _forget(db: aiosqlite.Connection, user_id: int) -> bool:
    # Their answers, notes and re-score history go with them (ON DELETE CASCADE).
    await db.execute("DELETE FROM assessments WHERE user_id = ?", (user_id,))
    return False


PRIVACY = Privacy(columns=(("assessments", "user_id"),), export=_export, forget=_forget)


def encode_result(result: Result) -> str:
    """A scored result as stored in `assessments.result` (JSON, `scoring.records`' layout)."""
    return json.dumps(result_to_dict(result))


def decode_result(stored: str) -> Result:
    """A stored result back as `scoring`'s Result: the one place results are decoded."""
    return result_from_dict(json.loads(stored))
