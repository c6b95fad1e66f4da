"""Results as plain dicts, to store a completed assessment exactly as it was scored."""

from __future__ import annotations

from typing import Any

from scoring.engine import (
    Distribution,
    EnablerScore,
    FindOut,
    Result,
    SectionScore,
    Summary,
    Tip,
)
from scoring.model import Attribute, Band
from scoring.publication import Published, WresPublished
from scoring.wres import RegionFigure


def result_to_dict(result: Result) -> dict[str, Any]:
    return {
        "version": result.version,
        "total": result.total,
        "maximum": result.maximum,
        "answered": result.answered,
        "item_count": result.item_count,
        "sections": [[s.key, s.points, s.maximum] for s in result.sections],
        "enablers": [[e.key, e.points, e.maximum] for e in result.enablers],
        "score_band": result.score_band.value,
        "gate_band": result.gate_band.value,
        "band": result.band.value,
        "holding_back": [_attribute(a) for a in result.holding_back],
        "next_band": result.next_band.value if result.next_band else None,
        "points_to_next": result.points_to_next,
        "missing_for_next": [_attribute(a) for a in result.missing_for_next],
        "tips": [[t.kind, t.source, t.text] for t in result.tips],
        "find_out": [[f.key, f.text, f.who] for f in result.find_out],
        "failing": list(result.failing),
    }


def result_from_dict(data: dict[str, Any]) -> Result:
    return Result(
        version=data["version"],
        total=data["total"],
        maximum=data["maximum"],
        answered=data["answered"],
        item_count=data["item_count"],
        sections=tuple(SectionScore(k, p, m) for k, p, m in data["sections"]),
        enablers=tuple(EnablerScore(k, p, m) for k, p, m in data["enablers"]),
        score_band=Band(data["score_band"]),
        gate_band=Band(data["gate_band"]),
        band=Band(data["band"]),
        holding_back=tuple(_from_attribute(a) for a in data["holding_back"]),
        next_band=Band(data["next_band"]) if data["next_band"] else None,
        points_to_next=data["points_to_next"],
        missing_for_next=tuple(_from_attribute(a) for a in data["missing_for_next"]),
        tips=tuple(Tip(kind, source, text) for kind, source, text in data["tips"]),
        find_out=tuple(FindOut(k, t, w) for k, t, w in data.get("find_out", [])),
        failing=tuple(data.get("failing", [])),
    )


def _attribute(attribute: Attribute) -> list[str]:
    return [attribute.key, attribute.band.value, attribute.text]


def _from_attribute(data: list[str]) -> Attribute:
    key, band, text = data
    return Attribute(key, Band(band), text)


def summary_of(result: Result) -> Summary:
    """What aggregates need of a result (the same figures `summary_from_dict` reads)."""
    return Summary(total=result.total, band=result.band, enabler_percent=result.enabler_percent())


def distribution_to_dict(distribution: Distribution) -> dict[str, Any]:
    """A distribution as stored in a snapshot: quartiles and shares, never single totals."""
    return {
        "count": distribution.count,
        "median": distribution.median,
        "lower_quartile": distribution.lower_quartile,
        "upper_quartile": distribution.upper_quartile,
        "band_shares": {band.value: share for band, share in distribution.band_shares.items()},
        "enabler_medians": dict(distribution.enabler_medians),
    }


def distribution_from_dict(data: dict[str, Any]) -> Distribution:
    return Distribution(
        count=data["count"],
        median=data["median"],
        lower_quartile=data["lower_quartile"],
        upper_quartile=data["upper_quartile"],
        band_shares={Band(band): share for band, share in data["band_shares"].items()},
        enabler_medians=data["enabler_medians"],
    )


def published_to_dict(published: Published) -> dict[str, Any]:
    return {
        "as_of": published.as_of,
        "members": {str(network): assessment for network, assessment in published.members.items()},
        "distribution": (
            distribution_to_dict(published.distribution) if published.distribution else None
        ),
    }


def published_from_dict(data: dict[str, Any]) -> Published | None:
    """A stored publication; None for a snapshot stored before publications had dates."""
    if "as_of" not in data:
        return None
    distribution = data["distribution"]
    return Published(
        as_of=data["as_of"],
        members={int(network): assessment for network, assessment in data["members"].items()},
        distribution=distribution_from_dict(distribution) if distribution else None,
    )


def wres_published_to_dict(published: WresPublished) -> dict[str, Any]:
    return {
        "as_of": published.as_of,
        "members": dict(published.members),
        "figures": [[f.indicator, f.networks, f.median] for f in published.figures],
    }


def wres_published_from_dict(data: dict[str, Any]) -> WresPublished:
    return WresPublished(
        as_of=data["as_of"],
        members=data["members"],
        figures=tuple(RegionFigure(*figure) for figure in data["figures"]),
    )
