"""Fan-out of one nudge slot, and of one month's digest, to 1,000 hub groups through a
flood-limited fake Bot API.

Telegram allows about 30 messages a second overall and 20 a minute per group, so 1,000 groups
cannot be reached in less than 1000/30 = 33.3 s. The fake enforces those limits and answers 429
beyond them. Goal: within 10% of the floor, with no 429s.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bench import seed
from bench.report import Row
from bot.app import build_application
from bot.clock import iso
from bot.config import Settings
from bot.context import BotApplication, services_of
from bot.scheduling import SCHEDULED_JOB_KWARGS
from content import load_content
from handlers.digest import digest_check_job
from handlers.hubs import NUDGE, nudge_job
from scoring import dates
from tests.fakebot import TOKEN, FakeBotApi, FloodLimits

HUBS = 1000
RATE = 30.0


class _FixedClock:
    """The bot's clock held at one moment (the digest is due on one day of the month)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


async def run(hubs: int = HUBS) -> list[Row]:
    return [await nudge_fan_out(hubs), await digest_fan_out(hubs)]


async def nudge_fan_out(hubs: int = HUBS) -> Row:
    # Every hub's weekly slot is this very minute, so the jobs are due as soon as they exist.
    zone = ZoneInfo("Europe/London")
    local_slot = datetime.now(zone).replace(second=0, microsecond=0)
    slot = local_slot.astimezone(UTC)

    def start(app: BotApplication) -> None:
        assert app.job_queue is not None
        for hub_id in range(1, hubs + 1):
            app.job_queue.run_once(
                nudge_job,
                when=slot,
                name=NUDGE.job(hub_id),
                data={"hub": hub_id, "slot": iso(slot)},
                job_kwargs=SCHEDULED_JOB_KWARGS,
            )

    return await _fan_out(
        "nudge",
        hubs,
        weekday=local_slot.weekday(),
        at=local_slot.strftime("%H:%M"),
        start=start,
        marker="Good practice",
        ledger_kind="nudge",
    )


async def digest_fan_out(hubs: int = HUBS) -> Row:
    """The monthly digest check, run once at the hubs' nudge time on a first working day."""
    zone = ZoneInfo("Europe/London")
    year = datetime.now(zone).year + 1
    day = dates.first_working_day(year, 3)
    moment = datetime(day.year, day.month, day.day, 9, 1, tzinfo=zone)

    def start(app: BotApplication) -> None:
        assert app.job_queue is not None
        app.job_queue.run_once(digest_check_job, when=0, name="bench-digest")

    return await _fan_out(
        "digest",
        hubs,
        weekday=day.weekday(),
        at="09:00",
        start=start,
        marker="hub digest",
        ledger_kind="digest",
        clock=_FixedClock(moment.astimezone(UTC)),
    )


async def _fan_out(
    what: str,
    hubs: int,
    *,
    weekday: int,
    at: str,
    start: Callable[[BotApplication], None],
    marker: str,
    ledger_kind: str,
    clock: _FixedClock | None = None,
) -> Row:
    """Seed `hubs` hub groups, start the sends with `start`, and time until every hub has a
    message containing `marker`."""
    fake = FakeBotApi(limits=FloodLimits(per_second=RATE, per_group_minute=20))
    await fake.start()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.sqlite3"
        await seed.create(db)
        seed.hubs(db, hubs, weekday=weekday, at=at)
        settings = Settings(
            token=TOKEN,
            api_base_url=fake.base_url,
            api_base_file_url=fake.file_url,
            db_path=db,
        )
        app = build_application(settings, load_content(), clock=clock)
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        assert app.job_queue is not None
        for job in app.job_queue.jobs():
            job.schedule_removal()  # no start-up catch-up: this measures one slot
        await app.job_queue.start()
        started = time.monotonic()
        start(app)
        deadline = started + 300
        while len([c for c in fake.sent() if marker in c.text]) < hubs:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} fan-out did not finish in 5 minutes")
            await asyncio.sleep(0.05)
        elapsed = time.monotonic() - started
        statuses = await services_of(app).storage.deliveries(ledger_kind)
        await app.job_queue.stop()
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)
    await fake.stop()
    floor = hubs / RATE
    sent = sum(1 for delivery in statuses if delivery.status == "sent")
    ratio = elapsed / floor
    return Row(
        name=f"{what} fan-out to {hubs} hubs",
        measured=f"{elapsed:.1f} s, {fake.rejected_429} x 429, {sent} sent",
        baseline=f"{floor:.1f} s floor",
        ratio=f"{ratio:.3f}",
        goal="<= 1.10, 0 x 429",
        met=ratio <= 1.10 and fake.rejected_429 == 0 and sent == hubs,
        command="python -m bench fanout",
    )
