"""One bot process per database: the lock file beside it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.instance import AlreadyRunning, InstanceLock, lock_path


def test_lock_file_sits_beside_the_database() -> None:
    """The lock for data/bot.sqlite3 is data/bot.sqlite3.lock."""
    assert lock_path(Path("data/bot.sqlite3")) == Path("data/bot.sqlite3.lock")


def test_acquire_creates_the_folder(tmp_path: Path) -> None:
    """The database's folder is created if needed, and the lock file in it names the holder."""
    db = tmp_path / "new" / "bot.sqlite3"
    with InstanceLock(db):
        assert (tmp_path / "new" / "bot.sqlite3.lock").read_text() == f"{os.getpid()}\n"


def test_second_lock_on_the_same_database_is_refused(tmp_path: Path) -> None:
    """While one holder has the lock, another is refused at once with a message saying why."""
    db = tmp_path / "bot.sqlite3"
    with InstanceLock(db), pytest.raises(AlreadyRunning) as refused:
        InstanceLock(db).acquire()
    assert str(refused.value) == (
        f"another bot process (process {os.getpid()}) is already using {db} (it holds "
        f"{db}.lock); stop it first, or set BOT_DB_PATH to another database"
    )


def test_locks_on_different_databases_do_not_conflict(tmp_path: Path) -> None:
    """Two databases, two bots."""
    with InstanceLock(tmp_path / "a.sqlite3"), InstanceLock(tmp_path / "b.sqlite3") as second:
        assert second.held


def test_release_lets_the_next_holder_in(tmp_path: Path) -> None:
    """After release (the process ending does the same) the database can be locked again."""
    db = tmp_path / "bot.sqlite3"
    first = InstanceLock(db).acquire()
    first.release()
    with InstanceLock(db) as second:
        assert (first.held, second.held) == (False, True)


def test_lock_held_by_another_process_is_refused(tmp_path: Path) -> None:
    """The lock works across processes, and dies with the process that held it."""
    db = tmp_path / "bot.sqlite3"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from bot.instance import InstanceLock; "
            f"InstanceLock(Path({str(db)!r})).acquire(); print('held', flush=True); "
            "sys.stdin.read()",
        ],
        cwd=Path(__file__).resolve().parents[2],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(AlreadyRunning, match=f"process {holder.pid}"):
            InstanceLock(db).acquire()
    finally:
        holder.kill()
        holder.wait()
        for stream in (holder.stdin, holder.stdout):
            if stream is not None:
                stream.close()
    with InstanceLock(db) as lock:
        assert lock.held
