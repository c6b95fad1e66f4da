"""Re-assessing from last time (issue 22 point 6): a new round shows each question's last answer
with a one-tap "Same as last time", evidence notes carry over, and a round of "same" is short."""

from __future__ import annotations

from datetime import timedelta

from content import Content
from handlers.callbacks import decode
from tests.harness import Harness

LEAD = 2101
NOTE = "Chief Nurse is our exec sponsor since 2024"


def _first_kind(bot: Harness) -> str | None:
    _, rows = bot.keyboard(LEAD)
    press = decode(rows[0][0]["callback_data"])
    return press.kind if press else None


async def _first_round_then_new(bot: Harness) -> None:
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "top", evidence=NOTE)
    bot.clock.advance(timedelta(days=95))
    await bot.new_round(LEAD)


async def test_a_round_of_same_as_last_time_takes_under_60_taps(
    bot: Harness, content: Content
) -> None:
    """From /assess to the result, answering every question "Same as last time" takes fewer
    than 60 taps and messages, asks for no evidence note, and keeps every note."""
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "top", evidence=NOTE)
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    [first] = await bot.storage.completed_assessments(network.id)
    first_notes = {k: a.evidence for k, a in (await bot.storage.answers(first.id)).items()}
    assert any(first_notes.values())
    bot.clock.advance(timedelta(days=95))
    taps = 0
    await bot.send(LEAD, "/assess")
    taps += 1
    await bot.tap(LEAD, "Start a new assessment")
    taps += 1
    prompts = 0
    for _ in range(len(content.model.items) + 5):
        kind = _first_kind(bot)
        if kind == "rc":
            break
        if kind == "s":
            prompts += 1
            await bot.tap(LEAD, "Skip")
        else:
            assert kind == "a"
            assert "Last time:" in bot.fake.messages[(LEAD, bot.keyboard(LEAD)[0])]["text"]
            await bot.tap(LEAD, "↩ Same as last time")
        taps += 1
    await bot.tap(LEAD, "Finish")
    taps += 1
    assert prompts == 0
    assert taps < 60
    second = [a for a in await bot.storage.completed_assessments(network.id) if a.id != first.id]
    assert len(second) == 1
    assert second[0].total == first.total
    second_notes = {k: a.evidence for k, a in (await bot.storage.answers(second[0].id)).items()}
    assert second_notes == first_notes


async def test_question_shows_last_answer_and_its_note_with_same_above_navigation(
    bot: Harness,
) -> None:
    """The new round's question says what was answered last time (and the note), and "Same as
    last time" has its own row between the answers and the navigation row."""
    await _first_round_then_new(bot)
    _, rows = bot.keyboard(LEAD)
    kinds = [[decode(b["callback_data"]).kind for b in row] for row in rows]  # type: ignore[union-attr]
    assert kinds[-2] == ["sm"]
    assert all(row == ["a"] for row in kinds[:-2])
    assert set(kinds[-1]) <= {"b", "h", "p"}
    text = bot.fake.messages[(LEAD, bot.keyboard(LEAD)[0])]["text"]
    assert "Last time:" in text


async def test_a_different_answer_asks_for_a_new_note(bot: Harness, content: Content) -> None:
    """Answering differently from last time carries no note; a newly chosen top answer asks
    for one as usual."""
    await _first_round_then_new(bot)
    position = next(i for i, item in enumerate(content.model.items) if item.evidence)
    for _ in range(position):
        await bot.tap(LEAD, "↩ Same as last time")
    item = content.model.items[position]
    lowest = item.scale.options[0].label
    await bot.tap(LEAD, lowest)
    open_assessment = await bot.storage.open_assessment(LEAD)
    assert open_assessment is not None
    answers = await bot.storage.answers(open_assessment.id)
    assert answers[item.key].evidence is None
    await bot.tap(LEAD, "◀ Back")
    await bot.tap(LEAD, item.scale.options[item.scale.top].label)
    assert _first_kind(bot) == "s"  # top chosen anew (it was lowest this round): note asked


async def test_a_first_round_has_no_same_button(bot: Harness) -> None:
    """With no earlier result there is nothing to repeat."""
    await bot.register(LEAD)
    assert not any(label.startswith("↩") for label in bot.buttons(LEAD))
