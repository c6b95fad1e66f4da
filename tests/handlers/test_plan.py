"""/plan: advice from a result becomes steps with owners, dates and statuses; follow-up."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.rows import Delivery
from content import Content
from handlers.callbacks import encode
from handlers.plan import plan_reminders_job
from scoring.plan import OPEN_LIMIT
from tests.harness import Harness
from tests.seed import seed_result

LEAD = 1701


async def _add_first_tip(bot: Harness, assessment_id: int, index: int = 0) -> None:
    await bot.send(LEAD, "/score")  # a message with buttons to press on
    await bot.press(LEAD, encode("pl", assessment_id))
    await bot.press(LEAD, encode("pp", assessment_id, index))


async def _only_step_id(bot: Harness) -> int:
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    [step] = await bot.storage.plan_steps(network.id)
    return step.id


async def _add_step(
    bot: Harness, text: str, due: date, *, owner: str = "", source: str = ""
) -> tuple[int, int]:
    """Add a step to the lead's network's plan straight into storage: (network id, step id)."""
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    step = await bot.storage.add_plan_step(
        network.id, LEAD, text=text, owner=owner, due=due, source=source, open_limit=OPEN_LIMIT
    )
    assert step is not None
    return network.id, step


async def test_result_offers_add_to_plan(bot: Harness) -> None:
    """The result message carries an "Add to plan" button."""
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "lowest")
    buttons = [
        b["callback_data"]
        for c in bot.fake.sent(LEAD)
        for row in (c.params.get("reply_markup") or {}).get("inline_keyboard", [])
        for b in row
    ]
    assert any(data.startswith("1:pl:") for data in buttons)


async def test_add_to_plan_stores_a_step_due_end_of_next_quarter(
    bot: Harness, content: Content
) -> None:
    """Picking a tip adds a to-do step, due at the end of the next quarter, with no owner."""
    assessment = await seed_result(bot.storage, content.model, LEAD)
    await _add_first_tip(bot, assessment)
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    [step] = await bot.storage.plan_steps(network.id)
    assert (step.status, step.due, step.owner) == ("todo", date(2027, 6, 30), "")
    assert step.source.split(":")[0] in ("item", "enabler")


async def test_plan_lists_steps(bot: Harness, content: Content) -> None:
    """/plan lists each step with its status, owner and due date."""
    assessment = await seed_result(bot.storage, content.model, LEAD)
    await _add_first_tip(bot, assessment)
    calls = await bot.send(LEAD, "/plan")
    assert "To do" in calls[-1].text
    assert "30 June 2027" in calls[-1].text


async def test_typed_uk_date_moves_the_due_date(bot: Harness, content: Content) -> None:
    """Typing "31 March 2028" after the date button sets the due date."""
    assessment = await seed_result(bot.storage, content.model, LEAD)
    await _add_first_tip(bot, assessment)
    step_id = await _only_step_id(bot)
    await bot.press(LEAD, encode("pe", step_id, 2))
    await bot.send(LEAD, "31 March 2028")
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    step = await bot.storage.plan_step(step_id, network.id)
    assert step is not None
    assert step.due == date(2028, 3, 31)


async def test_bad_date_changes_nothing(bot: Harness, content: Content) -> None:
    """A past date gets a clear answer and leaves the due date as it was."""
    assessment = await seed_result(bot.storage, content.model, LEAD)
    await _add_first_tip(bot, assessment)
    step_id = await _only_step_id(bot)
    await bot.press(LEAD, encode("pe", step_id, 2))
    calls = await bot.send(LEAD, "01/01/2020")
    assert "already passed" in calls[-1].text
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    step = await bot.storage.plan_step(step_id, network.id)
    assert step is not None
    assert step.due == date(2027, 6, 30)


async def test_owner_and_status_change(bot: Harness, content: Content) -> None:
    """The owner is typed free text; the Done button marks the step done."""
    assessment = await seed_result(bot.storage, content.model, LEAD)
    await _add_first_tip(bot, assessment)
    step_id = await _only_step_id(bot)
    await bot.press(LEAD, encode("pe", step_id, 1))
    await bot.send(LEAD, "Chair")
    await bot.press(LEAD, encode("ps", step_id, 2))
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    step = await bot.storage.plan_step(step_id, network.id)
    assert step is not None
    assert (step.owner, step.status) == ("Chair", "done")


async def test_remove_asks_then_deletes(bot: Harness, content: Content) -> None:
    """Remove asks first; confirming deletes the step."""
    assessment = await seed_result(bot.storage, content.model, LEAD)
    await _add_first_tip(bot, assessment)
    step_id = await _only_step_id(bot)
    await bot.press(LEAD, encode("pr", step_id))
    await bot.press(LEAD, encode("py", step_id, 1))
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    assert await bot.storage.plan_steps(network.id) == []


async def test_open_steps_are_capped(bot: Harness, content: Content) -> None:
    """The thirteenth open step is refused, and the lead is told the limit."""
    assessment = await seed_result(bot.storage, content.model, LEAD)
    for n in range(OPEN_LIMIT):
        network_id, _ = await _add_step(bot, f"step {n}", date(2027, 6, 30))
    await bot.send(LEAD, "/score")
    calls = await bot.press(LEAD, encode("pp", assessment, 0))
    assert len(await bot.storage.plan_steps(network_id)) == OPEN_LIMIT
    assert any(f"{OPEN_LIMIT} open steps" in c.text for c in calls if c.method == "sendMessage")


async def test_reminder_a_week_before_due_once(bot: Harness, content: Content) -> None:
    """A step due in six days gets one reminder in working hours, never two."""
    await seed_result(bot.storage, content.model, LEAD)
    _, step = await _add_step(bot, "Agree terms", date(2027, 3, 9), owner="Chair")
    bot.clock.set(datetime(2027, 3, 3, 10, 0, tzinfo=UTC))
    await bot.run_callback(plan_reminders_job)
    await bot.run_callback(plan_reminders_job)
    sent = [c.text for c in bot.fake.sent(LEAD) if "Agree terms" in c.text]
    assert len(sent) == 1
    assert await bot.storage.deliveries("plandue") == [
        Delivery(f"plandue:{step}:2027-03-09:{LEAD}", LEAD, "sent")
    ]


async def test_no_reminder_at_night(bot: Harness, content: Content) -> None:
    """Outside working hours nothing is sent."""
    await seed_result(bot.storage, content.model, LEAD)
    await _add_step(bot, "Agree terms", date(2027, 3, 9))
    bot.clock.set(datetime(2027, 3, 3, 22, 0, tzinfo=UTC))
    await bot.run_callback(plan_reminders_job)
    assert [c for c in bot.fake.sent(LEAD) if "Agree terms" in c.text] == []


async def test_quarterly_checkin(bot: Harness, content: Content) -> None:
    """In the first week of a quarter, a lead with open steps is asked how the plan is going."""
    await seed_result(bot.storage, content.model, LEAD)
    await _add_step(bot, "Far off", date(2027, 9, 30))
    bot.clock.set(datetime(2027, 4, 1, 10, 0, tzinfo=UTC))
    await bot.run_callback(plan_reminders_job)
    assert len([c for c in bot.fake.sent(LEAD) if "how is" in c.text]) == 1


async def test_next_result_opens_with_since_last_time(bot: Harness, content: Content) -> None:
    """A step done before the next result is listed there, with whether its item moved."""
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "lowest")
    network_id, step = await _add_step(
        bot, "Write a purpose", date(2027, 6, 30), source="item:op-purpose"
    )
    bot.clock.advance(timedelta(days=1))
    await bot.storage.set_plan_status(step, network_id, "done", open_limit=OPEN_LIMIT)
    bot.clock.advance(timedelta(days=94))
    await bot.new_round(LEAD)
    await bot.answer_all(LEAD, "top")
    [result] = [c for c in bot.fake.sent(LEAD) if "Since last time" in c.text]
    assert "Write a purpose" in result.text
    assert "went up" in result.text


async def test_forget_deletes_the_plan_and_export_has_it(bot: Harness, content: Content) -> None:
    """/export includes plan steps; the last lead's /forget deletes them with the network."""
    assessment = await seed_result(bot.storage, content.model, LEAD)
    await _add_first_tip(bot, assessment)
    exported = await bot.storage.export_user(LEAD)
    assert len(exported["plan_steps"]) == 1
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    await bot.storage.forget_user(LEAD)
    assert await bot.storage.plan_steps(network.id) == []


async def test_due_date_in_year_zero_is_refused_and_the_edit_goes_on(
    bot: Harness, content: Content
) -> None:
    """ "end of march 0000" once raised ValueError ("send /assess to carry on") and left the edit
    half-done; now it is refused like any impossible date, and a good date still works."""
    assessment = await seed_result(bot.storage, content.model, LEAD)
    await _add_first_tip(bot, assessment)
    step_id = await _only_step_id(bot)
    await bot.press(LEAD, encode("pe", step_id, 2))
    for typed in ("end of march 0000", "end of March 9999", "31 March 0000"):
        calls = await bot.send(LEAD, typed)
        assert "/assess" not in calls[-1].text, typed
    assert bot.errors == []
    await bot.send(LEAD, "31 March 2028")
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    step = await bot.storage.plan_step(step_id, network.id)
    assert step is not None
    assert step.due == date(2028, 3, 31)


async def test_plan_text_is_stored_without_control_characters(
    bot: Harness, content: Content
) -> None:
    """A step's text typed with NUL is stored without it."""
    assessment = await seed_result(bot.storage, content.model, LEAD)
    await _add_first_tip(bot, assessment)
    step_id = await _only_step_id(bot)
    await bot.press(LEAD, encode("pe", step_id, 0))
    await bot.send(LEAD, "Meet the\x00 sponsor\x1b monthly")
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    step = await bot.storage.plan_step(step_id, network.id)
    assert step is not None
    assert step.text == "Meet the sponsor monthly"
