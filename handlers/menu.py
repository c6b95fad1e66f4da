"""Command menus, set per scope with setMyCommands so each chat shows what fits it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Menus:
    """The commands each scope lists, derived from the features' descriptors (bot/app.py)."""

    private: tuple[str, ...]
    group: tuple[str, ...]
    group_admin: tuple[str, ...]
    operator: tuple[str, ...]  # besides the private menu


def scopes(menus: Menus) -> list[tuple[BotCommandScope, tuple[str, ...]]]:
    return [
        (BotCommandScopeAllPrivateChats(), menus.private),
        (BotCommandScopeAllGroupChats(), menus.group),
        (BotCommandScopeAllChatAdministrators(), menus.group_admin),
    ]


async def set_commands(bot: Bot, strings: Strings, operators: frozenset[int], menus: Menus) -> None:
    for scope, names in scopes(menus):
        commands = [BotCommand(name, strings(f"commands.{name}")) for name in names]
        await bot.set_my_commands(commands, scope=scope)
    for operator in sorted(operators):
        names = (*menus.private, *menus.operator)
        commands = [BotCommand(name, strings(f"commands.{name}")) for name in names]
        try:
            await bot.set_my_commands(commands, scope=BotCommandScopeChat(operator))
        except TelegramError as error:  # an operator who has not started the bot yet
            log.info("no operator menu for %s: %s", operator, error)
