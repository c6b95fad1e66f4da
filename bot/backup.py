"""`python -m bot backup FILE`: a consistent copy of the database, safe while the bot runs.

SQLite's online backup API copies the database as one read transaction sees it, including what
is still only in the `-wal` file; in WAL mode that reader never blocks the bot's writes. The copy
is written beside the target under a temporary name, switched to a rollback journal so it is one
self-contained file, checked with `PRAGMA integrity_check`, and only then renamed into place, so a
failed backup never replaces a good one.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from bot.config import ConfigError, Settings, retention_policy
from bot.instance import lock_path
from scoring.retention import backups_to_delete

# Files SQLite keeps beside a database while it is open.
SIDE_FILES = ("-wal", "-shm", "-journal")


class BackupError(Exception):
    """The backup could not be made; nothing was written at the target."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    schema_version: int


def last_backup_path(db_path: Path) -> Path:
    """The file beside the database recording when `backup` last succeeded."""
    return db_path.with_name(db_path.name + ".last-backup")


def record_backup(db_path: Path, when: datetime) -> None:
    """Note a successful backup beside the database (best effort: a backup is not undone)."""
    with contextlib.suppress(OSError):
        last_backup_path(db_path).write_text(when.astimezone(UTC).isoformat(timespec="seconds"))


def last_backup(db_path: Path) -> datetime | None:
    """When `backup` last succeeded for this database, if it ever did (and it was recorded)."""
    try:
        text = last_backup_path(db_path).read_text().strip()
        return datetime.fromisoformat(text).astimezone(UTC)
    except (OSError, ValueError):
        return None


def manifest_path(db_path: Path) -> Path:
    """The file beside the database listing the backups `backup` made, oldest first."""
    return db_path.with_name(db_path.name + ".backups")


def remember_backup(db_path: Path, target: Path) -> None:
    """Add a backup to the list that rotation works from."""
    with open(manifest_path(db_path), "a", encoding="utf-8") as manifest:
        manifest.write(f"{target.resolve()}\n")


def rotate(db_path: Path, keep: int) -> list[Path]:
    """Delete the backups `backup` made beyond the newest `keep` (files it did not make are
    never touched); the ones deleted. Safe to call from the bot's retention run as well."""
    manifest = manifest_path(db_path)
    try:
        made = [line.strip() for line in manifest.read_text(encoding="utf-8").splitlines()]
    except OSError:
        return []
    made = [line for line in made if line]
    doomed = backups_to_delete(made, keep)
    live = {db_path.resolve(), *(db_path.with_name(db_path.name + s).resolve() for s in SIDE_FILES)}
    deleted = []
    for name in doomed:
        path = Path(name)
        if path in live:
            continue
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            deleted.append(path)
    kept = [line for line in dict.fromkeys(reversed(made)) if line not in doomed]
    partial = manifest.with_name(manifest.name + ".partial")
    partial.write_text("".join(f"{line}\n" for line in reversed(kept)), encoding="utf-8")
    os.replace(partial, manifest)
    return deleted


def db_path_from_env(env: Mapping[str, str]) -> Path:
    """The database path from BOT_DB_PATH alone: a backup needs no token."""
    return Path(env.get("BOT_DB_PATH", "").strip() or Settings.db_path)


def backup(source: Path, target: Path) -> Backup:
    """Copy the database at `source` to `target` and check the copy; raise BackupError."""
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    _refuse_live_files(source, target)
    if target.is_dir():
        raise BackupError(f"{target} is a folder: name the backup file")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        _copy(source, partial)
        version = _check(partial)
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as error:
        raise BackupError(f"the backup of {source} failed: {error}") from error
    finally:
        for leftover in (partial, *(partial.with_name(partial.name + s) for s in SIDE_FILES)):
            leftover.unlink(missing_ok=True)
    return Backup(target, target.stat().st_size, version)


def _refuse_live_files(source: Path, target: Path) -> None:
    live = [source, *(source.with_name(source.name + s) for s in SIDE_FILES)]
    live.extend((lock_path(source), last_backup_path(source), manifest_path(source)))
    resolved = target.resolve()
    for path in live:
        same = path.resolve() == resolved
        with contextlib.suppress(OSError):
            same = same or os.path.samefile(path, target)
        if same:
            raise BackupError(f"refusing to overwrite the live database file {path}")


def _copy(source: Path, destination: Path) -> None:
    # Never creates a database where there was none. Not read-only (mode=ro): a read-only
    # connection cannot remove the -wal and -shm files it creates when the bot is not running.
    uri = f"file:{quote(str(source.resolve()))}?mode=rw"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as src:
        src.execute("PRAGMA busy_timeout = 5000")
        with contextlib.closing(sqlite3.connect(destination)) as dst:
            # All pages in one step: one read transaction, so one consistent snapshot.
            src.backup(dst)
            # The copy inherits WAL mode; a rollback journal keeps it a single file.
            dst.execute("PRAGMA journal_mode = DELETE")
    with open(destination, "rb") as written:
        os.fsync(written.fileno())


def _check(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as copy:
        rows = [row[0] for row in copy.execute("PRAGMA integrity_check").fetchall()]
        if rows != ["ok"]:
            raise BackupError(f"the copy failed its integrity check: {'; '.join(rows[:5])}")
        version: int = copy.execute("PRAGMA user_version").fetchone()[0]
    return version


def main(args: list[str], env: Mapping[str, str]) -> int:
    """Run `backup FILE`; print one line, and return the process's exit status."""
    if len(args) != 1:
        print("usage: python -m bot backup FILE", file=sys.stderr)
        return 2
    db_path = db_path_from_env(env)
    try:
        keep = retention_policy(env).backups_kept
    except ConfigError as error:
        print(f"bot: backup refused: {error}", file=sys.stderr)
        return 2
    try:
        made = backup(db_path, Path(args[0]))
    except BackupError as error:
        print(f"bot: backup failed: {error}", file=sys.stderr)
        return 1
    record_backup(db_path, datetime.now(UTC))
    rotated = ""
    try:
        remember_backup(db_path, made.path)
        deleted = rotate(db_path, keep)
    except OSError as error:
        rotated = f"; older backups not rotated ({error.strerror})"
    else:
        if deleted:
            plural = "" if len(deleted) == 1 else "s"
            rotated = f"; {len(deleted)} older backup{plural} deleted (keeping {keep})"
    print(
        f"bot: backup written to {made.path} ({made.size} bytes, schema {made.schema_version})"
        f"{rotated}"
    )
    return 0
