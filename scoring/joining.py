"""Joining links and lengths for hub meetings. Pure: no Telegram, no I/O.

A hub admin may give a meeting's joining link, but only on a meeting service the NHS uses, so a
link in a hub group can never lead anywhere else. The allow-list, by service:

- Microsoft Teams: teams.microsoft.com, teams.live.com
- Zoom: zoom.us and its subdomains (us02web.zoom.us, nhs.zoom.us)
- Google Meet: meet.google.com
- Webex: webex.com and its subdomains (nhs.webex.com)
- NHS video consultations: Attend Anywhere, the platform NHS England licensed nationally for
  trusts (Royal College of Physicians, "Scaling up video consultation capabilities in the NHS",
  rcplondon.ac.uk/news/scaling-video-consultation-capabilities-nhs), whose waiting areas are at
  attendanywhere.com subdomains (england.nhs.attendanywhere.com).
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

# Host -> whether its subdomains are allowed too.
SERVICES: dict[str, bool] = {
    "teams.microsoft.com": False,
    "teams.live.com": False,
    "zoom.us": True,
    "meet.google.com": False,
    "webex.com": True,
    "attendanywhere.com": True,
}
URL_LIMIT = 1000  # characters; a joining link is far shorter
DEFAULT_LENGTH = timedelta(hours=1)
SHORTEST = timedelta(minutes=15)
LONGEST = timedelta(hours=8)

_LENGTH = re.compile(
    r"(?:(?P<hours>\d{1,2})\s*(?:h|hr|hrs|hour|hours))?\s*"
    r"(?:(?P<minutes>\d{1,3})\s*(?:m|min|mins|minute|minutes)?)?"
)


def looks_like_url(word: str) -> bool:
    return word.lower().startswith(("http://", "https://"))


def joining_link(word: str) -> str | None:
    """The word as a joining link if it is an https address on an allowed meeting service,
    without user names, an unusual port or characters a URL may not hold; else None."""
    if len(word) > URL_LIMIT or not re.fullmatch(r"[!#$%&'()*+,\-./0-9:;=?@A-Z\[\]_a-z~]+", word):
        return None
    try:
        parts = urlsplit(word)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    if (
        parts.scheme.lower() != "https"
        or parts.username
        or parts.password
        or port not in (None, 443)
    ):
        return None
    for allowed, subdomains in SERVICES.items():
        if host == allowed or (subdomains and host.endswith("." + allowed)):
            return word
    return None


def _read_length(word: str) -> timedelta | None:
    typed = word.strip().lower()
    match = _LENGTH.fullmatch(typed)
    if match is None or not (match["hours"] or match["minutes"]):
        return None
    if not re.search(r"[a-z]", typed):
        return None  # a bare number is not a length
    return timedelta(hours=int(match["hours"] or 0), minutes=int(match["minutes"] or 0))


def is_length_word(word: str) -> bool:
    """Whether the word is written like a length (90m, 1h30, 2hours), in range or not."""
    return _read_length(word) is not None


def parse_length(word: str) -> timedelta | None:
    """A meeting's length written as 90m, 90min, 1h, 1h30, 2hours (one word); None if the word
    is not a length or is outside 15 minutes to 8 hours."""
    length = _read_length(word)
    return length if length is not None and SHORTEST <= length <= LONGEST else None
