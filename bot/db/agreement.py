"""Co-leads side by side: rounds, agreements, settled items, and re-score history."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import aiosqlite

from bot.clock import iso, parse
from bot.db.assessments import _completed, encode_result
from bot.db.core import Core, Privacy
from bot.rows import (
    Agreement,
    AssessmentChange,
    CompletedAssessment,
)
from scoring.engine import Result


class AgreementStore(Core):
    """Co-leads' agreements and re-scores."""

    async def round_partners(
        self, network_id: int, user_id: int, since: datetime
    ) -> list[CompletedAssessment]:
        """Each other current lead's latest own completed assessment since `since`."""
        rows = await self._all(
            "SELECT * FROM assessments WHERE network_id = ? AND status = 'completed' "
            "AND agreed = 0 AND user_id != ? AND completed_at >= ? AND user_id IN "
            "(SELECT user_id FROM leads WHERE network_id = ?) ORDER BY completed_at, id",
            (network_id, user_id, iso(since), network_id),
        )
        latest = {row["user_id"]: _completed(row) for row in rows}
        return sorted(latest.values(), key=lambda a: (a.completed_at, a.id))

    async def open_agreement(self, network_id: int) -> Agreement | None:
        """The network's agreement still waiting for differences to be settled."""
        row = await self._one(
            "SELECT id FROM agreements WHERE network_id = ? AND agreed_at IS NULL "
            "AND closed_at IS NULL ORDER BY id DESC LIMIT 1",
            (network_id,),
        )
        return await self.agreement(row["id"]) if row else None

    async def agreement(self, agreement_id: int) -> Agreement | None:
        found, members, settled = await self._reads(
            ("SELECT * FROM agreements WHERE id = ?", (agreement_id,)),
            (
                "SELECT assessment_id FROM agreement_members WHERE agreement_id = ? "
                "ORDER BY assessment_id",
                (agreement_id,),
            ),
            (
                "SELECT item_key, option FROM agreement_settled WHERE agreement_id = ?",
                (agreement_id,),
            ),
        )
        if not found:
            return None
        return Agreement(
            id=found[0]["id"],
            network_id=found[0]["network_id"],
            members=tuple(row["assessment_id"] for row in members),
            settled={row["item_key"]: row["option"] for row in settled},
            agreed_id=found[0]["agreed_id"],
        )

    async def join_agreement(
        self, network_id: int, agreement_id: int | None, assessment_ids: Sequence[int]
    ) -> int:
        """Add assessments to an open agreement, or start one for the network; its id."""
        now = self._now()

        def work(db: sqlite3.Connection) -> int:
            target = agreement_id
            if target is None:
                cursor = db.execute(
                    "INSERT INTO agreements (network_id, created_at) VALUES (?, ?)",
                    (network_id, now),
                )
                target = cursor.lastrowid
                assert target is not None
            db.executemany(
                "INSERT INTO agreement_members (agreement_id, assessment_id) VALUES (?, ?) "
                "ON CONFLICT DO NOTHING",
                [(target, assessment_id) for assessment_id in assessment_ids],
            )
            return target

        return await self._atomic(work)

    async def settle(self, agreement_id: int, item_key: str, option: int, user_id: int) -> bool:
        """Record the option leads agreed for an item; False if it was settled already or the
        agreement is complete."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO agreement_settled "
                "(agreement_id, item_key, option, settled_by, settled_at) "
                "SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM agreements "
                "WHERE id = ? AND agreed_at IS NULL AND closed_at IS NULL) ON CONFLICT DO NOTHING",
                (agreement_id, item_key, option, user_id, self._now(), agreement_id),
            )
            return cursor.rowcount == 1

    async def record_agreed(
        self,
        agreement: Agreement,
        *,
        user_id: int,
        version: str,
        answers: Sequence[tuple[str, int, int]],
        total: int,
        band: str,
        result: Result,
    ) -> int | None:
        """Store the agreed result as the network's newest completed assessment (answers:
        item, option, points) and close the agreement; None if it was closed already."""
        now = self._now()

        def work(db: sqlite3.Connection) -> int | None:
            cursor = db.execute(
                "INSERT INTO assessments (network_id, user_id, content_version, status, "
                "started_at, updated_at, completed_at, total, band, result, result_sent_at, "
                "agreed) SELECT ?, ?, ?, 'completed', ?, ?, ?, ?, ?, ?, ?, 1 WHERE EXISTS "
                "(SELECT 1 FROM agreements WHERE id = ? AND agreed_at IS NULL "
                "AND closed_at IS NULL)",
                (
                    agreement.network_id,
                    user_id,
                    version,
                    now,
                    now,
                    now,
                    total,
                    band,
                    encode_result(result),
                    now,
                    agreement.id,
                ),
            )
            if cursor.rowcount != 1:
                return None
            agreed_id = cursor.lastrowid
            db.executemany(
                "INSERT INTO answers (assessment_id, item_key, option, points, answered_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [(agreed_id, key, option, points, now) for key, option, points in answers],
            )
            db.execute(
                "UPDATE agreements SET agreed_at = ?, agreed_id = ? WHERE id = ?",
                (now, agreed_id, agreement.id),
            )
            return agreed_id

        return await self._atomic(work)

    async def agreement_pending(self, assessment_id: int) -> bool:
        """Whether this assessment waits in an agreement not yet reached."""
        row = await self._one(
            "SELECT 1 FROM agreement_members m JOIN agreements g ON g.id = m.agreement_id "
            "WHERE m.assessment_id = ? AND g.agreed_at IS NULL AND g.closed_at IS NULL",
            (assessment_id,),
        )
        return row is not None

    async def assessment_changes(self, network_id: int) -> list[AssessmentChange]:
        """Re-scores of the network's completed assessments, oldest first."""
        rows = await self._all(
            "SELECT c.* FROM assessment_changes c JOIN assessments a ON a.id = c.assessment_id "
            "WHERE a.network_id = ? ORDER BY c.changed_at, c.id",
            (network_id,),
        )
        return [
            AssessmentChange(
                assessment_id=row["assessment_id"],
                changed_at=parse(row["changed_at"]),
                total_before=row["total_before"],
                band_before=row["band_before"],
                total_after=row["total_after"],
                band_after=row["band_after"],
            )
            for row in rows
        ]

    async def set_view(self, assessment_id: int, view: str) -> None:
        """Mark a completed round as the network's result, awaiting agreement, or own view."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE assessments SET view = ? WHERE id = ? AND status = 'completed'",
                (view, assessment_id),
            )

    async def settle_views(self, agreement_id: int) -> None:
        """Once the round is agreed, its members that awaited agreement become their leads'
        own views (the agreed result speaks for the network)."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE assessments SET view = 'own' WHERE view = 'pending' AND id IN "
                "(SELECT assessment_id FROM agreement_members WHERE agreement_id = ?)",
                (agreement_id,),
            )

    async def close_overdue_agreements(self, opened_before: datetime) -> list[tuple[int, int]]:
        """Close the rounds still unsettled that opened before `opened_before`: their members
        awaiting agreement become their leads' own views. (network id, lead) to tell."""
        now = self._now()

        def work(db: sqlite3.Connection) -> list[tuple[int, int]]:
            rows = db.execute(
                "SELECT g.id, g.network_id FROM agreements g "
                "WHERE g.agreed_at IS NULL AND g.closed_at IS NULL AND g.created_at < ?",
                (iso(opened_before),),
            ).fetchall()
            told: list[tuple[int, int]] = []
            for agreement_id, network_id in rows:
                db.execute("UPDATE agreements SET closed_at = ? WHERE id = ?", (now, agreement_id))
                db.execute(
                    "UPDATE assessments SET view = 'own' WHERE view = 'pending' AND id IN "
                    "(SELECT assessment_id FROM agreement_members WHERE agreement_id = ?)",
                    (agreement_id,),
                )
                leads = db.execute(
                    "SELECT user_id FROM leads WHERE network_id = ? ORDER BY user_id",
                    (network_id,),
                ).fetchall()
                told += [(network_id, lead[0]) for lead in leads]
            return told

        return await self._atomic(work)


async def _export(store: Core, user_id: int) -> dict[str, Any]:
    settled = await store._all(
        "SELECT agreement_id, item_key, option, settled_at FROM agreement_settled "
        "WHERE settled_by = ? ORDER BY settled_at",
        (user_id,),
    )
    return {"settled_with_co_leads": [dict(row) for row in settled]}


async def _forget(db: aiosqlite.Connection, user_id: int) -> bool:
    # The settled option stays part of the network's agreed result, without saying who.
    await db.execute(
        "UPDATE agreement_settled SET settled_by = NULL WHERE settled_by = ?", (user_id,)
    )
    return False


PRIVACY = Privacy(columns=(("agreement_settled", "settled_by"),), export=_export, forget=_forget)
