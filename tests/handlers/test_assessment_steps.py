"""Help, section introductions, "Don't know", evidence prompts, the review and changing a
recent result: the assessment's newer steps end to end, through the fake Bot API."""

from __future__ import annotations

from datetime import timedelta

from content import Content
from handlers import callbacks
from scoring.progress import Step
from tests.harness import Harness

LEAD = 601


async def _to_review(bot: Harness, user_id: int, pick: int = -1) -> None:
    """Answer every question with the answer button at index `pick` (skipping notes) until
    the review is on screen."""
    for _ in range(200):
        if "Finish" in bot.buttons(user_id):
            return
        _, rows = bot.keyboard(user_id)
        presses = [callbacks.decode(row[0]["callback_data"]) for row in rows]
        if presses[0] is not None and presses[0].kind == "s":
            await bot.tap(user_id, "Skip")
            continue
        answers = [row[0] for row, p in zip(rows, presses, strict=True) if p and p.kind == "a"]
        await bot.press(user_id, answers[pick]["callback_data"])
    raise AssertionError("the review never came")


def _latest(bot: Harness, user_id: int) -> str:
    return bot.fake.shown(user_id)[-1].text


# -- 1. help on every question ------------------------------------------------------------------


async def test_help_edits_the_same_message_with_help_above_the_question(
    bot: Harness, content: Content
) -> None:
    """ "ℹ️ Help" edits the question's message: help first, then the progress line, the
    question and the same answer buttons."""
    await bot.register(LEAD)
    message_id, before = bot.keyboard(LEAD)
    calls = await bot.tap(LEAD, "ℹ️ Help")
    [edit] = [c for c in calls if c.method == "editMessageText"]
    assert edit.params["message_id"] == message_id
    item = content.model.items[0]
    text = edit.text
    assert text.index("About this question") < text.index("Question 1 of 50")
    assert item.example in text
    assert item.why in text
    assert bot.keyboard(LEAD)[1] == before


async def test_typed_question_gets_the_help_and_buttons_and_changes_nothing(
    bot: Harness, content: Content
) -> None:
    """Text typed while a question is on screen is answered with that question's help and
    its buttons again; no answer is stored."""
    await bot.register(LEAD)
    await bot.tap(LEAD, "Don't know")  # question 2 is on screen
    calls = await bot.send(LEAD, "sorry what does terms of reference mean here?")
    [reply] = [c for c in calls if c.method == "sendMessage"]
    assert content.model.items[1].help in reply.text
    assert "Question 2 of 50" in reply.text
    assert [b["text"] for row in reply.buttons for b in row][:3] == ["Don't know", "No", "Yes"]
    assessment = await bot.storage.open_assessment(LEAD)
    assert assessment is not None
    assert len(await bot.storage.answers(assessment.id)) == 1


async def test_glossary_explains_the_terms_and_help_links_it(bot: Harness) -> None:
    """/glossary covers the words the questions use; /help mentions /glossary."""
    text = (await bot.send(LEAD, "/glossary"))[-1].text
    for term in ("Sponsor", "Champion", "Terms of reference", "WRES", "CPD", "EMN", "SMART"):
        assert f"<b>{term}</b>" in text
    assert "<b>CRAFT</b>" in text
    assert "/glossary" in (await bot.send(LEAD, "/help"))[-1].text


# -- 2. section introductions -------------------------------------------------------------------


async def test_each_section_opens_with_its_introduction(bot: Harness, content: Content) -> None:
    """The first question of a section carries its one-line introduction; the next does not."""
    operating, dynamics = content.model.sections[:2]
    await bot.register(LEAD)
    assert operating.intro in _latest(bot, LEAD)
    await bot.tap(LEAD, "Don't know")
    assert operating.intro not in _latest(bot, LEAD)
    for _ in range(15):
        await bot.tap(LEAD, "Don't know")
    text = _latest(bot, LEAD)
    assert text.startswith("<b>Question 17 of 50 · Organisational dynamics</b>")
    assert dynamics.intro in text


# -- 4. "Don't know" ----------------------------------------------------------------------------


async def test_dont_know_answers_become_things_to_find_out(bot: Harness, content: Content) -> None:
    """ "Don't know" scores 0; the result counts them and lists each with who usually knows."""
    await bot.register(LEAD)
    await bot.tap(LEAD, "Don't know")  # purpose
    await _to_review(bot, LEAD)
    assert "1 answered “Don't know”" in _latest(bot, LEAD)
    await bot.tap(LEAD, "Finish")
    [result] = [c.text for c in bot.fake.sent(LEAD) if "/178 ·" in c.text]
    assert "174/178" in result
    purpose = content.model.item("op-purpose")
    assert "Things to find out</b> (1 answered “Don't know”" in result
    assert f"{purpose.label}: ask {purpose.who_knows}" in result
    compare = (await bot.send(LEAD, "/compare"))[0].text
    assert "“Don't know” answers in it: 1" in compare


async def test_things_to_find_out_can_go_in_the_plan(bot: Harness, content: Content) -> None:
    """A result's "Add to plan" offers its things to find out alongside its tips."""
    await bot.register(LEAD)
    await bot.tap(LEAD, "Don't know")
    await _to_review(bot, LEAD)
    await bot.tap(LEAD, "Finish")
    calls = await bot.tap(LEAD, "📋 Add to plan")
    listing = calls[-1].text
    assert f"Find out: {content.model.item('op-purpose').label}" in listing
    await bot.tap(LEAD, str(len(calls[-1].buttons[-1])))  # the last piece: the thing to find out
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    [step] = await bot.storage.plan_steps(network.id)
    assert step.text.startswith("Find out:")
    assert step.source == "item:op-purpose"


# -- 5. evidence prompts ------------------------------------------------------------------------


async def test_evidence_prompt_uses_the_items_own_example(bot: Harness, content: Content) -> None:
    """The note prompt gives an example fitting its item, with Skip, Back and Pause."""
    await bot.register(LEAD)
    await bot.tap(LEAD, "Strongly agree")
    assert content.model.items[0].evidence_example in _latest(bot, LEAD)
    assert bot.buttons(LEAD) == ["Skip", "◀ Back", "Pause"]
    await bot.tap(LEAD, "Skip")
    await bot.tap(LEAD, "Yes")  # terms of reference: another evidence item
    assert content.model.items[1].evidence_example in _latest(bot, LEAD)
    assert content.model.items[0].evidence_example not in _latest(bot, LEAD)


def test_every_evidence_item_has_its_own_example(content: Content) -> None:
    """No two evidence items share an example note."""
    examples = [item.evidence_example for item in content.model.items if item.evidence]
    assert all(examples)
    assert len(set(examples)) == len(examples)


async def test_back_from_the_evidence_prompt_shows_its_question(bot: Harness) -> None:
    """Back on the note prompt shows the same question with its answer ticked."""
    await bot.register(LEAD)
    await bot.tap(LEAD, "Strongly agree")
    await bot.tap(LEAD, "◀ Back")
    assert "Question 1 of 50" in _latest(bot, LEAD)
    assert "✓ Strongly agree" in bot.buttons(LEAD)


async def test_pause_from_the_evidence_prompt_resumes_there(bot: Harness) -> None:
    """Pause on the note prompt stops; /assess comes back to the same prompt."""
    await bot.register(LEAD)
    await bot.tap(LEAD, "Strongly agree")
    await bot.tap(LEAD, "Pause")
    assert "Paused" in _latest(bot, LEAD)
    await bot.send(LEAD, "/assess")
    assert bot.buttons(LEAD) == ["Skip", "◀ Back", "Pause"]


# -- 6. review before the result ----------------------------------------------------------------


async def test_review_lists_every_answer_and_only_finish_gives_the_result(
    bot: Harness, content: Content
) -> None:
    """After the last question comes a summary by section with Change per section and
    Finish; no result is sent until Finish."""
    await bot.register(LEAD)
    await _to_review(bot, LEAD)
    review = _latest(bot, LEAD)
    for section in content.model.sections:
        assert f"<b>{section.title}</b>" in review
    assert "50. Counts in appraisals: Yes" in review
    assert "1 year to under 3" in review  # the network's age beside the review's note
    assert bot.buttons(LEAD) == [
        "Change: Operating environment",
        "Change: Organisational dynamics",
        "Change: Influence and impact",
        "Finish",
    ]
    assert [c for c in bot.fake.sent(LEAD) if "/178" in c.text] == []
    await bot.send(LEAD, "/assess")  # resuming shows the review again
    assert "Finish" in bot.buttons(LEAD)
    await bot.tap(LEAD, "Finish")
    assert any("178/178 · Activator" in c.text for c in bot.fake.sent(LEAD))


async def test_change_lists_a_sections_questions_and_one_answer_returns_to_the_review(
    bot: Harness, content: Content
) -> None:
    """ "Change" lists that section's questions with their answers and "Back to review"; the
    one picked is asked, and its answer brings the review straight back (issue 22 point 6)."""
    await bot.register(LEAD)
    await _to_review(bot, LEAD)
    await bot.tap(LEAD, "Change: Influence and impact")
    first = next(i for i, item in enumerate(content.model.items) if item.section == "impact")
    picker = _latest(bot, LEAD)
    assert f"{first + 1}. {content.model.items[first].label}: " in picker
    assert bot.buttons(LEAD)[-1] == "◀ Back to review"
    await bot.tap(LEAD, "◀ Back to review")
    assert "Finish" in bot.buttons(LEAD)
    await bot.tap(LEAD, "Change: Influence and impact")
    await bot.tap(LEAD, f"{first + 1}. ")
    assert f"Question {first + 1} of 50" in _latest(bot, LEAD)
    await bot.tap(LEAD, "Don't know")
    assert "Finish" in bot.buttons(LEAD)  # one tap: back at the review
    review = _latest(bot, LEAD)
    assert f"{first + 1}. {content.model.items[first].label}: Don't know" in review
    await bot.tap(LEAD, "Finish")
    assert any("176/178" in c.text for c in bot.fake.sent(LEAD))


async def test_a_stale_finish_changes_nothing(bot: Harness) -> None:
    """Finish pressed on an old review (a question is being changed) is refused."""
    await bot.register(LEAD)
    await _to_review(bot, LEAD)
    message_id, rows = bot.keyboard(LEAD)
    finish = rows[-1][0]["callback_data"]
    await bot.tap(LEAD, "Change: Operating environment")
    await bot.tap(LEAD, "1. ")
    calls = await bot.press(LEAD, finish, message_id=message_id)
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert await bot.storage.open_assessment(LEAD) is not None


# -- 6. changing answers in a recent result -----------------------------------------------------


async def test_changing_a_recent_result_rescores_it_and_score_shows_the_change(
    bot: Harness,
) -> None:
    """Within 30 days /assess offers to change an answer; Finish re-scores the same
    assessment, and /score's history shows what it was."""
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "top")
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    [done] = await bot.storage.completed_assessments(network.id)
    bot.clock.advance(timedelta(days=10))
    await bot.send(LEAD, "/assess")
    await bot.tap(LEAD, "Change an answer in it")
    assert "Finish" in bot.buttons(LEAD)
    await bot.tap(LEAD, "Change: Operating environment")
    await bot.tap(LEAD, "1. ")
    await bot.tap(LEAD, "Don't know")
    calls = await bot.tap(LEAD, "Finish")
    assert any("Changed: 178/178 → 174/178" in c.text for c in calls)
    assert any("174/178 ·" in c.text for c in bot.fake.sent(LEAD))
    [again] = await bot.storage.completed_assessments(network.id)
    assert (again.id, again.total) == (done.id, 174)
    assert await bot.storage.open_assessment(LEAD) is None
    history = (await bot.send(LEAD, "/score"))[0].text
    assert "174/178" in history
    assert "changed 11 Mar 2027: was 178/178 · Activator" in history


async def test_after_30_days_only_a_new_round_is_offered(bot: Harness) -> None:
    """A result over 30 days old can no longer be changed: /assess offers a new round only."""
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "lowest")
    bot.clock.advance(timedelta(days=31))
    await bot.send(LEAD, "/assess")
    assert bot.buttons(LEAD) == ["Start a new assessment"]


async def test_change_of_a_result_that_is_no_longer_the_latest_is_refused(bot: Harness) -> None:
    """The change button of an older result, after a newer one, changes nothing."""
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "lowest")
    await bot.send(LEAD, "/assess")
    message_id, rows = bot.keyboard(LEAD)
    change = rows[1][0]["callback_data"]
    await bot.tap(LEAD, "Start a new assessment")
    await bot.answer_all(LEAD, "top")
    calls = await bot.press(LEAD, change, message_id=message_id)
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert await bot.storage.open_assessment(LEAD) is None


# -- 3. answers carried over a content change ---------------------------------------------------


async def test_open_answers_carry_over_to_the_new_content_version(bot: Harness) -> None:
    """An assessment answered under 2026.11.1 keeps its unchanged answers, renumbered past
    "Don't know"; "Not sure" and reworded items are asked again."""
    await bot.register(LEAD)
    await bot.tap(LEAD, "Pause")
    network = await bot.storage.network_of(LEAD)
    assessment = await bot.storage.open_assessment(LEAD)
    assert network is not None
    assert assessment is not None
    await bot.storage.drop_answers(assessment.id, ["op-purpose"])
    old = [
        ("op-purpose", 3, 3),  # reworded: asked again
        ("op-terms-of-reference", 1, 2),  # "Yes"
        ("op-smart-objectives", 3, 3),  # "Agree"
        ("op-roles", 2, 2),  # "Not sure": asked again
    ]
    await bot.storage.touch(assessment.id, version="2026.11.1", to=Step(0))
    for position, (key, option, points) in enumerate(old):
        await bot.storage.record_answer(
            assessment.id,
            expected=Step(position),
            to=Step(position + 1),
            item_key=key,
            option=option,
            points=points,
        )
    await bot.send(LEAD, "/assess")
    answers = await bot.storage.answers(assessment.id)
    assert {k: (a.option, a.points) for k, a in answers.items()} == {
        "op-terms-of-reference": (2, 2),
        "op-smart-objectives": (4, 3),
    }
    assert "Question 1 of 50" in _latest(bot, LEAD)


async def test_text_at_the_review_shows_the_review_again(bot: Harness) -> None:
    """Text typed at the review gets a hint and the review with its Finish button again."""
    await bot.register(LEAD)
    await _to_review(bot, LEAD)
    calls = await bot.send(LEAD, "what now?")
    [reply] = [c for c in calls if c.method == "sendMessage"]
    assert "tap Finish" in reply.text
    assert "Finish" in bot.buttons(LEAD)
    assert [c for c in bot.fake.sent(LEAD) if "/178" in c.text] == []
