"""One bot process per database: an exclusive lock file beside it, held for the process lifetime.

Two processes on one database would both poll Telegram (each stealing the other's updates, or
failing with Conflict) and both run the scheduled jobs. `flock` locks belong to the open file, so
the kernel releases the lock when the process exits, however it exits: a crash leaves no stale
lock to clean up. The lock file itself stays; deleting it would let a third process lock a new
file while the second still holds the old one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from types import TracebackType


def file_in_the_way(path: Path) -> Path | None:
    """The nearest existing ancestor of `path` when it is a file rather than a folder (so no
    folder can be made there), or None."""
    existing = path.parent
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    return existing if existing.exists() and not existing.is_dir() else None


class AlreadyRunning(Exception):
    """Another process holds the database's lock."""


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


class InstanceLock:
    """The lock on `<db_path>.lock`; `acquire()` takes it, `release()` or exiting frees it."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.path = lock_path(db_path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> InstanceLock:
        """Take the lock without waiting; raise AlreadyRunning if another process holds it."""
        if self._fd is not None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            by = f" (process {holder})" if holder else ""
            raise AlreadyRunning(
                f"another bot process{by} is already using {self.db_path} "
                f"(it holds {self.path}); stop it first, or set BOT_DB_PATH to another database"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        # The holder's pid, for the message above and for an operator reading the file.
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        os.close(fd)  # closing the only descriptor releases the flock

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int(os.pread(fd, 32, 0).decode().strip())
    return None
