"""Pure domain logic of the Staff Network Maturity Model: no Telegram, no I/O."""

from scoring.engine import (
    Answers,
    Change,
    Comparison,
    Distribution,
    EnablerScore,
    Result,
    SectionScore,
    Summary,
    Tip,
    aggregate,
    compare,
    round_to_tens,
    score,
)
from scoring.model import Attribute, Band, BandRule, Enabler, Item, Model, Option, Scale, Section

__all__ = [
    "Answers",
    "Attribute",
    "Band",
    "BandRule",
    "Change",
    "Comparison",
    "Distribution",
    "Enabler",
    "EnablerScore",
    "Item",
    "Model",
    "Option",
    "Result",
    "Scale",
    "Section",
    "SectionScore",
    "Summary",
    "Tip",
    "aggregate",
    "compare",
    "round_to_tens",
    "score",
]
