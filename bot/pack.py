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


CSS = """
@page { size: A4; margin: 16mm 16mm 18mm;
  @bottom-center { content: counter(page) " of " counter(pages); font-size: 8pt; color: #555; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; line-height: 1.35; color: #111; }
h1 { font-size: 17pt; margin: 0 0 2pt; color: #003087; }
h2 { font-size: 12pt; margin: 12pt 0 4pt; color: #003087; break-after: avoid; }
p.subtitle { color: #444; margin: 0 0 8pt; font-size: 9pt; }
p.headline { font-size: 15pt; font-weight: bold; color: #005EB8; margin: 4pt 0; }
ul { margin: 2pt 0; padding-left: 14pt; } li { margin: 1pt 0; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 6pt; break-inside: auto; }
caption { text-align: left; font-weight: bold; font-size: 9pt; padding-bottom: 2pt; }
th, td { border-bottom: 0.5pt solid #999; padding: 2pt 4pt; text-align: left;
  vertical-align: top; font-size: 8.5pt; }
th { background: #E8EDEE; }
figure { margin: 6pt 0; } figure img { width: 100%; }
figcaption { font-size: 8pt; color: #444; }
section.new-page { break-before: page; }
footer p { font-size: 7.5pt; color: #444; margin: 2pt 0; }
"""


def render_html(text: PackText, chart_png: bytes | None, keep: Callable[[str], str]) -> str:
    """The pack as one HTML document; every piece of text passes through `keep` then escaping."""

    def t(value: str) -> str:
        return html.escape(keep(value))

    parts = [
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">',
        f"<title>{t(text.title)}</title><style>{CSS}</style></head><body>",
        f"<header><h1>{t(text.title)}</h1><p class='subtitle'>{t(text.subtitle)}</p>",
        f"<p class='headline'>{t(text.headline)}</p></header><main>",
    ]
    for index, section in enumerate(text.sections):
        if index == text.chart_after and chart_png is not None:
            data = base64.b64encode(chart_png).decode()
            parts.append(
                f"<figure><img src='data:image/png;base64,{data}' alt='{t(text.chart_alt)}'>"
                f"<figcaption>{t(text.chart_caption)}</figcaption></figure>"
            )
        parts.append(f"<section{' class=new-page' if section.new_page else ''}>")
        parts.append(f"<h2>{t(section.heading)}</h2>")
        parts += [f"<p>{t(p)}</p>" for p in section.paragraphs]
        if section.bullets:
            parts.append("<ul>" + "".join(f"<li>{t(b)}</li>" for b in section.bullets) + "</ul>")
        for table in section.tables:
            parts.append(f"<table><caption>{t(table.caption)}</caption><thead><tr>")
            parts += [f"<th scope='col'>{t(h)}</th>" for h in table.header]
            parts.append("</tr></thead><tbody>")
            for row in table.rows:
                parts.append("<tr>" + "".join(f"<td>{t(cell)}</td>" for cell in row) + "</tr>")
            parts.append("</tbody></table>")
        parts.append("</section>")
    parts.append("</main><footer>")
    parts += [f"<p>{t(line)}</p>" for line in text.footer]
    parts.append("</footer></body></html>")
    return "".join(parts)


def board_pack(text: PackText, chart_png: bytes | None) -> bytes:
    """The pack as PDF bytes: tagged (PDF/UA-1), in British English, with a title."""
    HTML = _weasyprint_html()
    document = render_html(text, chart_png, printable)
    pdf: bytes = HTML(string=document, url_fetcher=_data_only()).write_pdf(
        pdf_variant="pdf/ua-1", font_config=_font_config()
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
