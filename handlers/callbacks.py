"""Callback data: a short versioned format, built and parsed only here.

`1:<kind>:<int>:<int>...` — the version, a kind code and a fixed number of small non-negative
integers. A modified client can send anything, so parsing checks every part and returns None for
anything that is not exactly what this bot would have sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERSION = "1"
MAX_BYTES = 64  # Telegram's limit on callback data
MAX_ARG = 2**53  # keeps ids within what every client handles

# kind -> number of integer arguments. Each feature declares its own kinds in its descriptor
# (`Feature.buttons`, bot/feature.py); the composition root installs them all here.
KINDS: dict[str, int] = {}


def install(kinds: dict[str, int]) -> None:
    """Use these kinds (every feature's, from bot.feature.callback_kinds) from now on."""
    KINDS.clear()
    KINDS.update(kinds)


@dataclass(frozen=True)
class Press:
    kind: str
    args: tuple[int, ...]


def encode(kind: str, *args: int) -> str:
    if KINDS.get(kind) != len(args) or any(not 0 <= a < MAX_ARG for a in args):
        raise ValueError(f"bad callback {kind!r} {args!r}")
    data = ":".join((VERSION, kind, *(str(a) for a in args)))
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def decode(data: object) -> Press | None:
    """The press a button sent, or None for anything malformed, unknown or out of range."""
    if not isinstance(data, str) or len(data.encode()) > MAX_BYTES:
        return None
    parts = data.split(":")
    if len(parts) < 2 or parts[0] != VERSION or parts[1] not in KINDS:
        return None
    raw = parts[2:]
    if len(raw) != KINDS[parts[1]] or not all(re.fullmatch(r"0|[1-9][0-9]{0,15}", r) for r in raw):
        return None
    args = tuple(int(r) for r in raw)
    if any(a >= MAX_ARG for a in args):
        return None
    return Press(parts[1], args)


def pattern(*kinds: str) -> re.Pattern[str]:
    """A CallbackQueryHandler pattern selecting presses of the given kinds."""
    return re.compile(rf"^{VERSION}:({'|'.join(map(re.escape, kinds))})(:|$)")
