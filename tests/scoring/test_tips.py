"""Tips: one per theme, never advice that needs a sponsor the network said it lacks."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from content import load_content
from scoring import Model, score
from scoring.engine import Answers, choose_tips
from scoring.model import Advice, Enabler
from tests.scoring import answers as build

MODEL = load_content().model

complete_answers = st.fixed_dictionaries(
    {item.key: st.integers(0, len(item.scale.options) - 1) for item in MODEL.items}
)


def _has_sponsor(answers: Answers) -> bool:
    option = answers.get("op-sponsor")
    return option is not None and MODEL.item("op-sponsor").scale.options[option].demonstrates


def _requirements(model: Model) -> dict[str, str | None]:
    """Each tip text's required item, from enabler tips and item next steps."""
    found = {tip.text: tip.requires for enabler in model.enablers for tip in enabler.tips}
    found.update({item.next_step: item.requires for item in model.items})
    return found


@given(complete_answers)
def test_no_two_tips_in_a_result_share_a_theme(answers: Answers) -> None:
    """Whatever the answers, a result's tips all have different themes."""
    themes = [tip.theme for tip in score(MODEL, answers).tips]
    assert len(themes) == len(set(themes))


@given(complete_answers)
def test_no_tip_needs_a_sponsor_the_network_lacks(answers: Answers) -> None:
    """A network without a sponsor is never told to take something to its sponsor."""
    needs = _requirements(MODEL)
    tips = score(MODEL, answers).tips
    if not _has_sponsor(answers):
        assert [t.text for t in tips if needs[t.text] == "op-sponsor"] == []


@given(complete_answers)
def test_three_to_five_tips_always(answers: Answers) -> None:
    """The theme and sponsor rules never leave a result with fewer than three tips."""
    assert 3 <= len(score(MODEL, answers).tips) <= 5


@pytest.mark.parametrize(
    ("sponsor", "expected"),
    [
        ("No", ["sponsor"]),  # no sponsor: asked to find one, once
        ("Yes", []),  # a sponsor: nothing about finding one
    ],
)
def test_sponsor_advice_appears_at_most_once(sponsor: str, expected: list[str]) -> None:
    """The lowest result gives one "find a sponsor" tip, not the tip and the next step both."""
    options = [option.label for option in MODEL.item("op-sponsor").scale.options]
    answers = build.lowest(MODEL) | {"op-sponsor": options.index(sponsor)}
    themes = [tip.theme for tip in score(MODEL, answers).tips]
    assert [theme for theme in themes if theme == "sponsor"] == expected


def _model_with_tips(tips: tuple[Advice, ...]) -> Model:
    enablers = tuple(
        replace(enabler, tips=tips) if enabler.key == "C" else enabler for enabler in MODEL.enablers
    )
    return replace(MODEL, enablers=enablers)


@pytest.mark.parametrize(
    ("tips", "chosen"),
    [
        # The level's tip (level 0 for a network scoring nothing) when it fits.
        ((Advice("a", "x"), Advice("b", "y"), Advice("c", "z"), Advice("d", "w")), "a"),
        # The level's tip needs a sponsor the network lacks: the nearest level that fits.
        (
            (Advice("a", "x", "op-sponsor"), Advice("b", "y"), Advice("c", "z"), Advice("d", "w")),
            "b",
        ),
    ],
)
def test_enabler_tip_falls_back_to_the_nearest_fitting_level(
    tips: tuple[Advice, ...], chosen: str
) -> None:
    """When the enabler's tip for its level does not fit, the nearest one that does is given."""
    model = _model_with_tips(tips)
    answers = build.lowest(model)
    result = score(model, answers)
    c_tips = [t.text for t in choose_tips(model, answers, result) if t.source == "C"]
    assert c_tips == [chosen]


def test_enabler_tips_are_plain_advice() -> None:
    """Every CRAFT tip has text and a theme, and requires only known items."""
    enablers: tuple[Enabler, ...] = MODEL.enablers
    assert all(tip.text and tip.theme for e in enablers for tip in e.tips)
    assert {t.requires for e in enablers for t in e.tips} - {None} <= {i.key for i in MODEL.items}


def test_a_next_step_on_a_theme_already_given_is_skipped() -> None:
    """The "find a sponsor" CRAFT tip crowds out the sponsor item's next step, not the reverse."""
    answers = build.lowest(MODEL)
    tips = score(MODEL, answers).tips
    sources = [(tip.kind, tip.source) for tip in tips if tip.theme == "sponsor"]
    assert sources == [("enabler", "C")]
