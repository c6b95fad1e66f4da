"""Readings shared by a feature's chat message and the board pack: a WRES quarter in words, and a
closed member pulse's statements beside the leads' answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from content import Content
from content.strings import Safe
from content.wres import WresIndicator
from scoring import pulse as pulse_rules
from scoring.quarters import label_of
from scoring.wres import SMALL_GROUP, Figures, estimate

# -- member pulses (issue 24): shared by /pulse and the board pack ----------------------------


def pulse_lines(
    content: Content,
    counts: Mapping[str, Sequence[int]],
    lead_options: Mapping[str, int],
    minimum: int,
    line: str,
) -> list[tuple[pulse_rules.Gap | None, Safe]]:
    """A closed pulse's statements as lines (`line`: the strings key of a statement's line;
    `line` + "_few" for one too few gave a view on), the widest gaps between members and leads
    first, then those without a figure. `lead_options`: the leads' latest answers by item."""
    strings, model = content.strings, content.model
    statements = content.pulse.statements
    empty = (0,) * pulse_rules.OPTIONS
    shares: dict[str, int | None] = {}
    levels: dict[str, list[int | None]] = {}
    labels: dict[str, str] = {}
    for statement in statements:
        shown = counts.get(statement.key, empty)
        share = pulse_rules.share_agreeing(shown)
        ok = pulse_rules.statement_shown(shown, minimum)
        shares[statement.key] = share if ok else None
        found = []
        for key in statement.mirrors:
            if key in lead_options and model.has_item(key):
                item = model.item(key)
                option = item.scale.options[lead_options[key]]
                levels.setdefault(statement.key, []).append(
                    pulse_rules.lead_level(option, item.scale.maximum)
                )
                found.append(option.label)
        labels[statement.key] = " / ".join(dict.fromkeys(found))
    by_key = {statement.key: statement for statement in statements}
    lines: list[tuple[pulse_rules.Gap | None, Safe]] = []
    for gap in pulse_rules.gaps(shares, levels):
        statement = by_key[gap.statement]
        parts = pulse_rules.spread(counts.get(gap.statement, empty))
        assert parts is not None
        values = {
            "share": gap.members,
            "short": statement.short,
            "disagree": parts.disagree,
            "neither": parts.neither,
            "leads": labels[gap.statement] or strings("pulse.leads_unknown"),
        }
        lines.append((gap, strings(line, **values)))
    for statement in statements:
        if shares[statement.key] is None:
            lines.append((None, strings(f"{line}_few", short=statement.short)))
    return lines


# -- WRES figures in words (issue 22): shared by /wres and the board pack ----------------------


def wres_reading(
    content: Content,
    indicator: WresIndicator,
    figures: Figures,
    quarter: str,
    label: str = "",
    *,
    brief: bool = False,
) -> list[Safe]:
    """One recorded quarter in words: the sentence with its direction (which group was more
    likely), then what 1.00 means, the 95% interval and the "too few to tell" flag.

    `quarter` is the stored calendar code ("2026Q3"); it is named by the financial year.
    `brief` gives the flags in a few words (the board pack explains them once).
    """
    strings = content.strings
    found = estimate(figures, indicator.first)
    names = {"white": strings("wres.group_white"), "bme": strings("wres.group_bme")}
    values: dict[str, object] = {
        "quarter": label_of(quarter),
        "label": strings("wres.label_sentence", label=label) if label else "",
        "first": names[indicator.first],
        "second": names[indicator.second],
    }
    key = f"wres.i{indicator.number}"
    if found.ratio is None:
        return [strings(f"{key}.undefined", **values)]
    ratio = f"{found.ratio:.2f}"
    if found.first_none:
        sentence = strings("wres.zero", **values)
    elif ratio == "1.00":
        sentence = strings(f"{key}.equal", **values)
    elif found.ratio > 1:
        sentence = strings(f"{key}.meaning", ratio=ratio, **values)
    else:
        inverse = f"{1 / found.ratio:.2f}"
        sentence = strings(f"{key}.less", ratio=ratio, inverse=inverse, **values)
    lines = [
        sentence,
        strings("wres.parity"),
        strings("wres.interval", lower=f"{found.lower:.2f}", upper=f"{found.upper:.2f}"),
    ]
    if found.too_few_to_tell:
        lines.append(strings("wres.too_few_brief" if brief else "wres.too_few"))
    elif found.small_groups:
        lines.append(
            strings("wres.small_groups_brief" if brief else "wres.small_groups", small=SMALL_GROUP)
        )
    return lines
