"""Listings that grow with use stay under Telegram's 4,096 characters, in pages with
Previous/Next, and keep their buttons (issue 21 point 1): /wres, /leads, /meetings."""

from __future__ import annotations

from datetime import timedelta

from bot.rows import WresRow
from handlers.callbacks import decode
from tests.harness import OPERATOR, Harness

LEAD = 1901
ADMIN = 1999
GROUP = -1019001


def _kinds(bot: Harness, chat_id: int) -> list[str]:
    _, rows = bot.keyboard(chat_id)
    presses = [decode(b["callback_data"]) for row in rows for b in row]
    return [p.kind for p in presses if p is not None]


async def _walk(bot: Harness, user_id: int, first: str, chat_id: int | None = None) -> list[str]:
    """Every page's text, from the first (what the command sent) pressing Next to the last."""
    chat = chat_id if chat_id is not None else user_id
    texts = [first]
    for _ in range(30):
        if not any(label.startswith("Next") for label in bot.buttons(chat)):
            return texts
        calls = await bot.tap(user_id, "Next", chat_id=chat_id)
        texts.append(calls[-1].text)
    raise AssertionError("Next never ran out")


async def test_wres_with_300_entries_lists_in_pages_with_its_entry_buttons(bot: Harness) -> None:
    """Issue 21's row: 300 entries with different labels broke /wres at about 145 rows; now each
    page is under the limit and every page keeps the guided entry's indicator buttons."""
    await bot.storage.ensure_user(LEAD)
    network = await bot.storage.create_network(
        LEAD, organisation="Test Trust", name="Network", region="london", age="y1-3"
    )
    for indicator in (2, 3, 4):
        for year, quarter in ((2025, 1), (2025, 2), (2025, 3), (2025, 4), (2026, 1)):
            for n in range(20):
                row = WresRow(
                    network.id,
                    indicator,
                    f"{year}Q{quarter}",
                    f"Band {n} nursing",
                    400,
                    90,
                    200,
                    30,
                )
                await bot.storage.save_wres(row, LEAD, replace=False)
    assert len(await bot.storage.wres_rows(network.id)) == 300
    calls = await bot.send(LEAD, "/wres")
    first = next(c.text for c in calls if c.method == "sendMessage")
    texts = await _walk(bot, LEAD, first)
    assert len(texts) > 2
    assert all(len(text) < 4096 for text in texts)
    assert "wi" in _kinds(bot, LEAD)  # the last page still offers the guided entry
    joined = "\n".join(texts)
    assert joined.count("Band 19 nursing") == 15  # every row is on some page
    await bot.tap(LEAD, "◀ Previous")
    assert "wi" in _kinds(bot, LEAD)


async def test_leads_of_a_large_network_list_in_pages_with_remove_buttons(bot: Harness) -> None:
    """A network with 150 leads: each page fits, each lists its own Remove buttons."""
    await bot.storage.ensure_user(LEAD)
    network = await bot.storage.create_network(
        LEAD, organisation="Test Trust", name="Network", region="london", age="y1-3"
    )
    for user in range(5000, 5150):
        await bot.storage.ensure_user(user)
        assert await bot.storage.join_network(user, network.id)
    calls = await bot.send(LEAD, "/leads")
    texts = await _walk(bot, LEAD, calls[-1].text)
    assert len(texts) > 1
    assert all(len(text) < 4096 for text in texts)
    assert all(k in {"lr", "lo", "lp"} for k in _kinds(bot, LEAD))
    assert "Remove lead 151" in " ".join(bot.buttons(LEAD))


async def test_meetings_list_every_upcoming_meeting_in_pages(bot: Harness) -> None:
    """Forty meetings with long topics: all listed across pages, each with its file button,
    where the list used to stop at ten."""
    bot.fake.set_admins(GROUP, [ADMIN])
    await bot.send(OPERATOR, "/hub London", chat_id=GROUP)
    hub = await bot.storage.hub_by_chat(GROUP)
    assert hub is not None
    for n in range(40):
        when = bot.clock.now() + timedelta(days=n + 2)
        await bot.storage.add_meeting(hub.id, when, f"Topic {n:02d} " + "w" * 180, ADMIN)
    calls = await bot.send(ADMIN, "/meetings", chat_id=GROUP)
    texts = await _walk(bot, ADMIN, calls[-1].text, chat_id=GROUP)
    assert len(texts) > 1
    assert all(len(text) < 4096 for text in texts)
    joined = "\n".join(texts)
    assert all(f"Topic {n:02d}" in joined for n in range(40))
    assert {"mf", "mw", "mc"} <= set(_kinds(bot, GROUP))
