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

from scoring.engine import Distribution, Summary, aggregate
from scoring.model import Band
from scoring.suppression import Cell, shares, suppress

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


def changed(before: Mapping[int, int], after: Mapping[int, int]) -> int:
    """How many networks' results differ between two member lists (new, changed or gone)."""
    networks = before.keys() | after.keys()
    return sum(1 for network in networks if before.get(network) != after.get(network))


def republish(previous: Published | None, members: Mapping[int, int], minimum: int) -> bool:
    """Whether a scope's figures should be replaced by ones for `members`."""
    if previous is None:
        return True
    if previous.distribution is None:
        # Nothing was shown, so nothing can be compared with: any change may be published.
        return dict(previous.members) != dict(members)
    return changed(previous.members, members) >= minimum


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
