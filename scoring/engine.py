"""Score answers into a result, compare two results, aggregate many into a distribution."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from scoring.model import ENABLER_KEYS, Advice, Attribute, Band, BandRule, Item, Model

Answers = Mapping[str, int]
"""Item key -> index of the chosen option in the item's scale (0 = fewest points)."""

MAX_TIPS = 5
MIN_TIPS = 3
ITEM_TIPS = 3
# Enabler percent below which each tip level applies (tips run foundational -> advanced).
TIP_LEVELS: tuple[float, ...] = (40.0, 65.0, 85.0)


@dataclass(frozen=True)
class SectionScore:
    key: str
    points: int
    maximum: int


@dataclass(frozen=True)
class EnablerScore:
    key: str
    points: int
    maximum: int

    @property
    def percent(self) -> float:
        return 100.0 * self.points / self.maximum if self.maximum else 0.0


@dataclass(frozen=True)
class Tip:
    """A suggestion: an enabler tip (`source` = enabler key) or an item's next step (item key)."""

    kind: str  # "enabler" or "item"
    source: str
    text: str
    theme: str = ""  # not stored with a result: only needed while choosing


@dataclass(frozen=True)
class FindOut:
    """A "Don't know" answer: the item, and who usually knows."""

    key: str
    text: str
    who: str


@dataclass(frozen=True)
class Result:
    version: str
    total: int
    maximum: int
    answered: int
    item_count: int
    sections: tuple[SectionScore, ...]
    enablers: tuple[EnablerScore, ...]
    score_band: Band
    gate_band: Band
    band: Band
    holding_back: tuple[Attribute, ...]
    """Attributes missing from the bands below the score band (why the band shown is lower)."""
    next_band: Band | None
    points_to_next: int
    missing_for_next: tuple[Attribute, ...]
    """Attributes still to show before the next band can be reached."""
    tips: tuple[Tip, ...]
    find_out: tuple[FindOut, ...] = ()
    """Items answered "Don't know", in model order: things to find out."""
    failing: tuple[str, ...] = ()
    """Keys of the items, in model order, answered below "agree"/"yes" that keep the attributes
    in `holding_back` from being shown: the answers that hold the band back."""

    @property
    def complete(self) -> bool:
        return self.answered == self.item_count

    def enabler_percent(self) -> dict[str, float]:
        return {score.key: score.percent for score in self.enablers}

    def weakest_enablers(self, count: int = 2) -> tuple[str, ...]:
        ranked = sorted(self.enablers, key=lambda e: (e.percent, ENABLER_KEYS.index(e.key)))
        return tuple(score.key for score in ranked[:count])


def band_position(rule: BandRule, total: int) -> str:
    """Where a total sits in its band's range, by thirds: "low", "middle" or "high"; "above"
    when it is past the band's top (the attribute gate holds the network at a lower band)."""
    if total > rule.maximum:
        return "above"
    span = rule.maximum - rule.minimum + 1
    third = (total - rule.minimum) * 3 // span
    return ("low", "middle", "high")[max(0, min(third, 2))]


def is_rise(band: Band, previous: Band | None) -> bool:
    """Whether reaching `band` is worth celebrating: higher than the network's last band, or,
    for a first result, higher than the entry band."""
    floor = previous if previous is not None else Band.PATHFINDER
    return band.rank > floor.rank


def things_to_find_out(model: Model, answers: Answers) -> tuple[FindOut, ...]:
    """The items answered "Don't know", each with who usually knows."""
    return tuple(
        FindOut(item.key, item.label or item.text, item.who_knows)
        for item in model.items
        if item.key in answers and item.scale.is_dont_know(answers[item.key])
    )


def option_points(item: Item, option: int) -> int:
    return item.scale.options[option].points


def _demonstrates(item: Item, answers: Answers) -> bool:
    option = answers.get(item.key)
    return option is not None and item.scale.options[option].demonstrates


def validate_answers(model: Model, answers: Answers) -> None:
    """Raise ValueError for an unknown item or an option outside the item's scale."""
    for key, option in answers.items():
        if not model.has_item(key):
            raise ValueError(f"unknown item {key!r}")
        if not 0 <= option < len(model.item(key).scale.options):
            raise ValueError(f"option {option} out of range for item {key!r}")


def score_band(model: Model, total: int) -> Band:
    for rule in model.bands:
        if rule.minimum <= total <= rule.maximum:
            return rule.band
    raise ValueError(f"total {total} is outside every band")


def missing_attributes(model: Model, answers: Answers) -> tuple[Attribute, ...]:
    """Attributes not demonstrated: some item evidencing them is below "agree"/"yes"."""
    return tuple(
        attribute
        for attribute in model.attributes
        if not all(
            _demonstrates(item, answers) for item in model.items if item.attribute == attribute
        )
    )


def failing_answers(
    model: Model, answers: Answers, attributes: Sequence[Attribute]
) -> tuple[str, ...]:
    """The items evidencing `attributes` that are not answered at "agree"/"yes" or above."""
    keys = {attribute.key for attribute in attributes}
    return tuple(
        item.key
        for item in model.items
        if item.attribute is not None
        and item.attribute.key in keys
        and not _demonstrates(item, answers)
    )


def settled_themes(model: Model, answers: Answers) -> frozenset[str]:
    """Themes of advice the network has no need of: some item of that theme is answered at
    "agree"/"yes" or above (a tip on getting a sponsor, after Yes to having one)."""
    return frozenset(item.advice.theme for item in model.items if _demonstrates(item, answers))


def gate_band(missing: Sequence[Attribute]) -> Band:
    """The highest band whose lower bands' attributes are all demonstrated."""
    missing_bands = {attribute.band for attribute in missing}
    gate = Band.PATHFINDER
    for band in (Band.CULTIVATOR, Band.ACTIVATOR):
        if any(lower in missing_bands for lower in band.below()):
            break
        gate = band
    return gate


def score(model: Model, answers: Answers) -> Result:
    """Score a (possibly partial) set of answers; unanswered items count as zero."""
    validate_answers(model, answers)
    points = {key: option_points(model.item(key), option) for key, option in answers.items()}
    sections = tuple(
        SectionScore(
            key=section.key,
            points=sum(points.get(i.key, 0) for i in model.items if i.section == section.key),
            maximum=model.section_maximum(section.key),
        )
        for section in model.sections
    )
    enablers = tuple(
        EnablerScore(
            key=enabler.key,
            points=sum(points.get(i.key, 0) for i in model.items if i.enabler == enabler.key),
            maximum=model.enabler_maximum(enabler.key),
        )
        for enabler in model.enablers
    )
    total = sum(section.points for section in sections)
    by_score = score_band(model, total)
    missing = missing_attributes(model, answers)
    by_gate = gate_band(missing)
    band = min(by_score, by_gate, key=lambda b: b.rank)
    held = by_gate.rank < by_score.rank
    holding_back = tuple(a for a in missing if a.band in by_score.below()) if held else ()
    next_band = band.above()
    points_to_next = 0
    missing_for_next: tuple[Attribute, ...] = ()
    if next_band is not None:
        points_to_next = max(0, model.band_rule(next_band).minimum - total)
        missing_for_next = tuple(a for a in missing if a.band in next_band.below())
    result = Result(
        version=model.version,
        total=total,
        maximum=model.max_total,
        answered=len(answers),
        item_count=len(model.items),
        sections=sections,
        enablers=enablers,
        score_band=by_score,
        gate_band=by_gate,
        band=band,
        holding_back=holding_back,
        next_band=next_band,
        points_to_next=points_to_next,
        missing_for_next=missing_for_next,
        tips=(),
        find_out=things_to_find_out(model, answers),
        failing=failing_answers(model, answers, holding_back),
    )
    tips = choose_tips(model, answers, result)
    return replace(result, tips=tips)


def _tip_level(percent: float, count: int) -> int:
    level = sum(1 for threshold in TIP_LEVELS if percent >= threshold)
    return min(level, count - 1)


def choose_tips(model: Model, answers: Answers, result: Result) -> tuple[Tip, ...]:
    """Up to five tips: the next steps of the answers that hold the band back, the two weakest
    enablers' tips, then the lowest items' next steps.

    Among the other items, those blocking the next band come first, then the items with the
    smallest share of their points, in the model's order. Nothing is advised on a theme the
    network answered at "agree"/"yes" or above (item or enabler tip). At most one tip per
    theme, and never advice that needs something the network has just said it lacks (a tip that
    `requires` an item not answered positively, such as talking to a sponsor it does not have).
    """
    percent = result.enabler_percent()
    weakest = result.weakest_enablers(2)
    settled = settled_themes(model, answers)
    tips: list[Tip] = []

    def fits(advice: Advice) -> bool:
        if advice.theme in settled or any(tip.theme == advice.theme for tip in tips):
            return False
        needed = advice.requires
        return (
            needed is None
            or not model.has_item(needed)
            or _demonstrates(model.item(needed), answers)
        )

    def item_tip(item: Item) -> Tip:
        return Tip("item", item.key, item.next_step, item.advice.theme)

    # The answers that hold the band back come first: they are what moves the band.
    failing = [model.item(key) for key in result.failing]
    for item in failing:
        if len(tips) == ITEM_TIPS:
            break
        if fits(item.advice):
            tips.append(item_tip(item))

    for key in weakest:
        enabler = model.enabler(key)
        level = _tip_level(percent[key], len(enabler.tips))
        # The tip for the enabler's level, else the nearest level whose tip fits.
        ranked = sorted(range(len(enabler.tips)), key=lambda index: (abs(index - level), index))
        chosen = next((enabler.tips[i] for i in ranked if fits(enabler.tips[i])), None)
        if chosen is not None:
            tips.append(Tip("enabler", key, chosen.text, chosen.theme))

    blocking = {a.key for a in result.holding_back + result.missing_for_next}
    low_items = [
        item
        for item in model.items
        if not _demonstrates(item, answers) and item.key not in result.failing
    ]
    low_items.sort(
        key=lambda item: (
            0 if item.attribute and item.attribute.key in blocking else 1,
            _points(item, answers) / item.maximum,
            model.items.index(item),
        )
    )
    added = sum(1 for tip in tips if tip.kind == "item")
    for item in low_items:
        if added >= ITEM_TIPS:
            break
        if fits(item.advice):
            tips.append(item_tip(item))
            added += 1

    # Too few tips (a strong result): add further tips, weakest enablers first, never one on a
    # theme the answers have settled (so a near-perfect result may have fewer, or none).
    by_weakness = weakest + tuple(k for k in result.weakest_enablers(len(model.enablers)))
    for key in dict.fromkeys(by_weakness):
        for advice in reversed(model.enabler(key).tips):
            if len(tips) >= MIN_TIPS:
                break
            if fits(advice):
                tips.append(Tip("enabler", key, advice.text, advice.theme))
    return tuple(tips[:MAX_TIPS])


def _points(item: Item, answers: Answers) -> int:
    option = answers.get(item.key)
    return 0 if option is None else option_points(item, option)


# ---------------------------------------------------------------------------------------------
# Comparison


@dataclass(frozen=True)
class Change:
    key: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class Comparison:
    total: Change
    sections: tuple[Change, ...]
    enablers: tuple[Change, ...]
    band_before: Band
    band_after: Band

    @property
    def band_direction(self) -> int:
        """+1 if the band rose, -1 if it fell, 0 if unchanged."""
        diff = self.band_after.rank - self.band_before.rank
        return (diff > 0) - (diff < 0)


def compare(before: Result, after: Result) -> Comparison:
    """Per-section points, per-enabler percent and band change from `before` to `after`."""
    before_sections = {s.key: s.points for s in before.sections}
    before_enablers = before.enabler_percent()
    return Comparison(
        total=Change("total", before.total, after.total),
        sections=tuple(
            Change(s.key, before_sections[s.key], s.points)
            for s in after.sections
            if s.key in before_sections
        ),
        enablers=tuple(
            Change(e.key, before_enablers[e.key], e.percent)
            for e in after.enablers
            if e.key in before_enablers
        ),
        band_before=before.band,
        band_after=after.band,
    )


# ---------------------------------------------------------------------------------------------
# Aggregates


@dataclass(frozen=True)
class Summary:
    """What aggregates need of one network's latest result."""

    total: int
    band: Band
    enabler_percent: Mapping[str, float]


@dataclass(frozen=True)
class Distribution:
    count: int
    median: float
    lower_quartile: float
    upper_quartile: float
    band_shares: Mapping[Band, float]
    """Fraction of networks in each band (0..1)."""
    enabler_medians: Mapping[str, float]

    @property
    def band_counts(self) -> dict[Band, int]:
        """How many networks are in each band."""
        return {band: round(share * self.count) for band, share in self.band_shares.items()}

    @property
    def weakest_enabler(self) -> str | None:
        if not self.enabler_medians:
            return None
        return min(self.enabler_medians, key=lambda k: (self.enabler_medians[k], _order(k)))

    def quarter_of(self, total: int) -> int:
        """Which quarter a total falls in: 1 (bottom) to 4 (top), by the quartiles."""
        if total < self.lower_quartile:
            return 1
        if total < self.median:
            return 2
        if total <= self.upper_quartile:
            return 3
        return 4


def _order(key: str) -> int:
    return ENABLER_KEYS.index(key) if key in ENABLER_KEYS else len(ENABLER_KEYS)


def aggregate(summaries: Sequence[Summary], minimum: int) -> Distribution | None:
    """Distribution of many networks' results, or None when fewer than `minimum` are given."""
    if minimum < 1:
        raise ValueError("minimum group size must be at least 1")
    if len(summaries) < minimum:
        return None
    totals = sorted(s.total for s in summaries)
    lower, median, upper = _quartiles(totals)
    count = len(summaries)
    shares = {band: sum(1 for s in summaries if s.band is band) / count for band in Band}
    keys = sorted({k for s in summaries for k in s.enabler_percent}, key=_order)
    medians = {key: statistics.median(_percents(summaries, key)) for key in keys}
    return Distribution(
        count=count,
        median=median,
        lower_quartile=lower,
        upper_quartile=upper,
        band_shares=shares,
        enabler_medians=medians,
    )


def _percents(summaries: Sequence[Summary], key: str) -> list[float]:
    return [s.enabler_percent[key] for s in summaries if key in s.enabler_percent]


def _quartiles(values: Sequence[int]) -> tuple[float, float, float]:
    if len(values) == 1:
        only = float(values[0])
        return only, only, only
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def round_to_tens(fraction: float) -> int:
    """A share (0..1) as a percentage rounded to the nearest ten, halves rounding up."""
    # The epsilon keeps shares such as 7/20 (0.35, stored as 0.34999...) rounding half up.
    return math.floor(fraction * 10 + 0.5 + 1e-9) * 10
