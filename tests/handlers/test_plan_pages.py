"""/plan that grows with use: pages under Telegram's limit, archived steps, steps of the lead's
own, no duplicates, and a step card with its own number and its status ticked (issues 21, 22)."""

from __future__ import annotations

from datetime import date, timedelta

from content import Content
from handlers.callbacks import decode, encode
from scoring.plan import OPEN_LIMIT, TEXT_LIMIT
from tests.fakebot import Call
from tests.harness import OPERATOR, Harness
from tests.seed import seed_result

LEAD = 1702
MANY = 100  # past the open limit: as a plan built before it existed could be


async def _network_id(bot: Harness) -> int:
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    return network.id


async def _steps(bot: Harness, texts: list[str], *, owner: str = "", done: bool = False) -> None:
    network_id = await _network_id(bot)
    for text in texts:
        step = await bot.storage.add_plan_step(
            network_id,
            LEAD,
            text=text,
            owner=owner,
            due=date(2027, 6, 30),
            source="",
            open_limit=MANY,
        )
        assert step is not None
        if done:
            await bot.storage.set_plan_status(step, network_id, "done", open_limit=MANY)


def _step_buttons(bot: Harness) -> list[int]:
    """Ids of the steps whose buttons show on the newest keyboard."""
    _, rows = bot.keyboard(LEAD)
    presses = [decode(b["callback_data"]) for row in rows for b in row]
    return [p.args[0] for p in presses if p is not None and p.kind == "pv"]


async def _read_all_pages(bot: Harness, first: list[Call]) -> list[str]:
    """The texts of every page of the listing, pressing Next until there is none."""
    texts = [first[-1].text]
    for _ in range(20):
        if not any(label.startswith("Next") for label in bot.buttons(LEAD)):
            return texts
        calls = await bot.tap(LEAD, "Next")
        texts.append(calls[-1].text)
    raise AssertionError("Next never ran out")


async def test_twelve_done_and_fourteen_open_fit_in_pages(bot: Harness, content: Content) -> None:
    """Issue 21's row: 12 done and 14 open steps from the bot's advice list in pages, every page
    under 4,096 characters, with a button for every step and Next/Previous between pages."""
    await seed_result(bot.storage, content.model, LEAD)
    advice = [item.next_step for item in content.model.items if item.next_step]
    await _steps(bot, [f"{advice[n % len(advice)]} ({n})" for n in range(12)], done=True)
    await _steps(bot, [f"{advice[n % len(advice)]} [{n}]" for n in range(14)])
    calls = await bot.send(LEAD, "/plan")
    seen: list[int] = _step_buttons(bot)
    texts = await _read_all_pages(bot, calls)
    assert len(texts) > 1
    assert all(len(text) < 4096 for text in texts)
    network_id = await _network_id(bot)
    everyone = {s.id for s in await bot.storage.plan_steps(network_id)}
    # Walk back with Previous: the buttons of each page together name every step once.
    for _ in range(len(texts) - 1):
        await bot.tap(LEAD, "◀ Previous")
        seen += _step_buttons(bot)
    await bot.send(LEAD, "/plan")
    for _ in range(len(texts) - 1):
        await bot.tap(LEAD, "Next")
        seen += _step_buttons(bot)
    assert set(seen) == everyone


async def test_twelve_open_at_full_length_fit(bot: Harness, content: Content) -> None:
    """Issue 21's row: 12 open steps with 300-character texts and 60-character owners."""
    await seed_result(bot.storage, content.model, LEAD)
    await _steps(bot, [f"{n:02d} " + "é" * (TEXT_LIMIT - 3) for n in range(12)], owner="O" * 60)
    texts = await _read_all_pages(bot, await bot.send(LEAD, "/plan"))
    assert len(texts) >= 2
    joined = "\n".join(texts)
    assert all(f"{n:02d} " in joined for n in range(12))


async def test_finished_steps_leave_the_list_after_a_quarter(
    bot: Harness, content: Content
) -> None:
    """A step done over three months ago is archived out of /plan but kept for the pack and
    /export."""
    await seed_result(bot.storage, content.model, LEAD)
    await _steps(bot, ["Old finished step"], done=True)
    bot.clock.advance(timedelta(days=100))
    await _steps(bot, ["Recent finished step"], done=True)
    await _steps(bot, ["Still open step"])
    text = (await bot.send(LEAD, "/plan"))[-1].text
    assert "Recent finished step" in text
    assert "Still open step" in text
    assert "Old finished step" not in text
    assert len(await bot.storage.plan_steps(await _network_id(bot))) == 3
    exported = await bot.storage.export_user(LEAD)
    assert any(s["text"] == "Old finished step" for s in exported["plan_steps"])


async def test_plan_add_adds_a_step_of_the_leads_own(bot: Harness, content: Content) -> None:
    """`/plan add <text>` adds the step; the same again is refused; plain `/plan <text>` says
    how to add one."""
    await seed_result(bot.storage, content.model, LEAD)
    calls = await bot.send(LEAD, "/plan add Run a listening event in May")
    assert "Added as step 1" in calls[-1].text
    calls = await bot.send(LEAD, "/plan add run a listening   event in May.")
    assert "already open" in calls[-1].text
    calls = await bot.send(LEAD, "/plan Run a listening event")
    assert "/plan add" in calls[0].text
    [step] = await bot.storage.plan_steps(await _network_id(bot))
    assert (step.text, step.status, step.source) == ("Run a listening event in May", "todo", "")


async def test_add_a_step_button_takes_typed_text(bot: Harness, content: Content) -> None:
    """The plan's "Add a step" button asks for the step and adds what is typed next."""
    await seed_result(bot.storage, content.model, LEAD)
    await bot.send(LEAD, "/plan")
    await bot.tap(LEAD, "➕ Add a step")
    calls = await bot.send(LEAD, "Agree a budget with the sponsor")
    assert "Added as step 1" in calls[-1].text
    [step] = await bot.storage.plan_steps(await _network_id(bot))
    assert step.text == "Agree a budget with the sponsor"
    user = await bot.storage.user(LEAD)
    assert user is not None
    assert user.entry is None


async def test_advice_added_twice_is_refused(bot: Harness, content: Content) -> None:
    """Picking the same piece of a result's advice twice adds it once."""
    assessment = await seed_result(bot.storage, content.model, LEAD)
    await bot.send(LEAD, "/score")
    await bot.press(LEAD, encode("pp", assessment, 0))
    calls = await bot.press(LEAD, encode("pp", assessment, 0))
    assert any("already open" in c.text for c in calls if c.method == "sendMessage")
    assert len(await bot.storage.plan_steps(await _network_id(bot))) == 1


async def test_step_card_has_its_own_number_and_ticks_its_status(
    bot: Harness, content: Content
) -> None:
    """The third step's card says 3., and its status buttons tick the status it has."""
    await seed_result(bot.storage, content.model, LEAD)
    await _steps(bot, ["First", "Second", "Third"])
    network_id = await _network_id(bot)
    third = next(s.id for s in await bot.storage.plan_steps(network_id) if s.text == "Third")
    await bot.send(LEAD, "/plan")
    calls = await bot.tap(LEAD, "3")
    assert "3. Third" in calls[-1].text
    assert "✓ To do" in bot.buttons(LEAD)
    await bot.press(LEAD, encode("ps", third, 1))
    assert "✓ Doing" in bot.buttons(LEAD)
    assert "To do" in bot.buttons(LEAD)
    assert "✓ To do" not in bot.buttons(LEAD)


async def test_a_full_plan_offers_no_add_button(bot: Harness, content: Content) -> None:
    """At the open limit the list says so and has no "Add a step" button."""
    await seed_result(bot.storage, content.model, LEAD)
    await _steps(bot, [f"step {n}" for n in range(OPEN_LIMIT)])
    await bot.send(LEAD, "/plan")
    assert "➕ Add a step" not in bot.buttons(LEAD)


async def test_score_offers_add_to_plan(bot: Harness, content: Content) -> None:
    """/score carries "📋 Add to plan" for the latest result, and it opens the advice."""
    assessment = await seed_result(bot.storage, content.model, LEAD)
    await bot.send(LEAD, "/score")
    assert "📋 Add to plan" in bot.buttons(LEAD)
    calls = await bot.tap(LEAD, "📋 Add to plan")
    assert "Which piece of advice" in calls[-1].text
    assert encode("pp", assessment, 0) in [
        b["callback_data"] for row in bot.keyboard(LEAD)[1] for b in row
    ]


async def test_add_to_plan_is_kept_after_sharing_the_band(bot: Harness) -> None:
    """Pressing "Share my band" takes only that button off the result; "Add to plan" stays."""
    admin, group = 1799, -1017001
    bot.fake.set_admins(group, [admin])
    await bot.send(OPERATOR, "/hub London", chat_id=group)
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "lowest")
    await bot.tap(LEAD, "Share my band with my hub")
    assert bot.buttons(LEAD) == ["📋 Add to plan"]
    calls = await bot.tap(LEAD, "📋 Add to plan")
    assert "Which piece of advice" in calls[-1].text


async def test_advice_to_pick_from_lists_in_pages(bot: Harness, content: Content) -> None:
    """Fifty "Don't know" answers make fifty things to find out: the list to pick from goes in
    pages under the limit, and a piece on a later page can be added."""
    assessment = await seed_result(
        bot.storage, content.model, LEAD, choose=lambda position, item: 0
    )  # all "Don't know"
    await bot.send(LEAD, "/score")
    calls = await bot.tap(LEAD, "📋 Add to plan")
    texts = [calls[-1].text]
    for _ in range(10):
        if not any(label.startswith("Next") for label in bot.buttons(LEAD)):
            break
        texts.append((await bot.tap(LEAD, "Next"))[-1].text)
    assert len(texts) > 1
    assert all(len(text) < 4096 for text in texts)
    _, rows = bot.keyboard(LEAD)
    picks = [decode(b["callback_data"]) for row in rows for b in row]
    last = max(p.args[1] for p in picks if p is not None and p.kind == "pp")
    assert last > 10
    await bot.press(LEAD, encode("pp", assessment, last))
    assert len(await bot.storage.plan_steps(await _network_id(bot))) == 1
