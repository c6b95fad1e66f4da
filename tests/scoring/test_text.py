"""Free text shown to others: web addresses, @mentions and line breaks are refused."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.text import Refusal, clean, refusal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Barts BME Network", None),
        ("Maidstone & Tunbridge Wells NHS Trust", None),
        ("St. George's Race Equality Network", None),
        ("Network v2.0, est. 2019", None),
        ("We rotate meeting times, e.g. 7.30am and 6pm", None),
        ("Meeting at 13.00: WRES plans", None),
        ("hub moved, re-register at https://evil.example/login", Refusal.LINK),
        ("see http://intranet", Refusal.LINK),
        ("HTTPS://EXAMPLE.ORG", Refusal.LINK),
        ("visit www.anything", Refusal.LINK),
        ("all leads re-register at evil.example/login", Refusal.LINK),
        ("details on nhs.uk", Refusal.LINK),
        ("go to bit.ly", Refusal.LINK),
        ("mail me at someone@trust.nhs.net", Refusal.LINK),
        ("server at host.internal:8080", Refusal.LINK),
        ("nhs-login.help", Refusal.LINK),
        ("verify.support", Refusal.LINK),
        ("payroll.tk", Refusal.LINK),
        ("claim.pw", Refusal.LINK),
        ("login.cloud", Refusal.LINK),
        ("bit.do", Refusal.LINK),
        ("192.168.0.1/login", Refusal.LINK),
        ("call 10.0.0.1 today", Refusal.LINK),
        ("v6 at 2001:db8::1", Refusal.LINK),
        ("Sign in at nhs-staff.help now", Refusal.LINK),
        ("(see Login.Cloud.)", Refusal.LINK),
        ("open ftp2://anything", Refusal.LINK),
        ("javascript:alert(1)", Refusal.LINK),
        ("Dr.Smith and Mr.Jones lead it", None),
        ("ratio 1.35 in 2026, up from 0.9", None),
        ("U.K. network, est. 2019", None),
        ("time 18:00 or 6.30pm", None),
        ("ask @hub_admin_bot", Refusal.MENTION),
        ("@everyone urgent", Refusal.MENTION),
        ("first line\nsecond line", Refusal.LINE_BREAK),
        ("carriage\rreturn", Refusal.LINE_BREAK),
        ("unicode\u2028separator", Refusal.LINE_BREAK),
    ],
)
def test_refusal(text: str, expected: Refusal | None) -> None:
    """Each example is allowed or refused for the stated reason."""
    assert refusal(text) == expected


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("plain text", "plain text"),
        ("nul\x00 and esc\x1b[31m", "nul and esc[31m"),
        ("del\x7f c1\x9b", "del c1"),
        ("windows\r\nline", "windows\nline"),
        ("old\rmac\x85next\u2028sep", "old\nmac\nnext\nsep"),
        ("tab\tstays", "tab\tstays"),
        ("bidi \u202egnp.exe", "bidi gnp.exe"),
    ],
)
def test_clean_removes_control_characters(typed: str, kept: str) -> None:
    """Control characters go; line breaks become one newline; tabs stay."""
    assert clean(typed) == kept


@given(st.text())
def test_clean_leaves_no_control_character(text: str) -> None:
    """Whatever is typed, nothing but a newline or a tab is a control character afterwards,
    and cleaning twice changes nothing more."""
    cleaned = clean(text)
    assert all(c in "\n\t" or unicodedata.category(c) != "Cc" for c in cleaned)
    assert clean(cleaned) == cleaned
