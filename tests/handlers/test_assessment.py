"""The assessment conversation end to end, through the fake Bot API."""

from __future__ import annotations

from pathlib import Path

from bot.migrations import MIGRATIONS
from bot.storage import Storage
from content import Content
from handlers import callbacks
from scoring.progress import Step
from tests.fakebot import FakeBotApi
from tests.harness import FakeClock, Harness, running

LEAD = 501
OTHER = 502


async def _answers(bot: Harness, user_id: int) -> dict[str, int]:
    assessment = await bot.storage.open_assessment(user_id)
    assert assessment is not None
    return {k: a.option for k, a in (await bot.storage.answers(assessment.id)).items()}


async def _answer_first(bot: Harness, user_id: int, count: int, label: str = "Agree") -> None:
    """Answer `count` questions with `label` (or "Yes" on yes/no items), skipping notes."""
    for _ in range(count):
        labels = bot.buttons(user_id)
        if labels[:1] == ["Skip"]:
            await bot.tap(user_id, "Skip")
        await bot.tap(user_id, label if label in bot.buttons(user_id) else "Yes")


async def test_top_answers_give_178_activator_and_a_chart(bot: Harness) -> None:
    """Top answers to all 48 items give 178/178, Activator, and a chart photo."""
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "top")
    result = [c.text for c in bot.fake.sent(LEAD) if "178/178" in c.text]
    assert len(result) == 1
    assert "Activator" in result[0]
    photos = bot.fake.calls_to("sendPhoto", LEAD)
    assert len(photos) == 1
    assert photos[0].files["photo"].startswith(b"\x89PNG")


async def test_lowest_answers_give_0_pathfinder(bot: Harness) -> None:
    """Lowest answers give 0/178 and Pathfinder, stored with the content version."""
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "lowest")
    assert any("0/178" in c.text and "Pathfinder" in c.text for c in bot.fake.sent(LEAD))
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    [done] = await bot.storage.completed_assessments(network.id)
    assert (done.total, done.band) == (0, "pathfinder")
    assert done.content_version == bot.app.bot_data["services"].content.model.version


async def test_result_names_sections_craft_and_tips(bot: Harness, content: Content) -> None:
    """The result lists each section's score, each CRAFT enabler and three to five tips."""
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "lowest")
    [result] = [c.text for c in bot.fake.sent(LEAD) if "/178 ·" in c.text]
    for section in content.model.sections:
        assert f"{section.title}: 0/" in result
    for enabler in content.model.enablers:
        assert enabler.name in result
    tips = [line for line in result.splitlines() if line[:2] in {"1.", "2.", "3.", "4.", "5."}]
    assert 3 <= len(tips) <= 5


async def test_buttons_run_low_to_high_with_navigation_last(bot: Harness) -> None:
    """Answer buttons come first, "Don't know" then lowest score first, one per row;
    navigation (Back, Help, Pause) is the last row."""
    await bot.register(LEAD)
    _, first = bot.keyboard(LEAD)
    assert [[b["text"] for b in row] for row in first] == [
        ["Don't know"],
        ["Strongly disagree"],
        ["Disagree"],
        ["Partly"],
        ["Agree"],
        ["Strongly agree"],
        ["ℹ️ Help", "Pause"],
    ]
    await _answer_first(bot, LEAD, 1)
    _, second = bot.keyboard(LEAD)
    assert [[b["text"] for b in row] for row in second] == [
        ["Don't know"],
        ["No"],
        ["Yes"],
        ["◀ Back", "ℹ️ Help", "Pause"],
    ]


async def test_progress_line_names_number_and_section(bot: Harness) -> None:
    """Each question opens with "Question N of 50 · <section>"."""
    await bot.register(LEAD)
    await _answer_first(bot, LEAD, 16)
    await bot.tap(LEAD, "Skip")  # question 16 asks for an optional note
    latest = bot.fake.shown(LEAD)[-1].text
    assert latest.startswith("<b>Question 17 of 50 · Organisational dynamics</b>")


async def test_back_reasks_previous_item_with_answer_marked(bot: Harness) -> None:
    """Back shows the previous item with its answer ticked; re-answering returns to the next."""
    await bot.register(LEAD)
    await _answer_first(bot, LEAD, 3)
    await bot.tap(LEAD, "◀ Back")
    assert "Question 3 of 50" in bot.fake.shown(LEAD)[-1].text
    assert "✓ Agree" in bot.buttons(LEAD)
    await bot.tap(LEAD, "Strongly disagree")
    assert "Question 4 of 50" in bot.fake.shown(LEAD)[-1].text
    answers = await _answers(bot, LEAD)
    assert answers["op-smart-objectives"] == 1  # after "Don't know"
    assert len(answers) == 3


async def test_pause_then_assess_resumes_at_first_unanswered(bot: Harness) -> None:
    """After Pause (even from a Back), /assess picks up at the first unanswered item."""
    await bot.register(LEAD)
    await _answer_first(bot, LEAD, 5)
    await bot.tap(LEAD, "◀ Back")
    await bot.tap(LEAD, "Pause")
    assert "Paused at question 6 of 50" in bot.fake.shown(LEAD)[-1].text
    await bot.send(LEAD, "/assess")
    assert "Question 6 of 50" in bot.fake.shown(LEAD)[-1].text


async def test_resume_after_restart_on_the_same_database(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """A new Application on the same database file resumes where the old one stopped."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, content, db, clock) as first:
        await first.register(LEAD)
        await _answer_first(first, LEAD, 10)
    async with running(fake, content, db, clock) as second:
        await second.send(LEAD, "/assess")
        assert "Question 11 of 50" in fake.shown(LEAD)[-1].text
        assert len(await _answers(second, LEAD)) == 10
        await second.answer_all(LEAD, "top")
        assert second.errors == []
    assert any("/178" in c.text for c in fake.sent(LEAD))


async def test_evidence_note_is_asked_on_top_answer_and_stored(bot: Harness) -> None:
    """A top answer to an evidence item asks for an optional note; a typed note is kept."""
    await bot.register(LEAD)
    await bot.tap(LEAD, "Strongly agree")
    assert bot.buttons(LEAD) == ["Skip", "◀ Back", "Pause"]
    await bot.send(LEAD, "Purpose statement on the intranet, agreed in March")
    assert "Question 2 of 50" in bot.fake.shown(LEAD)[-1].text
    assessment = await bot.storage.open_assessment(LEAD)
    assert assessment is not None
    answers = await bot.storage.answers(assessment.id)
    assert answers["op-purpose"].evidence == "Purpose statement on the intranet, agreed in March"


async def test_evidence_skip_moves_on_without_a_note(bot: Harness) -> None:
    """Skip leaves no note and shows the next question."""
    await bot.register(LEAD)
    await bot.tap(LEAD, "Strongly agree")
    await bot.tap(LEAD, "Skip")
    assert "Question 2 of 50" in bot.fake.shown(LEAD)[-1].text
    assessment = await bot.storage.open_assessment(LEAD)
    assert assessment is not None
    assert (await bot.storage.answers(assessment.id))["op-purpose"].evidence is None


async def test_over_long_evidence_is_refused_and_changes_nothing(bot: Harness) -> None:
    """A note over 1,000 characters gets a hint; the prompt stays and nothing is stored."""
    await bot.register(LEAD)
    await bot.tap(LEAD, "Strongly agree")
    calls = await bot.send(LEAD, "x" * 1001)
    assert "1000 characters" in calls[-1].text
    assessment = await bot.storage.open_assessment(LEAD)
    assert assessment is not None
    assert assessment.awaiting_evidence == "op-purpose"
    assert (await bot.storage.answers(assessment.id))["op-purpose"].evidence is None


async def test_non_top_answer_on_evidence_item_asks_no_note(bot: Harness) -> None:
    """Only the top option asks for evidence."""
    await bot.register(LEAD)
    await bot.tap(LEAD, "Agree")
    assert "Question 2 of 50" in bot.fake.shown(LEAD)[-1].text


async def test_stale_press_on_an_old_question_changes_nothing(bot: Harness) -> None:
    """Pressing a button of a question already answered is refused with a short answer."""
    await bot.register(LEAD)
    message_id, rows = bot.keyboard(LEAD)
    old = rows[0][0]["callback_data"]  # "Strongly disagree" on question 1
    await _answer_first(bot, LEAD, 2)
    before = await _answers(bot, LEAD)
    calls = await bot.press(LEAD, old, message_id=message_id)
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert "moved on" in calls[0].params["text"]
    assert await _answers(bot, LEAD) == before


async def test_repeated_press_counts_once(bot: Harness) -> None:
    """A double tap records one answer and advances one question."""
    await bot.register(LEAD)
    message_id, rows = bot.keyboard(LEAD)
    data = rows[3][0]["callback_data"]
    await bot.press(LEAD, data, message_id=message_id)
    second = await bot.press(LEAD, data, message_id=message_id)
    assert [c.method for c in second] == ["answerCallbackQuery"]
    assert await _answers(bot, LEAD) == {"op-purpose": 3}
    assert "Question 2 of 50" in bot.fake.shown(LEAD)[-1].text


async def test_forged_callbacks_change_nothing(bot: Harness) -> None:
    """Another user's assessment, bad versions, junk and out-of-range options are refused."""
    await bot.register(LEAD)
    await bot.register(OTHER)
    mine = await bot.storage.open_assessment(LEAD)
    theirs = await bot.storage.open_assessment(OTHER)
    assert mine is not None
    assert theirs is not None
    forged = [
        callbacks.encode("a", theirs.id, 0, 4),  # someone else's assessment
        f"2:a:{mine.id}:0:4",  # unknown version
        f"1:a:{mine.id}:0:9",  # option out of range
        f"1:a:{mine.id}:0",  # missing part
        f"1:a:{mine.id}:-1:2",  # negative
        f"1:a:{mine.id}:0:04",  # not canonical
        f"1:b:{mine.id}:0",  # Back from the first question
        "1:zz:1",  # unknown kind
        "💥" * 20,
        "1:a:" + "9" * 40 + ":0:0",
    ]
    for data in forged:
        calls = await bot.press(LEAD, data)
        assert [c.method for c in calls] == ["answerCallbackQuery"], data
    assert await _answers(bot, LEAD) == {}
    assert await _answers(bot, OTHER) == {}


async def test_text_where_a_button_is_due_gets_a_hint(bot: Harness) -> None:
    """Typing something other than an option during a question gets a hint and leaves the
    question unanswered."""
    await bot.register(LEAD)
    calls = await bot.send(LEAD, "Mostly, I think")
    assert "buttons" in calls[-1].text
    assert await _answers(bot, LEAD) == {}


async def test_a_typed_option_label_answers_the_question(bot: Harness) -> None:
    """Typing an option's label ("agree", "no.") answers as its button would
    (issue 22 point 7)."""
    await bot.register(LEAD)
    await bot.send(LEAD, "agree")
    answers = await _answers(bot, LEAD)
    assert len(answers) == 1
    assert "Question 2 of 50" in bot.fake.sent(LEAD)[-1].text
    await bot.send(LEAD, "  No. ")  # question 2 is Yes/No
    assert len(await _answers(bot, LEAD)) == 2


async def test_sticker_and_photo_get_a_hint(bot: Harness) -> None:
    """Stickers and photos during an assessment get a hint and change nothing."""
    await bot.register(LEAD)
    sticker = {
        "sticker": {
            "file_id": "s",
            "file_unique_id": "su",
            "type": "regular",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
        }
    }
    photo = {"photo": [{"file_id": "p", "file_unique_id": "pu", "width": 1, "height": 1}]}
    for extra in (sticker, photo):
        from tests.fakebot import message_update

        calls = await bot.process(message_update(LEAD, None, extra=extra))
        assert "buttons" in calls[-1].text
    assert await _answers(bot, LEAD) == {}


async def test_unknown_command_gets_a_hint(bot: Harness) -> None:
    """An unknown command in private points to /help."""
    calls = await bot.send(LEAD, "/frobnicate")
    assert "/help" in calls[-1].text


async def test_assess_in_a_group_links_to_the_private_chat(bot: Harness) -> None:
    """/assess in a group answers with a deep link and starts nothing."""
    calls = await bot.send(LEAD, "/assess", chat_id=-1001)
    markup = calls[-1].params["reply_markup"]["inline_keyboard"][0][0]
    assert markup["url"] == "https://t.me/hub_test_bot?start=assess"
    assert await bot.storage.user(LEAD) is None


async def test_deep_link_assess_starts_in_private(bot: Harness) -> None:
    """Following the group's deep link (/start assess) begins registration."""
    calls = await bot.send(LEAD, "/start assess")
    assert "Which NHS organisation" in calls[-1].text


async def test_other_input_during_a_question_changes_nothing(bot: Harness) -> None:
    """Unknown commands and junk text mid-assessment leave position and answers alone."""
    await bot.register(LEAD)
    await bot.tap(LEAD, "Agree")
    await bot.tap(LEAD, "No")
    before = await bot.storage.open_assessment(LEAD)
    for text in ("/nope", "hello", "🙂", "/start"):
        await bot.send(LEAD, text)
    after = await bot.storage.open_assessment(LEAD)
    assert after is not None
    assert before is not None
    assert (after.position, after.awaiting_evidence) == (before.position, None)
    assert len(await _answers(bot, LEAD)) == 2


async def test_after_completion_assess_starts_a_new_round(bot: Harness) -> None:
    """Once finished, /assess asks first; confirmed, a fresh round says earlier results stay."""
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "lowest")
    calls = await bot.send(LEAD, "/assess")
    assert "Start a new assessment, or change an answer" in calls[-1].text
    assert await bot.storage.open_assessment(LEAD) is None
    calls = await bot.tap(LEAD, "Start a new assessment")
    assert "new assessment" in calls[-1].text
    assert "Question 1 of 50" in calls[-1].text


async def test_error_in_a_handler_tells_the_user_and_keeps_the_place(bot: Harness) -> None:
    """A failing edit (Telegram error) is reported kindly; the answer is still saved."""
    await bot.register(LEAD)
    bot.fake.fail(
        "editMessageText", "bad_request", description="Bad Request: message can't be edited"
    )
    bot.fake.fail("sendMessage", "bad_request", times=1)
    await bot.tap(LEAD, "Agree")
    assert len(bot.errors) == 1
    bot.errors.clear()
    assert await _answers(bot, LEAD) == {"op-purpose": 4}
    assert "Nothing you have answered is lost" in bot.fake.sent(LEAD)[-1].text
    await bot.send(LEAD, "/assess")
    assert "Question 2 of 50" in bot.fake.shown(LEAD)[-1].text


async def test_uneditable_question_is_sent_anew(bot: Harness) -> None:
    """When the question message can no longer be edited, the next one comes as a new message."""
    await bot.register(LEAD)
    bot.fake.fail(
        "editMessageText", "bad_request", description="Bad Request: message can't be edited"
    )
    calls = await bot.tap(LEAD, "Agree")
    assert calls[-1].method == "sendMessage"
    assert "Question 2 of 50" in calls[-1].text


async def test_server_error_on_a_reply_is_retried(bot: Harness) -> None:
    """A 5xx answer to the next-question edit is retried; the user sees question 2."""
    await bot.register(LEAD)
    bot.fake.fail("editMessageText", "server_error", times=2)
    calls = await bot.tap(LEAD, "Agree")
    edits = [c.outcome for c in calls if c.method == "editMessageText"]
    assert edits == ["server_error", "server_error", "ok"]


async def test_timed_out_edit_is_retried_but_not_a_timed_out_send(bot: Harness) -> None:
    """An edit is safe to repeat after a time-out; a new message is not (it may have arrived)."""
    await bot.register(LEAD)
    bot.fake.fail("editMessageText", "timeout")
    calls = await bot.tap(LEAD, "Agree")
    assert [c.outcome for c in calls if c.method == "editMessageText"] == ["timeout", "ok"]
    bot.fake.fail("sendMessage", "timeout")
    calls = await bot.send(LEAD, "/assess")
    assert [c.outcome for c in calls if c.method == "sendMessage"][:1] == ["timeout"]
    assert len(bot.errors) == 1
    bot.errors.clear()


async def test_retry_after_is_waited_out_and_the_reply_arrives(bot: Harness) -> None:
    """A 429 on an edit is retried after the wait; the user sees the next question."""
    await bot.register(LEAD)
    bot.fake.fail("editMessageText", "retry_after", retry_after=1)
    await bot.tap(LEAD, "Agree")
    edits = [c for c in bot.fake.calls if c.method == "editMessageText"]
    assert [c.outcome for c in edits[-2:]] == ["retry_after", "ok"]
    assert "Question 2 of 50" in bot.fake.shown(LEAD)[-1].text


async def test_no_call_breaks_telegram_limits(bot: Harness) -> None:
    """A whole assessment, /score and /help never trip a Bot API limit check."""
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "top", evidence="ToR agreed March, on the intranet")
    await bot.send(LEAD, "/score")
    await bot.send(LEAD, "/help")
    assert [c for c in bot.fake.calls if c.outcome != "ok"] == []


async def test_storage_survives_reopen(tmp_path: Path, clock: FakeClock) -> None:
    """Reopening the database keeps the schema version and applies no migration twice."""
    storage = await Storage.open(tmp_path / "x.sqlite3", clock)
    version = await storage.schema_version()
    await storage.close()
    again = await Storage.open(tmp_path / "x.sqlite3", clock)
    assert version == len(MIGRATIONS)
    assert await again.schema_version() == version
    await again.close()


async def test_answers_the_new_content_cannot_take_are_dropped_on_resume(
    bot: Harness, content: Content
) -> None:
    """After a content change, an answer beyond an item's scale is dropped and asked again."""
    await bot.register(LEAD)
    await bot.tap(LEAD, "Agree")
    assessment = await bot.storage.open_assessment(LEAD)
    assert assessment is not None
    # As if answered against an older version whose scale for this item was longer.
    await bot.storage.drop_answers(assessment.id, ["op-purpose"])
    await bot.storage.record_answer(
        assessment.id, expected=Step(1), to=Step(1), item_key="op-purpose", option=7, points=9
    )
    await bot.storage.touch(assessment.id, version="2025.1", to=Step(1))
    calls = await bot.send(LEAD, "/assess")
    assert "Question 1 of 50" in calls[-1].text
    assert await _answers(bot, LEAD) == {}
