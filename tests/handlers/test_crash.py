"""A bot process killed with SIGKILL mid-assessment loses no answer it acknowledged."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from content import Content
from tests.clients import PolledUser
from tests.fakebot import TOKEN, FakeBotApi, callback_update

ROOT = Path(__file__).resolve().parents[2]
LEAD = 4242


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@asynccontextmanager
async def bot_process(fake: FakeBotApi, db: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m bot` in its own process, polling the fake; killed if still running after."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))},
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_API_BASE_FILE_URL": fake.file_url,
        "BOT_DB_PATH": str(db),
        "LOG_LEVEL": "WARNING",
        "PORT": str(free_port()),  # its health endpoint; processes side by side need their own
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=ROOT, env=env, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def _stored_answers(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = connection.execute("SELECT item_key, option FROM answers").fetchall()
    return dict(rows)


async def test_sigkill_mid_assessment_loses_no_acknowledged_answer(
    fake: FakeBotApi, content: Content, tmp_path: Path
) -> None:
    """Every answer the bot replied to survives SIGKILL; a restarted bot resumes after them."""
    db = tmp_path / "bot.sqlite3"
    items = content.model.items
    lead = PolledUser(fake, LEAD, timeout=30)
    acknowledged: dict[str, int] = {}
    async with bot_process(fake, db) as process:
        await lead.register()
        for position in range(20):
            message_id, _, data = lead.question()
            # Never the top option, so no evidence prompt comes between questions.
            choice = 0 if len(data) == 3 else position % 4
            await lead.press(data[choice], message_id)
            acknowledged[items[position].key] = choice
        # One more press in flight, then the process dies without any chance to clean up.
        message_id, _, data = lead.question()
        message = dict(fake.messages[(LEAD, message_id)])
        fake.push(callback_update(LEAD, data[0], message=message))
        process.send_signal(signal.SIGKILL)
        await process.wait()
    stored = _stored_answers(db)
    assert {key: stored[key] for key in acknowledged} == acknowledged

    # The press in flight was never confirmed to Telegram, so the new process may get it again.
    sent_before = len(fake.sent(LEAD))
    async with bot_process(fake, db):
        await lead.send("/assess")
        await fake.wait_for(lambda: "Welcome back" in fake.sent(LEAD)[-1].text)
        reply = fake.sent(LEAD)[-1].text
    assert len(fake.sent(LEAD)) == sent_before + 1
    stored = _stored_answers(db)
    assert {key: stored[key] for key in acknowledged} == acknowledged
    assert f"Question {len(stored) + 1} of 50" in reply
