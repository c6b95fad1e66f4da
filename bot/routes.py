"""Where input that no single command owns is handed on: free text and /start payloads.

Features register here in the composition root, so the modules that receive such input
(handlers/fallback.py, handlers/start.py) need not import the features that act on it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from telegram import Update

    from bot.context import BotContext
    from bot.rows import User

    TextHandler = Callable[[Update, BotContext, User], Awaitable[bool]]
    Waiting = Callable[[BotContext, User], Awaitable[str | None]]
    StartHandler = Callable[[BotContext, int, int], Awaitable[None]]
    PayloadHandler = Callable[[BotContext, int, int, str], Awaitable[None]]


@dataclass(frozen=True)
class TextRoute:
    """A feature that may be waiting for free text from a user.

    `handle` takes the text if the feature is waiting for it (True) or declines (False);
    `waiting` names the hint (a strings key) for something other than text, if it is waiting.
    """

    handle: TextHandler
    waiting: Waiting
    # A route that takes any text while its feature has something open, rather than text its
    # feature asked for: tried after every other route.
    last: bool = False


@dataclass
class Routes:
    text: list[TextRoute] = field(default_factory=list)
    start: dict[str, StartHandler] = field(default_factory=dict)
    # /start payloads by prefix (e.g. "pulse_"): the handler gets what follows the prefix.
    start_prefixed: dict[str, PayloadHandler] = field(default_factory=dict)
