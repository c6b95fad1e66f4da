"""/report as a board paper (issue 22): a cover in the form NHS boards use, the report in the
third person, WRES figures in words with financial-year quarters, a trend chart from two results,
page numbers as artifacts; still 2-4 tagged pages."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from content import Content
from tests.harness import Harness
from tests.seed import seed_result

LEAD = 1701


def _text(pdf: PdfReader) -> str:
    """The pack's words, without the page numbers and list bullets (which pypdf reads out of
    order)."""
    pages = (re.sub(r"Page \d+ of \d+|•", " ", page.extract_text()) for page in pdf.pages)
    return " ".join(" ".join(pages).split())


async def _pack(bot: Harness, tmp_path: Path) -> PdfReader:
    calls = await bot.send(LEAD, "/report")
    [document] = [c for c in calls if c.method == "sendDocument"]
    data = document.files["document"]
    (tmp_path / "pack.pdf").write_bytes(data)  # kept for a look at the pages
    return PdfReader(io.BytesIO(data))


def _alternative_texts(pdf: PdfReader) -> list[str]:
    """Every /Alt in the structure tree (the charts' alternative text)."""
    found: list[str] = []
    root: Any = pdf.trailer["/Root"]
    pending: list[Any] = [root["/StructTreeRoot"]]
    while pending:
        node = pending.pop()
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            if "/Alt" in node:
                found.append(str(node["/Alt"]))
            kids = node.get("/K")
            if kids is not None:
                pending.extend(kids if isinstance(kids, list) else [kids])
        elif isinstance(node, list):
            pending.extend(node)
    return found


async def _held_back_network_with_history(bot: Harness, content: Content) -> None:
    """Two results (a trend), the second held at Pathfinder by a missing sponsor and budget,
    with a plan step and WRES figures: one indicator whole, one breakdown only, one with a gap."""
    await seed_result(bot.storage, content.model, LEAD, name="Riverside BME Network")
    bot.clock.advance(timedelta(days=95))

    def no_sponsor(position: int, item: object) -> int:
        key = content.model.items[position].key
        top = len(content.model.items[position].scale.options) - 1
        return 1 if key in ("op-comms-plan", "od-funding", "op-sponsor") else top

    await seed_result(bot.storage, content.model, LEAD, choose=no_sponsor)
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    await bot.storage.add_plan_step(
        network.id,
        LEAD,
        text="Write a communication plan for the year",
        owner="Co-chair",
        due=date(2027, 3, 31),
        source="item:op-comms-plan",
        open_limit=12,
    )
    for entry in (
        "/wres 2 2026/27Q1 white 200 40 bme 100 10",
        "/wres 2 Q2 2026/27 white 20 2 bme 20 4",
        "/wres 4 2026Q3 white 300 150 bme 100 40 nursing",
        "/wres 3 2026Q2 white 1000 6 bme 1000 12",
    ):
        await bot.send(LEAD, entry)


async def test_the_pack_opens_as_a_board_paper(
    bot: Harness, content: Content, tmp_path: Path
) -> None:
    """Page 1 is the cover: particulars with lines to fill, "The Board is asked to:" with asks
    from the result, the board assurance framework, the six high impact actions to tick, and
    the equality impact line; it is 2-4 tagged pages."""
    await _held_back_network_with_history(bot, content)
    pdf = await _pack(bot, tmp_path)
    assert 2 <= len(pdf.pages) <= 4
    root: Any = pdf.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    first = " ".join(pdf.pages[0].extract_text().split())
    assert first.index("Board paper") < first.index("The Board is asked to:")
    for words in (
        "Meeting ____",
        "Date of meeting ____",
        "Report of ____________________, chair of Riverside BME Network",
        "Executive lead ____________________, the network's executive sponsor",
        "For assurance and discussion",
        "note that Riverside BME Network assessed itself at",
        "in the Pathfinder band",
        "note the foundations not yet in place that hold the network at Pathfinder",
        "note the network's action plan and the owner and due date of each of its open steps;",
        "support this ask of the organisation: name a senior sponsor or champion",
        "support this ask of the organisation: set a yearly budget for the network",
        "note the Workforce Race Equality Standard",
        "Board assurance framework: risk reference",
        "HIA 1:",
        "HIA 6:",
        "Equality impact",
    ):
        assert words in first, words
    assert first.count("☐") == 6


async def test_the_pack_never_speaks_to_the_reader(
    bot: Harness, content: Content, tmp_path: Path
) -> None:
    """Third person throughout: no "you" or "your" anywhere in the pack's text or the charts'
    alternative text; the next band's needs are one sentence each, not a repeated preamble."""
    await _held_back_network_with_history(bot, content)
    pdf = await _pack(bot, tmp_path)
    text = _text(pdf)
    assert not re.search(r"\byou(r|rs|rself)?\b", text, re.IGNORECASE), re.findall(
        r".{40}\byour?\b.{40}", text, re.IGNORECASE
    )
    alts = _alternative_texts(pdf)
    assert len(alts) == 2  # the result chart and the trend chart
    assert not any(re.search(r"\byour?\b", alt, re.IGNORECASE) for alt in alts), alts
    assert "Figure 2." in text
    assert "against the 2017 national average" in text
    assert text.count("the network also needs to show") <= 1


async def test_wres_figures_are_written_out_by_financial_year(
    bot: Harness, content: Content, tmp_path: Path
) -> None:
    """Each WRES figure is a sentence with its direction, interval and flag; a breakdown is
    listed; a quarter with no entry says so."""
    await _held_back_network_with_history(bot, content)
    text = _text(await _pack(bot, tmp_path))
    for words in (
        "In Q1 2026/27 (April–June 2026), white applicants were 2.00 times as likely as BME "
        "applicants to be appointed from shortlisting. 95% interval:",
        "white applicants were less likely than BME applicants to be appointed from "
        "shortlisting: 0.50 times as likely, which means BME applicants were 2.00 times as likely",
        "Too few to tell",
        "BME staff were 2.00 times as likely as white staff to enter the formal disciplinary",
        "No whole-organisation figures were recorded for Q2 2026/27 (July–September 2026)",
        "for nursing, white staff were 1.25 times as likely",
        "Nothing was recorded for Q4 2025/26 (January–March 2026) or Q3 2025/26 "
        "(October–December 2025).",
    ):
        assert words in text, words
    assert "Relative likelihood" not in text
    assert "2026Q3" not in text


async def test_page_numbers_are_artifacts(bot: Harness, content: Content, tmp_path: Path) -> None:
    """ "Page 1 of 3" is marked as an artifact, not as untagged content."""
    await _held_back_network_with_history(bot, content)
    pdf = await _pack(bot, tmp_path)
    for page in pdf.pages:
        stream = page.get_contents()
        assert stream is not None
        assert b"/Artifact" in stream.get_data()


def _lowest_text(page: Any) -> float:
    """How far down the page its lowest line of text reaches, as a share of the page height
    (the page number, an artifact at the foot, left out)."""
    height = float(page.mediabox.height)
    lows: list[float] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text.strip() and not text.strip().startswith("Page "):
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            lows.append(1 - y / height)

    page.extract_text(visitor_text=visit)
    return max(lows, default=0.0)


async def test_no_page_but_the_last_is_more_than_half_empty(
    bot: Harness, content: Content, tmp_path: Path
) -> None:
    """A first result with nothing else recorded, and a full one: every page but the last is
    filled at least halfway down, and each pack is 2-4 pages."""
    await seed_result(bot.storage, content.model, LEAD, name="Quiet Network")
    pdf = await _pack(bot, tmp_path)
    assert 2 <= len(pdf.pages) <= 4
    assert [_lowest_text(page) > 0.5 for page in pdf.pages[:-1]] == [True] * (len(pdf.pages) - 1)
    await _held_back_network_with_history(bot, content)
    pdf = await _pack(bot, tmp_path)
    assert 2 <= len(pdf.pages) <= 4
    assert [_lowest_text(page) > 0.5 for page in pdf.pages[:-1]] == [True] * (len(pdf.pages) - 1)


async def test_the_next_band_needs_one_sentence_each(
    bot: Harness, content: Content, tmp_path: Path
) -> None:
    """A Pathfinder-range score missing Cultivator foundations: one introduction, then each need
    as its own sentence (no "For Cultivator, the network also needs…" five times)."""

    def partly_but_no_evaluation(position: int, item: object) -> int:
        key = content.model.items[position].key
        return 1 if key in ("op-evaluation", "od-aligned-objectives") else 2

    await seed_result(bot.storage, content.model, LEAD, choose=partly_but_no_evaluation)
    text = _text(await _pack(bot, tmp_path))
    assert text.count("For Cultivator, the network also needs to show") == 1
    assert "Not yet shown: the network has a way of evaluating its work." in text


async def test_the_cover_is_asked_once_and_remembered(
    bot: Harness, content: Content, tmp_path: Path
) -> None:
    """The first pack's caption says how to fill the cover; the meeting, its date and the picked
    high impact actions are remembered for every later pack; bad input changes nothing."""
    await seed_result(bot.storage, content.model, LEAD, name="Riverside BME Network")
    calls = await bot.send(LEAD, "/report")
    assert "/report meeting Trust Board" in calls[-1].params["caption"]

    refused = await bot.send(LEAD, "/report actions 7")
    assert "Nothing was changed" in refused[-1].text
    assert "HIA 6:" in refused[-1].text
    assert not [c for c in refused if c.method == "sendDocument"]
    refused = await bot.send(LEAD, "/report date 1 January 2020")
    assert "already passed" in refused[-1].text
    refused = await bot.send(LEAD, "/report colour blue")
    assert "Nothing was changed" in refused[-1].text

    await bot.send(LEAD, "/report meeting Trust Board (public)")
    await bot.send(LEAD, "/report date 28/01/2028")
    calls = await bot.send(LEAD, "/report actions 2 and 6")
    assert "Saved for the cover: high impact actions 2, 6." in calls[-2].text
    network = await bot.storage.network_of(LEAD)
    assert network is not None
    cover = await bot.storage.board_cover(network.id)
    assert (cover.meeting, cover.meeting_on, cover.actions) == (
        "Trust Board (public)",
        date(2028, 1, 28),
        (2, 6),
    )

    pdf = await _pack(bot, tmp_path)  # a later /report, with nothing typed after it
    first = " ".join(pdf.pages[0].extract_text().split())
    assert "Meeting Trust Board (public)" in first
    assert "Date of meeting 28 January 2028" in first
    assert "the high impact actions (HIA) this paper supports: " in first
    assert "HIA 2:" in first
    assert "HIA 6:" in first
    assert "HIA 1:" not in first
    assert "☐" not in first
    last = bot.fake.calls_to("sendDocument", LEAD)[-1]
    assert "/report meeting" not in last.params["caption"]
