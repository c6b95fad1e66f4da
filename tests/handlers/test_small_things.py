"""The small things a lead notices (issue 22 point 7), through the fake Bot API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from content import Content
from handlers import callbacks
from tests.harness import OPERATOR, Harness

LEAD = 2201
ADMIN = 2299
GROUP = -1022001


def _latest(bot: Harness, user_id: int) -> str:
    message_id, _ = bot.keyboard(user_id)
    return str(bot.fake.messages[(user_id, message_id)]["text"])


async def _register(bot: Harness, age: str) -> None:
    await bot.send(LEAD, "/assess")
    await bot.send(LEAD, "Barts Health")
    await bot.tap(LEAD, "Barts Health NHS Trust")
    _, rows = bot.keyboard(LEAD)
    await bot.press(LEAD, rows[0][0]["callback_data"])
    await bot.tap(LEAD, age)
    await bot.send(LEAD, "Barts BME Network")


async def _to_review(bot: Harness) -> None:
    for _ in range(200):
        if "Finish" in bot.buttons(LEAD):
            return
        _, rows = bot.keyboard(LEAD)
        first = callbacks.decode(rows[0][0]["callback_data"])
        if first is not None and first.kind == "s":
            await bot.tap(LEAD, "Skip")
        else:
            await bot.press(LEAD, rows[0][0]["callback_data"])
    raise AssertionError("no review")


async def test_start_states_an_honest_time(bot: Harness) -> None:
    """/start says a full round is about 66 taps and 15 to 20 minutes, not "10 minutes"."""
    text = (await bot.send(LEAD, "/start"))[-1].text
    assert "66 taps" in text
    assert "15 to 20 minutes" in text
    assert "10 minutes" not in text


async def test_start_mid_assessment_does_not_repeat_the_welcome(bot: Harness) -> None:
    """Partway through, /start says where the lead is, with Carry on, not the welcome."""
    await bot.register(LEAD)
    await bot.tap(LEAD, "Agree")
    calls = await bot.send(LEAD, "/start")
    assert "partway through" in calls[-1].text
    assert "question 2 of 50" in calls[-1].text
    assert "thank you for what you do" not in calls[-1].text
    calls = await bot.tap(LEAD, "Carry on")
    assert "Question 2 of 50" in calls[-1].text


async def test_no_changed_line_when_the_total_stays(bot: Harness) -> None:
    """Finishing a change to a result without changing the total says it stays, not
    "Changed: 178/178 → 178/178"."""
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "top")
    bot.clock.advance(timedelta(days=3))
    await bot.send(LEAD, "/assess")
    await bot.tap(LEAD, "Change an answer in it")
    calls = await bot.tap(LEAD, "Finish")
    texts = " ".join(c.text for c in calls)
    assert "Changed:" not in texts
    assert "stays at 178/178" in texts


@pytest.mark.parametrize(
    ("age", "shown"),
    [
        ("Under a year", True),
        ("1 year to under 3", True),
        ("3 years to under 5", False),
        ("10 years or more", False),
    ],
)
async def test_newer_networks_note_only_under_three_years(
    bot: Harness, age: str, shown: bool
) -> None:
    """The review's note on newer networks' optimism is for networks under 3 years old."""
    await _register(bot, age)
    await _to_review(bot)
    assert ("newer networks" in _latest(bot, LEAD)) is shown


async def test_operators_hub_card_says_who_asked(bot: Harness) -> None:
    """The operator's approval card names who asked, as far as the bot knows: an admin of the
    group (no names are stored)."""
    bot.fake.set_admins(GROUP, [ADMIN])
    await bot.send(ADMIN, "/hub London", chat_id=GROUP)
    [card] = [c for c in bot.fake.sent(OPERATOR) if "Hub request" in c.text]
    assert "Hub request from an admin of" in card.text


async def test_help_and_about_read_plainly(bot: Harness) -> None:
    """/help shows leads no setting name; /about does not say the heading "cannot be read"."""
    help_text = (await bot.send(LEAD, "/help"))[-1].text
    assert "BOT_ADMIN_IDS" not in help_text
    about = (await bot.send(LEAD, "/about"))[-1].text
    assert "cannot be read" not in about


async def test_dont_know_who_knows_reads_as_english(bot: Harness) -> None:
    """The question's "Don't know" line does not say "line managers and HR usually knows"."""
    await bot.register(LEAD)
    for _ in range(60):
        text = _latest(bot, LEAD)
        assert "usually knows" not in text
        if "Finish" in bot.buttons(LEAD):
            return
        _, rows = bot.keyboard(LEAD)
        first = callbacks.decode(rows[0][0]["callback_data"])
        await (
            bot.tap(LEAD, "Skip")
            if first and first.kind == "s"
            else bot.press(LEAD, rows[0][0]["callback_data"])
        )


async def test_a_held_back_result_names_the_answers_and_advises_on_them_first(
    bot: Harness, content: Content
) -> None:
    """Issue 22 point 5: a network scoring in a higher band but held at Pathfinder by "No" to a
    named sponsor is told that answer holds it back, and its first tip is about it; no tip
    talks of getting a sponsor to a network that said it has one."""
    await _register(bot, "1 year to under 3")
    sponsor = next(i for i, item in enumerate(content.model.items) if item.key == "op-sponsor")
    for _ in range(200):
        if "Finish" in bot.buttons(LEAD):
            break
        _, rows = bot.keyboard(LEAD)
        press = callbacks.decode(rows[0][0]["callback_data"])
        assert press is not None
        if press.kind == "s":
            await bot.tap(LEAD, "Skip")
            continue
        answers = [
            r[0] for r in rows if (p := callbacks.decode(r[0]["callback_data"])) and p.kind == "a"
        ]
        pick = answers[0] if press.args[1] == sponsor else answers[-1]
        await bot.press(LEAD, pick["callback_data"])
    calls = await bot.tap(LEAD, "Finish")
    [result] = [c for c in calls if "holds the band back" in c.text]
    item = content.model.items[sponsor]
    assert "The answers that hold it back" in result.text
    assert f"• {item.label}" in result.text
    tips = result.text.split("Tips for the next quarter")[1]
    assert tips.split("\n")[1].startswith(f"1. {item.next_step[:40]}")
