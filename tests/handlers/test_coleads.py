"""Co-leads side by side: answers in the same round are compared, differences settled, and the
network's result is the agreed one. Through the fake Bot API."""

from __future__ import annotations

from datetime import timedelta

from handlers import callbacks
from tests.harness import Harness

LEAD = 701
CO_LEAD = 702
SMART = 2  # op-smart-objectives, an agreement item: 0-based position


async def _join(bot: Harness) -> None:
    await bot.register(LEAD)
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    await bot.join(CO_LEAD, LEAD)


async def _answer(bot: Harness, user_id: int, labels: dict[int, str]) -> None:
    """Answer each question with its top option, or the label given for its position; skip
    notes; press Finish at the review."""
    for _ in range(200):
        if await bot.storage.open_assessment(user_id) is None:
            return
        _, rows = bot.keyboard(user_id)
        presses = [callbacks.decode(row[0]["callback_data"]) for row in rows]
        first = presses[0]
        if first is not None and first.kind == "s":
            await bot.tap(user_id, "Skip")
        elif first is not None and first.kind == "rc":
            await bot.tap(user_id, "Finish")
        else:
            assert first is not None
            position = first.args[1]
            answers = [row[0] for row, p in zip(rows, presses, strict=True) if p and p.kind == "a"]
            label = labels.get(position)
            if label is None:
                await bot.press(user_id, answers[-1]["callback_data"])
            else:
                await bot.tap(user_id, label)
    raise AssertionError("the assessment did not finish")


async def test_one_lead_alone_gets_no_agreement_step(bot: Harness) -> None:
    """A lead with no co-lead answering in the round just gets their result."""
    await _join(bot)
    await _answer(bot, LEAD, {})
    texts = [c.text for c in bot.fake.sent(LEAD)]
    assert not any("Not yet agreed" in t or "differ" in t for t in texts)


async def test_differences_are_shown_to_each_lead_and_the_result_is_not_yet_agreed(
    bot: Harness,
) -> None:
    """Leads two points or more apart on an item each see it ("you said …, a co-lead said
    …"), and the second lead's result is marked "not yet agreed"."""
    await _join(bot)
    await _answer(bot, LEAD, {})
    await bot.send(CO_LEAD, "/assess")
    await _answer(bot, CO_LEAD, {SMART: "Disagree", SMART + 1: "Agree"})
    [result] = [c.text for c in bot.fake.sent(CO_LEAD) if "/178 ·" in c.text]
    assert "Not yet agreed" in result
    co_view = bot.fake.sent(CO_LEAD)[-1].text
    lead_view = bot.fake.sent(LEAD)[-1].text
    assert "differ by two points or more on 1" in co_view
    assert "3. SMART objectives: a co-lead said Strongly agree, you said Disagree" in co_view
    assert "3. SMART objectives: you said Strongly agree, a co-lead said Disagree" in lead_view
    assert "Leadership roles" not in co_view  # one point apart: no need to settle
    assert "1 year to under 3" in co_view  # the network's age beside the review's note
    assert bot.buttons(LEAD) == ["Disagree", "Strongly agree"]


async def test_either_lead_settles_and_the_network_result_is_the_agreed_one(
    bot: Harness,
) -> None:
    """Once every difference is settled, each lead gets the agreed result, which becomes the
    network's latest result (for /score, /compare and the snapshots)."""
    await _join(bot)
    await _answer(bot, LEAD, {})
    await bot.send(CO_LEAD, "/assess")
    await _answer(bot, CO_LEAD, {SMART: "Disagree", SMART + 1: "Agree"})
    calls = await bot.tap(LEAD, "Disagree")
    assert calls[0].params["text"] == "Settled. ✓"
    # 178 less 3 (the settled "Disagree") less 1 (the more cautious "Agree").
    for user in (LEAD, CO_LEAD):
        texts = [c.text for c in bot.fake.sent(user)]
        assert any("Every difference is settled" in t for t in texts)
        # SMART objectives settled at "Disagree": a Pathfinder foundation is missing.
        assert any(t.startswith("<b>Your result: 174/178 · Pathfinder") for t in texts)
    record = await bot.storage.network_history(LEAD)
    assert record is not None
    assert record.latest is not None
    assert (record.latest.agreed, record.latest.total) == (True, 174)


async def test_a_settle_press_after_agreement_changes_nothing(bot: Harness) -> None:
    """The co-lead's button for an item the other lead settled is refused."""
    await _join(bot)
    await _answer(bot, LEAD, {})
    await bot.send(CO_LEAD, "/assess")
    await _answer(bot, CO_LEAD, {SMART: "Disagree"})
    message_id, rows = bot.keyboard(CO_LEAD)
    assert rows[0][0]["text"] == "Disagree"
    await bot.tap(LEAD, "Strongly agree")
    calls = await bot.press(CO_LEAD, rows[0][0]["callback_data"], message_id=message_id)
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    record = await bot.storage.network_history(LEAD)
    assert record is not None
    assert record.latest is not None
    assert record.latest.total == 178


async def test_leads_within_a_point_are_agreed_at_once(bot: Harness) -> None:
    """With no item two points apart, the agreed result (the more cautious answers) comes at
    once, to both leads."""
    await _join(bot)
    await _answer(bot, LEAD, {})
    await bot.send(CO_LEAD, "/assess")
    await _answer(bot, CO_LEAD, {SMART + 1: "Agree"})
    for user in (LEAD, CO_LEAD):
        assert any("within a point" in c.text for c in bot.fake.sent(user))
    record = await bot.storage.network_history(CO_LEAD)
    assert record is not None
    assert record.latest is not None
    assert (record.latest.agreed, record.latest.total) == (True, 177)


async def test_answers_in_different_rounds_are_not_compared(bot: Harness) -> None:
    """A co-lead answering more than 30 days after the lead is not compared with the lead's
    old round: their round waits for another lead's, and the network's result stays the
    owner's (issue 20: a co-lead's round counts only once agreed)."""
    await _join(bot)
    await _answer(bot, LEAD, {})
    bot.clock.advance(timedelta(days=31))
    await bot.send(CO_LEAD, "/assess")
    await _answer(bot, CO_LEAD, {SMART: "Disagree"})
    assert not any("answered in the same round" in c.text for c in bot.fake.sent(CO_LEAD))
    assert any("waits for agreement" in c.text for c in bot.fake.sent(CO_LEAD))
    record = await bot.storage.network_history(LEAD)
    assert record is not None
    assert record.latest is not None
    assert record.latest.agreed is False
    assert record.latest.user_id == LEAD
    assert [a.user_id for a in record.pending] == [CO_LEAD]


async def test_export_has_the_settled_choices_and_forget_keeps_them_anonymous(
    bot: Harness,
) -> None:
    """/export lists the items the user settled; after /forget nothing names them."""
    await _join(bot)
    await _answer(bot, LEAD, {})
    await bot.send(CO_LEAD, "/assess")
    await _answer(bot, CO_LEAD, {SMART: "Disagree"})
    await bot.tap(CO_LEAD, "Disagree")
    exported = await bot.storage.export_user(CO_LEAD)
    [settled] = exported["settled_with_co_leads"]
    assert (settled["item_key"], settled["option"]) == ("op-smart-objectives", 2)
    assert any(a["agreed"] for a in exported["assessments"])
    await bot.storage.forget_user(CO_LEAD)
    assert (await bot.storage.export_user(CO_LEAD))["settled_with_co_leads"] == []
