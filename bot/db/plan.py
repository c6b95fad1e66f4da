"""A network's action plan: steps, their status, and the reminders they need."""

from __future__ import annotations

from datetime import date
from typing import Any

import aiosqlite

from bot.clock import parse
from bot.db.assessments import _completed
from bot.db.core import Core, Privacy
from bot.rows import (
    CompletedAssessment,
    PlanStep,
)


class PlanStore(Core):
    """Plan steps."""

    async def add_plan_step(
        self,
        network_id: int,
        user_id: int,
        *,
        text: str,
        owner: str,
        due: date,
        source: str,
        open_limit: int,
    ) -> int | None:
        """Add an open step; None (nothing added) if the network already has `open_limit` open."""
        now = self._now()
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO plan_steps (network_id, text, owner, due, status, source, "
                "created_by, created_at, updated_at) "
                "SELECT ?, ?, ?, ?, 'todo', ?, ?, ?, ? WHERE (SELECT COUNT(*) FROM plan_steps "
                "WHERE network_id = ? AND status IN ('todo', 'doing')) < ?",
                (
                    network_id,
                    text,
                    owner,
                    due.isoformat(),
                    source,
                    user_id,
                    now,
                    now,
                    network_id,
                    open_limit,
                ),
            )
            return cursor.lastrowid if cursor.rowcount == 1 else None

    async def plan_steps(self, network_id: int) -> list[PlanStep]:
        """The network's steps: open ones first by due date, then the rest, newest first."""
        rows = await self._all(
            "SELECT * FROM plan_steps WHERE network_id = ? "
            "ORDER BY status IN ('done', 'dropped'), "
            "CASE WHEN status IN ('todo', 'doing') THEN due END, updated_at DESC, id",
            (network_id,),
        )
        return [_plan_step(row) for row in rows]

    async def plan_step(self, step_id: int, network_id: int) -> PlanStep | None:
        row = await self._one(
            "SELECT * FROM plan_steps WHERE id = ? AND network_id = ?", (step_id, network_id)
        )
        return _plan_step(row) if row else None

    async def set_plan_status(
        self, step_id: int, network_id: int, status: str, *, open_limit: int
    ) -> bool:
        """Change a step's status; reopening one is refused (False) at `open_limit` open steps."""
        now = self._now()
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE plan_steps SET status = ?, updated_at = ?, "
                "done_at = CASE WHEN ? = 'done' THEN ? ELSE done_at END "
                "WHERE id = ? AND network_id = ? AND (? NOT IN ('todo', 'doing') "
                "OR status IN ('todo', 'doing') OR (SELECT COUNT(*) FROM plan_steps "
                "WHERE network_id = ? AND status IN ('todo', 'doing')) < ?)",
                (status, now, status, now, step_id, network_id, status, network_id, open_limit),
            )
            return cursor.rowcount == 1

    async def edit_plan_step(
        self,
        step_id: int,
        network_id: int,
        *,
        text: str | None = None,
        owner: str | None = None,
        due: date | None = None,
    ) -> bool:
        """Change a step's text, owner or due date (whichever is given); False if it is gone."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE plan_steps SET text = COALESCE(?, text), owner = COALESCE(?, owner), "
                "due = COALESCE(?, due), updated_at = ? WHERE id = ? AND network_id = ?",
                (
                    text,
                    owner,
                    due.isoformat() if due else None,
                    self._now(),
                    step_id,
                    network_id,
                ),
            )
            return cursor.rowcount == 1

    async def remove_plan_step(self, step_id: int, network_id: int) -> bool:
        async with self._transaction() as db:
            cursor = await db.execute(
                "DELETE FROM plan_steps WHERE id = ? AND network_id = ?", (step_id, network_id)
            )
            return cursor.rowcount == 1

    async def plan_steps_due(self, first: date, last: date) -> list[tuple[PlanStep, int]]:
        """Open steps due between `first` and `last` (local dates), each with every active lead
        of its network."""
        rows = await self._all(
            "SELECT s.*, l.user_id AS lead_id FROM plan_steps s "
            "JOIN leads l ON l.network_id = s.network_id "
            "JOIN users u ON u.id = l.user_id AND u.active = 1 "
            "WHERE s.status IN ('todo', 'doing') AND s.due BETWEEN ? AND ? "
            "ORDER BY s.due, s.id, l.user_id",
            (first.isoformat(), last.isoformat()),
        )
        return [(_plan_step(row), row["lead_id"]) for row in rows]

    async def plan_leads(self) -> list[int]:
        """Active leads of networks with at least one open plan step."""
        rows = await self._all(
            "SELECT l.user_id FROM leads l JOIN users u ON u.id = l.user_id AND u.active = 1 "
            "WHERE EXISTS (SELECT 1 FROM plan_steps s WHERE s.network_id = l.network_id "
            "AND s.status IN ('todo', 'doing')) ORDER BY l.user_id"
        )
        return [row["user_id"] for row in rows]

    async def plan_done_since_previous(
        self, assessment_id: int
    ) -> tuple[CompletedAssessment, list[PlanStep]] | None:
        """The network's completed assessment before this one, with the plan steps marked done
        since it; None if there is no earlier one or the network has no plan."""
        previous = await self._one(
            "SELECT p.* FROM assessments a JOIN assessments p ON p.network_id = a.network_id "
            "AND p.status = 'completed' AND p.id != a.id AND p.completed_at <= a.completed_at "
            "WHERE a.id = ? AND EXISTS (SELECT 1 FROM plan_steps s "
            "WHERE s.network_id = a.network_id) ORDER BY p.completed_at DESC, p.id DESC LIMIT 1",
            (assessment_id,),
        )
        if previous is None:
            return None
        rows = await self._all(
            "SELECT * FROM plan_steps WHERE network_id = ? AND status = 'done' "
            "AND done_at > ? ORDER BY done_at, id",
            (previous["network_id"], previous["completed_at"]),
        )
        return _completed(previous), [_plan_step(row) for row in rows]


def _plan_step(row: aiosqlite.Row) -> PlanStep:
    return PlanStep(
        id=row["id"],
        network_id=row["network_id"],
        text=row["text"],
        owner=row["owner"],
        due=date.fromisoformat(row["due"]),
        status=row["status"],
        source=row["source"],
        created_at=parse(row["created_at"]),
        done_at=parse(row["done_at"]) if row["done_at"] else None,
        updated_at=parse(row["updated_at"]) if row["updated_at"] else None,
    )


async def _export(store: Core, user_id: int) -> dict[str, Any]:
    plan = await store._all(
        "SELECT s.text, s.owner, s.due, s.status, s.source, s.created_at, s.updated_at, "
        "s.done_at, s.created_by IS ? AS added_by_you "
        "FROM plan_steps s JOIN leads l ON l.network_id = s.network_id "
        "WHERE l.user_id = ? ORDER BY s.id",
        (user_id, user_id),
    )
    return {"plan_steps": [dict(row) for row in plan]}


async def _forget(db: aiosqlite.Connection, user_id: int) -> bool:
    # The network's plan stays (with its other leads), without saying who added a step.
    await db.execute("UPDATE plan_steps SET created_by = NULL WHERE created_by = ?", (user_id,))
    return False


PRIVACY = Privacy(columns=(("plan_steps", "created_by"),), export=_export, forget=_forget)
