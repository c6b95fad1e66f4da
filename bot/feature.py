"""What a feature adds to the bot, declared once in its own module.

Each feature module in `handlers/` ends with `FEATURE = Feature(...)`: its commands (with the
menus they appear in), its button kinds and the handler each goes to, its free-text routes and
the half-typed entries they wait on, its `/start` payloads, its scheduled kinds, its start-up
rebuilds and repeating checks, and any other handler it needs. `bot/app.py` loops over the
features; the callback kinds, the command menus and the scheduled kinds are derived from these
descriptors and are typed nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from telegram.ext import BaseHandler

from bot.conversation import Entry, entry_types
from bot.routes import TextRoute
from bot.scheduling import Kind, Rebuild, Repeating

if TYPE_CHECKING:
    from telegram import Update

    from bot.context import BotContext
    from bot.routes import PayloadHandler, StartHandler

    HandlerCallback = Callable[[Update, BotContext], Coroutine[Any, Any, None]]

# Where a command is listed (setMyCommands scopes); a command may be in none.
Menu = Literal["private", "group", "group_admin", "operator"]


@dataclass(frozen=True)
class Command:
    """A slash command, the handler it runs, and the menus that list it."""

    name: str
    callback: HandlerCallback
    menus: tuple[Menu, ...] = ()


@dataclass(frozen=True)
class Buttons:
    """Callback kinds (code -> number of integer arguments) that go to one handler."""

    callback: HandlerCallback
    kinds: Mapping[str, int]


@dataclass(frozen=True)
class Feature:
    """Everything one feature adds to the bot; see the module's docstring."""

    name: str
    commands: tuple[Command, ...] = ()
    buttons: tuple[Buttons, ...] = ()
    # Free text it may be waiting for, tried in the order of the features (`last` ones after all).
    text_routes: tuple[TextRoute, ...] = ()
    # Its half-typed entries (bot/conversation.py): what its routes wait on, kept with the user.
    entries: tuple[type[Entry], ...] = ()
    start_payloads: Mapping[str, StartHandler] = field(default_factory=dict)
    # /start payloads by prefix (e.g. "pulse_"): the handler gets what follows the prefix.
    start_prefixed: Mapping[str, PayloadHandler] = field(default_factory=dict)
    # Every scheduled or once-only kind of message this feature sends (job and slot names).
    kinds: tuple[Kind, ...] = ()
    rebuilds: tuple[Rebuild, ...] = ()
    repeating: tuple[Repeating, ...] = ()
    # Handlers that see every update before any other (each in a group of its own, as only
    # one handler per group runs), e.g. noting a lead's activity.
    before: tuple[BaseHandler[Any, Any, Any], ...] = ()
    # What to stop when the bot shuts down (a worker process the feature started, say).
    on_shutdown: tuple[Callable[[], None], ...] = ()
    # Any other handlers (group housekeeping, catch-alls), added after every feature's
    # commands and buttons, in the order of the features.
    handlers: tuple[BaseHandler[Any, Any, Any], ...] = ()


def callback_kinds(features: Sequence[Feature]) -> dict[str, int]:
    """Every callback kind of every feature; a kind declared twice is an error."""
    kinds: dict[str, int] = {}
    for feature in features:
        for buttons in feature.buttons:
            for code, args in buttons.kinds.items():
                if code in kinds:
                    raise ValueError(f"callback kind {code!r} declared twice ({feature.name})")
                kinds[code] = args
    return kinds


def menu(features: Sequence[Feature], where: Menu) -> tuple[str, ...]:
    """The commands listed in one menu, in the order the features declare them."""
    return tuple(
        command.name
        for feature in features
        for command in feature.commands
        if where in command.menus
    )


def check(features: Sequence[Feature]) -> None:
    """Refuse a set of features that declare a command, a feature name, a callback kind, a
    scheduled kind, a /start payload or a half-typed entry twice."""
    for label, names in (
        ("feature", [f.name for f in features]),
        ("command", [c.name for f in features for c in f.commands]),
        ("scheduled kind", [k.name for f in features for k in f.kinds]),
        ("start payload", [p for f in features for p in f.start_payloads]),
        ("start prefix", [p for f in features for p in f.start_prefixed]),
        ("entry", [e.state for f in features for e in f.entries]),
    ):
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise ValueError(f"{label} {name!r} declared twice")
            seen.add(name)
    callback_kinds(features)


def check_entries(features: Sequence[Feature]) -> None:
    """Refuse an entry kind that storage would decode (defining it registers it) but that none
    of these features declares: nothing would route the text it waits for."""
    declared = {kind for each in features for kind in each.entries}
    missing = sorted(name for name, kind in entry_types().items() if kind not in declared)
    if missing:
        raise ValueError(f"entries declared by no feature: {', '.join(missing)}")
