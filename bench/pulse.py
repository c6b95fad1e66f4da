"""A member pulse answered by 1,000 members through the fake Bot API, then closed.

Each member opens the link, taps Begin, answers every statement and skips the free text, one
update at a time, with the real Application in this process and a real SQLite file. Goals: every
answer acknowledged (the spinner answered and the next screen shown), p99 per-answer latency
under 100 ms, no answer lost, all within ten minutes; closing the pulse of 1,000 answers (the
lead's Close, the whole update) under 1 s.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.report import Row
from content import load_content
from handlers import callbacks
from scoring import pulse as rules
from tests.fakebot import FakeBotApi
from tests.harness import FakeClock, Harness, running
from tests.seed import seed_result

MEMBERS = 1_000
LEAD = 10**9
FIRST_MEMBER = 2 * 10**9


async def _member(
    bot: Harness, member: int, code: str, pulse_id: int, statements: int
) -> list[float]:
    """One member's whole answer; the latency of each tap that answers (statements and Skip)."""
    calls = await bot.send(member, f"/start pulse_{code}")
    message_id = calls[-1].result["message_id"]
    presses = [callbacks.encode("qb", pulse_id)]
    presses += [
        callbacks.encode("qa", pulse_id, position, 1 + (member + position) % (rules.OPTIONS - 1))
        for position in range(statements)
    ]
    presses.append(callbacks.encode("qs", pulse_id))
    timings = []
    for data in presses:
        started = time.perf_counter()
        calls = await bot.press(member, data, message_id=message_id)
        timings.append(time.perf_counter() - started)
        methods = [call.method for call in calls]
        assert "answerCallbackQuery" in methods, methods
        assert "editMessageText" in methods, methods
    assert "Your answers are in" in calls[-1].text
    return timings[1:]  # Begin is not an answer


async def run(members: int = MEMBERS) -> list[Row]:
    content = load_content()
    statements = len(content.pulse.statements)
    fake = FakeBotApi()
    await fake.start()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "pulse.sqlite3"
        async with running(fake, content, db, FakeClock()) as bot:
            await seed_result(bot.storage, content.model, LEAD)
            await bot.send(LEAD, "/pulse")
            network = await bot.storage.network_of(LEAD)
            assert network is not None
            [pulse] = await bot.storage.pulses(network.id)
            card = next(c for c in fake.sent(LEAD) if "Answers so far" in c.text)
            started = time.perf_counter()
            timings: list[float] = []
            for member in range(FIRST_MEMBER, FIRST_MEMBER + members):
                timings += await _member(bot, member, pulse.code, pulse.id, statements)
                fake.calls.clear()  # keep the fake's record small; the bot does not read it
            whole = time.perf_counter() - started
            close_started = time.perf_counter()
            calls = await bot.press(
                LEAD, callbacks.encode("qc", pulse.id), message_id=card.result["message_id"]
            )
            closing = time.perf_counter() - close_started
            assert any(f"closed with {members} answers" in call.text for call in calls)
            figures = await bot.storage.pulse_figures(pulse.id)
            assert figures is not None
            lost = sum(
                members - sum(figures.counts.get(s.key, ())) for s in content.pulse.statements
            )
            assert bot.errors == []
    await fake.stop()
    ordered = sorted(timings)
    p99 = ordered[int(0.99 * len(ordered)) - 1] * 1000
    p50 = statistics.median(ordered) * 1000
    return [
        Row(
            name=f"member pulse: {members} members answer one pulse ({statements} statements each)",
            measured=(
                f"p99 {p99:.1f} ms, p50 {p50:.1f} ms per answer, {len(timings)} answers "
                f"acknowledged, {lost} lost, {whole:.0f} s in all"
            ),
            baseline="100 ms goal",
            ratio=f"{p99 / 100:.2f}",
            goal="p99 < 100 ms, none lost, < 10 min",
            met=p99 < 100 and lost == 0 and whole < 600,
            command="python -m bench pulse",
        ),
        Row(
            name=f"closing a pulse of {members} answers (the lead's Close, whole update)",
            measured=f"{closing * 1000:.0f} ms",
            baseline="1 s goal",
            ratio=f"{closing:.2f}",
            goal="< 1 s",
            met=closing < 1.0,
            command="python -m bench pulse",
        ),
    ]
