"""Many leads at once, through real polling of the fake Bot API."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.app import build_application
from content import Content
from scoring import score
from tests.clients import PolledUser
from tests.fakebot import FakeBotApi
from tests.harness import FakeClock, polling, settings_for, unthrottled

LEADS = 50


def _choice(lead: int, position: int, options: int) -> int:
    """A different answer pattern per lead, never the top option (no evidence prompts)."""
    return (lead + position) % 2 if options == 3 else (lead + position) % 5


async def test_fifty_leads_answering_concurrently_each_get_their_own_result(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """50 leads answer at the same time; each result matches exactly that lead's answers."""
    model = content.model
    app = build_application(
        settings_for(fake, tmp_path / "bot.sqlite3"),
        content,
        clock=clock,
        rate_limiter=unthrottled(),
    )
    errors: list[BaseException] = []

    async def collect(update: object, context: object) -> None:
        errors.append(getattr(context, "error", None) or RuntimeError("?"))

    app.add_error_handler(collect)

    async def lead(index: int, user: PolledUser) -> None:
        await user.register(name=f"Network {index}")
        for position in range(len(model.items)):
            message_id, presses, data = user.question()
            assert presses[0].args[1] == position
            choice = _choice(index, position, len(data))
            await user.press(data[choice], message_id)
        message_id, rows = user.keyboard()  # the review: Finish works out the result
        await user.press(rows[-1][0]["callback_data"], message_id, replies=3)

    # From 9100: 9000 is the operator, who now gets each new network's Verify card.
    users = [PolledUser(fake, 9100 + i, timeout=120) for i in range(LEADS)]
    async with polling(app):
        await asyncio.gather(*(lead(i, user) for i, user in enumerate(users)))
    assert errors == []
    for index, user in enumerate(users):
        answers = {
            item.key: _choice(index, position, len(item.scale.options))
            for position, item in enumerate(model.items)
        }
        expected = score(model, answers)
        results = [c.text for c in fake.sent(user.user_id) if "/178 ·" in c.text]
        assert len(results) == 1
        assert results[0].startswith(f"<b>Your result: {expected.total}/178")
        assert len(fake.calls_to("sendPhoto", user.user_id)) == 1
