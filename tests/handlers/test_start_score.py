"""/start, /help, /score and the command menus."""

from __future__ import annotations

from datetime import timedelta

from content import Content
from tests.harness import Harness
from tests.seed import seed_result

LEAD = 701
GROUP = -100777


async def test_start_explains_and_offers_to_begin(bot: Harness) -> None:
    """/start says what the bot does and offers a button to begin."""
    calls = await bot.send(LEAD, "/start")
    assert "/assess" in calls[-1].text
    assert bot.buttons(LEAD) == ["Start the assessment"]
    await bot.tap(LEAD, "Start the assessment")
    assert "Which NHS organisation" in bot.fake.sent(LEAD)[-1].text


async def test_help_fits_the_chat(bot: Harness) -> None:
    """/help lists private commands in private and group commands in a group."""
    private = (await bot.send(LEAD, "/help"))[-1].text
    group = (await bot.send(LEAD, "/help", chat_id=GROUP))[-1].text
    assert "/assess" in private
    assert "/assess" not in group


async def test_start_says_the_questions_are_based_on_the_model_and_credits_it(
    bot: Harness,
) -> None:
    """/start credits the model's authors and says the questions are based on it."""
    text = (await bot.send(LEAD, "/start"))[-1].text
    assert "based on the Staff Network Maturity Model" in text
    assert "Inko-Tariah and Greenidge 2017" in text
    assert "CRAFT enablers (© Inko-Tariah 2016)" in text


async def test_assess_says_its_questions_are_based_on_the_model(bot: Harness) -> None:
    """/assess, before the first question, says the questions are based on the model."""
    text = (await bot.send(LEAD, "/assess"))[-1].text
    assert "based on the Staff Network Maturity Model" in text


async def test_about_credits_the_model_and_craft_and_owns_the_cut_offs(bot: Harness) -> None:
    """/about credits the model and CRAFT and says the band cut-offs are this project's."""
    text = (await bot.send(LEAD, "/about"))[-1].text
    assert "© Inko-Tariah and Greenidge 2017" in text
    assert "© Inko-Tariah 2016" in text
    assert "Pathfinder 0 to 124, Cultivator 125 to 150, Activator 151 to 178" in text
    assert "this project's calibration" in text


async def test_about_cites_the_review_in_full(bot: Harness) -> None:
    """/about names the review, who commissioned it from whom, its publisher and year, and
    never italicises The Power of Staff Networks, an organisation."""
    text = (await bot.send(LEAD, "/about"))[-1].text
    assert (
        "Review of BME staff networks in the NHS, The Power of Staff Networks for the WRES "
        "Implementation team, NHS England, 2017" in text
    )
    assert "commissioned from The Power of Staff Networks, an organisation" in text
    assert "<i>The Power of Staff Networks</i>" not in text


async def test_about_discloses_the_projects_own_rules(bot: Harness, content: Content) -> None:
    """The attribute gate and the question-to-enabler mapping are this project's, with the
    mapping's counts as the model has them."""
    text = (await bot.send(LEAD, "/about"))[-1].text
    assert "That gate is this project's rule" in text
    assert "not like for like" in text
    counts = {
        e.key: sum(item.enabler == e.key for item in content.model.items)
        for e in content.model.enablers
    }
    mapping = ", ".join(f"{key} {count}" for key, count in counts.items()) + " questions"
    assert f"this project's own choice, not the review's: {mapping}." in text
    assert "C 8, R 14, A 14, F 6, T 8 questions" in text


async def test_help_shows_the_bands_as_our_calibration(bot: Harness) -> None:
    """/help in private shows the cut-offs, says they are not the review's, and lists /about."""
    text = (await bot.send(LEAD, "/help"))[-1].text
    assert "Cultivator 125 to 150" in text
    assert "not the 2017 review's" in text
    assert "/about" in text


async def test_result_credits_the_model_and_places_the_total_in_its_band(bot: Harness) -> None:
    """The result ends with the credit line and says where the total sits in its band."""
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "lowest")
    [result] = [c.text for c in bot.fake.sent(LEAD) if "/178 ·" in c.text]
    assert "near the start of the Pathfinder range (0 to 124)" in result
    assert result.splitlines()[-1].startswith("<i>Questions based on the Staff Network")
    assert "CRAFT © Inko-Tariah 2016" in result


async def test_score_before_any_result_says_so(bot: Harness) -> None:
    """/score with no completed assessment points to /assess."""
    await bot.register(LEAD)
    calls = await bot.send(LEAD, "/score")
    assert "no completed assessment" in calls[-1].text


async def test_score_unregistered_points_to_assess(bot: Harness) -> None:
    """/score from someone without a network says how to start."""
    calls = await bot.send(LEAD, "/score")
    assert "/assess" in calls[-1].text


async def test_score_shows_latest_result_and_history(bot: Harness) -> None:
    """/score shows the latest total, band and a history line per assessment."""
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "lowest")
    calls = await bot.send(LEAD, "/score")
    assert [c.method for c in calls] == ["sendMessage"]  # no trend chart for a single result
    text = calls[0].text
    assert "<b>Your result: 0/178 · Pathfinder</b>" in text
    assert text.count("• 1 Mar 2027: 0/178 · Pathfinder") == 1


async def test_score_with_two_results_adds_a_trend_chart(bot: Harness) -> None:
    """From the second completed assessment on, /score sends a trend chart."""
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "lowest")
    await bot.new_round(LEAD)
    await bot.answer_all(LEAD, "top")
    calls = await bot.send(LEAD, "/score")
    [text] = [c.text for c in calls if c.method == "sendMessage"]
    assert text.index("178/178") < text.index("0/178")
    photos = [c for c in calls if c.method == "sendPhoto"]
    assert len(photos) == 1
    assert photos[0].files["photo"].startswith(b"\x89PNG")


async def test_score_in_a_group_shows_nothing_about_any_network(bot: Harness) -> None:
    """/score in a group answers only with a link to the private chat."""
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "lowest")
    calls = await bot.send(LEAD, "/score", chat_id=GROUP)
    [reply] = calls
    assert "/178" not in reply.text
    assert "Barts" not in reply.text
    button = reply.params["reply_markup"]["inline_keyboard"][0][0]
    assert button["url"] == "https://t.me/hub_test_bot?start=score"


async def test_score_deep_link_shows_the_score_in_private(bot: Harness) -> None:
    """Following the group's link (/start score) shows the score privately."""
    await bot.register(LEAD)
    await bot.answer_all(LEAD, "lowest")
    calls = await bot.send(LEAD, "/start score")
    assert "0/178" in calls[0].text


async def test_command_menus_are_set_per_scope(bot: Harness) -> None:
    """setMyCommands gives private chats, groups and group admins their own menus."""
    menus = {scope: [c["command"] for c in cmds] for scope, cmds in bot.fake.commands.items()}
    assert "assess" in menus["all_private_chats"]
    assert "assess" not in menus["all_group_chats"]
    assert set(menus["all_group_chats"]) <= set(menus["all_chat_administrators"])


async def test_hub_admin_commands_are_in_the_admin_menu_only(bot: Harness) -> None:
    """/hub, /nudges, /nudge, /meeting and /digest show for group admins, not for members;
    /buddy shows in private chats."""
    menus = {scope: [c["command"] for c in cmds] for scope, cmds in bot.fake.commands.items()}
    admin_only = {"hub", "nudges", "nudge", "meeting", "digest"}
    assert admin_only <= set(menus["all_chat_administrators"])
    assert admin_only & set(menus["all_group_chats"]) == set()
    assert "buddy" in menus["all_private_chats"]


async def test_help_in_a_group_says_what_each_kind_of_user_can_do(bot: Harness) -> None:
    """/help in a group has a part for everyone, for admins and for network leads."""
    text = (await bot.send(LEAD, "/help", chat_id=GROUP))[-1].text
    for part in ("Everyone in a hub group", "Group admins", "Network leads", "/digest", "/buddy"):
        assert part in text


async def test_unknown_command_in_a_group_is_ignored_unless_addressed(bot: Harness) -> None:
    """A command meant for another bot in a group gets no reply; one addressed to us does."""
    assert await bot.send(LEAD, "/weather", chat_id=GROUP) == []
    calls = await bot.send(LEAD, "/weather@hub_test_bot", chat_id=GROUP)
    assert "/help" in calls[-1].text


async def test_long_history_stays_within_one_message(bot: Harness, content: Content) -> None:
    """Fourteen results show the latest twelve and a count of the rest, under 4,096 characters."""
    for _ in range(14):
        await seed_result(bot.storage, content.model, LEAD)
        bot.clock.advance(timedelta(days=91))
    calls = await bot.send(LEAD, "/score")
    text = calls[0].text
    assert text.count("/178 · Pathfinder") == 1 + 12  # the latest result, then 12 history lines
    assert "…and 2 earlier" in text
    assert calls[0].outcome == "ok"


async def test_held_back_by_two_bands_names_each(bot: Harness, content: Content) -> None:
    """A score missing a Pathfinder and a Cultivator attribute names each with its band."""

    def two_gaps(position: int, item: object) -> int:
        key = content.model.items[position].key
        top = len(content.model.items[position].scale.options) - 1
        return 0 if key in ("op-comms-plan", "od-induction") else top

    await seed_result(bot.storage, content.model, LEAD, choose=two_gaps)
    text = (await bot.send(LEAD, "/score"))[0].text
    assert "attributes of the bands below it are still missing" in text
    assert "runs a communication strategy (Pathfinder)" in text
    assert "features in staff induction (Cultivator)" in text
