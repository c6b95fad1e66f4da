"""Free text shown to others: web addresses, @mentions and line breaks are refused."""

from __future__ import annotations

import pytest

from scoring.text import Refusal, refusal


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
