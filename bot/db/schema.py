"""What a database of this bot looks like at each schema version, so a foreign file is refused.

The shape of a version is worked out by applying migrations 1..N to an empty database in
memory, so it can never drift from the migrations themselves. Only table and column names are
compared: a file with a table we did not make, or one of our tables with other columns, is not
ours, whatever its `user_version` says.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import Iterable

from bot.migrations import LATEST, MIGRATIONS

# Shape: table name -> its column names.
Shape = dict[str, frozenset[str]]

# The release at 5309064 numbered the buddy tables 7 (today's 8) and had no co-lead tables
# (today's 7). A database it made says version 7 but holds migrations 1..6 and today's 8.
LEGACY_BUDDIES_VERSION = 7
LEGACY_BUDDIES_APPLIED = (1, 2, 3, 4, 5, 6, 8)


def shape(connection: sqlite3.Connection) -> Shape:
    """The tables (without SQLite's own) and their columns."""
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
            "ESCAPE '\\' ORDER BY name"
        )
    ]
    return {
        name: frozenset(
            row[0] for row in connection.execute("SELECT name FROM pragma_table_info(?)", (name,))
        )
        for name in names
    }


@functools.cache
def expected(applied: tuple[int, ...]) -> Shape:
    """The shape a database has once exactly these migrations ran, in this order."""
    with contextlib.closing(sqlite3.connect(":memory:")) as memory:
        for version in applied:
            memory.executescript(MIGRATIONS[version])
        return shape(memory)


def user_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def is_legacy_buddies(connection: sqlite3.Connection) -> bool:
    """Whether this is a database of the release that numbered the buddy tables 7."""
    return user_version(connection) == LEGACY_BUDDIES_VERSION and shape(connection) == expected(
        LEGACY_BUDDIES_APPLIED
    )


def problem(connection: sqlite3.Connection) -> str | None:
    """Why this database is not one of this bot's (in a few words), or None if it is.

    A new, empty file is fine; a version newer than this code knows is left to the downgrade
    check, which says what to do.
    """
    version = user_version(connection)
    actual = shape(connection)
    if version == 0:
        if not actual:
            return None
        return f"it has tables ({_names(actual)}) but no schema version: another application's?"
    if version > LATEST:
        return None
    if version == LEGACY_BUDDIES_VERSION and actual == expected(LEGACY_BUDDIES_APPLIED):
        return None
    wanted = expected(tuple(number for number in sorted(MIGRATIONS) if number <= version))
    if actual == wanted:
        return None
    unknown = actual.keys() - wanted.keys()
    if unknown:
        return f"it holds tables this bot never made ({_names(unknown)})"
    missing = wanted.keys() - actual.keys()
    if missing:
        return f"it says schema version {version} but lacks the tables {_names(missing)}"
    differing = sorted(t for t in wanted if actual[t] != wanted[t])
    return f"it says schema version {version} but the columns of {_names(differing)} differ"


def _names(tables: Iterable[str]) -> str:
    listed = sorted(tables)
    shown = ", ".join(listed[:4])
    return shown + (f" and {len(listed) - 4} more" if len(listed) > 4 else "")
