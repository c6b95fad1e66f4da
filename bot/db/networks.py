"""Networks and the people in them: users (and their half-typed state), networks, invite
codes, leads."""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Sequence
from typing import Any

import aiosqlite

from bot import conversation
from bot.clock import parse
from bot.conversation import Entry
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
            entry=conversation.decode(row["state"], row["draft"]),
            active=bool(row["active"]),
        )

    async def set_entry(self, user_id: int, entry: Entry | None) -> None:
        """Store what the user has begun typing (None: nothing)."""
        state, draft = conversation.encode(entry)
        async with self._transaction() as db:
            await db.execute(
                "UPDATE users SET state = ?, draft = ? WHERE id = ?", (state, draft, user_id)
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
        self,
        user_id: int,
        *,
        organisation: str,
        name: str,
        region: str,
        age: str,
        separate_reason: str | None = None,
    ) -> Network:
        """Register a network with this user as its first lead and owner, and clear their
        draft."""
        now = self._now()
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO networks (organisation, name, region, age, invite_code, created_at, "
                "owner_id, invite_issued_at, separate_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    organisation,
                    name,
                    region,
                    age,
                    secrets.token_urlsafe(9),
                    now,
                    user_id,
                    now,
                    separate_reason,
                ),
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
                "UPDATE networks SET invite_code = ?, invite_issued_at = ? WHERE id = ?",
                (secrets.token_urlsafe(9), self._now(), network_id),
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

    async def remove_lead(self, network_id: int, user_id: int, by: int) -> bool:
        """The owner `by` takes a lead off the network (their access ends now, their open
        assessment goes; the network keeps its results) and the invite code changes; False if
        `by` is not the owner, or `user_id` is not a lead, is the owner or is the last lead."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "DELETE FROM leads WHERE network_id = ? AND user_id = ? "
                "AND (SELECT COUNT(*) FROM leads WHERE network_id = ?) > 1 "
                "AND EXISTS (SELECT 1 FROM networks WHERE id = ? AND owner_id = ? "
                "  AND owner_id != ?)",
                (network_id, user_id, network_id, network_id, by, user_id),
            )
            if cursor.rowcount != 1:
                return False
            await db.execute(
                "UPDATE networks SET invite_code = ?, invite_issued_at = ?, "
                "owner_offer = CASE WHEN owner_offer = ? THEN NULL ELSE owner_offer END "
                "WHERE id = ?",
                (secrets.token_urlsafe(9), self._now(), user_id, network_id),
            )
            await db.execute(
                "DELETE FROM assessments WHERE user_id = ? AND network_id = ? "
                "AND status = 'in_progress'",
                (user_id, network_id),
            )
            # No longer a lead: out of the next buddy pairing.
            await db.execute("DELETE FROM buddies WHERE user_id = ?", (user_id,))
            return True

    async def networks_at(self, organisation: str) -> list[Network]:
        """Networks registered at this organisation (the name as stored, any case)."""
        rows = await self._all(
            "SELECT * FROM networks WHERE lower(organisation) = lower(?) ORDER BY id",
            (organisation,),
        )
        return [_network(row) for row in rows]

    async def request_join(self, user_id: int, network_id: int, code: str) -> int | None:
        """Record that the user asks to join with this code; the request's id, or None if the
        code is not the network's current one."""

        def work(db: sqlite3.Connection) -> int | None:
            found = db.execute(
                "SELECT 1 FROM networks WHERE id = ? AND invite_code = ?", (network_id, code)
            ).fetchone()
            if found is None:
                return None
            db.execute(
                "INSERT INTO join_requests (network_id, user_id, code, requested_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (network_id, user_id) DO UPDATE SET "
                "code = excluded.code, requested_at = excluded.requested_at",
                (network_id, user_id, code, self._now()),
            )
            row = db.execute(
                "SELECT id FROM join_requests WHERE network_id = ? AND user_id = ?",
                (network_id, user_id),
            ).fetchone()
            return int(row[0])

        return await self._atomic(work)

    async def join_request(self, request_id: int) -> tuple[int, int] | None:
        """(network id, user id) of a join request still waiting."""
        row = await self._one(
            "SELECT network_id, user_id FROM join_requests WHERE id = ?", (request_id,)
        )
        return (row["network_id"], row["user_id"]) if row else None

    async def decide_join(self, request_id: int, owner_id: int, approve: bool) -> str:
        """The owner's answer to a join request: 'joined', 'declined', 'stale' (the code changed
        since, or the request is gone), 'not_owner' or 'taken' (the user leads a network now).
        Approved, the user becomes a co-lead and the code changes."""
        now = self._now()

        def work(db: sqlite3.Connection) -> str:
            row = db.execute(
                "SELECT r.network_id, r.user_id, r.code, n.invite_code, n.owner_id "
                "FROM join_requests r JOIN networks n ON n.id = r.network_id WHERE r.id = ?",
                (request_id,),
            ).fetchone()
            if row is None:
                return "stale"
            network_id, user_id, code, current, owner = row
            if owner != owner_id:
                return "not_owner"
            db.execute("DELETE FROM join_requests WHERE id = ?", (request_id,))
            if code != current:
                return "stale"
            if not approve:
                return "declined"
            cursor = db.execute(
                "INSERT INTO leads (user_id, network_id, role, joined_at) "
                "VALUES (?, ?, 'co-lead', ?) ON CONFLICT (user_id) DO NOTHING",
                (user_id, network_id, now),
            )
            if cursor.rowcount != 1:
                return "taken"
            db.execute("UPDATE users SET state = NULL, draft = NULL WHERE id = ?", (user_id,))
            db.execute(
                "UPDATE networks SET invite_code = ?, invite_issued_at = ? WHERE id = ?",
                (secrets.token_urlsafe(9), now, network_id),
            )
            return "joined"

        return await self._atomic(work)

    async def offer_ownership(self, network_id: int, owner_id: int, to: int) -> bool:
        """The owner offers ownership to a co-lead, who must accept; False if not allowed."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE networks SET owner_offer = ? WHERE id = ? AND owner_id = ? AND ? != ? "
                "AND EXISTS (SELECT 1 FROM leads WHERE network_id = ? AND user_id = ?)",
                (to, network_id, owner_id, to, owner_id, network_id, to),
            )
            return cursor.rowcount == 1

    async def accept_ownership(self, network_id: int, user_id: int) -> int | None:
        """The co-lead offered ownership accepts it; the previous owner's id, or None if no
        such offer stands."""

        def work(db: sqlite3.Connection) -> int | None:
            row = db.execute(
                "SELECT owner_id FROM networks WHERE id = ? AND owner_offer = ? AND EXISTS "
                "(SELECT 1 FROM leads WHERE network_id = ? AND user_id = ?)",
                (network_id, user_id, network_id, user_id),
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE networks SET owner_id = ?, owner_offer = NULL WHERE id = ?",
                (user_id, network_id),
            )
            return int(row[0]) if row[0] is not None else 0

        return await self._atomic(work)

    async def transfer_ownership(self, network_id: int, to: int) -> bool:
        """An operator makes a current lead the owner (the owner has left, say)."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE networks SET owner_id = ?, owner_offer = NULL WHERE id = ? AND EXISTS "
                "(SELECT 1 FROM leads WHERE network_id = ? AND user_id = ?)",
                (to, network_id, network_id, to),
            )
            return cursor.rowcount == 1

    async def restore_lead(self, network_id: int, user_id: int) -> bool:
        """An operator makes a user (who has opened the bot and leads no network) a co-lead of
        the network again; False if they cannot be."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO leads (user_id, network_id, role, joined_at) "
                "SELECT ?, id, 'co-lead', ? FROM networks WHERE id = ? "
                "AND EXISTS (SELECT 1 FROM users WHERE id = ?) "
                "ON CONFLICT (user_id) DO NOTHING",
                (user_id, self._now(), network_id, user_id),
            )
            return cursor.rowcount == 1

    async def verify_network(self, network_id: int, user_id: int) -> bool:
        """Mark the network verified by `user_id`; False if it already was (or is gone)."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE networks SET verified_at = ?, verified_by = ? "
                "WHERE id = ? AND verified_at IS NULL",
                (self._now(), user_id, network_id),
            )
            return cursor.rowcount == 1

    async def unverified_networks(self) -> list[Network]:
        """Networks awaiting verification, oldest first."""
        rows = await self._all(
            "SELECT * FROM networks WHERE verified_at IS NULL ORDER BY created_at, id"
        )
        return [_network(row) for row in rows]


def _network(row: aiosqlite.Row) -> Network:
    return Network(
        id=row["id"],
        organisation=row["organisation"],
        name=row["name"],
        region=row["region"],
        age=row["age"],
        invite_code=row["invite_code"],
        created_at=parse(row["created_at"]),
        owner_id=row["owner_id"],
        verified=row["verified_at"] is not None,
        invite_issued_at=parse(row["invite_issued_at"]) if row["invite_issued_at"] else None,
        separate_reason=row["separate_reason"],
        owner_offer=row["owner_offer"],
    )


async def _export(store: Core, user_id: int) -> dict[str, Any]:
    user = await store._one(
        "SELECT id, created_at, active, state, draft, last_seen FROM users WHERE id = ?",
        (user_id,),
    )
    lead = await store._one(
        "SELECT l.role, l.joined_at, n.id, n.organisation, n.name, n.region, n.age, "
        "n.created_at, n.owner_id IS ? AS you_own, n.verified_at, n.separate_reason "
        "FROM leads l JOIN networks n ON n.id = l.network_id WHERE l.user_id = ?",
        (user_id, user_id),
    )
    join_requests = await store._all(
        "SELECT network_id, requested_at FROM join_requests WHERE user_id = ? ORDER BY id",
        (user_id,),
    )
    verified = await store._all(
        "SELECT id AS network_id, verified_at FROM networks WHERE verified_by = ? ORDER BY id",
        (user_id,),
    )
    cover = await store._one(
        "SELECT c.meeting, c.meeting_on, c.actions, c.updated_at FROM board_covers c "
        "JOIN leads l ON l.network_id = c.network_id WHERE l.user_id = ?",
        (user_id,),
    )
    return {
        "user": dict(user) if user else None,
        "network": dict(lead) if lead else None,
        "join_requests": [dict(row) for row in join_requests],
        "networks_verified": [dict(row) for row in verified],
        "board_cover": dict(cover) if cover else None,
    }


async def _forget(db: aiosqlite.Connection, user_id: int) -> bool:
    """The user and their lead row go; their network too if no lead is left (run last, as
    the other stores' rows refer to the user). An owner who leaves hands the network to its
    earliest-joined remaining lead; a network they verified stays verified, without saying
    by whom."""
    cursor = await db.execute("SELECT network_id FROM leads WHERE user_id = ?", (user_id,))
    lead = await cursor.fetchone()
    await db.execute("DELETE FROM join_requests WHERE user_id = ?", (user_id,))
    await db.execute("DELETE FROM leads WHERE user_id = ?", (user_id,))
    await db.execute(
        "UPDATE networks SET owner_id = (SELECT user_id FROM leads "
        "WHERE network_id = networks.id ORDER BY joined_at, user_id LIMIT 1), "
        "owner_offer = NULL WHERE owner_id = ?",
        (user_id,),
    )
    await db.execute("UPDATE networks SET owner_offer = NULL WHERE owner_offer = ?", (user_id,))
    await db.execute("UPDATE networks SET verified_by = NULL WHERE verified_by = ?", (user_id,))
    await db.execute("DELETE FROM users WHERE id = ?", (user_id,))
    if lead is None:
        return False
    cursor = await db.execute(
        "DELETE FROM networks WHERE id = ? AND NOT EXISTS "
        "(SELECT 1 FROM leads WHERE network_id = ?)",
        (lead["network_id"], lead["network_id"]),
    )
    return cursor.rowcount == 1


PRIVACY = Privacy(
    columns=(
        ("users", "id"),
        ("leads", "user_id"),
        ("join_requests", "user_id"),
        ("networks", "owner_id"),
        ("networks", "owner_offer"),
        ("networks", "verified_by"),
    ),
    export=_export,
    forget=_forget,
)
