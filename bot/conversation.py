"""Half-typed entries: what a user has begun in a private chat and not yet finished.

Each feature declares its own entry as a frozen dataclass over `Entry`, named by the class
keyword `state` (the value of `users.state`, or its prefix before ":" for an entry whose `step`
is part of it); defining the class registers it. Storage takes and returns entries and is the
only caller of `encode`/`decode`: the columns stay `users.state` (TEXT) and `users.draft` (a JSON
object of the other fields, with `since` for the moment the entry began).

The staleness rule is the router's (handlers/fallback.py): an entry whose class sets `expires`
and has been left alone longer than that no longer claims the user's free text.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from bot.clock import iso, parse

# `began` of an entry stored without a readable `since` (as plan and WRES entries never were,
# and registration and pulse ones were before this module): stale wherever entries expire.
LONG_AGO = datetime(1970, 1, 1, tzinfo=UTC)

# How long a typed entry (a plan step's edit, a WRES quarter) may be left alone before it no longer
# claims the user's free text.
DRAFT_EXPIRES = timedelta(hours=1)

_REGISTRY: dict[str, type[Entry]] = {}


@dataclass(frozen=True)
class Entry:
    """The base of every feature's half-typed entry: the moment it began."""

    began: datetime

    state: ClassVar[str]
    # Whether the `step` field is written into users.state ("prefix:step").
    stepped: ClassVar[bool] = False
    # How long it may be left alone before the router drops it; None: it never goes stale.
    expires: ClassVar[timedelta | None] = None

    def __init_subclass__(
        cls, *, state: str, stepped: bool = False, expires: timedelta | None = None
    ) -> None:
        super().__init_subclass__()
        known = _REGISTRY.get(state)
        if known is not None and known.__qualname__ != cls.__qualname__:
            raise ValueError(f"entry state {state!r} declared twice")
        cls.state, cls.stepped, cls.expires = state, stepped, expires
        _REGISTRY[state] = cls

    @property
    def at(self) -> str:
        """Where it stands, as users.state holds it: its kind, and its step if it has steps."""
        return f"{self.state}:{vars(self)['step']}" if self.stepped else self.state

    def stale(self, now: datetime) -> bool:
        """Whether it was left alone longer than its kind allows."""
        return self.expires is not None and now - self.began > self.expires


def entry_types() -> dict[str, type[Entry]]:
    """Every registered kind of entry, by its state name."""
    return dict(_REGISTRY)


def encode(entry: Entry | None) -> tuple[str | None, str | None]:
    """The (users.state, users.draft) pair that stores an entry; (None, None) for none."""
    if entry is None:
        return None, None
    fields = {f.name: getattr(entry, f.name) for f in dataclasses.fields(entry)}
    began = fields.pop("began")
    if entry.stepped:
        fields.pop("step")
    draft = {
        name: list(value) if isinstance(value, tuple) else value for name, value in fields.items()
    }
    return entry.at, json.dumps({**draft, "since": iso(began)})


def decode(state: str | None, draft: str | None) -> Entry | None:
    """The entry a stored pair holds; None for none, an unknown kind or anything unreadable."""
    if not state:
        return None
    prefix, _, step = state.partition(":")
    kind = _REGISTRY.get(state)
    values: dict[str, Any] = {}
    if kind is None or kind.stepped:
        kind = _REGISTRY.get(prefix)
        if kind is None or not kind.stepped or not step:
            return None
        values["step"] = step
    try:
        loaded = json.loads(draft) if draft else {}
        if not isinstance(loaded, dict):
            return None
        return kind(**values, **_fields(kind, loaded))
    except (TypeError, ValueError):
        return None


def _fields(kind: type[Entry], loaded: dict[str, Any]) -> dict[str, Any]:
    """The constructor's arguments from a stored draft, each checked against its type."""
    hints = typing.get_type_hints(kind)
    out: dict[str, Any] = {"began": _began(loaded.get("since"))}
    skipped = {"began", "step"} if kind.stepped else {"began"}
    for field in dataclasses.fields(kind):
        if field.name in skipped or field.name not in loaded:
            continue  # a missing one takes its default, if it has one (else the class refuses)
        out[field.name] = _checked(hints[field.name], loaded[field.name])
    return out


def _began(since: object) -> datetime:
    if not isinstance(since, str):
        return LONG_AGO
    try:
        return parse(since)
    except ValueError:
        return LONG_AGO


def _checked(hint: Any, value: object) -> object:
    """The value if it fits the annotation (tuples are stored as lists); else TypeError."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        for option in args:
            try:
                return _checked(option, value)
            except TypeError:
                continue
        raise TypeError(f"{value!r} fits none of {hint}")
    if hint is type(None):
        if value is None:
            return None
        raise TypeError("not None")
    if origin is tuple:
        if not isinstance(value, list):
            raise TypeError("not a list")
        return tuple(_checked(args[0], item) for item in value)
    if hint is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if hint is str and isinstance(value, str):
        return value
    raise TypeError(f"{value!r} is not {hint}")
