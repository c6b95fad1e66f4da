"""Command menus, set per scope with setMyCommands so each chat shows what fits it."""

from __future__ import annotations

import logging

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
)

from content.strings import Strings

log = logging.getLogger(__name__)

PRIVATE = ("assess", "score", "share", "start", "help")
GROUP = ("meetings", "help")
GROUP_ADMIN = ("hub", "nudges", "nudge", "meeting", *GROUP)


def menus() -> list[tuple[BotCommandScope, tuple[str, ...]]]:
    return [
        (BotCommandScopeAllPrivateChats(), PRIVATE),
        (BotCommandScopeAllGroupChats(), GROUP),
        (BotCommandScopeAllChatAdministrators(), GROUP_ADMIN),
    ]


async def set_commands(bot: Bot, strings: Strings) -> None:
    for scope, names in menus():
        commands = [BotCommand(name, strings(f"commands.{name}")) for name in names]
        await bot.set_my_commands(commands, scope=scope)
