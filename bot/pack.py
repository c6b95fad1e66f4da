"""The board pack: a tagged, accessible PDF (PDF/UA-1, en-GB) drawn by WeasyPrint from HTML.

`PackText` is light; `board_pack` imports WeasyPrint (and its system libraries: pango,
harfbuzz, fontconfig) only when a pack is drawn. Characters that no installed font can show are
dropped rather than drawn as empty boxes.
"""

from __future__ import annotations

import base64
import functools
import html
import threading
import unicodedata
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

Row = tuple[str, ...]


@dataclass(frozen=True)
class Table:
    caption: str
    header: Row
    rows: Sequence[Row]


@dataclass(frozen=True)
class Section:
    """A heading with paragraphs, bullet points and tables under it (plain text throughout)."""

    heading: str
    paragraphs: Sequence[str] = ()
    bullets: Sequence[str] = ()
    tables: Sequence[Table] = ()
    new_page: bool = False
    level: int = 2  # 2: a part of the pack; 3: a part within the one before it
    boxes: Sequence[str] = ()  # items to tick by hand (the lead picks which apply)


@dataclass(frozen=True)
class Figure:
    """A chart with its alternative text and a caption kept on the same page."""

    png: bytes  # the image: PNG, or SVG when `kind` says so
    alt: str
    caption: str
    after: int  # it goes after this many sections
    kind: str = "image/png"


@dataclass(frozen=True)
class Cover:
    """The cover sheet in the form NHS boards use: the paper's particulars (a value may be a
    line to fill in by hand), what the Board is asked to do, and the links and equality lines."""

    caption: str
    rows: Sequence[tuple[str, str]]
    asks_heading: str
    asks: Sequence[str]
    sections: Sequence[Section] = ()


@dataclass(frozen=True)
class PackText:
    title: str
    subtitle: str
    headline: str
    sections: Sequence[Section]
    chart_alt: str = ""
    chart_caption: str = ""
    chart_after: int = 0  # the chart goes after this many sections
    footer: Sequence[str] = field(default_factory=tuple)
    cover: Cover | None = None
    figures: Sequence[Figure] = ()  # further charts, each after its section


KEEP_ROWS = 10
CSS = """
@page { size: A4; margin: 16mm 16mm 18mm;
  @bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 8pt;
    color: #555; font-family: "DejaVu Sans", sans-serif; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; line-height: 1.3; color: #111; }
h1 { font-size: 17pt; margin: 0 0 2pt; color: #003087; }
h2 { font-size: 12pt; margin: 10pt 0 4pt; color: #003087; break-after: avoid; }
h3 { font-size: 10pt; margin: 6pt 0 2pt; color: #003087; break-after: avoid; }
table.cover th { width: 28%; background: none; font-weight: bold; }
table.cover td, table.cover th { font-size: 9.5pt; padding: 4pt 4pt; }
section.cover h2 { margin-top: 8pt; }
ul.boxes { list-style: none; padding-left: 2pt; }
p { margin: 4pt 0; }
p.subtitle { color: #444; margin: 0 0 8pt; font-size: 9pt; }
p.headline { font-size: 15pt; font-weight: bold; color: #005EB8; margin: 4pt 0; }
ul { margin: 2pt 0; padding-left: 14pt; } li { margin: 1pt 0; break-inside: avoid; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 6pt; break-inside: auto; }
caption { text-align: left; font-weight: bold; font-size: 9pt; padding-bottom: 2pt;
  break-after: avoid; }
th, td { border-bottom: 0.5pt solid #999; padding: 2pt 4pt; text-align: left;
  vertical-align: top; font-size: 8.5pt; }
th { background: #E8EDEE; }
figure { margin: 6pt 0; break-inside: avoid; } figure img { width: 80%; }
table.keep { break-inside: avoid; }
figcaption { font-size: 8pt; color: #444; }
section.new-page, p.new-page { break-before: page; }
footer p { font-size: 7.5pt; color: #444; margin: 2pt 0; }
"""


def render_html(text: PackText, chart_png: bytes | None, keep: Callable[[str], str]) -> str:
    """The pack as one HTML document; every piece of text passes through `keep` then escaping."""

    def t(value: str) -> str:
        return html.escape(keep(value))

    def figure(chart: Figure) -> str:
        data = base64.b64encode(chart.png).decode()
        return (
            "<figure>"
            f"<img src='data:{chart.kind};base64,{data}' alt='{t(chart.alt)}'>"
            f"<figcaption>{t(chart.caption)}</figcaption></figure>"
        )

    def section(part: Section, css: str = "") -> list[str]:
        classes = " ".join(c for c in (css, "new-page" if part.new_page else "") if c)
        out = [f"<section class='{classes}'>" if classes else "<section>"]
        out.append(f"<h{part.level}>{t(part.heading)}</h{part.level}>")
        out += [f"<p>{t(p)}</p>" for p in part.paragraphs]
        if part.bullets:
            out.append("<ul>" + "".join(f"<li>{t(b)}</li>" for b in part.bullets) + "</ul>")
        if part.boxes:
            out.append(
                "<ul class='boxes'>" + "".join(f"<li>☐ {t(b)}</li>" for b in part.boxes) + "</ul>"
            )
        for table in part.tables:
            # a short table stays on one page with its caption; a long one may run on
            keep = " class='keep'" if len(table.rows) <= KEEP_ROWS else ""
            out.append(f"<table{keep}><caption>{t(table.caption)}</caption><thead><tr>")
            out += [f"<th scope='col'>{t(h)}</th>" for h in table.header]
            out.append("</tr></thead><tbody>")
            for row in table.rows:
                out.append("<tr>" + "".join(f"<td>{t(cell)}</td>" for cell in row) + "</tr>")
            out.append("</tbody></table>")
        out.append("</section>")
        return out

    figures = list(text.figures)
    if chart_png is not None:
        figures.insert(0, Figure(chart_png, text.chart_alt, text.chart_caption, text.chart_after))
    parts = [
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">',
        f"<title>{t(text.title)}</title><style>{CSS}</style></head><body>",
        f"<header><h1>{t(text.title)}</h1><p class='subtitle'>{t(text.subtitle)}</p></header>",
        "<main>",
    ]
    if text.cover is not None:
        cover = text.cover
        parts.append("<section class='cover'>")
        parts.append(f"<table class='cover'><caption>{t(cover.caption)}</caption><tbody>")
        parts += [
            f"<tr><th scope='row'>{t(label)}</th><td>{t(value)}</td></tr>"
            for label, value in cover.rows
        ]
        parts.append("</tbody></table>")
        parts.append(f"<h2>{t(cover.asks_heading)}</h2>")
        parts.append("<ul>" + "".join(f"<li>{t(a)}</li>" for a in cover.asks) + "</ul>")
        parts.append("</section>")
        for part in cover.sections:
            parts += section(part, "cover")
    if text.headline:
        # the report proper starts on a page of its own after the cover sheet
        css = "headline new-page" if text.cover is not None else "headline"
        parts.append(f"<p class='{css}'>{t(text.headline)}</p>")
    for index, part in enumerate(text.sections):
        parts += [figure(f) for f in figures if f.after == index]
        parts += section(part)
    last = len(text.sections)
    parts += [figure(f) for f in figures if f.after >= last]
    parts.append("</main><footer>")
    parts += [f"<p>{t(line)}</p>" for line in text.footer]
    parts.append("</footer></body></html>")
    return "".join(parts)


def board_pack(text: PackText, chart_png: bytes | None) -> bytes:
    """The pack as PDF bytes: tagged (PDF/UA-1), in British English, with a title."""
    HTML = _weasyprint_html()
    document = render_html(text, chart_png, printable)
    pdf: bytes = HTML(string=document, url_fetcher=_data_only()).write_pdf(
        pdf_variant="pdf/ua-1", font_config=_font_config(), finisher=_margins_as_artifacts
    )
    return pdf


def _data_only() -> Any:
    """A URL fetcher that reads data: URLs (the chart) and refuses every other scheme, so no
    text in a pack can make WeasyPrint read a local file or a web address."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=("data",), allow_redirects=False, timeout=1)


def warm_up() -> None:
    """Load what the first pack would: WeasyPrint, this thread's fonts and the font coverage."""
    _weasyprint_html()
    _font_config()
    font_coverage()


def _margins_as_artifacts(document: Any, pdf: Any) -> None:
    """Mark the page numbers as artifacts, as PDF/UA wants for running page furniture.

    WeasyPrint 70 leaves what the page margins hold as marked content whose structure element
    is never linked into the structure tree. Each such sequence (an MCID whose element cannot
    be reached from the tree's root) becomes `/Artifact BMC … EMC` instead."""

    def resolve(reference: Any) -> Any:
        return pdf.objects[int(bytes(reference).split()[0])]

    reachable: set[int] = set()
    tree = resolve(pdf.catalog["StructTreeRoot"])
    pending = [tree]
    while pending:
        node = pending.pop()
        kids = node.get("K", ())
        for kid in kids if isinstance(kids, list) else (kids,):
            if isinstance(kid, bytes):
                number = int(kid.split()[0])
                if number not in reachable:
                    reachable.add(number)
                    pending.append(pdf.objects[number])
    nums = resolve(tree["ParentTree"])["Nums"]
    # pydyf keeps the page list flat: number, generation, "R", number, …
    for page_number, page_object in enumerate(pdf.pages["Kids"][::3]):
        owners = nums[2 * page_number + 1] if 2 * page_number + 1 < len(nums) else []
        loose = {
            mcid
            for mcid, owner in enumerate(owners)
            if isinstance(owner, bytes) and int(owner.split()[0]) not in reachable
        }
        if not loose:
            continue
        ops = resolve(pdf.objects[page_object]["Contents"]).stream
        for index in range(len(ops) - 2, 0, -1):
            properties = ops[index]
            is_loose = isinstance(properties, dict) and properties.get("MCID") in loose
            if ops[index + 1] == b"BDC" and is_loose:
                ops[index - 1 : index + 2] = ["/Artifact", b"BMC"]


_thread_fonts = threading.local()


def _font_config() -> Any:
    """This thread's WeasyPrint font configuration, made once: building one loads every system
    font into a fresh pango font map, a large part of a pack's time. Pango's maps are not to be
    shared between threads, so each worker thread keeps its own."""
    config = getattr(_thread_fonts, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _thread_fonts.config = FontConfiguration()
    return config


def _weasyprint_html() -> Any:
    """WeasyPrint's HTML class, imported on first use. Without libharfbuzz-subset it warns that
    a future version will need it, and subsets fonts with fontTools meanwhile: that is fine."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
        from weasyprint import HTML
    return HTML


def printable(text: str) -> str:
    """The text without characters no installed font can draw (they would come out as boxes).
    Format characters such as the right-to-left mark stay: they are never drawn."""
    covered = font_coverage()
    return "".join(
        ch
        for ch in text
        if ord(ch) in covered or ch in "\n\t" or unicodedata.category(ch) in ("Cf", "Mn", "Zs")
    )


@functools.cache
def font_coverage() -> frozenset[int]:
    """Every code point some font known to fontconfig can draw (read once per process)."""
    from fontTools.ttLib import TTCollection, TTFont

    _weasyprint_html()
    from weasyprint.text.ffi import ffi, fontconfig

    config = fontconfig.FcInitLoadConfigAndFonts()
    fonts = fontconfig.FcConfigGetFonts(config, fontconfig.FcSetSystem)
    files = set()
    for i in range(fonts.nfont):
        path = ffi.new("FcChar8 **")
        if fontconfig.FcPatternGetString(fonts.fonts[i], b"file", 0, path) == 0:
            files.add(ffi.string(path[0]).decode())
    fontconfig.FcConfigDestroy(config)
    covered: set[int] = set()
    for path in sorted(files):
        try:
            count = 1
            if path.lower().endswith((".ttc", ".otc")):
                with TTCollection(path, lazy=True) as collection:
                    count = len(collection.fonts)
            for number in range(count):
                with TTFont(path, lazy=True, fontNumber=number if count > 1 else -1) as face:
                    covered.update(face.getBestCmap() or {})
        except Exception:  # a font fontTools cannot read covers nothing to count on
            continue
    return frozenset(covered)
