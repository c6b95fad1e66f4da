"""Drive the real Application against the fake Bot API: start it (`running`, `polling`), send
updates, tap buttons, read replies."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import AIORateLimiter, Job

from bot.app import RATE_LIMIT_RETRIES, build_application
from bot.config import Settings
from bot.context import BotApplication, services_of
from bot.ratelimit import PerChatRateLimiter
from bot.storage import Storage
from content import Content
from handlers import callbacks
from tests.fakebot import TOKEN, Call, FakeBotApi, callback_update, message_update

# Seconds the bot waits for the fake's answer; the fake's scripted time-outs take longer.
READ_TIMEOUT = 1.0

# The operator (BOT_ADMIN_IDS) of every test bot unless a test says otherwise: hubs exist only
# once an operator approves them, and an operator's own /hub is approved at once.
OPERATOR = 9000


@dataclass
class FakeClock:
    # A Monday, 10:00 in London (GMT), safely ahead of the real clock for scheduled jobs.
    moment: datetime = field(default_factory=lambda: datetime(2027, 3, 1, 10, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.moment

    def advance(self, delta: timedelta) -> None:
        self.moment += delta

    def set(self, moment: datetime) -> None:
        self.moment = moment


class JobsMixin:
    """Job helpers for the harness: find, time and run jobs on demand."""

    app: BotApplication
    fake: FakeBotApi

    def jobs(self, name: str) -> list[Job[Any]]:
        assert self.app.job_queue is not None
        return list(self.app.job_queue.get_jobs_by_name(name))

    def job_time(self, name: str) -> datetime:
        """When the one job of this name is due (its trigger's date)."""
        [job] = self.jobs(name)
        run_date: datetime = job.job.trigger.run_date
        return run_date.astimezone(UTC)

    async def run_callback(
        self, callback: Callable[[Any], Coroutine[Any, Any, None]]
    ) -> list[Call]:
        """Run a job callback once, now, outside any schedule; the calls it made."""
        before = len(self.fake.calls)
        await Job(callback, name="on-demand").run(self.app)
        return self.fake.calls[before:]

    async def run_job(self, name: str) -> list[Call]:
        """Run every job of this name now, as the scheduler would; the calls they made."""
        before = len(self.fake.calls)
        for job in self.jobs(name):
            await job.run(self.app)
        return self.fake.calls[before:]


class Harness(JobsMixin):
    def __init__(self, app: BotApplication, fake: FakeBotApi, clock: FakeClock) -> None:
        self.app = app
        self.fake = fake
        self.clock = clock
        self.errors: list[BaseException] = []

    @property
    def storage(self) -> Storage:
        return services_of(self.app).storage

    async def process(self, update: dict[str, Any]) -> list[Call]:
        """Run one update through the application; the calls it made, in order."""
        before = len(self.fake.calls)
        data = {"update_id": self.fake.next_update_id(), **update}
        await self.app.process_update(Update.de_json(data, self.app.bot))
        return self.fake.calls[before:]

    async def send(self, user_id: int, text: str, *, chat_id: int | None = None) -> list[Call]:
        return await self.process(message_update(user_id, text, chat_id=chat_id))

    async def press(
        self, user_id: int, data: str, *, chat_id: int | None = None, message_id: int | None = None
    ) -> list[Call]:
        """Press a button carrying `data` on a message in the chat (the latest with buttons)."""
        chat = chat_id if chat_id is not None else user_id
        if message_id is None:
            message_id, _ = self.keyboard(chat)
        message = self.fake.messages.get((chat, message_id)) or {
            "message_id": message_id,
            "date": 0,
            "chat": {"id": chat, "type": "private", "first_name": "x"},
            "text": "?",
        }
        return await self.process(callback_update(user_id, data, message=message))

    def keyboard(self, chat_id: int) -> tuple[int, list[list[dict[str, Any]]]]:
        """The newest message in the chat that still shows buttons, and its rows."""
        showing = [
            (message_id, message["reply_markup"]["inline_keyboard"])
            for (chat, message_id), message in self.fake.messages.items()
            if chat == chat_id and (message.get("reply_markup") or {}).get("inline_keyboard")
        ]
        if not showing:
            raise AssertionError(f"no message with buttons in chat {chat_id}")
        return max(showing, key=lambda entry: entry[0])

    def buttons(self, chat_id: int) -> list[str]:
        return [button["text"] for row in self.keyboard(chat_id)[1] for button in row]

    async def tap(self, user_id: int, label: str, *, chat_id: int | None = None) -> list[Call]:
        """Tap the button whose text is (or starts with) `label` in the latest keyboard."""
        chat = chat_id if chat_id is not None else user_id
        message_id, rows = self.keyboard(chat)
        for row in rows:
            for button in row:
                if button["text"] == label or button["text"].startswith(label):
                    return await self.press(
                        user_id, button["callback_data"], chat_id=chat, message_id=message_id
                    )
        raise AssertionError(f"no button {label!r} in {[b['text'] for r in rows for b in r]}")

    def current_question(self, chat_id: int) -> callbacks.Press | None:
        """The answer press of the first button on screen, if a question is showing."""
        _, rows = self.keyboard(chat_id)
        press = callbacks.decode(rows[0][0].get("callback_data"))
        return press if press and press.kind == "a" else None

    async def register(
        self, user_id: int, organisation: str = "Barts Health", name: str = "Barts BME Network"
    ) -> None:
        """Register a network for `user_id` through the real conversation."""
        await self.send(user_id, "/assess")
        await self.send(user_id, organisation)
        await self.tap(
            user_id, "Barts Health NHS Trust" if organisation == "Barts Health" else "Use"
        )
        if "Register a separate network" in self.buttons(user_id):
            # The organisation has a network already: register another, with a reason.
            await self.tap(user_id, "Register a separate network")
            await self.send(user_id, "Another site of the organisation")
        _, rows = self.keyboard(user_id)
        await self.press(user_id, rows[0][0]["callback_data"])  # the suggested (or first) region
        await self.tap(user_id, "1 year to under 3")
        await self.send(user_id, name)

    async def join(self, user_id: int, network_of: int) -> None:
        """Join the network `network_of` leads through its invite link; its owner approves."""
        network = await self.storage.network_of(network_of)
        assert network is not None
        assert network.owner_id is not None
        await self.send(user_id, f"/start join_{network.invite_code}")
        await self.tap(network.owner_id, "✅ Approve")

    async def verify(self, network_of: int) -> None:
        """Verify the network `network_of` leads, as an operator would."""
        network = await self.storage.network_of(network_of)
        assert network is not None
        await self.storage.verify_network(network.id, OPERATOR)

    async def new_round(self, user_id: int) -> None:
        """After a result: /assess, then confirm the new round the bot asks about."""
        await self.send(user_id, "/assess")
        await self.tap(user_id, "Start a new assessment")

    async def answer_all(
        self, user_id: int, choose: str = "top", evidence: str | None = None
    ) -> None:
        """Answer every remaining question with its "top" or "lowest" option; skip or fill notes;
        then press "Finish" at the review."""
        for _ in range(200):
            if await self.storage.open_assessment(user_id) is None:
                return
            _, rows = self.keyboard(user_id)
            presses = [callbacks.decode(row[0]["callback_data"]) for row in rows]
            first = presses[0]
            if first is not None and first.kind == "s":
                if evidence is None:
                    await self.tap(user_id, "Skip")
                else:
                    await self.send(user_id, evidence)
                continue
            if first is not None and first.kind == "rc":
                await self.tap(user_id, "Finish")
                continue
            if first is None or first.kind != "a":
                raise AssertionError(f"expected a question, found {rows}")
            answers = [row[0] for row, p in zip(rows, presses, strict=True) if p and p.kind == "a"]
            button = answers[-1] if choose == "top" else answers[0]
            await self.press(user_id, button["callback_data"])
        raise AssertionError("assessment did not finish")


def settings_for(fake: FakeBotApi, db_path: Path, **overrides: Any) -> Settings:
    """Settings for a bot on `db_path` talking to `fake`; every test bot has an operator
    (OPERATOR) unless `admin_ids` says otherwise, since hubs need one to be approved."""
    overrides.setdefault("admin_ids", frozenset({OPERATOR}))
    return Settings(
        token=TOKEN,
        api_base_url=fake.base_url,
        api_base_file_url=fake.file_url,
        db_path=db_path,
        **overrides,
    )


def unthrottled() -> AIORateLimiter:
    """The bot's rate limiter with its RetryAfter handling but without Telegram's pacing, which
    would turn tests of behaviour into waits (the fan-out benchmark measures the pacing)."""
    return PerChatRateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=RATE_LIMIT_RETRIES)


@asynccontextmanager
async def running(
    fake: FakeBotApi,
    content: Content,
    db_path: Path,
    clock: FakeClock,
    *,
    read_timeout: float = READ_TIMEOUT,
    **overrides: Any,
) -> AsyncIterator[Harness]:
    """A real Application on `db_path`, initialised as run_polling would, torn down after."""
    app = build_application(
        settings_for(fake, db_path, **overrides),
        content,
        clock=clock,
        rate_limiter=unthrottled(),
        read_timeout=read_timeout,
    )
    harness = Harness(app, fake, clock)

    async def collect(update: object, context: Any) -> None:
        harness.errors.append(context.error)

    app.add_error_handler(collect)
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    try:
        yield harness
    finally:
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)


@asynccontextmanager
async def polling(app: BotApplication) -> AsyncIterator[BotApplication]:
    """Run `app` as run_polling would, against the fake's getUpdates, until the block ends."""
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=timedelta(seconds=1))
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)
