"""/compare: the previous result, the region and all networks (from daily snapshots, only
from the minimum group size), the 2017 baseline, and the hub group's anonymised view."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from content import Content
from tests.harness import OPERATOR, Harness
from tests.seed import seed_result, uniform

LEAD = 1301
GROUP = -1013001
ADMIN = 1399


async def _networks(bot: Harness, content: Content, count: int, region: str = "london") -> None:
    for index in range(count):
        await seed_result(bot.storage, content.model, 5000 + index, region=region)


@pytest.mark.parametrize(("others", "shown"), [(0, False), (3, False), (4, True), (11, True)])
async def test_region_is_shown_only_from_five_networks(
    bot: Harness, content: Content, others: int, shown: bool
) -> None:
    """With 1, 4, 5 and 12 networks in the region, the region's figures appear from 5."""
    await seed_result(bot.storage, content.model, LEAD)
    await _networks(bot, content, others)
    calls = await bot.send(LEAD, "/compare")
    region = calls[0].text.split("<b>Networks in London</b>")[1].split("<b>All networks")[0]
    if shown:
        assert f"{others + 1} networks with a result" in region
    else:
        assert "Not enough networks" in region
        assert "Median" not in region


def _region(text: str) -> str:
    return text.split("<b>Networks in London</b>")[1].split("<b>All networks")[0]


async def test_one_more_completion_changes_nothing_until_the_next_snapshot(
    bot: Harness, content: Content
) -> None:
    """Asking before and after one network completes shows the same figures that day."""
    await seed_result(bot.storage, content.model, LEAD)
    await _networks(bot, content, 4)
    before = (await bot.send(LEAD, "/compare"))[0].text
    await seed_result(bot.storage, content.model, 6000, choose=uniform(4))
    after = (await bot.send(LEAD, "/compare"))[0].text
    assert after == before


async def test_figures_change_only_once_five_networks_have_new_results(
    bot: Harness, content: Content
) -> None:
    """Five Pathfinders, then a sixth network at 178: the next days still show the first
    figures with their date, until five networks have new results since."""
    await seed_result(bot.storage, content.model, LEAD)
    await _networks(bot, content, 4)
    first = _region((await bot.send(LEAD, "/compare"))[0].text)
    assert "5 networks with a result" in first
    assert "as of 1 Mar 2027" in first
    assert "change next once at least 5 networks have new results" in first
    assert "Pathfinder 100%" in first
    await seed_result(bot.storage, content.model, 6000, choose=uniform(4))
    bot.clock.advance(timedelta(days=1))
    next_day = _region((await bot.send(LEAD, "/compare"))[0].text)
    assert next_day == first
    for index in range(1, 5):
        await seed_result(bot.storage, content.model, 6000 + index, choose=uniform(4))
    bot.clock.advance(timedelta(days=1))
    later = _region((await bot.send(LEAD, "/compare"))[0].text)
    assert "10 networks with a result" in later
    assert "as of 3 Mar 2027" in later
    assert "Pathfinder 50% · Cultivator 0% · Activator 50%" in later


async def test_band_shares_are_whole_percents_adding_up(bot: Harness, content: Content) -> None:
    """Seven Pathfinders and six Activators of thirteen show as 54% and 46%."""
    for index in range(7):
        await seed_result(bot.storage, content.model, 5000 + index, choose=uniform(1))
    for index in range(5):
        await seed_result(bot.storage, content.model, 5100 + index, choose=uniform(4))
    await seed_result(bot.storage, content.model, LEAD, choose=uniform(4))  # 13th: 6 of 13
    region = _region((await bot.send(LEAD, "/compare"))[0].text)
    assert "Pathfinder 54% · Cultivator 0% · Activator 46%" in region


async def test_a_band_of_few_networks_is_not_counted_out(bot: Harness, content: Content) -> None:
    """Six Pathfinders and two Activators: Activator shows as fewer than 5, and Cultivator
    (none) is hidden too, so the two cannot be told apart by subtraction."""
    for index in range(5):
        await seed_result(bot.storage, content.model, 5000 + index, choose=uniform(1))
    await seed_result(bot.storage, content.model, 5100, choose=uniform(4))
    await seed_result(bot.storage, content.model, 5101, choose=uniform(4))
    await seed_result(bot.storage, content.model, LEAD, choose=uniform(1))
    region = _region((await bot.send(LEAD, "/compare"))[0].text)
    assert "Pathfinder 75% · Cultivator: not shown" in region
    assert "Activator: fewer than 5 networks" in region
    assert "25%" not in region


async def test_previous_assessment_comparison_with_chart(bot: Harness, content: Content) -> None:
    """With two results, /compare shows the change in total, band, sections and enablers."""
    await seed_result(bot.storage, content.model, LEAD, choose=uniform(1))
    bot.clock.advance(timedelta(days=91))
    await seed_result(bot.storage, content.model, LEAD, choose=uniform(4))
    calls = await bot.send(LEAD, "/compare")
    text = calls[0].text
    assert "Total: 39 → 178 (+139)" in text  # 39 agreement items at "Disagree"
    assert "Band: Pathfinder → <b>Activator</b> ⬆" in text
    assert "• Operating environment: 12 → 56 (+44)" in text
    assert "% → 100%" in text
    assert calls[1].method == "sendPhoto"


async def test_first_result_says_the_next_will_show_change(bot: Harness, content: Content) -> None:
    """With one result there is nothing to compare with yet, and no chart."""
    await seed_result(bot.storage, content.model, LEAD)
    calls = await bot.send(LEAD, "/compare")
    assert "first completed assessment" in calls[0].text
    assert [c.method for c in calls] == ["sendMessage"]


async def test_baseline_figures_where_the_answer_differs(bot: Harness, content: Content) -> None:
    """2017's mean and band split, and the item figures the network stands apart from."""

    def no_sponsor_but_funded(position: int, item: object) -> int:
        key = content.model.items[position].key
        options = len(content.model.items[position].scale.options)
        if options == 3:
            return 1  # "No" to every yes/no item, the sponsor and terms of reference among them
        return options - 1 if key == "od-funding" else 3  # "Partly"

    await seed_result(bot.storage, content.model, LEAD, choose=no_sponsor_but_funded)
    text = (await bot.send(LEAD, "/compare"))[0].text
    assert (
        "In 2017, 48 networks averaged 105/178: 83% Pathfinder, 10% Cultivator, 6% Activator."
        in text
    )
    assert (
        "74% of networks had an executive sponsor or champion; your answer puts yours outside"
        in text
    )
    assert "40% of networks were positive about their funding; your answer puts yours among" in text
    assert "over 90% of networks said they had clear terms of reference; your answer" in text
    assert "support at executive level was sufficient" not in text  # "Partly", like most


async def test_the_63_percent_figure_is_context_not_a_contrast(
    bot: Harness, content: Content
) -> None:
    """Leads' expectations of sponsors (63%) is shown as what it was, never against an answer."""
    await seed_result(bot.storage, content.model, LEAD, choose=lambda position, item: 0)
    text = (await bot.send(LEAD, "/compare"))[0].text
    [line] = [line for line in text.splitlines() if "63%" in line]
    assert "network leads said they were clear about expectations of their executive sponsors" in (
        line
    )
    assert "the review concluded" in line
    assert "your answer" not in line


async def test_the_2017_split_is_shown_as_published(bot: Harness, content: Content) -> None:
    """83 / 10 / 6 as the review printed it (never 11% from 40/5/3 recomputed), and the caveat
    that the 2017 bands had no attribute gate."""
    await seed_result(bot.storage, content.model, LEAD)
    text = (await bot.send(LEAD, "/compare"))[0].text
    assert "83% Pathfinder, 10% Cultivator, 6% Activator" in text
    assert "11% Cultivator" not in text
    assert "not like for like" in text


async def test_the_purpose_figure_is_context_not_set_against_the_purpose_item(
    bot: Harness, content: Content
) -> None:
    """ ">90% said their purpose was clearly defined" asks something else than op-purpose (any
    member could state it), so it never says "your answer"."""
    await seed_result(bot.storage, content.model, LEAD, choose=lambda position, item: 0)
    text = (await bot.send(LEAD, "/compare"))[0].text
    [line] = [line for line in text.splitlines() if "purpose was clearly defined" in line]
    assert "network leads" in line
    assert "your answer" not in line


async def test_every_2017_comparison_says_it_is_from_the_original_questionnaire(
    bot: Harness, content: Content
) -> None:
    """The 2017 part of /compare compares totals only, with the one-line caveat."""
    await seed_result(bot.storage, content.model, LEAD)
    text = (await bot.send(LEAD, "/compare"))[0].text
    part = text[text.index("Against the 2017") :]
    assert "original questionnaire" in part
    assert "average total" in part
    assert not re.search(r"section|enabler", part, re.IGNORECASE)


async def test_compare_without_a_result(bot: Harness) -> None:
    """/compare before any completed assessment says what to do."""
    calls = await bot.send(LEAD, "/compare")
    assert "/assess" in calls[-1].text


async def test_hub_group_sees_only_the_anonymised_region(bot: Harness, content: Content) -> None:
    """In a hub group, /compare shows the distribution and weakest enabler, never a network."""
    bot.fake.set_admins(GROUP, [ADMIN])
    await bot.send(OPERATOR, "/hub London", chat_id=GROUP)
    text = (await bot.send(ADMIN, "/compare", chat_id=GROUP))[-1].text
    assert "Not enough networks" in text
    for index in range(5):
        await seed_result(bot.storage, content.model, 5000 + index, name=f"Secret Net {index}")
    bot.clock.advance(timedelta(days=1))
    text = (await bot.send(ADMIN, "/compare", chat_id=GROUP))[-1].text
    assert "5 networks with a result" in text
    assert "the region's networks have their lowest median score on <b>" in text
    assert "Secret Net" not in text
    assert "Your " not in text
