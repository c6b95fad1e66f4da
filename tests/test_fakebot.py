"""The fake Bot API enforces the limits the bot must respect, so tests can trust it."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.fakebot import TOKEN, FakeBotApi


async def _call(fake: FakeBotApi, method: str, **params: Any) -> dict[str, Any]:
    data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{fake.base_url}{TOKEN}/{method}", data=data)
    body: dict[str, Any] = response.json()
    return body


async def test_text_over_4096_characters_is_refused(fake: FakeBotApi) -> None:
    """A message longer than 4,096 characters is a 400, as on Telegram."""
    body = await _call(fake, "sendMessage", chat_id=1, text="x" * 4097)
    assert (body["ok"], body["error_code"]) == (False, 400)
    assert (await _call(fake, "sendMessage", chat_id=1, text="x" * 4096))["ok"] is True


async def test_html_length_counts_visible_characters(fake: FakeBotApi) -> None:
    """In HTML parse mode tags do not count towards the limit, entities count once."""
    text = "<b>" + "&amp;" * 4096 + "</b>"
    body = await _call(fake, "sendMessage", chat_id=1, text=text, parse_mode="HTML")
    assert body["ok"] is True


async def test_broken_html_is_refused(fake: FakeBotApi) -> None:
    """Unclosed tags and stray '<' cannot be parsed, as on Telegram."""
    for text in ("<b>open", "a < b", "<script>x</script>"):
        body = await _call(fake, "sendMessage", chat_id=1, text=text, parse_mode="HTML")
        assert body["ok"] is False, text


async def test_callback_data_over_64_bytes_is_refused(fake: FakeBotApi) -> None:
    """A button with more than 64 bytes of callback data is refused."""
    markup = {"inline_keyboard": [[{"text": "x", "callback_data": "é" * 33}]]}
    body = await _call(fake, "sendMessage", chat_id=1, text="hi", reply_markup=markup)
    assert body["description"] == "Bad Request: BUTTON_DATA_INVALID"


async def test_identical_edit_is_not_modified(fake: FakeBotApi) -> None:
    """Editing a message to the same text and buttons is refused as "not modified"."""
    sent = await _call(fake, "sendMessage", chat_id=1, text="same")
    message_id = sent["result"]["message_id"]
    body = await _call(fake, "editMessageText", chat_id=1, message_id=message_id, text="same")
    assert "message is not modified" in body["description"]


async def test_scripted_failures_answer_as_telegram_would(fake: FakeBotApi) -> None:
    """429 carries retry_after, 403 is Forbidden, a migration names the new chat id."""
    fake.fail("sendMessage", "retry_after", retry_after=3)
    fake.fail("sendMessage", "forbidden")
    fake.fail("sendMessage", "migrate", migrate_to=-1009)
    first = await _call(fake, "sendMessage", chat_id=-5, text="a")
    second = await _call(fake, "sendMessage", chat_id=-5, text="a")
    third = await _call(fake, "sendMessage", chat_id=-5, text="a")
    assert (first["error_code"], first["parameters"]["retry_after"]) == (429, 3)
    assert second["error_code"] == 403
    assert third["parameters"]["migrate_to_chat_id"] == -1009
    assert (await _call(fake, "sendMessage", chat_id=-5, text="a"))["ok"] is True
