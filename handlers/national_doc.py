"""The national picture's documents (issue 25): the PDF's text and tables, its chart, and a
CSV of the same tables, from a published picture (scoring/national.py). Part of the national
feature (handlers/national.py)."""

from __future__ import annotations

import asyncio
import csv
import html
import io
import json
import multiprocessing
import os
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from bot import charts
from bot.db.national import read_national
from bot.pack import PackText, Section, Table, board_pack
from content import Content
from scoring import national
from scoring.model import Band

TAG = re.compile(r"<[^>]+>")
T = TypeVar("T")


@dataclass(frozen=True)
class Built:
    """A picture as published, whether it stood from before (`held`), and the quarter's
    picture before it to say what moved (None when there is none)."""

    data: dict[str, Any]
    held: bool
    before: dict[str, Any] | None
    before_quarter: str | None


# -- the documents------------------------------------------------------------------------


def _plain(text: str) -> str:
    return html.unescape(TAG.sub("", text))


class Words:
    """The strings, names and cells the documents are written with (plain text)."""

    def __init__(self, content: Content, minimum: int) -> None:
        self.content, self.minimum = content, minimum
        self.regions = {region.key: region.name for region in content.directory.regions}
        self.enablers = {enabler.key: enabler.short for enabler in content.model.enablers}
        self.bands = {band: _plain(content.strings(f"bands.{band.value}")) for band in Band}

    def __call__(self, key: str, **values: object) -> str:
        return _plain(self.content.strings(f"national.{key}", **values))

    def count(self, value: object) -> str:
        if value == national.FEW:
            return self("few", minimum=self.minimum)
        if value == national.HIDDEN or value is None:
            return self("hidden")
        return f"{value:,}" if isinstance(value, int) else str(value)

    def age(self, key: str) -> str:
        return _plain(self.content.strings(f"ages.{key}"))


def documents(content: Content, built: Built) -> tuple[PackText, bytes, str, str]:
    """The PDF's text, the chart and its two texts, and the CSV (the same tables)."""
    data, minimum = built.data, int(built.data["minimum"])
    w = Words(content, minimum)
    baseline = content.baseline
    england = data["england"]
    maximum = baseline.max_total
    sections = [
        Section(w("counts_heading"), tables=_count_tables(w, data)),
        Section(
            w("totals_heading"),
            paragraphs=[w("calibration"), w("group_hidden", minimum=minimum)],
            tables=[_totals_table(w, england, baseline), *_group_tables(w, data, maximum)],
        ),
        Section(
            w("items_heading"),
            paragraphs=[w("items_note", minimum=minimum)],
            tables=[_items_table(w, data)],
        ),
        Section(w("craft_heading"), paragraphs=[w("craft_note")], tables=[_craft_table(w, data)]),
        _moved_section(w, built),
        Section(
            w("wres_heading"), paragraphs=[w("wres_note")], tables=_wres_tables(content, w, data)
        ),
        _pulse_section(content, w, data),
    ]
    if england is None:
        headline = w("headline_few", minimum=minimum)
    else:
        bands = england["bands"]
        headline = w(
            "headline",
            assessed=england["n"],
            mean=england["mean"],
            maximum=maximum,
            baseline_mean=baseline.mean_total,
            pathfinder=bands["pathfinder"]["percent"] if bands else w("hidden"),
            baseline_pathfinder=round(baseline.band_percent[Band.PATHFINDER]),
        )
    paragraphs = [w("held", minimum=minimum, as_of=data["as_of"])] if built.held else []
    if paragraphs:
        sections[0] = Section(sections[0].heading, paragraphs=paragraphs, tables=sections[0].tables)
    figures = _chart_figures(w, england, baseline)
    text = PackText(
        title=w("title"),
        subtitle=w("subtitle", as_of=data["as_of"], minimum=minimum),
        headline=headline,
        sections=sections,
        chart_alt=w("chart_alt", figures=figures),
        chart_caption=w("chart_caption", figures=figures),
        chart_after=2,
        footer=[
            w("footer_suppression", minimum=minimum),
            w("footer_sources"),
        ],
    )
    return text, _chart(w, england, baseline), figures, _csv(text)


def _count_tables(w: Words, data: dict[str, Any]) -> list[Table]:
    tables = []
    for what, names in (("region", w.regions), ("age", None)):
        block = data["counts"][what]
        header = (
            w("col_region" if what == "region" else "col_age"),
            w("col_networks"),
            w("col_assessed"),
            w("col_not_assessed"),
        )
        rows = [
            (
                names.get(key, key) if names is not None else w.age(key),
                w.count(row["networks"]),
                w.count(row["assessed"]),
                w.count(row["not_assessed"]),
            )
            for key, row in block["rows"].items()
        ]
        total = block["total"]
        rows.append(
            (
                w("total_row"),
                w.count(total["networks"]),
                w.count(total["assessed"]),
                w.count(total["not_assessed"]),
            )
        )
        caption = w("counts_by_region" if what == "region" else "counts_by_age")
        tables.append(Table(caption, header, rows))
    return tables


def _totals_table(w: Words, england: dict[str, Any] | None, baseline: Any) -> Table:
    hidden = w("hidden")
    rows = [
        (
            w("row_assessed"),
            w.count(england["n"]) if england else hidden,
            str(baseline.networks_assessed),
        ),
        (
            w("row_mean", maximum=baseline.max_total),
            str(england["mean"]) if england else hidden,
            str(baseline.mean_total),
        ),
        (w("row_median"), f"{england['median']:g}" if england else hidden, w("none")),
    ]
    bands = england["bands"] if england else None
    for band in Band:
        today = (
            f"{bands[band.value]['percent']}% ({bands[band.value]['count']})" if bands else hidden
        )
        rows.append(
            (
                w("row_band", band=w.bands[band]),
                today,
                f"{baseline.band_percent[band]:.0f}% ({baseline.band_counts[band]})",
            )
        )
    return Table(w("totals_table"), (w("col_measure"), w("col_today"), w("col_2017")), rows)


def _group_tables(w: Words, data: dict[str, Any], maximum: int) -> list[Table]:
    tables = []
    for what, names in (("regions", w.regions), ("ages", None)):
        label = w("col_region" if what == "regions" else "col_age")
        rows = []
        for key, row in data[what].items():
            name = names.get(key, key) if names is not None else w.age(key)
            if row is None:
                rows.append((name, w("hidden"), w("hidden"), w("hidden")))
            else:
                rows.append((name, w.count(row["n"]), str(row["mean"]), f"{row['median']:g}"))
        header = (label, w("col_count"), w("col_mean"), w("col_median"))
        caption = w("groups_by_region" if what == "regions" else "groups_by_age")
        tables.append(Table(caption, header, rows))
    return tables


def _items_table(w: Words, data: dict[str, Any]) -> Table:
    texts = {f.key: f.text for f in w.content.baseline.figures}
    rows = []
    for row in data["items"]:
        then = f"{'over ' if row['at_least'] else ''}{row['baseline']}%"
        if row["item"] is None:
            rows.append((texts.get(row["key"], row["key"]), w("none"), then, w("like_no")))
            continue
        today = w("item_hidden") if row["share"] is None else f"{row['share']}%"
        rows.append((texts.get(row["key"], row["key"]), today, then, w("like_yes")))
    header = (w("col_finding"), w("col_today"), w("col_2017"), w("col_like"))
    return Table(w("items_table"), header, rows)


def _craft_table(w: Words, data: dict[str, Any]) -> Table:
    keys = list(w.enablers)
    header = (w("col_region"), *(w.enablers[key] for key in keys))

    def row(name: str, stats: dict[str, Any] | None) -> tuple[str, ...]:
        if stats is None:
            return (name, *(w("hidden") for _ in keys))
        return (name, *(str(stats["craft"].get(key, w("none"))) for key in keys))

    rows = [row(w("total_row"), data["england"])]
    rows += [row(w.regions.get(key, key), stats) for key, stats in data["regions"].items()]
    return Table(w("craft_table"), header, rows)


def _moved_section(w: Words, built: Built) -> Section:
    year = built.data["year_apart"]
    apart = w(
        "year_apart",
        pairs=w.count(year["pairs"]),
        up=w.count(year["up"]),
        same=w.count(year["same"]),
        down=w.count(year["down"]),
    )
    if built.before is None:
        return Section(w("moved_heading"), paragraphs=[w("moved_none"), apart])
    texts = {f.key: f.text for f in w.content.baseline.figures}
    rows = []
    for move in national.movement(built.before, built.data):
        kind, _, key = move.key.partition(":")
        if kind == "band":
            label = w("move_band", band=w.bands[Band(key)])
        elif kind == "item":
            label = w("move_item", finding=texts.get(key, key))
        elif kind == "craft":
            label = w("move_craft", enabler=w.enablers.get(key, key))
        else:
            label = w(f"move_{kind}")
        rows.append((label, f"{move.before:g}", f"{move.after:g}", f"{move.change:+g}"))
    since = w("moved_since", as_of=built.before["as_of"], quarter=built.before_quarter)
    header = (w("col_measure"), w("col_then"), w("col_now"), w("col_change"))
    return Section(
        w("moved_heading"),
        paragraphs=[since, apart],
        tables=[Table(w("moved_table"), header, rows)] if rows else [],
    )


def _wres_tables(content: Content, w: Words, data: dict[str, Any]) -> list[Table]:
    tables = []
    for indicator in content.wres.indicators:
        block = data["wres"].get(str(indicator.number))
        if block is None:
            continue

        def cells(cell: dict[str, Any] | None) -> tuple[str, str]:
            if cell is None:
                return w("hidden"), w("hidden")
            median = cell["median"]
            return w.count(cell["networks"]), w("hidden") if median is None else f"{median:.2f}"

        rows = [(w("total_row"), *cells(block["england"]))]
        rows += [(w.regions.get(k, k), *cells(c)) for k, c in block["regions"].items()]
        header = (w("col_region"), w("col_tracking"), w("col_ratio"))
        caption = w("wres_table", number=indicator.number, title=indicator.title)
        tables.append(Table(caption, header, rows))
    return tables


def _pulse_section(content: Content, w: Words, data: dict[str, Any]) -> Section:
    """How many networks ran a member pulse, and the share of members agreeing with each
    statement across their latest pulses (a picture from before pulses says so instead)."""
    block = data.get("pulses")
    if block is None:
        return Section(w("pulse_heading"), paragraphs=[w("pulse_missing")])
    ran = Table(
        w("pulse_ran_table"),
        (w("col_region"), w("col_pulsed")),
        [(w("total_row"), w.count(block["networks"]))],
    )
    shorts = {s.key: s.short for s in content.pulse.statements}
    rows = []
    for row in block["statements"]:
        label = w("pulse_statement", short=shorts.get(row["key"], row["key"]))
        if row["share"] is None:
            rows.append((label, w("pulse_hidden"), w("hidden"), w("hidden")))
        else:
            share, networks, views = f"{row['share']}%", row["networks"], row["views"]
            rows.append((label, share, w.count(networks), w.count(views)))
    header = (w("col_statement"), w("col_agreeing"), w("col_contributing"), w("col_views"))
    return Section(
        w("pulse_heading"),
        paragraphs=[w("pulse_note", minimum=w.minimum)],
        tables=[ran, Table(w("pulse_table"), header, rows)],
    )


def _chart_figures(w: Words, england: dict[str, Any] | None, baseline: Any) -> str:
    then = ", ".join(f"{w.bands[b]} {baseline.band_percent[b]:.0f}%" for b in Band)
    bands = england["bands"] if england else None
    if bands is None:
        parts = [w("chart_bands_hidden", baseline=then)]
    else:
        now = ", ".join(f"{w.bands[b]} {bands[b.value]['percent']}%" for b in Band)
        parts = [w("chart_bands", today=now, baseline=then)]
    if england is not None:
        craft = ", ".join(f"{w.enablers[k]} {v}%" for k, v in england["craft"].items())
        parts.append(w("chart_craft", craft=craft))
    return " ".join(parts)


def _chart(w: Words, england: dict[str, Any] | None, baseline: Any) -> bytes:
    bands = england["bands"] if england else None
    series = [
        (w.bands[b], float(bands[b.value]["percent"]) if bands else None, baseline.band_percent[b])
        for b in Band
    ]
    craft = [(w.enablers[k], float(v)) for k, v in (england["craft"] if england else {}).items()]
    return charts.national_chart(series, craft)


def _csv(text: PackText) -> str:
    """Every table of the PDF, one figure per row: table, row, column, value."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(("table", "row", "column", "value"))
    for section in text.sections:
        for table in section.tables:
            for row in table.rows:
                for column, value in zip(table.header[1:], row[1:], strict=True):
                    writer.writerow((table.caption, row[0], column, value))
    return buffer.getvalue()


# -- the worker process -------------------------------------------------------------------------
# Building a picture for thousands of networks is CPU work in Python (reading rows, JSON,
# suppression, the chart, typesetting): in a thread it would hold the GIL against the event
# loop, so it runs in one worker process, started on first use with the bot's content.

_content: Content | None = None  # the worker's copy
_pool: ProcessPoolExecutor | None = None


def _start(content: Content) -> None:
    global _content
    _content = content
    os.nice(10)  # the bot's own process comes first when the CPU is short


async def in_worker(content: Content, work: Callable[..., T], *args: Any) -> T:
    """`work(*args)` in the worker process (started with `content` on first use)."""
    global _pool
    if _pool is None:
        context = multiprocessing.get_context("spawn")  # no fork of a threaded process
        _pool = ProcessPoolExecutor(1, mp_context=context, initializer=_start, initargs=(content,))
    return await asyncio.get_running_loop().run_in_executor(_pool, work, *args)


def shutdown() -> None:
    """Stop the worker process, if one was started (when the bot shuts down)."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None


def compute(
    path: Path,
    since: str,
    items: Sequence[str],
    since_quarter: str,
    setting: national.Setting,
    demonstrates: Mapping[str, Sequence[bool]],
    today: str,
) -> tuple[str, dict[str, Any] | None]:
    """In the worker: the picture if it may be published, with its member list as JSON (ready
    to store: the bot's event loop never handles the whole list); else ("", None)."""
    rows, history = read_national(path, since, items, since_quarter, setting.minimum)
    facts = national.gather(
        rows.networks,
        rows.history,
        rows.latest,
        rows.answers,
        rows.wres,
        demonstrates,
        rows.pulses,
    )
    members = national.members(facts)
    if not national.may_publish(history, members, setting.minimum):
        return "", None
    return json.dumps(members), national.build(facts, setting, today)


def render(built: Built) -> tuple[bytes, bytes]:
    """In the worker: the PDF and the CSV of a picture."""
    assert _content is not None
    text, png, _, table = documents(_content, built)
    return board_pack(text, png), table.encode()


async def files(content: Content, built: Built) -> tuple[bytes, bytes, str]:
    """The PDF and the CSV (made in the worker), and the day they are from."""
    pdf, table = await in_worker(content, render, built)
    return pdf, table, str(built.data["as_of"])
