"""Simulated Telegram users for tests that run the bot with real polling (in or out of process).

A user pushes an update to the fake Bot API and waits until the bot has answered in their chat,
as a person waits to see the reply before tapping again.
"""

from __future__ import annotations

import itertools
from typing import Any

from handlers import callbacks
from tests.fakebot import FakeBotApi, callback_update, message_update

FINISH = "Finish"
_finishes = itertools.count()
NEW_ROUND = "Start a new assessment"  # the button confirming a new round after a result
SEPARATE = "Register a separate network"  # a second network at an organisation (issue 20)


class PolledUser:
    def __init__(self, fake: FakeBotApi, user_id: int, timeout: float = 30.0) -> None:
        self.fake = fake
        self.user_id = user_id
        self.timeout = timeout

    def _shown(self) -> int:
        return self.fake.shown_count(self.user_id)

    async def _push_and_wait(self, update: dict[str, Any], replies: int = 1) -> None:
        before = self._shown()
        self.fake.push(update)
        await self.fake.wait_for(lambda: self._shown() >= before + replies, self.timeout)

    async def send(self, text: str, replies: int = 1) -> None:
        await self._push_and_wait(message_update(self.user_id, text), replies)

    async def resume(self) -> None:
        """Ask for the current question: /assess, confirm a new round when the bot asks, or
        Finish at the review."""
        try:
            _, rows = self.keyboard()
        except AssertionError:
            rows = []
        if any(button["text"] == NEW_ROUND for row in rows for button in row):
            await self.tap(NEW_ROUND)
        elif any(button["text"] == FINISH for row in rows for button in row):
            await self._finish()
        else:
            await self.send("/assess")

    async def _finish(self) -> None:
        """Press Finish on the review; if the press was stale (the assessment was completed
        before a restart, its result unsent), ask /assess, which sends the result again."""
        message_id, rows = self.keyboard()
        data = next(b["callback_data"] for row in rows for b in row if b["text"] == FINISH)
        query_id = f"finish-{self.user_id}-{next(_finishes)}"
        before = self._shown()
        message = dict(self.fake.messages[(self.user_id, message_id)])
        self.fake.push(callback_update(self.user_id, data, message=message, query_id=query_id))

        def answer() -> list[Any]:
            return [
                c
                for c in reversed(self.fake.calls[-50:])
                if c.method == "answerCallbackQuery"
                and c.params.get("callback_query_id") == query_id
            ]

        await self.fake.wait_for(lambda: bool(answer()), self.timeout)
        if answer()[0].params.get("text"):  # stale: the bot said the screen had moved on
            await self.send("/assess")
        else:
            await self.fake.wait_for(lambda: self._shown() > before, self.timeout)

    def keyboard(self) -> tuple[int, list[list[dict[str, Any]]]]:
        showing = [
            (message_id, message["reply_markup"]["inline_keyboard"])
            for (chat, message_id), message in self.fake.messages.items()
            if chat == self.user_id and (message.get("reply_markup") or {}).get("inline_keyboard")
        ]
        if not showing:
            raise AssertionError(f"no buttons in chat {self.user_id}")
        return max(showing, key=lambda entry: entry[0])

    async def press(self, data: str, message_id: int, replies: int = 1) -> None:
        message = self.fake.messages[(self.user_id, message_id)]
        update = callback_update(self.user_id, data, message=dict(message))
        await self._push_and_wait(update, replies)

    async def tap(self, label: str, replies: int = 1) -> None:
        message_id, rows = self.keyboard()
        for row in rows:
            for button in row:
                if button["text"].startswith(label):
                    await self.press(button["callback_data"], message_id, replies)
                    return
        raise AssertionError(f"no button {label!r}")

    async def register(self, organisation: str = "Barts Health", name: str | None = None) -> None:
        await self.send("/assess")
        await self.send(organisation)
        await self.tap(organisation)
        _, rows = self.keyboard()
        if any(b["text"] == SEPARATE for row in rows for b in row):
            # The organisation has a network already: register another, with a reason.
            await self.tap(SEPARATE)
            await self.send(f"Site of lead {self.user_id}")
            _, rows = self.keyboard()
        message_id, _ = self.keyboard()
        await self.press(rows[0][0]["callback_data"], message_id)
        await self.tap("1 year to under 3")
        # Registration confirms, then asks question 1: two messages.
        await self.send(name or f"Network {self.user_id}", replies=2)

    def question(self) -> tuple[int, list[callbacks.Press], list[str]]:
        """The message on screen, its answer presses and their button data, lowest first."""
        message_id, rows = self.keyboard()
        data = [row[0]["callback_data"] for row in rows]
        presses = [callbacks.decode(d) for d in data]
        answers = [(p, d) for p, d in zip(presses, data, strict=True) if p and p.kind == "a"]
        return message_id, [p for p, _ in answers], [d for _, d in answers]
