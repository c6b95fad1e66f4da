"""/report's board pack, and operators' /stats with small cells suppressed."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from content import Content
from tests.fakebot import FakeBotApi
from tests.harness import FakeClock, Harness, running
from tests.seed import seed_result, uniform

LEAD = 1501
OPERATOR = 1599


def _pdf_text(pdf: PdfReader) -> str:
    return " ".join(" ".join(page.extract_text() for page in pdf.pages).split())


async def test_report_is_a_tagged_board_pack(bot: Harness, content: Content) -> None:
    """/report sends a 2-4 page tagged PDF (structure tree, Marked, en-GB) with the headline,
    band, history, plan step, evidence note, credit and calibration as text."""
    await bot.register(LEAD, name="Barts BME Network")
    await bot.answer_all(LEAD, "lowest")
    bot.clock.advance(timedelta(days=95))
    await bot.new_round(LEAD)
    await bot.answer_all(LEAD, "top", evidence="Minutes of the March steering group")
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    await bot.storage.add_plan_step(
        network.id,
        LEAD,
        text="Agree a yearly budget",
        owner="Chair",
        due=date(2027, 9, 30),
        source="item:od-funding",
        open_limit=12,
    )
    calls = await bot.send(LEAD, "/report")
    [document] = [c for c in calls if c.method == "sendDocument"]
    pdf = PdfReader(io.BytesIO(document.files["document"]))
    root: Any = pdf.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en-GB"
    assert 2 <= len(pdf.pages) <= 4
    text = _pdf_text(pdf)
    for words in (
        "Barts BME Network",
        "178/178",
        "Activator",
        "History and trend",
        "Agree a yearly budget",
        "Chair",
        "Minutes of the March steering group",
        "Inko-Tariah",
        "this project's calibration",
        "Next review",
    ):
        assert words in text, words


async def test_report_for_a_pathfinder_names_what_holds_it_back(
    bot: Harness, content: Content
) -> None:
    """A Cultivator-range score held back by a missing foundation says so, and asks the board."""

    def no_comms(position: int, item: object) -> int:
        key = content.model.items[position].key
        top = len(content.model.items[position].scale.options) - 1
        return 1 if key in ("op-comms-plan", "od-funding") else top

    await seed_result(bot.storage, content.model, LEAD, choose=no_comms)
    calls = await bot.send(LEAD, "/report")
    text = _pdf_text(PdfReader(io.BytesIO(calls[-1].files["document"])))
    assert "Pathfinder" in text
    assert "runs a communication strategy" in text
    assert "yearly budget for the network" in text


async def test_report_keeps_emoji_and_rtl_names_without_boxes(
    bot: Harness, content: Content
) -> None:
    """A name with an emoji, a right-to-left mark and a character no font has prints without
    a missing-glyph box: every font maps only real glyphs."""
    await seed_result(bot.storage, content.model, LEAD, name="Unity 😀 \u200fشبكة ⭐ Network")
    calls = await bot.send(LEAD, "/report")
    pdf = PdfReader(io.BytesIO(calls[-1].files["document"]))
    text = _pdf_text(pdf)
    assert "Unity 😀" in text
    assert "Network" in text
    fonts: Any = pdf.pages[0]["/Resources"]
    for font in fonts["/Font"].values():
        assert font.get_object()["/Encoding"] == "/Identity-H"  # no glyph drawn as .notdef


async def test_report_credits_the_model_and_owns_the_cut_offs(
    bot: Harness, content: Content
) -> None:
    """The PDF credits the model and CRAFT, calls the cut-offs ours and caveats 2017."""
    await seed_result(bot.storage, content.model, LEAD)
    calls = await bot.send(LEAD, "/report")
    text = _pdf_text(PdfReader(io.BytesIO(calls[-1].files["document"])))
    for words in (
        "Inko-Tariah and Greenidge 2017",
        "CRAFT © Inko-Tariah 2016",
        "not the review's own cut-offs",
        "original questionnaire",
        "Workforce Race Equality Standard (WRES) Implementation team commissioned from The Power",
        "of Staff Networks (NHS England, 2017)",
        "This gate is this project's rule",
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


async def test_stats_in_a_group_is_refused_even_for_an_operator(
    fake: FakeBotApi, content: Content, tmp_path: Path, clock: FakeClock
) -> None:
    """An operator's /stats in a group only says it works in a private chat."""
    db = tmp_path / "bot.sqlite3"
    async with running(fake, content, db, clock, admin_ids=frozenset({OPERATOR})) as bot:
        await seed_result(bot.storage, content.model, 8000)
        calls = await bot.send(OPERATOR, "/stats", chat_id=-1015999)
        assert [c.method for c in calls] == ["sendMessage"]
        assert "only works in a private chat" in calls[0].text
        assert "London" not in calls[0].text
