"""Calendar files: escaping, folding, the time zone, updates and cancellations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from scoring.ics import CalendarEvent, calendar, escape, fold

LONDON = ZoneInfo("Europe/London")
STAMP = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


def event(**changes: object) -> CalendarEvent:
    values: dict[str, object] = {
        "uid": "meeting-1-hub-1@bot",
        "starts_at": datetime(2027, 7, 14, 12, 0, tzinfo=UTC),
        "duration": timedelta(hours=1),
        "summary": "WRES plans",
        "description": "Hub meeting",
        "sequence": 0,
    }
    values.update(changes)
    return CalendarEvent(**values)  # type: ignore[arg-type]


def lines(data: bytes) -> list[str]:
    return data.decode().split("\r\n")


def test_summer_meeting_in_local_time_with_its_zone() -> None:
    """A 12:00 UTC July meeting is written as 13:00 Europe/London, with the zone defined."""
    text = lines(calendar(event(), LONDON, STAMP))
    assert "DTSTART;TZID=Europe/London:20270714T130000" in text
    assert "DTEND;TZID=Europe/London:20270714T140000" in text
    assert "TZID:Europe/London" in text
    assert "TZOFFSETTO:+0100" in text
    assert (text[4], text[-4]) == ("METHOD:PUBLISH", "STATUS:CONFIRMED")


def test_cancellation_has_method_cancel_and_a_higher_sequence() -> None:
    """A cancellation keeps the UID and says CANCEL with its sequence."""
    text = lines(calendar(event(sequence=1, cancelled=True), LONDON, STAMP))
    assert {"METHOD:CANCEL", "STATUS:CANCELLED", "SEQUENCE:1", "UID:meeting-1-hub-1@bot"} <= set(
        text
    )


def test_text_values_are_escaped() -> None:
    """Commas, semicolons, backslashes and line breaks are escaped."""
    assert escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


@given(st.text(min_size=0, max_size=300))
def test_folded_lines_are_short_and_join_back(text: str) -> None:
    """Every folded line is at most 75 octets, and unfolding gives the line back."""
    parts = fold("SUMMARY:" + text)
    assert all(len(p.encode()) <= 75 for p in parts)
    assert parts[0] + "".join(p[1:] for p in parts[1:]) == "SUMMARY:" + text
