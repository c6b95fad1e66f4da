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
    BotCommandScopeChat,
)
from telegram.error import TelegramError

from content.strings import Strings

log = logging.getLogger(__name__)

PRIVATE = (
    "assess",
    "score",
    "compare",
    "report",
    "plan",
    "wres",
    "share",
    "leads",
    "buddy",
    "privacy",
    "export",
    "forget",
    "whoami",
    "about",
    "start",
    "glossary",
    "help",
)
GROUP = ("compare", "meetings", "glossary", "help")
GROUP_ADMIN = ("hub", "nudges", "nudge", "meeting", "digest", *GROUP)


def menus() -> list[tuple[BotCommandScope, tuple[str, ...]]]:
    return [
        (BotCommandScopeAllPrivateChats(), PRIVATE),
        (BotCommandScopeAllGroupChats(), GROUP),
        (BotCommandScopeAllChatAdministrators(), GROUP_ADMIN),
    ]


OPERATOR = (*PRIVATE, "stats", "audit")


async def set_commands(bot: Bot, strings: Strings, operators: frozenset[int]) -> None:
    for scope, names in menus():
        commands = [BotCommand(name, strings(f"commands.{name}")) for name in names]
        await bot.set_my_commands(commands, scope=scope)
    for operator in sorted(operators):
        commands = [BotCommand(name, strings(f"commands.{name}")) for name in OPERATOR]
        try:
            await bot.set_my_commands(commands, scope=BotCommandScopeChat(operator))
        except TelegramError as error:  # an operator who has not started the bot yet
            log.info("no operator menu for %s: %s", operator, error)
