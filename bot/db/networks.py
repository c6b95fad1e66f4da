"""Networks and the people in them: users (and their half-typed state), networks, invite
codes, leads."""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from typing import Any

import aiosqlite

from bot.clock import parse
from bot.db.core import Core, Privacy
from bot.rows import (
    Lead,
    Network,
    User,
)


class NetworkStore(Core):
    """Users, networks, invitations and leads."""

    async def ensure_user(self, user_id: int) -> User:
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO users (id, created_at) VALUES (?, ?) "
                "ON CONFLICT (id) DO UPDATE SET active = 1",
                (user_id, self._now()),
            )
        user = await self.user(user_id)
        assert user is not None
        return user

    async def user(self, user_id: int) -> User | None:
        row = await self._one("SELECT id, state, draft, active FROM users WHERE id = ?", (user_id,))
        if row is None:
            return None
        return User(
            id=row["id"],
            state=row["state"],
            draft=json.loads(row["draft"]) if row["draft"] else {},
            active=bool(row["active"]),
        )

    async def set_state(self, user_id: int, state: str | None, draft: dict[str, Any]) -> None:
        async with self._transaction() as db:
            await db.execute(
                "UPDATE users SET state = ?, draft = ? WHERE id = ?",
                (state, json.dumps(draft) if draft else None, user_id),
            )

    async def set_user_active(self, user_id: int, active: bool) -> None:
        async with self._transaction() as db:
            await db.execute("UPDATE users SET active = ? WHERE id = ?", (int(active), user_id))

    async def known_users(self, user_ids: Sequence[int]) -> set[int]:
        """Which of `user_ids` have a row in users, i.e. have opened a private chat."""
        if not user_ids:
            return set()
        rows = await self._all(
            "SELECT id FROM users WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(user_ids)),),
        )
        return {row["id"] for row in rows}

    async def create_network(
        self, user_id: int, *, organisation: str, name: str, region: str, age: str
    ) -> Network:
        """Register a network with this user as its first lead, and clear their draft."""
        now = self._now()
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO networks (organisation, name, region, age, invite_code, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (organisation, name, region, age, secrets.token_urlsafe(9), now),
            )
            network_id = cursor.lastrowid
            await db.execute(
                "INSERT INTO leads (user_id, network_id, role, joined_at) VALUES (?, ?, 'lead', ?)",
                (user_id, network_id, now),
            )
            await db.execute("UPDATE users SET state = NULL, draft = NULL WHERE id = ?", (user_id,))
        network = await self.network(int(network_id or 0))
        assert network is not None
        return network

    async def network(self, network_id: int) -> Network | None:
        row = await self._one("SELECT * FROM networks WHERE id = ?", (network_id,))
        return _network(row) if row else None

    async def network_of(self, user_id: int) -> Network | None:
        row = await self._one(
            "SELECT n.* FROM networks n JOIN leads l ON l.network_id = n.id WHERE l.user_id = ?",
            (user_id,),
        )
        return _network(row) if row else None

    async def network_by_invite(self, code: str) -> Network | None:
        row = await self._one("SELECT * FROM networks WHERE invite_code = ?", (code,))
        return _network(row) if row else None

    async def rotate_invite(self, network_id: int) -> Network | None:
        """Give the network a new invite code; the old link stops working."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE networks SET invite_code = ? WHERE id = ?",
                (secrets.token_urlsafe(9), network_id),
            )
        return await self.network(network_id)

    async def join_network(self, user_id: int, network_id: int) -> bool:
        """Add the user as a co-lead; False if they already lead a network."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO leads (user_id, network_id, role, joined_at) "
                "VALUES (?, ?, 'co-lead', ?) ON CONFLICT (user_id) DO NOTHING",
                (user_id, network_id, self._now()),
            )
            if cursor.rowcount:
                await db.execute(
                    "UPDATE users SET state = NULL, draft = NULL WHERE id = ?", (user_id,)
                )
            return cursor.rowcount == 1

    async def lead_ids(self, network_id: int) -> list[int]:
        rows = await self._all(
            "SELECT user_id FROM leads WHERE network_id = ? ORDER BY joined_at, user_id",
            (network_id,),
        )
        return [row["user_id"] for row in rows]

    async def leads(self, network_id: int) -> list[Lead]:
        """(user id, joined at) of the network's leads, first joined first."""
        rows = await self._all(
            "SELECT user_id, joined_at FROM leads WHERE network_id = ? ORDER BY joined_at, user_id",
            (network_id,),
        )
        return [Lead(row["user_id"], parse(row["joined_at"])) for row in rows]

    async def remove_lead(self, network_id: int, user_id: int) -> bool:
        """Take a lead off the network (their access ends now, their open assessment goes; the
        network keeps its results); False if they were not its lead or are its last."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "DELETE FROM leads WHERE network_id = ? AND user_id = ? "
                "AND (SELECT COUNT(*) FROM leads WHERE network_id = ?) > 1",
                (network_id, user_id, network_id),
            )
            if cursor.rowcount != 1:
                return False
            await db.execute(
                "DELETE FROM assessments WHERE user_id = ? AND network_id = ? "
                "AND status = 'in_progress'",
                (user_id, network_id),
            )
            # No longer a lead: out of the next buddy pairing.
            await db.execute("DELETE FROM buddies WHERE user_id = ?", (user_id,))
            return True


def _network(row: aiosqlite.Row) -> Network:
    return Network(
        id=row["id"],
        organisation=row["organisation"],
        name=row["name"],
        region=row["region"],
        age=row["age"],
        invite_code=row["invite_code"],
        created_at=parse(row["created_at"]),
    )


async def _export(store: Core, user_id: int) -> dict[str, Any]:
    user = await store._one(
        "SELECT id, created_at, active, state, draft FROM users WHERE id = ?", (user_id,)
    )
    lead = await store._one(
        "SELECT l.role, l.joined_at, n.id, n.organisation, n.name, n.region, n.age, "
        "n.created_at FROM leads l JOIN networks n ON n.id = l.network_id WHERE l.user_id = ?",
        (user_id,),
    )
    return {"user": dict(user) if user else None, "network": dict(lead) if lead else None}


async def _forget(db: aiosqlite.Connection, user_id: int) -> bool:
    """The user and their lead row go; their network too if no lead is left (run last, as
    the other stores' rows refer to the user)."""
    cursor = await db.execute("SELECT network_id FROM leads WHERE user_id = ?", (user_id,))
    lead = await cursor.fetchone()
    await db.execute("DELETE FROM leads WHERE user_id = ?", (user_id,))
    await db.execute("DELETE FROM users WHERE id = ?", (user_id,))
    if lead is None:
        return False
    cursor = await db.execute(
        "DELETE FROM networks WHERE id = ? AND NOT EXISTS "
        "(SELECT 1 FROM leads WHERE network_id = ?)",
        (lead["network_id"], lead["network_id"]),
    )
    return cursor.rowcount == 1


PRIVACY = Privacy(columns=(("users", "id"), ("leads", "user_id")), export=_export, forget=_forget)
