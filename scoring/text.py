"""Rules for free text that may be shown to other people (names, meeting topics, practices).

Such text is refused when it holds a web address, an @mention or a line break: in a hub group a
link or a mention could pass for a message from the bot or send readers somewhere unsafe.
Pure: no Telegram, no I/O.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Refusal(StrEnum):
    LINK = "link"
    MENTION = "mention"
    LINE_BREAK = "line_break"


# Top-level domains people are likely to type; any other ending counts when a path, a port or a
# scheme follows it (evil.example/login).
COMMON_TLDS = frozenset(
    [
        "com",
        "org",
        "net",
        "uk",
        "io",
        "info",
        "biz",
        "co",
        "gov",
        "nhs",
        "edu",
        "app",
        "dev",
        "xyz",
        "online",
        "site",
        "link",
        "me",
        "ly",
        "ai",
        "tv",
        "eu",
        "us",
        "de",
        "fr",
        "ie",
        "nl",
        "es",
        "it",
        "ru",
        "cn",
        "in",
        "au",
        "ca",
        "click",
        "top",
        "live",
        "shop",
        "store",
        "page",
        "website",
        "email",
        "zip",
        "mov",
    ]
)

_SCHEME = re.compile(r"(?i)\b(?:https?|ftp)://|\bwww\.|\b(?:tg|mailto):")
# A dotted name: labels of letters, digits or hyphens, ending in an alphabetic label.
_DOMAIN = re.compile(
    r"(?i)(?<![\w.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,24}))(?=([/:]\S)?)"
)
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{2,}")
_LINE_BREAK = re.compile(r"[\n\r\v\f\x85\u2028\u2029]")


def has_link(text: str) -> bool:
    """Whether the text holds a web address: a scheme, www., or a bare domain name."""
    if _SCHEME.search(text):
        return True
    for match in _DOMAIN.finditer(text):
        tld = match.group(2).lower()
        if tld in COMMON_TLDS or match.group(3):
            return True
    return False


def refusal(text: str) -> Refusal | None:
    """Why the text may not be shown to others, or None if it may."""
    if _LINE_BREAK.search(text):
        return Refusal.LINE_BREAK
    if has_link(text):
        return Refusal.LINK
    if _MENTION.search(text):
        return Refusal.MENTION
    return None
