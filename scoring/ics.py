"""Calendar files (iCalendar, RFC 5545) for hub meetings: an invitation, an update, a
cancellation. Pure: the caller passes the meeting, its time zone and the moment of writing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

LINE_OCTETS = 75


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    starts_at: datetime  # aware
    duration: timedelta
    summary: str
    description: str
    sequence: int  # 0 for the first invitation; higher for each change
    cancelled: bool = False
    url: str | None = None  # the joining link, written as URL and LOCATION


def escape(text: str) -> str:
    """TEXT value escaping: backslash, semicolon, comma and line breaks; other control
    characters, which RFC 5545 does not allow in a value, are left out."""
    text = "".join(c for c in text if c in "\r\n" or not (c < " " or "\x7f" <= c <= "\x9f"))
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> list[str]:
    """A content line cut into lines of at most 75 octets, continuations starting with a space
    (never splitting a UTF-8 character)."""
    parts: list[str] = []
    current, size, limit = "", 0, LINE_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append(current)
            current, size, limit = " ", 1, LINE_OCTETS
        current += char
        size += width
    parts.append(current)
    return parts


def _local_stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _offset(delta: timedelta | None) -> str:
    minutes = int((delta or timedelta()).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"


def _transitions(zone: ZoneInfo, year: int) -> list[datetime]:
    """The UTC moments in `year` at which the zone's offset changes (to the hour)."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    before = moment.astimezone(zone).utcoffset()
    while moment < end:
        day_later = moment + timedelta(days=1)
        if day_later.astimezone(zone).utcoffset() != before:
            hour = moment
            while hour.astimezone(zone).utcoffset() == before:
                hour += timedelta(hours=1)
            found.append(hour)
            before = hour.astimezone(zone).utcoffset()
        moment = day_later
    return found


def timezone_lines(zone: ZoneInfo, year: int) -> list[str]:
    """A VTIMEZONE for the zone with the year's changes of offset and the last one before it
    (one STANDARD part when the zone has none)."""
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone.key}"]
    # Last year's final change too, so the file covers the start of the meeting's year.
    changes = _transitions(zone, year - 1)[-1:] + _transitions(zone, year)
    if not changes:
        start = datetime(year, 1, 1, tzinfo=UTC).astimezone(zone)
        offset = _offset(start.utcoffset())
        lines += [
            "BEGIN:STANDARD",
            f"DTSTART:{year:04d}0101T000000",
            f"TZOFFSETFROM:{offset}",
            f"TZOFFSETTO:{offset}",
            f"TZNAME:{start.tzname()}",
            "END:STANDARD",
        ]
    for change in changes:
        before = (change - timedelta(hours=1)).astimezone(zone)
        after = change.astimezone(zone)
        part = "DAYLIGHT" if after.dst() else "STANDARD"
        # DTSTART is the local time of the change, as the clock read before it.
        lines += [
            f"BEGIN:{part}",
            f"DTSTART:{_local_stamp(change + (before.utcoffset() or timedelta()))}",
            f"TZOFFSETFROM:{_offset(before.utcoffset())}",
            f"TZOFFSETTO:{_offset(after.utcoffset())}",
            f"TZNAME:{after.tzname()}",
            f"END:{part}",
        ]
    lines.append("END:VTIMEZONE")
    return lines


def calendar(event: CalendarEvent, zone: ZoneInfo, stamped_at: datetime) -> bytes:
    """The .ics file for the event: METHOD:PUBLISH for an invitation or update, CANCEL for a
    cancellation; times in `zone`, which the file defines."""
    local = event.starts_at.astimezone(zone)
    ends = (event.starts_at + event.duration).astimezone(zone)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Staff Network Hub bot//Hub meetings//EN",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if event.cancelled else 'PUBLISH'}",
        *timezone_lines(zone, local.year),
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{_utc_stamp(stamped_at)}",
        f"SEQUENCE:{event.sequence}",
        f"DTSTART;TZID={zone.key}:{_local_stamp(local)}",
        f"DTEND;TZID={zone.key}:{_local_stamp(ends)}",
        f"SUMMARY:{escape(event.summary)}",
        f"DESCRIPTION:{escape(event.description)}",
        *(
            [f"URL:{event.url}", f"LOCATION:{escape(event.url)}"]
            if event.url and not event.cancelled
            else []
        ),
        f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    folded = [part for line in lines for part in fold(line)]
    return ("\r\n".join(folded) + "\r\n").encode()
