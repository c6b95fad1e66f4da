"""All database access, re-exported from bot/db/ (one store per aggregate over a small core).

Kept so `from bot.storage import Storage` goes on working; new code may import from bot.db.
"""

from __future__ import annotations

from bot.db import (
    DEFAULT_NUDGE_TIME,
    DEFAULT_NUDGE_WEEKDAY,
    DatabaseTooNew,
    DatabaseUnavailable,
    Storage,
)

__all__ = [
    "DEFAULT_NUDGE_TIME",
    "DEFAULT_NUDGE_WEEKDAY",
    "DatabaseTooNew",
    "DatabaseUnavailable",
    "Storage",
]
