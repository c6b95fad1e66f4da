"""Shared practice: a lead offers it, a hub admin or operator decides, approved ones are nudged."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from content import Content
from tests.fakebot import FakeBotApi
from tests.harness import OPERATOR as HUB_OPERATOR
from tests.harness import FakeClock, Harness, running

LEAD = 1201
ADMIN = 1202
MEMBER = 1203
OPERATOR = 1299
GROUP = -1012001
PRACTICE = "We rotate meeting times so night staff can come"


async def _setup(bot: Harness) -> None:
    bot.fake.set_admins(GROUP, [ADMIN])
    await bot.send(HUB_OPERATOR, "/hub London", chat_id=GROUP)
    await bot.register(LEAD)  # Barts Health: London


async def _share(bot: Harness, choice: str = "Credit") -> int:
    await bot.send(LEAD, f"/share {PRACTICE}")
    await bot.tap(LEAD, choice)
    practice = await bot.storage.practice(1)
    assert practice is not None
    return practice.id


async def test_share_asks_about_credit_then_goes_to_the_hub(bot: Harness) -> None:
    """/share offers credit or anonymity; the choice sends a review card privately to the
    hub group's admin (and the operator), never into the group (issue 20)."""
    await _setup(bot)
    await bot.send(LEAD, f"/share {PRACTICE}")
    assert bot.buttons(LEAD) == ["Credit Barts BME Network", "Share anonymously"]
    await bot.tap(LEAD, "Share anonymously")
    for reviewer in (ADMIN, HUB_OPERATOR):
        card = bot.fake.sent(reviewer)[-1]
        assert PRACTICE in card.text
        assert "Shared anonymously" in card.text
        assert "Barts" not in card.text
        assert bot.buttons(reviewer) == ["Approve", "Reject"]
    assert not any(PRACTICE in c.text for c in bot.fake.sent(GROUP))


async def test_admin_approves_and_the_practice_joins_the_rotation(bot: Harness) -> None:
    """An admin's Approve adds the practice to the region's nudges, credited as chosen."""
    await _setup(bot)
    practice_id = await _share(bot)
    await bot.tap(ADMIN, "Approve")
    practice = await bot.storage.practice(practice_id)
    assert practice is not None
    assert (practice.status, practice.credit) == ("approved", "Barts BME Network")
    assert "approved" in bot.fake.sent(LEAD)[-1].text
    hub = await bot.storage.hub_by_chat(GROUP)
    assert hub is not None
    for _ in range(60):
        await bot.send(ADMIN, "/nudge", chat_id=GROUP)
    texts = [c.text for c in bot.fake.sent(GROUP) if "Good practice from your region" in c.text]
    assert len(texts) == 1
    assert "Shared by Barts BME Network" in texts[0]


async def test_approved_practice_goes_out_in_the_next_nudge(bot: Harness) -> None:
    """An approved practice is the hub's very next nudge, not one after the library runs out."""
    await _setup(bot)
    await _share(bot)
    await bot.send(ADMIN, "/nudge", chat_id=GROUP)  # a library nudge before approval
    await bot.tap(ADMIN, "Approve")
    await bot.send(ADMIN, "/nudge", chat_id=GROUP)
    assert "Good practice from your region" in bot.fake.sent(GROUP)[-1].text


async def test_author_is_told_the_date_of_the_nudge(bot: Harness) -> None:
    """The author hears which day their practice goes out: the hub's next nudge (Monday)."""
    await _setup(bot)  # the clock stands at Monday 1 March 2027, 10:00; nudges Mondays 09:00
    await _share(bot)
    await bot.tap(ADMIN, "Approve")
    assert "Monday 8 March 2027" in bot.fake.sent(LEAD)[-1].text


async def test_admin_rejects(bot: Harness) -> None:
    """Reject keeps the practice out of the nudges and tells the author."""
    await _setup(bot)
    practice_id = await _share(bot)
    await bot.tap(ADMIN, "Reject")
    practice = await bot.storage.practice(practice_id)
    assert practice is not None
    assert practice.status == "rejected"
    assert await bot.storage.approved_practices("london") == []
    assert "not added" in bot.fake.sent(LEAD)[-1].text


async def test_member_cannot_decide(bot: Harness) -> None:
    """A group member who is not an admin is refused and nothing changes."""
    await _setup(bot)
    practice_id = await _share(bot)
    calls = await bot.press(MEMBER, f"1:pa:{practice_id}:1", message_id=1)
    assert "Only an admin" in calls[-1].params["text"]
    message_id = max(mid for (chat, mid) in bot.fake.messages if chat == ADMIN)
    # A press in the group (a forged or old card) decides nothing either, even an admin's.
    calls = await bot.press(ADMIN, f"1:pa:{practice_id}:1", chat_id=GROUP, message_id=message_id)
    assert "Only an admin" in calls[-1].params["text"]
    practice = await bot.storage.practice(practice_id)
    assert practice is not None
    assert practice.status == "pending"


async def test_second_decision_is_refused(bot: Harness) -> None:
    """Once decided, another press (say, a second admin's) changes nothing."""
    await _setup(bot)
    bot.fake.set_admins(GROUP, [ADMIN, MEMBER])
    practice_id = await _share(bot)
    await bot.tap(ADMIN, "Approve")
    calls = await bot.tap(MEMBER, "Reject")  # the second admin's own private card
    assert "already decided" in calls[-1].params["text"]
    practice = await bot.storage.practice(practice_id)
    assert practice is not None
    assert practice.status == "approved"


async def test_operator_decides_in_private(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """Operators get the card privately and may approve; others' private presses are refused."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, content, db, clock, admin_ids=frozenset({OPERATOR})) as bot:
        await bot.register(LEAD)  # no hub in London: only the operator reviews
        await bot.send(LEAD, f"/share {PRACTICE}")
        await bot.tap(LEAD, "Credit")
        assert "no hub group yet" not in bot.fake.shown(LEAD)[-1].text
        calls = await bot.press(MEMBER, "1:pa:1:1", chat_id=MEMBER, message_id=1)
        assert "Only an admin" in calls[-1].params["text"]
        await bot.tap(OPERATOR, "Approve", chat_id=OPERATOR)
        assert [p.id for p in await bot.storage.approved_practices("london")] == [1]
        assert bot.errors == []


async def test_share_needs_text_and_a_network(bot: Harness) -> None:
    """/share without text shows how; from someone with no network it says to register."""
    calls = await bot.send(MEMBER, f"/share {PRACTICE}")
    assert "/assess" in calls[-1].text
    await bot.register(LEAD)
    calls = await bot.send(LEAD, "/share")
    assert "Tell me the practice" in calls[-1].text
    calls = await bot.send(LEAD, "/share " + "x" * 1001)
    assert "1000 characters" in calls[-1].text
    assert await bot.storage.practice(1) is None


async def test_practice_on_the_next_line_is_kept_whole(bot: Harness) -> None:
    """ "/share" followed by a line break keeps every word of the practice."""
    await _setup(bot)
    await bot.send(LEAD, f"/share\n{PRACTICE} and it works")
    await bot.tap(LEAD, "Share anonymously")
    practice = await bot.storage.practice(1)
    assert practice is not None
    assert practice.text == f"{PRACTICE} and it works"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (f"{PRACTICE}\nand it works", "one line"),
        (f"{PRACTICE}, see https://evil.example/login", "link"),
        (f"{PRACTICE}, details at evil.example/login", "link"),
        (f"{PRACTICE}, ask @someone", "@mention"),
    ],
)
async def test_practice_with_a_link_mention_or_line_break_is_refused(
    bot: Harness, text: str, why: str
) -> None:
    """A practice holding a web address, an @mention or a line break is refused, saying why."""
    await _setup(bot)
    calls = await bot.send(LEAD, f"/share {text}")
    assert why in calls[-1].text
    assert "send it again" in calls[-1].text.lower()
    assert await bot.storage.practice(1) is None


async def test_forget_withdraws_pending_review_cards(bot: Harness) -> None:
    """After the author's /forget, the review cards still waiting are edited to "withdrawn"."""
    await _setup(bot)
    await _share(bot)
    await bot.send(LEAD, "/forget")
    await bot.tap(LEAD, "Yes, delete everything")
    for chat in (ADMIN, HUB_OPERATOR):
        assert "withdrawn" in bot.fake.shown(chat)[-1].text
        assert PRACTICE not in bot.fake.shown(chat)[-1].text


async def test_practice_card_to_an_operator_who_never_started_the_bot_is_logged(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """A review card failing with "chat not found" logs that the operator must /start the bot."""
    await _setup(bot)
    bot.fake.fail("sendMessage", "bad_request", chat_id=HUB_OPERATOR)
    with caplog.at_level(logging.WARNING):
        await _share(bot)
    assert any("/start" in r.getMessage() for r in caplog.records)
    assert "Approve" in bot.buttons(ADMIN)


async def test_share_is_limited_to_three_a_day(bot: Harness) -> None:
    """A lead sends at most three practices for review in 24 hours; a fourth is refused,
    creates nothing and reaches no reviewer; a day later they may share again."""
    await _setup(bot)
    for number in range(3):
        await bot.send(LEAD, f"/share {PRACTICE} ({number})")
        await bot.tap(LEAD, "Credit")
    cards = len(bot.fake.sent(ADMIN))
    calls = await bot.send(LEAD, f"/share {PRACTICE} (again)")
    assert "up to 3 practices a day" in calls[-1].text
    assert await bot.storage.practice(4) is None
    assert len(bot.fake.sent(ADMIN)) == cards
    bot.clock.advance(timedelta(days=1, minutes=1))
    await bot.send(LEAD, f"/share {PRACTICE} (next day)")
    await bot.tap(LEAD, "Credit")
    assert "(next day)" in bot.fake.sent(ADMIN)[-1].text


async def test_drafts_beyond_the_limit_cannot_be_submitted(bot: Harness) -> None:
    """Drafts opened before the limit was reached cannot all be sent: the fourth press is
    refused."""
    await _setup(bot)
    for number in range(4):
        await bot.send(LEAD, f"/share {PRACTICE} ({number})")
    for practice_id in range(1, 5):
        calls = await bot.press(LEAD, f"1:sc:{practice_id}:1", message_id=1)
    assert "up to 3 practices a day" in calls[-1].params["text"]
    practice = await bot.storage.practice(4)
    assert practice is not None
    assert practice.status == "draft"


async def test_button_labels_show_names_unescaped(bot: Harness) -> None:
    """A network called "A & B Network" reads so on its credit button, not "A &amp; B"."""
    bot.fake.set_admins(GROUP, [ADMIN])
    await bot.send(HUB_OPERATOR, "/hub London", chat_id=GROUP)
    await bot.register(LEAD, name="A & B Network")
    await bot.send(LEAD, f"/share {PRACTICE}")
    assert bot.buttons(LEAD)[0] == "Credit A & B Network"


async def test_bare_domains_and_ip_addresses_are_refused_as_links(bot: Harness) -> None:
    """Bare domains under any public suffix and IP addresses were accepted and posted to the
    hub (the filter knew 46 endings); each is now refused with the word "link" and nothing is
    kept or posted."""
    await _setup(bot)
    before = len(bot.fake.sent(GROUP))
    for typed in (
        "Reset your password at nhs-login.help",
        "verify.support has the forms",
        "payroll.tk",
        "claim.pw for expenses",
        "login.cloud",
        "bit.do/x",
        "192.168.0.1/login",
        "Sign in at nhs-staff.help now",
    ):
        calls = await bot.send(LEAD, f"/share {typed}")
        assert "link" in calls[-1].text, typed
    assert await bot.storage.approved_practices("london") == []
    assert len(bot.fake.sent(GROUP)) == before
