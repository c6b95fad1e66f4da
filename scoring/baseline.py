"""The 2017 national baseline and how one network's answers stand against it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scoring.engine import Answers
from scoring.model import Band, Model


@dataclass(frozen=True)
class Figure:
    """An item-level finding: `percent` of networks answered the item positively."""

    key: str
    item: str | None  # the model item asking the same thing, if any
    percent: int
    at_least: bool
    text: str
    source: str = ""


@dataclass(frozen=True)
class Baseline:
    year: int
    networks_assessed: int
    mean_total: int
    max_total: int
    band_counts: Mapping[Band, int]
    band_percent: Mapping[Band, float]
    figures: tuple[Figure, ...]

    @property
    def mean_percent(self) -> float:
        return 100.0 * self.mean_total / self.max_total

    def published_shares(self) -> dict[Band, int]:
        """Each band's share of the networks assessed as the review published it, to the whole
        percent (83 / 10 / 6 in 2017). Never recomputed from the counts: largest-remainder
        rounding of 40/5/3 gives 11% Cultivator, a figure the review does not print."""
        return {band: round(percent) for band, percent in self.band_percent.items()}


@dataclass(frozen=True)
class Contrast:
    """A national figure next to this network's own answer to the same item."""

    figure: Figure
    positive: bool


def contrasts(model: Model, baseline: Baseline, answers: Answers) -> tuple[Contrast, ...]:
    """Figures where the network answered against the 2017 majority.

    A network that lacks what most networks had in 2017 (or has what most lacked) learns the most
    from the national figure; items the network has not answered are skipped.
    """
    found = []
    for figure in baseline.figures:
        if figure.item is None:
            continue
        option = answers.get(figure.item)
        if option is None or not model.has_item(figure.item):
            continue
        options = model.item(figure.item).scale.options
        if option >= len(options):
            continue  # answered against an older version of the item
        positive = options[option].demonstrates
        majority_positive = figure.percent >= 50
        if positive != majority_positive:
            found.append(Contrast(figure, positive))
    return tuple(found)


# Network ages (registration's buckets) the 2017 review's note on newer networks' optimism
# applies to: under three years.
NEWER_AGES = frozenset({"lt1", "y1-3"})


def newer_network(age: str | None) -> bool:
    """Whether a network of this age bucket is "newer" for the review's note on optimism."""
    return age in NEWER_AGES
