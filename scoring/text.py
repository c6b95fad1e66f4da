"""Rules for free text that may be shown to other people (names, meeting topics, practices).

Such text is refused when it holds a web address, an @mention or a line break: in a hub group a
link or a mention could pass for a message from the bot or send readers somewhere unsafe. A web
address is a URL scheme, www., an IP address, or any name ending in a public suffix (the Public
Suffix List, as bundled with tldextract and read once when this module is imported; never
fetched), or any dotted name followed by a path or a port.

`clean` removes control characters from text as it arrives. Pure: no Telegram, no I/O at call
time.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from enum import StrEnum

import tldextract


class Refusal(StrEnum):
    LINK = "link"
    MENTION = "mention"
    LINE_BREAK = "line_break"


# The bundled snapshot only: no list is downloaded and nothing is cached to disk.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)
_EXTRACT("example.com")  # read the bundled list now, at import, not while answering a message

# A scheme (http://, anything://), www., or a scheme written without slashes.
_SCHEME = re.compile(
    r"(?i)\b[a-z][a-z0-9+.-]{1,15}://|\bwww\.|\b(?:tg|mailto|javascript|data|file|tel):"
)
# A dotted name: labels of letters, digits or hyphens, ending in an alphabetic label.
_DOMAIN = re.compile(
    r"(?i)(?<![\w.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,24}))(?=([/:]\S)?)"
)
# Anything that might be a host: a run without spaces holding a dot or a colon.
_TOKEN = re.compile(r"[^\s\"'<>()\[\]{},;!?]+")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{2,}")
_LINE_BREAK = re.compile(r"[\n\r\v\f\x85\u2028\u2029]")
_BREAKS = re.compile(r"\r\n|[\r\v\f\x85\u2028\u2029]")
# Bidirectional overrides and isolates can make text read differently from what it holds.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean(text: str) -> str:
    """The text without control characters: line breaks become one newline, tabs stay, and
    every other control character (NUL, ESC, DEL, …) and bidirectional override goes."""
    text = _BREAKS.sub("\n", text)
    return "".join(
        char
        for char in text
        if char in "\n\t" or (unicodedata.category(char) != "Cc" and char not in _BIDI)
    )


def _host(token: str) -> str:
    """The host part a token would have as an address: after any user@, before a path, a
    query, a fragment or a port; without trailing dots."""
    host = token.rsplit("@", 1)[-1]
    host = re.split(r"[/?#\\]", host, maxsplit=1)[0]
    if host.count(":") == 1:  # host:port (an IPv6 address has several colons)
        host = host.split(":", 1)[0]
    return host.strip(".:").lower()


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _under_public_suffix(host: str) -> bool:
    if "." not in host:
        return False
    parts = _EXTRACT(host, include_psl_private_domains=False)
    # A name under a suffix (claim.pw), or a suffix of several labels itself (nhs.uk).
    return bool(parts.suffix) and (bool(parts.domain) or "." in parts.suffix)


def has_link(text: str) -> bool:
    """Whether the text holds a web address: a scheme, www., an IP address, a name under a
    public suffix, or a dotted name followed by a path or a port."""
    if _SCHEME.search(text):
        return True
    if any(match.group(3) for match in _DOMAIN.finditer(text)):
        return True
    for token in _TOKEN.findall(text):
        host = _host(token)
        if host and (_is_ip(host) or _under_public_suffix(host)):
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
