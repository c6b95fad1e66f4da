"""Chart images (PNG bytes) drawn with matplotlib's object API on the Agg canvas.

No pyplot: figures are plain objects, so charts can be drawn in a worker thread while the event
loop keeps serving updates. matplotlib is imported on first use: it would double the bot's
start-up time, and most updates never draw a chart.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from scoring import Result
from scoring.baseline import Baseline
from scoring.model import Model

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SECTION_COLOUR = "#005EB8"  # NHS blue
ENABLER_COLOUR = "#41B6E6"
BASELINE_COLOUR = "#DA291C"


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def result_chart(model: Model, result: Result) -> bytes:
    """Sections and CRAFT enablers as percentages of their points.

    No 2017 line: the review published only a total average, and a share of the total is not a
    section's or an enabler's average, so setting it against them would not compare like with like.
    """
    labels: list[str] = []
    values: list[float] = []
    colours: list[str] = []
    titles = {section.key: section.title for section in model.sections}
    for section in result.sections:
        labels.append(titles.get(section.key, section.key))
        values.append(100.0 * section.points / section.maximum if section.maximum else 0.0)
        colours.append(SECTION_COLOUR)
    names = {enabler.key: enabler.short for enabler in model.enablers}
    for enabler in result.enablers:
        labels.append(f"{enabler.key} · {names.get(enabler.key, enabler.key)}")
        values.append(enabler.percent)
        colours.append(ENABLER_COLOUR)

    figure = _figure(7.5, 4.6)
    axes = figure.subplots()
    positions = list(range(len(labels)))[::-1]
    axes.barh(positions, values, color=colours)
    axes.set_yticks(positions, labels)
    axes.set_xlim(0, 100)
    axes.set_xlabel("% of the points available")
    for position, value in zip(positions, values, strict=True):
        axes.text(min(value + 1.5, 92), position, f"{value:.0f}%", va="center", fontsize=9)
    axes.set_title(f"{result.total}/{result.maximum}: sections and CRAFT enablers", loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def trend_chart(points: Sequence[tuple[datetime, int]], maximum: int, baseline: Baseline) -> bytes:
    """Total score per completed assessment, against the 2017 national average."""
    figure = _figure(7.5, 3.8)
    axes = figure.subplots()
    # One step per assessment, labelled with its date: quarterly rounds read best evenly spaced.
    steps = list(range(len(points)))
    totals = [total for _, total in points]
    axes.plot(steps, totals, marker="o", color=SECTION_COLOUR)
    axes.set_xticks(steps, [moment.strftime("%-d %b %Y") for moment, _ in points])
    for step, total in zip(steps, totals, strict=True):
        axes.annotate(str(total), (step, total), textcoords="offset points", xytext=(0, 8))
    axes.axhline(
        baseline.mean_total,
        color=BASELINE_COLOUR,
        linestyle="--",
        label=f"{baseline.year} average total, original questionnaire ({baseline.mean_total})",
    )
    axes.set_ylim(0, maximum)
    axes.set_ylabel(f"Total (of {maximum})")
    axes.legend(loc="lower right", fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    figure.autofmt_xdate()
    return _png(figure)


def comparison_chart(model: Model, before: Result, after: Result) -> bytes:
    """Sections and enablers as percentages, previous assessment beside the latest."""
    titles = {section.key: section.title for section in model.sections}
    names = {enabler.key: enabler.short for enabler in model.enablers}
    labels: list[str] = []
    previous: list[float] = []
    latest: list[float] = []
    earlier_sections = {s.key: s for s in before.sections}
    for section in after.sections:
        if section.key in earlier_sections:
            old = earlier_sections[section.key]
            labels.append(titles.get(section.key, section.key))
            previous.append(100.0 * old.points / old.maximum if old.maximum else 0.0)
            latest.append(100.0 * section.points / section.maximum if section.maximum else 0.0)
    earlier_enablers = before.enabler_percent()
    for enabler in after.enablers:
        if enabler.key in earlier_enablers:
            labels.append(f"{enabler.key} · {names.get(enabler.key, enabler.key)}")
            previous.append(earlier_enablers[enabler.key])
            latest.append(enabler.percent)

    figure = _figure(7.5, 5.0)
    axes = figure.subplots()
    positions = [float(p) for p in range(len(labels))][::-1]
    height = 0.38
    axes.barh(
        [p + height / 2 for p in positions], previous, height, color="#AEB7BD", label="Previous"
    )
    axes.barh(
        [p - height / 2 for p in positions], latest, height, color=SECTION_COLOUR, label="Latest"
    )
    axes.set_yticks(positions, labels)
    axes.set_xlim(0, 100)
    axes.set_xlabel("% of the points available")
    axes.set_title(f"{before.total} → {after.total} of {after.maximum}", loc="left")
    axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False, ncols=2)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


PARITY_COLOUR = "#768692"
WRES_COLOURS = ("#005EB8", "#DA291C", "#009639", "#ED8B00", "#7C2855", "#00A9CE")


def wres_chart(
    panels: Sequence[tuple[str, Sequence[str], Mapping[str, Sequence[float | None]]]],
) -> bytes:
    """One panel per WRES indicator: its relative likelihood quarter by quarter, one line per
    breakdown label, against the parity line at 1.

    Each panel is (title, quarters oldest first, {line label: ratio per quarter or None}).
    """
    figure = _figure(7.5, 2.9 * len(panels) + 0.4)
    axes_list = figure.subplots(len(panels), 1, squeeze=False)[:, 0]
    for axes, (title, quarters, lines) in zip(axes_list, panels, strict=True):
        steps = list(range(len(quarters)))
        highest = 1.0
        for index, (label, values) in enumerate(lines.items()):
            points = [(s, v) for s, v in zip(steps, values, strict=True) if v is not None]
            if not points:
                continue
            highest = max(highest, *(v for _, v in points))
            axes.plot(
                [s for s, _ in points],
                [v for _, v in points],
                marker="o",
                color=WRES_COLOURS[index % len(WRES_COLOURS)],
                label=label,
            )
        axes.axhline(1.0, color=PARITY_COLOUR, linestyle="--", label="Parity (1.00)")
        axes.set_xticks(steps, list(quarters))
        axes.set_ylim(0, highest * 1.15)
        axes.set_ylabel("Relative likelihood")
        axes.set_title(title, loc="left", fontsize=10)
        axes.legend(loc="upper left", fontsize=8, frameon=False, ncols=3)
        axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return _png(figure)


# -- the board pack's trend, drawn as SVG (issue 22) -------------------------------------------

SVG_WIDTH, SVG_HEIGHT = 480, 230
_LEFT, _RIGHT, _TOP, _BOTTOM = 36, 12, 14, 56  # room for the axis labels


def trend_svg(points: Sequence[tuple[str, int]], maximum: int, baseline: Baseline) -> bytes:
    """The network's total per completed assessment (labelled with its date) against the 2017
    average total, as a small SVG for the board pack: a vector WeasyPrint draws in a few
    milliseconds, where a matplotlib PNG of the same takes a good part of a second."""
    from xml.sax.saxutils import escape

    plot_w = SVG_WIDTH - _LEFT - _RIGHT
    plot_h = SVG_HEIGHT - _TOP - _BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def x(index: int) -> float:
        return _LEFT + (index * step if len(points) > 1 else plot_w / 2)

    def y(total: float) -> float:
        return _TOP + plot_h * (1 - total / maximum)

    font = 'font-family="DejaVu Sans, sans-serif"'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SVG_WIDTH}" height="{SVG_HEIGHT}" '
        f'viewBox="0 0 {SVG_WIDTH} {SVG_HEIGHT}">'
    ]
    for tick in range(0, maximum + 1, 50):
        parts.append(
            f'<line x1="{_LEFT}" y1="{y(tick):.1f}" x2="{SVG_WIDTH - _RIGHT}" y2="{y(tick):.1f}" '
            'stroke="#DDDDDD" stroke-width="1"/>'
            f'<text x="{_LEFT - 6}" y="{y(tick) + 3:.1f}" font-size="10" text-anchor="end" '
            f'fill="#444444" {font}>{tick}</text>'
        )
    mean = baseline.mean_total
    parts.append(
        f'<line x1="{_LEFT}" y1="{y(mean):.1f}" x2="{SVG_WIDTH - _RIGHT}" y2="{y(mean):.1f}" '
        f'stroke="{BASELINE_COLOUR}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        f'<text x="{SVG_WIDTH - _RIGHT}" y="{y(mean) - 4:.1f}" font-size="9" text-anchor="end" '
        f'fill="{BASELINE_COLOUR}" {font}>{baseline.year} average total ({mean})</text>'
    )
    line = " ".join(f"{x(i):.1f},{y(total):.1f}" for i, (_, total) in enumerate(points))
    parts.append(
        f'<polyline points="{line}" fill="none" stroke="{SECTION_COLOUR}" stroke-width="2"/>'
    )
    for index, (label, total) in enumerate(points):
        parts.append(
            f'<circle cx="{x(index):.1f}" cy="{y(total):.1f}" r="3.5" fill="{SECTION_COLOUR}"/>'
            f'<text x="{x(index):.1f}" y="{y(total) - 8:.1f}" font-size="10" text-anchor="middle" '
            f'fill="#111111" {font}>{total}</text>'
            f'<text transform="translate({x(index):.1f},{_TOP + plot_h + 14}) rotate(-30)" '
            f'font-size="9" text-anchor="end" fill="#444444" {font}>{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts).encode()


def result_svg(model: Model, result: Result) -> bytes:
    """Sections and CRAFT enablers as percentages of their points, as a small SVG for the board
    pack (the same figures as `result_chart`, drawn in milliseconds)."""
    from xml.sax.saxutils import escape

    bars: list[tuple[str, float, str]] = []
    titles = {section.key: section.title for section in model.sections}
    for section in result.sections:
        share = 100.0 * section.points / section.maximum if section.maximum else 0.0
        bars.append((titles.get(section.key, section.key), share, SECTION_COLOUR))
    names = {enabler.key: enabler.short for enabler in model.enablers}
    for enabler in result.enablers:
        label = f"{enabler.key} · {names.get(enabler.key, enabler.key)}"
        bars.append((label, enabler.percent, ENABLER_COLOUR))
    left, right, top, row = 150, 34, 26, 22
    width = 480
    height = top + row * len(bars) + 34
    plot = width - left - right
    font = 'font-family="DejaVu Sans, sans-serif"'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">',
        f'<text x="{left}" y="16" font-size="12" fill="#111111" {font}>'
        f"{result.total}/{result.maximum}: sections and CRAFT enablers</text>",
    ]
    bottom = top + row * len(bars)
    for tick in range(0, 101, 20):
        x = left + plot * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#DDDDDD"/>'
            f'<text x="{x:.1f}" y="{bottom + 14}" font-size="10" text-anchor="middle" '
            f'fill="#444444" {font}>{tick}</text>'
        )
    parts.append(
        f'<text x="{left + plot / 2:.1f}" y="{bottom + 30}" font-size="10" text-anchor="middle" '
        f'fill="#444444" {font}>% of the points available</text>'
    )
    for index, (label, share, colour) in enumerate(bars):
        y = top + row * index
        length = plot * max(0.0, min(share, 100.0)) / 100
        parts.append(
            f'<text x="{left - 8}" y="{y + row / 2 + 4:.1f}" font-size="10.5" text-anchor="end" '
            f'fill="#111111" {font}>{escape(label)}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="{row - 6}" '
            f'fill="{colour}"/>'
            f'<text x="{left + length + 4:.1f}" y="{y + row / 2 + 4:.1f}" font-size="10" '
            f'fill="#111111" {font}>{share:.0f}%</text>'
        )
    parts.append("</svg>")
    return "".join(parts).encode()


def national_chart(
    bands: Sequence[tuple[str, float | None, float]], craft: Sequence[tuple[str, float]]
) -> bytes:
    """The national picture's chart: each band's share today beside 2017 (left; a band not
    shown today has no bar), and England's median CRAFT enabler shares (right).

    `bands`: (band name, percent today or None, percent in 2017); `craft`: (enabler, percent).
    """
    figure = _figure(8.0, 3.2)
    left, right = figure.subplots(1, 2)
    steps = list(range(len(bands)))
    today = [(s, value) for s, (_, value, _) in zip(steps, bands, strict=True) if value is not None]
    left.bar(
        [s - 0.2 for s, _ in today], [v for _, v in today], 0.4, color=SECTION_COLOUR, label="Today"
    )
    left.bar(
        [s + 0.2 for s in steps], [b for _, _, b in bands], 0.4, color=BASELINE_COLOUR, label="2017"
    )
    left.set_xticks(steps, [name for name, _, _ in bands])
    left.set_ylim(0, 100)
    left.set_ylabel("% of networks")
    left.set_title("Bands", loc="left", fontsize=10)
    left.legend(fontsize=8, frameon=False)
    keys = list(range(len(craft)))
    right.bar(keys, [value for _, value in craft], color=ENABLER_COLOUR)
    right.set_xticks(keys, [name for name, _ in craft], fontsize=7, rotation=20, ha="right")
    right.set_ylim(0, 100)
    right.set_ylabel("% of the enabler's points")
    right.set_title("CRAFT, England (median)", loc="left", fontsize=10)
    for axes in (left, right):
        axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return _png(figure)


def region_beside_england_chart(
    region: str, enablers: Sequence[str], ours: Sequence[float], england: Sequence[float]
) -> bytes:
    """A hub's chart: the region's median CRAFT enabler shares beside England's."""
    figure = _figure(6.5, 3.0)
    axes = figure.subplots()
    steps = list(range(len(enablers)))
    axes.bar([s - 0.2 for s in steps], list(ours), 0.4, color=SECTION_COLOUR, label=region)
    axes.bar([s + 0.2 for s in steps], list(england), 0.4, color=ENABLER_COLOUR, label="England")
    axes.set_xticks(steps, list(enablers), fontsize=7, rotation=20, ha="right")
    axes.set_ylim(0, 100)
    axes.set_ylabel("% of the enabler's points")
    axes.legend(fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return _png(figure)
