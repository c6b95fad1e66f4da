"""Fan-out of one nudge slot to 1,000 hub groups through a flood-limited fake Bot API.

Telegram allows about 30 messages a second overall and 20 a minute per group, so 1,000 groups
cannot be reached in less than 1000/30 = 33.3 s. The fake enforces those limits and answers 429
beyond them. Goal: within 10% of the floor, with no 429s.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bench import seed
from bench.report import Row
from bot.app import build_application
from bot.clock import iso
from bot.config import Settings
from bot.context import services_of
from bot.scheduling import NUDGE, SCHEDULED_JOB_KWARGS
from content import load_content
from handlers.hubs import nudge_job
from tests.fakebot import TOKEN, FakeBotApi, FloodLimits

HUBS = 1000
RATE = 30.0


async def run(hubs: int = HUBS) -> list[Row]:
    fake = FakeBotApi(limits=FloodLimits(per_second=RATE, per_group_minute=20))
    await fake.start()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.sqlite3"
        # Every hub's weekly slot is this very minute, so the jobs are due as soon as they exist.
        zone = ZoneInfo("Europe/London")
        local_slot = datetime.now(zone).replace(second=0, microsecond=0)
        slot = local_slot.astimezone(UTC)
        await seed.create(db)
        seed.hubs(db, hubs, weekday=local_slot.weekday(), at=local_slot.strftime("%H:%M"))
        hub_ids = list(range(1, hubs + 1))
        settings = Settings(
            token=TOKEN,
            api_base_url=fake.base_url,
            api_base_file_url=fake.file_url,
            db_path=db,
        )
        app = build_application(settings, load_content())
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        assert app.job_queue is not None
        for job in app.job_queue.jobs():
            job.schedule_removal()  # no start-up catch-up: this measures one slot
        await app.job_queue.start()
        started = time.monotonic()
        for hub_id in hub_ids:
            app.job_queue.run_once(
                nudge_job,
                when=slot,
                name=NUDGE.job(hub_id),
                data={"hub": hub_id, "slot": iso(slot)},
                job_kwargs=SCHEDULED_JOB_KWARGS,
            )
        deadline = started + 300
        while len([c for c in fake.sent() if "Good practice" in c.text]) < len(hub_ids):
            if time.monotonic() > deadline:
                raise TimeoutError("fan-out did not finish in 5 minutes")
            await asyncio.sleep(0.05)
        elapsed = time.monotonic() - started
        statuses = await services_of(app).storage.deliveries("nudge")
        await app.job_queue.stop()
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)
    await fake.stop()
    floor = len(hub_ids) / RATE
    sent = sum(1 for delivery in statuses if delivery.status == "sent")
    ratio = elapsed / floor
    return [
        Row(
            name=f"nudge fan-out to {len(hub_ids)} hubs",
            measured=f"{elapsed:.1f} s, {fake.rejected_429} x 429, {sent} sent",
            baseline=f"{floor:.1f} s floor",
            ratio=f"{ratio:.3f}",
            goal="<= 1.10, 0 x 429",
            met=ratio <= 1.10 and fake.rejected_429 == 0 and sent == len(hub_ids),
            command="python -m bench fanout",
        )
    ]
