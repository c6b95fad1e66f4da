"""A one-page PDF for a network's sponsor or board, drawn with reportlab.

`ReportText` is light; import `one_page_report` (and with it reportlab) only to draw a report.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ReportText:
    """Everything the page says, already rendered from content (plain text, not HTML)."""

    title: str
    subtitle: str
    headline: str
    band_summary: str
    chart_caption: str
    held_back_title: str
    held_back: Sequence[str]
    steps_title: str
    steps: Sequence[str]
    history_title: str
    history_header: tuple[str, str, str]
    history: Sequence[tuple[str, str, str]]
    baseline_title: str
    baseline: Sequence[str]
    footer: str
    wres_title: str = ""
    wres: Sequence[str] = ()  # the latest quarter of each WRES indicator recorded, if any


MARGIN_MM = 14


def one_page_report(text: ReportText, chart_png: bytes) -> bytes:
    """The report as PDF bytes; everything is shrunk if need be to stay on one A4 page."""
    # reportlab is imported here, not at start-up: most updates never draw a report.
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Image,
        KeepInFrame,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    margin = MARGIN_MM * mm
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=9, leading=11.5)
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=9, textColor=colors.grey)
    heading = ParagraphStyle(
        "heading", parent=styles["Heading3"], fontSize=11, spaceBefore=5, spaceAfter=2
    )
    title = ParagraphStyle("title", parent=styles["Title"], fontSize=17, spaceAfter=2)
    headline = ParagraphStyle(
        "headline", parent=body, fontSize=15, leading=19, textColor=colors.HexColor("#005EB8")
    )

    def paragraphs(lines: Sequence[str], style: ParagraphStyle = body) -> list[Paragraph]:
        return [Paragraph(_escape(line), style) for line in lines]

    width = A4[0] - 2 * margin
    chart = Image(io.BytesIO(chart_png), width=width, height=width * 0.6)
    history = Table(
        [list(text.history_header), *[list(row) for row in text.history]],
        colWidths=[width * 0.4, width * 0.3, width * 0.3],
    )
    history.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    story = [
        Paragraph(_escape(text.title), title),
        Paragraph(_escape(text.subtitle), small),
        Spacer(1, 3 * mm),
        Paragraph(_escape(text.headline), headline),
        Paragraph(_escape(text.band_summary), body),
        Spacer(1, 2 * mm),
        chart,
        Paragraph(_escape(text.chart_caption), small),
        Paragraph(_escape(text.held_back_title), heading),
        *paragraphs([f"• {line}" for line in text.held_back]),
        Paragraph(_escape(text.steps_title), heading),
        *paragraphs([f"{n}. {line}" for n, line in enumerate(text.steps, start=1)]),
        Paragraph(_escape(text.history_title), heading),
        history,
        *([Paragraph(_escape(text.wres_title), heading)] if text.wres else []),
        *paragraphs(text.wres),
        Paragraph(_escape(text.baseline_title), heading),
        *paragraphs(text.baseline),
        Spacer(1, 3 * mm),
        Paragraph(_escape(text.footer), small),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=text.title,
    )
    frame_height = A4[1] - 2 * margin - 6  # the frame's own padding
    document.build([KeepInFrame(width, frame_height, story, mode="shrink")])
    return buffer.getvalue()


def _escape(text: str) -> str:
    """Paragraph takes a little markup; user text (network names) must stay text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
