"""The national picture (issue 25): the 2017 review's tables rebuilt from verified networks'
latest agreed results, with every cell already as it may be published.

Rules, all from `minimum` (BOT_MIN_GROUP_SIZE) networks:

- Counts (networks by region and by age, assessed in the last year or not) follow
  `scoring.suppression.suppress`: a cell of 1 to minimum-1 is "few", and more are hidden so none
  can be worked out from the total.
- A group's figures (its mean, median, CRAFT medians) are shown only for groups of `minimum`
  networks or more, and only while the networks of the groups not shown add up to none or to
  `minimum` or more (`shown_groups`): England's figures less the shown groups' never describe a
  few networks.
- The band split is shown nationally when each band holds none or `minimum` networks or more;
  a region's band split only when the same holds for it and for the regions whose split is not
  shown, taken together.
- Member pulses: how many networks' latest pulse (closed with at least `minimum` answers)
  falls in the window, published like any count (`count_or_few`); per statement, the share of
  members agreeing pooled over those pulses, shown only when at least `minimum` networks'
  pulses contribute, each counted only where its own pulse shows the statement
  (`scoring.pulse.statement_shown`), and the pooled views are enough by the same rule.
- A new picture replaces the last one only when, against every picture published before, none
  or at least `minimum` networks differ (`may_publish`), so no two pictures isolate a network.

Pure: no Telegram, no I/O. The published picture is a JSON-ready dict.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

from scoring.baseline import Figure
from scoring.model import Band
from scoring.publication import changed
from scoring.pulse import OPTIONS as PULSE_OPTIONS
from scoring.pulse import answered as views
from scoring.pulse import share_agreeing, statement_shown
from scoring.suppression import Shown, count_or_few, rate, shares, suppress
from scoring.wres import Figures, estimate

K = TypeVar("K", bound=Hashable)

# "Two results a year apart": the earlier one at least this long before the latest.
YEAR_APART = timedelta(days=350)
FEW = "few"  # a count of 1 to minimum-1
HIDDEN = "hidden"  # hidden so that a small count cannot be worked out
Count = int | str  # a published count: the number, FEW or HIDDEN


@dataclass(frozen=True)
class Assessed:
    """A network's latest agreed result, as the picture needs it."""

    assessment_id: int
    completed_on: date
    total: int
    band: Band
    enablers: Mapping[str, float]  # enabler key -> percent of its points
    agreeing: frozenset[str]  # items answered at an option that shows the attribute
    answered: frozenset[str]  # items answered at all


@dataclass(frozen=True)
class PulseFacts:
    """A network's latest member pulse in the window (closed with enough answers): its id and,
    per statement, the count of each option ("Prefer not to say" first)."""

    pulse_id: int
    counts: Mapping[str, Sequence[int]]


@dataclass(frozen=True)
class NetworkFacts:
    """One verified network: where it is, how old, its latest agreed result in the last year
    (None if it has none), the band of a result a year before that one, and its latest WRES
    figures per indicator (quarter, figures) and its latest member pulse in the window."""

    network_id: int
    region: str
    age: str
    latest: Assessed | None
    year_ago: Band | None = None
    wres: Mapping[int, tuple[str, Figures]] = field(default_factory=dict)
    pulse: PulseFacts | None = None


@dataclass(frozen=True)
class Setting:
    """What the picture is laid out by: regions, ages, enablers and WRES indicators in order,
    the 2017 item figures, which group each indicator names first, the minimum, and the member
    pulse's statements in order."""

    regions: Sequence[str]
    ages: Sequence[str]
    enablers: Sequence[str]
    figures: Sequence[Figure]
    first: Mapping[int, str]
    minimum: int
    statements: Sequence[str] = ()


# -- publication ---------------------------------------------------------------------------------


def members(facts: Sequence[NetworkFacts]) -> dict[str, str]:
    """Each network (its id, as a string) and everything of it the picture uses, as one string:
    two pictures differ about a network exactly when these differ."""
    found = {}
    for fact in facts:
        result = fact.latest
        wres = " ".join(
            f"{indicator}:{quarter}:{f.white.size},{f.white.count},{f.bme.size},{f.bme.count}"
            for indicator, (quarter, f) in sorted(fact.wres.items())
        )
        entry = "|".join(
            (
                fact.region,
                fact.age,
                str(result.assessment_id) if result else "",
                fact.year_ago.value if fact.year_ago else "",
                wres,
            )
        )
        # Only with a pulse, so a network without one reads as in pictures from before pulses.
        pulse = f"|pulse:{fact.pulse.pulse_id}" if fact.pulse is not None else ""
        found[str(fact.network_id)] = entry + pulse
    return found


def may_publish(
    history: Sequence[Mapping[str, str]], current: Mapping[str, str], minimum: int
) -> bool:
    """Whether a picture of `current` may be published after the pictures of `history` (oldest
    first): something changed since the last, and against each one published before, at least
    `minimum` networks differ, so comparing any two pictures never isolates a few networks."""
    if not history:
        return True
    if changed(history[-1], current) == 0:
        return False
    return all(changed(before, current) >= minimum for before in history)


# -- suppression helpers -------------------------------------------------------------------------


def shown_groups(sizes: Mapping[K, int], minimum: int, allowed: set[K] | None = None) -> set[K]:
    """The groups whose figures may be shown: each of `minimum` networks or more (and in
    `allowed`, if given: say those whose count is published), and the rest (the groups not
    shown, together) none or `minimum` or more; smaller groups are dropped first until that
    holds. Nothing is shown when the whole is under `minimum`."""
    order = list(sizes)
    total = sum(sizes.values())
    if total < minimum:
        return set()
    shown = {
        key
        for key, size in sizes.items()
        if size >= minimum and (allowed is None or key in allowed)
    }
    while shown:
        rest = total - sum(sizes[key] for key in shown)
        if rest == 0 or rest >= minimum:
            break
        shown.discard(min(shown, key=lambda key: (sizes[key], order.index(key))))
    return shown


def count_column(counts: Mapping[K, int], minimum: int) -> tuple[dict[K, Count], Count]:
    """A column of counts and its total as published: the total itself is FEW when it is
    under `minimum` (and then every cell is hidden), otherwise `suppress` rules the cells."""
    total = sum(counts.values())
    if 0 < total < minimum:
        return dict.fromkeys(counts, HIDDEN), FEW
    cells = suppress(counts, minimum)
    return {key: _count(cell.shown, cell.count) for key, cell in cells.items()}, total


def _count(shown: Shown, count: int | None) -> Count:
    if shown is Shown.COUNT:
        assert count is not None
        return count
    return FEW if shown is Shown.FEW else HIDDEN


def _fine(count: int, minimum: int) -> bool:
    return count == 0 or count >= minimum


# -- the picture ---------------------------------------------------------------------------------


def build(facts: Sequence[NetworkFacts], setting: Setting, as_of: str) -> dict[str, Any]:
    """The published picture of these verified networks (see the module's docstring)."""
    minimum = setting.minimum
    assessed = [fact for fact in facts if fact.latest is not None]
    picture: dict[str, Any] = {
        "as_of": as_of,
        "minimum": minimum,
        "counts": {
            "region": _counts(facts, setting.regions, lambda f: f.region, minimum),
            "age": _counts(facts, setting.ages, lambda f: f.age, minimum),
        },
    }
    national = _stats(assessed, setting, minimum)
    picture["england"] = national
    by_region = _group_stats(assessed, setting.regions, lambda f: f.region, setting)
    picture["regions"] = by_region
    picture["ages"] = _group_stats(assessed, setting.ages, lambda f: f.age, setting)
    picture["region_bands"] = _region_bands(assessed, setting, national, by_region)
    picture["items"] = _items(assessed, setting)
    picture["year_apart"] = _year_apart(assessed, minimum)
    picture["wres"] = _wres(facts, setting)
    picture["pulses"] = pulses(facts, setting.statements, minimum)
    return picture


def _counts(
    facts: Sequence[NetworkFacts], keys: Sequence[str], key_of: Any, minimum: int
) -> dict[str, Any]:
    """Verified networks per group: assessed in the last year, not, and both together (only
    where both of the group's cells are shown)."""
    assessed = dict.fromkeys(keys, 0)
    not_assessed = dict.fromkeys(keys, 0)
    for fact in facts:
        key = key_of(fact)
        target = assessed if fact.latest is not None else not_assessed
        target[key] = target.get(key, 0) + 1
    yes, yes_total = count_column(assessed, minimum)
    no, no_total = count_column(not_assessed, minimum)
    rows = {}
    for key in assessed:
        both = isinstance(yes[key], int) and isinstance(no[key], int)
        rows[key] = {
            "assessed": yes[key],
            "not_assessed": no[key],
            "networks": assessed[key] + not_assessed[key] if both else HIDDEN,
        }
    both_totals = isinstance(yes_total, int) and isinstance(no_total, int)
    total = sum(assessed.values()) + sum(not_assessed.values())
    return {
        "rows": rows,
        "total": {
            "assessed": yes_total,
            "not_assessed": no_total,
            "networks": total if both_totals else FEW if 0 < total < minimum else HIDDEN,
        },
    }


def _stats(group: Sequence[NetworkFacts], setting: Setting, minimum: int) -> dict[str, Any] | None:
    """A group's figures: how many, mean and median total, CRAFT medians, and the band split
    (its counts and whole percentages) when every band holds none or `minimum` or more."""
    if len(group) < minimum:
        return None
    results = [fact.latest for fact in group if fact.latest is not None]
    totals = [result.total for result in results]
    counts = {band: sum(1 for r in results if r.band is band) for band in Band}
    bands = None
    if all(_fine(count, minimum) for count in counts.values()):
        percents = shares(counts)
        bands = {band.value: {"count": counts[band], "percent": percents[band]} for band in Band}
    craft = {
        key: round(statistics.median(r.enablers[key] for r in results if key in r.enablers))
        for key in setting.enablers
        if any(key in r.enablers for r in results)
    }
    return {
        "n": len(results),
        "mean": round(statistics.fmean(totals), 1),
        "median": float(statistics.median(totals)),
        "bands": bands,
        "craft": craft,
    }


def _group_stats(
    assessed: Sequence[NetworkFacts], keys: Sequence[str], key_of: Any, setting: Setting
) -> dict[str, Any]:
    groups: dict[str, list[NetworkFacts]] = {key: [] for key in keys}
    for fact in assessed:
        groups.setdefault(key_of(fact), []).append(fact)
    sizes = {key: len(group) for key, group in groups.items()}
    # A group's figures carry its count: only groups whose count the counts table shows.
    cells, _ = count_column(sizes, setting.minimum)
    published = {key for key, cell in cells.items() if isinstance(cell, int)}
    shown = shown_groups(sizes, setting.minimum, published)
    result: dict[str, Any] = {}
    for key, group in groups.items():
        stats = _stats(group, setting, setting.minimum) if key in shown else None
        if stats is not None:
            stats = {**stats, "bands": None}  # a group's band split: see _region_bands
        result[key] = stats
    return result


def _region_bands(
    assessed: Sequence[NetworkFacts],
    setting: Setting,
    national: dict[str, Any] | None,
    by_region: Mapping[str, Any],
) -> dict[str, Any]:
    """Each region's band split where it may be shown beside England's: the region's row is
    shown, each of its bands holds none or `minimum` or more, and so does each band of the
    regions not shown, together (smaller regions are dropped first until it does)."""
    minimum = setting.minimum
    if national is None or national["bands"] is None:
        return dict.fromkeys(setting.regions)
    counts: dict[str, dict[Band, int]] = {}
    for fact in assessed:
        assert fact.latest is not None
        region = counts.setdefault(fact.region, dict.fromkeys(Band, 0))
        region[fact.latest.band] += 1
    england = {band: national["bands"][band.value]["count"] for band in Band}
    shown = {
        key
        for key, row in counts.items()
        if by_region.get(key) is not None and all(_fine(c, minimum) for c in row.values())
    }
    order = list(setting.regions)
    while shown:
        rest = {band: england[band] - sum(counts[k][band] for k in shown) for band in Band}
        if all(_fine(count, minimum) for count in rest.values()):
            break
        shown.discard(
            min(
                shown,
                key=lambda k: (
                    sum(counts[k].values()),
                    order.index(k) if k in order else len(order),
                ),
            )
        )
    result: dict[str, Any] = dict.fromkeys(setting.regions)
    for key in shown:
        percents = shares(counts[key])
        result[key] = {
            band.value: {"count": counts[key][band], "percent": percents[band]} for band in Band
        }
    return result


def _items(assessed: Sequence[NetworkFacts], setting: Setting) -> list[dict[str, Any]]:
    """Each 2017 item figure with today's share agreeing where an item asks the same thing:
    shown when `minimum` networks or more answered it and neither those agreeing nor those
    not agreeing are a few."""
    minimum = setting.minimum
    rows = []
    for figure in setting.figures:
        row: dict[str, Any] = {
            "key": figure.key,
            "item": figure.item,
            "baseline": figure.percent,
            "at_least": figure.at_least,
            "share": None,
            "answered": None,
        }
        if figure.item is not None:
            answered = [f.latest for f in assessed if f.latest and figure.item in f.latest.answered]
            agreeing = sum(1 for r in answered if r is not None and figure.item in r.agreeing)
            whole = len(answered)
            share = rate(agreeing, whole, minimum)
            if share is not None and not _fine(whole - agreeing, minimum):
                share = None
            row["share"] = share
            row["answered"] = count_or_few(whole, minimum)
        rows.append(row)
    return rows


def _year_apart(assessed: Sequence[NetworkFacts], minimum: int) -> dict[str, Any]:
    """Of the networks with two results a year apart, how many rose, kept or fell a band."""
    moves = {"up": 0, "same": 0, "down": 0}
    for fact in assessed:
        if fact.latest is None or fact.year_ago is None:
            continue
        step = fact.latest.band.rank - fact.year_ago.rank
        moves["up" if step > 0 else "down" if step < 0 else "same"] += 1
    cells, total = count_column(moves, minimum)
    return {"pairs": total, **cells}


def _wres(facts: Sequence[NetworkFacts], setting: Setting) -> dict[str, Any]:
    """Per indicator: how many networks track it and the median of their latest ratios, for
    England and for each region shown (by the same group rule)."""
    minimum = setting.minimum
    result: dict[str, Any] = {}
    for indicator in sorted(setting.first):
        ratios: dict[str, list[float]] = {key: [] for key in setting.regions}
        tracking: dict[str, int] = dict.fromkeys(setting.regions, 0)
        for fact in facts:
            if indicator not in fact.wres:
                continue
            tracking[fact.region] = tracking.get(fact.region, 0) + 1
            ratio = estimate(fact.wres[indicator][1], setting.first[indicator]).ratio
            if ratio is not None:
                ratios.setdefault(fact.region, []).append(ratio)
        every = [ratio for values in ratios.values() for ratio in values]
        total = sum(tracking.values())
        shown = shown_groups(tracking, minimum)
        result[str(indicator)] = {
            "england": _wres_cell(total, every, minimum),
            "regions": {
                key: _wres_cell(tracking[key], ratios.get(key, []), minimum)
                if key in shown
                else None
                for key in tracking
            },
        }
    return result


def _wres_cell(networks: int, ratios: Sequence[float], minimum: int) -> dict[str, Any] | None:
    if networks < minimum:
        return None
    median = round(statistics.median(ratios), 2) if len(ratios) >= minimum else None
    return {"networks": networks, "median": median}


def pulses(
    facts: Sequence[NetworkFacts], statements: Sequence[str], minimum: int
) -> dict[str, Any]:
    """How many networks ran a pulse in the window (a count like any other), and per statement
    the share of members agreeing pooled over their pulses: shown only when at least `minimum`
    networks' pulses show the statement themselves and the pooled views are enough too; with
    it, how many networks and members' views it rests on."""
    ran = [fact.pulse for fact in facts if fact.pulse is not None]
    networks = count_or_few(len(ran), minimum)
    rows = []
    for key in statements:
        contributing = [
            pulse.counts[key]
            for pulse in ran
            if key in pulse.counts and statement_shown(pulse.counts[key], minimum)
        ]
        pooled = [sum(counts[option] for counts in contributing) for option in range(PULSE_OPTIONS)]
        row: dict[str, Any] = {"key": key, "share": None, "networks": None, "views": None}
        if len(contributing) >= minimum and statement_shown(pooled, minimum):
            row.update(
                share=share_agreeing(pooled), networks=len(contributing), views=views(pooled)
            )
        rows.append(row)
    return {"networks": FEW if networks is None else networks, "statements": rows}


# -- what moved ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """One national figure in the last quarter's picture and in this one (both shown)."""

    key: str  # "n", "mean", "median", "band:<band>", "item:<key>" or "craft:<enabler>"
    before: float
    after: float

    @property
    def change(self) -> float:
        return round(self.after - self.before, 1)


def movement(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[Move]:
    """The national figures both pictures show, then and now."""
    if before is None:
        return []
    moves: list[Move] = []
    old, new = before.get("england"), after.get("england")
    if old is not None and new is not None:
        for key in ("n", "mean", "median"):
            moves.append(Move(key, float(old[key]), float(new[key])))
        if old["bands"] is not None and new["bands"] is not None:
            for band in Band:
                moves.append(
                    Move(
                        f"band:{band.value}",
                        float(old["bands"][band.value]["percent"]),
                        float(new["bands"][band.value]["percent"]),
                    )
                )
        for key, value in new["craft"].items():
            if key in old["craft"]:
                moves.append(Move(f"craft:{key}", float(old["craft"][key]), float(value)))
    old_items = {row["key"]: row["share"] for row in before.get("items", [])}
    for row in after.get("items", []):
        if row["share"] is not None and old_items.get(row["key"]) is not None:
            moves.append(Move(f"item:{row['key']}", float(old_items[row["key"]]), row["share"]))
    return moves


def hub_view(picture: Mapping[str, Any], region: str) -> dict[str, Any]:
    """What a hub's `/national` shows: the region's published row beside England's."""
    return {
        "as_of": picture["as_of"],
        "england": picture.get("england"),
        "region": picture.get("regions", {}).get(region),
        "region_bands": picture.get("region_bands", {}).get(region),
        "counts": picture["counts"]["region"]["rows"].get(region),
        "wres": {
            indicator: {"england": data["england"], "region": data["regions"].get(region)}
            for indicator, data in picture.get("wres", {}).items()
        },
        "pulses": picture.get("pulses"),  # England's only: a region's would be too few
    }


# -- from stored rows ----------------------------------------------------------------------------


def gather(
    networks: Sequence[tuple[int, str, str]],
    history: Sequence[tuple[int, int, str, str]],
    latest: Sequence[tuple[int, int, str, str]],
    answers: Sequence[tuple[int, str, int]],
    wres: Sequence[tuple[int, int, str, int, int, int, int]],
    demonstrates: Mapping[str, Sequence[bool]],
    pulse_rows: Sequence[tuple[int, int, str | None, int | None, int | None]] = (),
) -> list[NetworkFacts]:
    """Each verified network's facts from the stored rows (see bot.db.national.NationalRows):
    `latest` holds only results within the window; `demonstrates` gives, per item the picture
    reports, whether each of its options shows the attribute (the model's scale);
    `pulse_rows` (network id, pulse id, statement, option, count) the counts of each one's
    latest pulse in the window (statement None: a pulse with no counts)."""
    by_assessment: dict[int, dict[str, int]] = {}
    for assessment_id, item_key, option in answers:
        by_assessment.setdefault(assessment_id, {})[item_key] = option
    results: dict[int, Assessed] = {}
    for network_id, assessment_id, completed_at, stored in latest:
        data = json.loads(stored)
        given = by_assessment.get(assessment_id, {})
        results[network_id] = Assessed(
            assessment_id=assessment_id,
            completed_on=date.fromisoformat(completed_at[:10]),
            total=int(data["total"]),
            band=Band(data["band"]),
            enablers={
                key: 100.0 * points / maximum if maximum else 0.0
                for key, points, maximum in data["enablers"]
            },
            agreeing=frozenset(
                key
                for key, option in given.items()
                if key in demonstrates
                and option < len(demonstrates[key])
                and demonstrates[key][option]
            ),
            answered=frozenset(given),
        )
    earlier: dict[int, list[tuple[date, Band]]] = {}
    for network_id, _, completed_at, band in history:
        earlier.setdefault(network_id, []).append(
            (date.fromisoformat(completed_at[:10]), Band(band))
        )
    figures: dict[int, dict[int, tuple[str, Figures]]] = {}
    for network_id, indicator, quarter, ws, wc, bs, bc in wres:
        figures.setdefault(network_id, {})[indicator] = (quarter, Figures.of(ws, wc, bs, bc))
    pulse_ids: dict[int, int] = {}
    pulse_counts: dict[int, dict[str, list[int]]] = {}
    for network_id, pulse_id, statement, choice, number in pulse_rows:
        pulse_ids[network_id] = pulse_id
        counts = pulse_counts.setdefault(network_id, {})
        if statement is not None and choice is not None and 0 <= choice < PULSE_OPTIONS:
            counts.setdefault(statement, [0] * PULSE_OPTIONS)[choice] = number or 0
    found = []
    for network_id, region, age in networks:
        pulse = None
        if network_id in pulse_ids:
            pulse = PulseFacts(pulse_ids[network_id], pulse_counts[network_id])
        result = results.get(network_id)
        year_ago = None
        if result is not None:
            before = [
                band
                for day, band in earlier.get(network_id, [])
                if day <= result.completed_on - YEAR_APART
            ]
            year_ago = before[-1] if before else None
        found.append(
            NetworkFacts(
                network_id, region, age, result, year_ago, figures.get(network_id, {}), pulse
            )
        )
    return found
