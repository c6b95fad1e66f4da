"""When a scope's published figures may change, so that comparing two publications never
isolates one network.

A publication describes a set of networks' latest results. It is replaced only when at least
`minimum` networks have a different result (new, changed or gone) from the ones it describes, or
when it published nothing at all (too few networks); otherwise the previous figures stand, with
their date.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from scoring.engine import Distribution, Summary, aggregate
from scoring.model import Band
from scoring.suppression import Cell, shares, suppress
from scoring.wres import Figures, RegionFigure, region_figures

K = TypeVar("K")
V = TypeVar("V")

# Results older than this no longer count towards any scope's figures.
RESULTS_WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class Published:
    """What a scope shows: the figures (None when too few networks), the date they are from,
    and which result of each network they describe (network id -> assessment id)."""

    as_of: str
    members: Mapping[int, int]
    distribution: Distribution | None

    def band_cells(self, minimum: int) -> dict[Band, Cell]:
        """The band counts as they may be shown (see scoring.suppression)."""
        assert self.distribution is not None
        return suppress(self.distribution.band_counts, minimum)

    def band_percents(self) -> dict[Band, int]:
        """Each band's share in whole percent, adding up to 100."""
        assert self.distribution is not None
        return shares(self.distribution.band_counts)


def changed(before: Mapping[K, V], after: Mapping[K, V]) -> int:
    """How many members differ between two member lists (new, changed or gone)."""
    keys = before.keys() | after.keys()
    return sum(1 for key in keys if before.get(key) != after.get(key))


def replace_figures(
    before: Mapping[K, V] | None, shown: bool, after: Mapping[K, V], minimum: int
) -> bool:
    """Whether figures published for the members `before` (`shown`: they showed something)
    should give way to figures for `after`: always for the first, on any change when nothing
    was shown (nothing can be compared with), otherwise once `minimum` members changed."""
    if before is None:
        return True
    if not shown:
        return dict(before) != dict(after)
    return changed(before, after) >= minimum


def republish(previous: Published | None, members: Mapping[int, int], minimum: int) -> bool:
    """Whether a scope's figures should be replaced by ones for `members`."""
    shown = previous is not None and previous.distribution is not None
    return replace_figures(previous.members if previous else None, shown, members, minimum)


def publish(
    previous: Published | None,
    results: Sequence[tuple[int, int, Summary]],
    minimum: int,
    today: str,
) -> Published:
    """Today's publication for a scope, from each network's (network, assessment, summary):
    new figures when `republish` allows, otherwise the previous ones unchanged."""
    members = {network: assessment for network, assessment, _ in results}
    if previous is not None and not republish(previous, members, minimum):
        return previous
    distribution = aggregate([summary for _, _, summary in results], minimum)
    return Published(as_of=today, members=members, distribution=distribution)


@dataclass(frozen=True)
class WresPublished:
    """A region's published WRES picture: per indicator, how many networks track it and their
    median latest ratio (suppressed below the minimum), the date, and which figures of which
    networks it describes (network id -> its indicators' quarters and counts)."""

    as_of: str
    members: Mapping[str, str]
    figures: tuple[RegionFigure, ...]

    @property
    def shown(self) -> bool:
        return any(figure.median is not None for figure in self.figures)


def publish_wres(
    previous: WresPublished | None,
    latest: Sequence[tuple[int, int, str, Figures]],
    first: dict[int, str],
    minimum: int,
    today: str,
) -> WresPublished:
    """Today's WRES picture for a region from each network's latest (network, indicator, quarter,
    figures), under the same rule as the other figures: it changes only once `minimum` networks'
    entries changed, so a network's entry cannot be read off by comparing two days."""
    entries: dict[str, list[str]] = {}
    for network, indicator, quarter, figures in latest:
        white, bme = figures.white, figures.bme
        entries.setdefault(str(network), []).append(
            f"{indicator}:{quarter}:{white.size},{white.count},{bme.size},{bme.count}"
        )
    members = {network: " ".join(sorted(found)) for network, found in entries.items()}
    shown = previous is not None and previous.shown
    if previous is not None and not replace_figures(previous.members, shown, members, minimum):
        return previous
    rows = [(network, indicator, figures) for network, indicator, _, figures in latest]
    return WresPublished(today, members, region_figures(rows, first, minimum))
