"""Joining links on an allow-list of meeting services, and meeting lengths."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.joining import joining_link, parse_length


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0", True),
        ("https://teams.live.com/meet/9312", True),
        ("https://us02web.zoom.us/j/123?pwd=abc", True),
        ("https://zoom.us/j/123", True),
        ("https://meet.google.com/abc-defg-hij", True),
        ("https://nhs.webex.com/meet/someone", True),
        ("https://england.nhs.attendanywhere.com/wa/xyz", True),
        ("http://meet.google.com/abc-defg-hij", False),  # not https
        ("https://evilzoom.us/j/1", False),  # a look-alike, not a subdomain
        ("https://zoom.us.evil.example/j/1", False),
        ("https://meet.google.com.evil.example/x", False),
        ("https://user@zoom.us/j/1", False),
        ("https://zoom.us:8443/j/1", False),
        ("https://sub.meet.google.com/x", False),  # Meet has no subdomains
        ('https://zoom.us/j/1"><b>', False),
        ("javascript:alert(1)", False),
    ],
)
def test_joining_link_allow_list(url: str, allowed: bool) -> None:
    assert (joining_link(url) == url) is allowed


@pytest.mark.parametrize(
    ("word", "length"),
    [
        ("90m", timedelta(minutes=90)),
        ("45min", timedelta(minutes=45)),
        ("1h", timedelta(hours=1)),
        ("1h30", timedelta(hours=1, minutes=30)),
        ("2hours", timedelta(hours=2)),
        ("8h", timedelta(hours=8)),
        ("15m", timedelta(minutes=15)),
        ("10m", None),  # too short
        ("9h", None),  # too long
        ("45", None),  # a bare number is not a length
        ("Mentoring", None),
    ],
)
def test_parse_length(word: str, length: timedelta | None) -> None:
    assert parse_length(word) == length


@given(st.text(max_size=40))
def test_any_word_is_a_length_in_range_or_none(word: str) -> None:
    found = parse_length(word)
    assert found is None or timedelta(minutes=15) <= found <= timedelta(hours=8)
