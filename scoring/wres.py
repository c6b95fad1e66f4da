"""WRES relative likelihoods: quarters, counts, the ratio and its 95% interval. Pure functions.

Indicators 2, 3 and 4 of the Workforce Race Equality Standard compare two groups' rates: the rate
of the first-named group divided by the rate of the second (1.00 is parity). Which group is named
first is part of each indicator's definition (content/data/wres.toml).

The interval is the usual log (Katz) interval for a ratio of two independent proportions:
ln(RR) ± 1.96 · sqrt(1/a − 1/n1 + 1/b − 1/n2), where a of n1 and b of n2 are the two groups'
counts. When any of the four cells (a, n1 − a, b, n2 − b) is zero the logarithm or the error is
undefined or zero; 0.5 is then added to every cell (the Haldane–Anscombe correction: each count
plus 0.5, each group plus 1), for the ratio and its interval alike, so the ratio is always the
centre of its interval and the interval never has zero width. The ratio is left undefined only
when the second group has no one counted.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from scoring.quarters import Quarter as Quarter  # re-exported: callers name it from here
from scoring.quarters import Reading, read_quarter
from scoring.quarters import quarter_of as quarter_of

INDICATORS: tuple[int, ...] = (2, 3, 4)
GROUPS: tuple[str, ...] = ("white", "bme")
Z_95 = 1.959963984540054
# An interval is "wide" when its upper end is more than this many times its lower end.
WIDE_FACTOR = 2.0
# Groups smaller than this make any ratio swing widely; the reply says so.
SMALL_GROUP = 30
# Groups smaller than this are too few to tell anything, whatever the interval says.
TINY_GROUP = 5
FIRST_YEAR = 2015  # the WRES began in April 2015


class Problem(StrEnum):
    """What is wrong with a piece of input; each has a string under `wres.problem_<value>`."""

    NOT_A_NUMBER = "not_a_number"
    NEGATIVE = "negative"
    ZERO_GROUP = "zero_group"
    MORE_THAN_GROUP = "more_than_group"
    BAD_QUARTER = "bad_quarter"
    AMBIGUOUS_QUARTER = "ambiguous_quarter"
    FUTURE_QUARTER = "future_quarter"
    EARLY_QUARTER = "early_quarter"
    BAD_INDICATOR = "bad_indicator"
    BAD_FORM = "bad_form"
    LABEL_TOO_LONG = "label_too_long"


def parse_quarter(text: str, today: date) -> Quarter | Problem:
    """The quarter written in calendar (2026Q3) or financial-year form (2026/27 Q2, Q2 2026/27),
    if it has begun by `today`."""
    quarter = read_quarter(text)
    if quarter is Reading.AMBIGUOUS:
        return Problem.AMBIGUOUS_QUARTER
    if not isinstance(quarter, Quarter):
        return Problem.BAD_QUARTER
    if quarter.year < FIRST_YEAR:
        return Problem.EARLY_QUARTER
    if quarter.first_day > today:
        return Problem.FUTURE_QUARTER
    return quarter


def recent_quarters(today: date, count: int = 4) -> tuple[Quarter, ...]:
    """The quarter `today` is in and the ones before it, latest first."""
    quarters = [quarter_of(today)]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return tuple(quarters)


_THOUSANDS = re.compile(r"-?\d{1,3}(?:,\d{3})+")


def parse_count(text: str) -> int | Problem:
    """A whole number of people, written plainly or with commas as thousands separators
    (1,000 or 12,345,678; never 10,5 or 1,0,0,0)."""
    typed = text.strip()
    if _THOUSANDS.fullmatch(typed):
        typed = typed.replace(",", "")
    if re.fullmatch(r"-\d+", typed):
        return Problem.NEGATIVE
    if not re.fullmatch(r"\d{1,9}", typed):
        return Problem.NOT_A_NUMBER
    return int(typed)


def parse_indicator(text: str) -> int | Problem:
    cleaned = text.strip()
    if cleaned.isdigit() and int(cleaned) in INDICATORS:
        return int(cleaned)
    return Problem.BAD_INDICATOR


@dataclass(frozen=True)
class Counts:
    """One group's figures: its size (for indicator 2, the number shortlisted) and how many of
    them the indicator counts (appointed, entered the disciplinary process, accessed training)."""

    size: int
    count: int

    @property
    def rate(self) -> float:
        return self.count / self.size


def check_counts(size: int, count: int) -> Problem | None:
    """Why these cannot be one group's figures, or None if they can."""
    if size < 0 or count < 0:
        return Problem.NEGATIVE
    if size == 0:
        return Problem.ZERO_GROUP
    if count > size:
        return Problem.MORE_THAN_GROUP
    return None


@dataclass(frozen=True)
class Figures:
    """A quarter's figures for both groups."""

    white: Counts
    bme: Counts

    @classmethod
    def of(cls, white_size: int, white_count: int, bme_size: int, bme_count: int) -> Figures:
        return cls(Counts(white_size, white_count), Counts(bme_size, bme_count))

    def group(self, name: str) -> Counts:
        return self.white if name == "white" else self.bme


@dataclass(frozen=True)
class Estimate:
    """The relative likelihood of the first group against the second, with its 95% interval.

    `ratio` is None when the second group's rate is zero (the ratio is then undefined).
    """

    ratio: float | None
    lower: float
    upper: float
    small_groups: bool
    tiny_groups: bool = False
    # None of the first group was counted: `ratio` is then only the zero-cell correction's, and
    # reads as more certain than the figures are, so it is said in words beside the interval.
    first_none: bool = False

    @property
    def too_few_to_tell(self) -> bool:
        """A group is tiny, or the interval is wide and includes parity: the figures cannot say
        which way it goes."""
        spans_parity = self.lower <= 1.0 <= self.upper
        wide = self.lower <= 0.0 or self.upper / self.lower > WIDE_FACTOR
        return self.tiny_groups or (spans_parity and wide)


def _cells(first: Counts, second: Counts) -> tuple[float, float, float, float]:
    """(a, n1, b, n2), with the Haldane–Anscombe correction when any cell is zero."""
    a, n1, b, n2 = float(first.count), float(first.size), float(second.count), float(second.size)
    if 0 in (a, n1 - a, b, n2 - b):
        return a + 0.5, n1 + 1.0, b + 0.5, n2 + 1.0
    return a, n1, b, n2


def relative_likelihood(first: Counts, second: Counts) -> float | None:
    """first's rate divided by second's (corrected as the interval is when a cell is zero);
    None when no one in second is counted."""
    if second.count == 0:
        return None
    a, n1, b, n2 = _cells(first, second)
    return (a / n1) / (b / n2)


def interval(first: Counts, second: Counts, z: float = Z_95) -> tuple[float, float]:
    """The log (Katz) interval for first's rate over second's, around the same corrected
    ratio; never of zero width."""
    a, n1, b, n2 = _cells(first, second)
    centre = math.log((a / n1) / (b / n2))
    error = math.sqrt(1 / a - 1 / n1 + 1 / b - 1 / n2)
    return math.exp(centre - z * error), math.exp(centre + z * error)


def estimate(figures: Figures, first: str) -> Estimate:
    """The indicator's relative likelihood, `first` ("white" or "bme") being the numerator."""
    if first not in GROUPS:
        raise ValueError(f"unknown group {first!r}")
    second = "bme" if first == "white" else "white"
    one, other = figures.group(first), figures.group(second)
    lower, upper = interval(one, other)
    return Estimate(
        ratio=relative_likelihood(one, other),
        lower=lower,
        upper=upper,
        small_groups=min(one.size, other.size) < SMALL_GROUP,
        tiny_groups=min(one.size, other.size) < TINY_GROUP,
        first_none=one.count == 0,
    )


def parse_counts(words: Sequence[str]) -> Figures | Problem:
    """`white <size> <how many> bme <size> <how many>` (either group first)."""
    if len(words) != 6:
        return Problem.BAD_FORM
    groups: dict[str, Counts] = {}
    for start in (0, 3):
        name = words[start].lower()
        if name not in GROUPS or name in groups:
            return Problem.BAD_FORM
        size, count = parse_count(words[start + 1]), parse_count(words[start + 2])
        for value in (size, count):
            if isinstance(value, Problem):
                return value
        assert isinstance(size, int)
        assert isinstance(count, int)
        problem = check_counts(size, count)
        if problem is not None:
            return problem
        groups[name] = Counts(size, count)
    return Figures(white=groups["white"], bme=groups["bme"])


@dataclass(frozen=True)
class Entry:
    """A complete one-message entry."""

    indicator: int
    quarter: Quarter
    figures: Figures
    label: str


LABEL_LIMIT = 40


def parse_entry(words: Sequence[str], today: date) -> Entry | Problem:
    """`<2|3|4> <quarter> white <size> <how many> bme <size> <how many> [label]`."""
    if len(words) < 8:
        return Problem.BAD_FORM
    indicator = parse_indicator(words[0])
    if isinstance(indicator, Problem):
        return indicator
    quarter = parse_quarter(words[1], today)
    rest = words[2:]
    if quarter is Problem.BAD_QUARTER and len(words) >= 9:
        # "2026/27 Q2" and "Q2 2026/27" arrive as two words
        joined = parse_quarter(" ".join(words[1:3]), today)
        if joined is not Problem.BAD_QUARTER:
            quarter, rest = joined, words[3:]
    if isinstance(quarter, Problem):
        return quarter
    figures = parse_counts(rest[:6])
    if isinstance(figures, Problem):
        return figures
    label = " ".join(rest[6:]).strip()
    if len(label) > LABEL_LIMIT:
        return Problem.LABEL_TOO_LONG
    return Entry(indicator, quarter, figures, label)


@dataclass(frozen=True)
class RegionFigure:
    """A region's picture for one indicator: how many networks track it and their median
    latest ratio, both None when fewer than the minimum group size would be shown."""

    indicator: int
    networks: int | None
    median: float | None


def region_figures(
    latest: Iterable[tuple[int, int, Figures]], first: dict[int, str], minimum: int
) -> tuple[RegionFigure, ...]:
    """Per indicator, from (network, indicator, latest figures) rows: the number of networks
    and the median of their ratios, suppressed below `minimum` networks."""
    ratios: dict[int, list[float]] = {indicator: [] for indicator in INDICATORS}
    networks: dict[int, set[int]] = {indicator: set() for indicator in INDICATORS}
    for network, indicator, figures in latest:
        if indicator not in ratios:
            continue
        networks[indicator].add(network)
        ratio = estimate(figures, first[indicator]).ratio
        if ratio is not None:
            ratios[indicator].append(ratio)
    result = []
    for indicator in INDICATORS:
        values = ratios[indicator]
        shown = len(networks[indicator]) >= minimum and len(values) >= minimum
        result.append(
            RegionFigure(
                indicator=indicator,
                networks=len(networks[indicator]) if shown else None,
                median=statistics.median(values) if shown else None,
            )
        )
    return tuple(result)
