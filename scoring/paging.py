"""Splitting a listing that grows with use into pages that each fit one Telegram message.

Telegram refuses a message over 4,096 characters (counted in UTF-16 code units after the HTML is
parsed). Pages are measured on the HTML itself in UTF-16 code units, which is never less than
what Telegram counts, so a page that fits here fits there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

MESSAGE_LIMIT = 4096  # Telegram's limit on a message's text
ELLIPSIS = "…"

_TAG = re.compile(r"<[^>]*>")


def size(text: str) -> int:
    """The length Telegram counts an (upper bound of) `text` as: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Page:
    """Page `number` (from 1) of `pages`: items `start` to `stop` (exclusive) and its text."""

    number: int
    pages: int
    start: int
    stop: int
    text: str


def cut(line: str, room: int) -> str:
    """`line` (HTML) shortened to at most `room` code units, ending in an ellipsis: its tags are
    dropped (a cut could leave one open) and an entity is never split."""
    if size(line) <= room:
        return line
    if room <= 0:
        return ""
    plain = _TAG.sub("", line)
    kept = ""
    for char in plain:
        if size(kept) + size(char) + size(ELLIPSIS) > room:
            break
        kept += char
    amp = kept.rfind("&")
    if amp > kept.rfind(";"):
        kept = kept[:amp]  # a half entity ("&am") would not parse
    return kept + ELLIPSIS if size(kept + ELLIPSIS) <= room else kept


def paginate(
    items: Sequence[str],
    *,
    header: str = "",
    footer: str = "",
    marker: Callable[[int, int], str] = lambda number, pages: "",
    limit: int = MESSAGE_LIMIT,
) -> tuple[Page, ...]:
    """The listing as pages: each the header, as many whole items as fit, the footer and the
    page marker (for "page 2 of 3"), one line apart, never over `limit`. An item too long for a
    page of its own is cut to fit. There is always at least one page."""
    widest = marker(len(items) + 1, len(items) + 1)
    frame = [part for part in (header, footer, widest) if part]
    frame_size = size("\n".join(frame)) + (1 if frame else 0)
    room = max(limit - frame_size, 0)
    header_cut = header
    if room == 0:  # the frame alone fills the page: shorten the header, keep the rest
        header_cut = cut(header, max(limit - size("\n".join([footer, widest])) - 2, 0))
        frame = [part for part in (header_cut, footer, widest) if part]
        frame_size = size("\n".join(frame)) + (1 if frame else 0)
        room = max(limit - frame_size, 0)
    groups: list[list[str]] = []
    ranges: list[tuple[int, int]] = []
    current: list[str] = []
    used = 0
    start = 0
    for index, item in enumerate(items):
        line = cut(item, room)
        extra = size(line) + (1 if current else 0)
        if current and used + extra > room:
            groups.append(current)
            ranges.append((start, index))
            current, used, start = [], 0, index
            extra = size(line)
        current.append(line)
        used += extra
    if current or not groups:
        groups.append(current)
        ranges.append((start, len(items)))
    pages = len(groups)
    result = []
    for number, (group, (first, stop)) in enumerate(zip(groups, ranges, strict=True), start=1):
        mark = marker(number, pages) if pages > 1 else ""
        parts = [header_cut, "\n".join(group), footer, mark]
        text = "\n".join(part for part in parts if part)
        result.append(Page(number, pages, first, stop, text))
    return tuple(result)


def clamp(page: int, pages: int) -> int:
    """A requested page number (from a button, so untrusted) kept within 1..pages."""
    return min(max(page, 1), max(pages, 1))
