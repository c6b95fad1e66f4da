"""/report's one-page PDF, and operators' /stats with small cells suppressed."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

from pypdf import PdfReader

from content import Content
from tests.fakebot import FakeBotApi
from tests.harness import FakeClock, Harness, running
from tests.seed import seed_result, uniform

LEAD = 1501
OPERATOR = 1599


async def test_report_is_a_valid_one_page_pdf(bot: Harness, content: Content) -> None:
    """/report sends a one-page PDF naming the network, its total, band, history and 2017."""
    await bot.register(LEAD, name="Barts BME Network")
    await bot.answer_all(LEAD, "lowest")
    bot.clock.advance(timedelta(days=95))
    await bot.send(LEAD, "/assess")
    await bot.answer_all(LEAD, "top")
    calls = await bot.send(LEAD, "/report")
    [document] = [c for c in calls if c.method == "sendDocument"]
    pdf = PdfReader(io.BytesIO(document.files["document"]))
    assert len(pdf.pages) == 1
    text = " ".join(pdf.pages[0].extract_text().split())
    for words in (
        "Barts BME Network",
        "178/178",
        "Activator",
        "History",
        "0/178",
        "Next steps",
        "averaged 105/178",
    ):
        assert words in text, words


async def test_report_for_a_pathfinder_names_what_holds_it_back(
    bot: Harness, content: Content
) -> None:
    """A Cultivator-range score held back by a missing foundation says so in the PDF."""

    def no_comms(position: int, item: object) -> int:
        key = content.model.items[position].key
        top = len(content.model.items[position].scale.options) - 1
        return 1 if key == "op-comms-plan" else top

    await seed_result(bot.storage, content.model, LEAD, choose=no_comms)
    calls = await bot.send(LEAD, "/report")
    text = " ".join(
        PdfReader(io.BytesIO(calls[-1].files["document"])).pages[0].extract_text().split()
    )
    assert "Pathfinder" in text
    assert "runs a communication strategy" in text


async def test_report_credits_the_model_and_owns_the_cut_offs(
    bot: Harness, content: Content
) -> None:
    """The PDF credits the model and CRAFT, calls the cut-offs ours and caveats 2017."""
    await seed_result(bot.storage, content.model, LEAD)
    calls = await bot.send(LEAD, "/report")
    text = " ".join(
        PdfReader(io.BytesIO(calls[-1].files["document"])).pages[0].extract_text().split()
    )
    for words in (
        "Inko-Tariah and Greendidge 2017",
        "CRAFT © Inko-Tariah 2016",
        "the cut-offs are this project's calibration",
        "original questionnaire",
    ):
        assert words in text, words


async def test_report_before_any_result(bot: Harness) -> None:
    """/report with nothing completed says how to get a result first."""
    calls = await bot.send(LEAD, "/report")
    assert [c.method for c in calls] == ["sendMessage"]


async def test_stats_refused_to_non_operators(bot: Harness) -> None:
    """Anyone not in BOT_ADMIN_IDS is told /stats is for operators."""
    calls = await bot.send(LEAD, "/stats")
    assert "for the bot's operators" in calls[-1].text
    calls = await bot.send(LEAD, "/stats csv")
    assert [c.method for c in calls] == ["sendMessage"]


async def test_stats_suppress_small_cells(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """Six London networks are counted; two in the Midlands are suppressed, rates too, and so
    is the national total beside them (else subtraction would reveal them)."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, content, db, clock, admin_ids=frozenset({OPERATOR})) as bot:
        for index in range(6):
            await seed_result(bot.storage, content.model, 8000 + index, choose=uniform(1))
        for index in range(2):
            await seed_result(bot.storage, content.model, 8100 + index, region="midlands")
        text = (await bot.send(OPERATOR, "/stats"))[-1].text
        calls = await bot.send(OPERATOR, "/stats csv")
    lines = {line.split("</b>")[0].removeprefix("• <b>"): line for line in text.splitlines()[1:]}
    assert "6 networks · 6 started · 6 completed (100%) · Pathfinder 6" in lines["London"]
    assert "suppressed networks" in lines["Midlands"]
    assert "(suppressed)" in lines["Midlands"]
    assert "suppressed networks · suppressed started" in lines["England (all regions)"]
    [document] = [c for c in calls if c.method == "sendDocument"]
    rows = list(csv.reader(io.StringIO(document.files["document"].decode())))
    assert rows[0][:4] == ["region", "networks", "assessments_started", "assessments_completed"]
    by_region = {row[0]: row for row in rows[1:]}
    assert by_region["London"][1:6] == ["6", "6", "6", "100", "6"]
    assert by_region["Midlands"][1:5] == ["suppressed"] * 4


async def test_stats_total_shown_when_no_region_is_suppressed(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """With every region at five or more networks (or none), the national total is shown."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, content, db, clock, admin_ids=frozenset({OPERATOR})) as bot:
        for index in range(5):
            await seed_result(bot.storage, content.model, 8000 + index)
            await seed_result(bot.storage, content.model, 8100 + index, region="midlands")
        text = (await bot.send(OPERATOR, "/stats"))[-1].text
    total = text.splitlines()[-1]
    assert "England (all regions)</b>: 10 networks · 10 started · 10 completed (100%)" in total
