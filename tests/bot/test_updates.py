"""The update processor on its own: fairness between chats, order within one, bounded backlogs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

import pytest
from telegram import Update

from bot.updates import CHAT_BACKLOG, GROUP_COMMAND_BACKLOG, PerChatUpdateProcessor
from tests.fakebot import callback_update, message_update

GROUP = -100200300
MEMBER = 5151
LEAD = 5252


def update(data: dict[str, Any], update_id: int = 1) -> Update:
    parsed = Update.de_json({"update_id": update_id, **data}, None)
    assert parsed is not None
    return parsed


def group_command(update_id: int = 1) -> Update:
    return update(message_update(MEMBER, "/help", chat_id=GROUP), update_id)


class Blocked:
    """Coroutines that record when they start and then wait until released."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.release = asyncio.Event()

    async def run(self, name: str) -> None:
        self.started.append(name)
        await self.release.wait()


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def submit(processor: PerChatUpdateProcessor, item: Update, work: Awaitable[object]) -> Any:
    return asyncio.ensure_future(processor.process_update(item, work))


async def test_a_chats_waiting_updates_hold_no_shared_slot() -> None:
    """With 2 shared slots and a group's 10 updates queued behind a slow one, a private update
    still runs at once."""
    processor = PerChatUpdateProcessor(2)
    blocked = Blocked()
    tasks = [submit(processor, group_command(i), blocked.run(f"g{i}")) for i in range(10)]
    await settle()
    done = asyncio.Event()

    async def private() -> None:
        done.set()

    tasks.append(submit(processor, update(message_update(LEAD, "/help")), private()))
    await asyncio.wait_for(done.wait(), 1.0)
    assert blocked.started == ["g0"]
    blocked.release.set()
    await asyncio.gather(*tasks)


async def test_group_commands_past_the_backlog_are_dropped() -> None:
    """A group with 50 updates waiting gets its further commands dropped, never run."""
    processor = PerChatUpdateProcessor()
    blocked = Blocked()
    extra = 10
    tasks = [
        submit(processor, group_command(i), blocked.run(f"g{i}"))
        for i in range(GROUP_COMMAND_BACKLOG + extra)
    ]
    await settle()
    blocked.release.set()
    await asyncio.gather(*tasks)
    assert blocked.started == [f"g{i}" for i in range(GROUP_COMMAND_BACKLOG)]
    assert processor.dropped == extra


async def test_button_presses_in_a_full_group_are_still_processed() -> None:
    """Only commands are dropped from a full group's backlog: a button press still runs."""
    processor = PerChatUpdateProcessor()
    blocked = Blocked()
    tasks = [
        submit(processor, group_command(i), blocked.run(f"g{i}"))
        for i in range(GROUP_COMMAND_BACKLOG)
    ]
    message = {"message_id": 1, "date": 0, "chat": {"id": GROUP, "type": "supergroup"}}
    press = update(callback_update(MEMBER, "x", message=message), 999)
    tasks.append(submit(processor, press, blocked.run("press")))
    await settle()
    blocked.release.set()
    await asyncio.gather(*tasks)
    assert blocked.started[-1] == "press"
    assert processor.dropped == 0


async def test_a_private_chat_keeps_every_update_in_order() -> None:
    """A private chat's updates, even past the group backlog, all run in the order they came."""
    processor = PerChatUpdateProcessor()
    blocked = Blocked()
    count = GROUP_COMMAND_BACKLOG + 10
    tasks = [
        submit(processor, update(message_update(LEAD, "/help"), i), blocked.run(f"p{i}"))
        for i in range(count)
    ]
    await settle()
    blocked.release.set()
    await asyncio.gather(*tasks)
    assert blocked.started == [f"p{i}" for i in range(count)]
    assert processor.dropped == 0


async def test_drops_are_logged_once_a_minute_per_chat(caplog: pytest.LogCaptureFixture) -> None:
    """Many drops from one chat within a minute log one line; the next minute, one more."""
    now = [0.0]
    processor = PerChatUpdateProcessor(clock=lambda: now[0])
    blocked = Blocked()
    caplog.set_level(logging.WARNING, logger="bot.updates")
    tasks = [
        submit(processor, group_command(i), blocked.run(f"g{i}"))
        for i in range(GROUP_COMMAND_BACKLOG + 30)
    ]
    await settle()
    now[0] = 61.0
    tasks += [submit(processor, group_command(1000 + i), blocked.run("late")) for i in range(5)]
    await settle()
    blocked.release.set()
    await asyncio.gather(*tasks)
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.updates"]
    assert processor.dropped == 35
    assert len(lines) == 2
    assert all(line.startswith(f"chat {GROUP} has 50 updates waiting") for line in lines)


async def test_any_chat_past_its_hard_bound_drops_further_updates() -> None:
    """Even a private chat's backlog is bounded: past 500 waiting, further updates are dropped."""
    processor = PerChatUpdateProcessor()
    blocked = Blocked()
    tasks = [
        submit(processor, update(message_update(LEAD, "hello"), i), blocked.run(f"p{i}"))
        for i in range(CHAT_BACKLOG + 3)
    ]
    await settle()
    blocked.release.set()
    await asyncio.gather(*tasks)
    assert len(blocked.started) == CHAT_BACKLOG
    assert processor.dropped == 3
