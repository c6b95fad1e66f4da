"""Property tests of the scoring rules over any set of answers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from content import load_content
from scoring import Band, Summary, aggregate, score
from scoring.engine import Answers

MODEL = load_content().model

complete_answers = st.fixed_dictionaries(
    {item.key: st.integers(0, len(item.scale.options) - 1) for item in MODEL.items}
)
partial_answers = st.dictionaries(
    st.sampled_from([item.key for item in MODEL.items]), st.integers(0, 1)
)


@given(complete_answers)
def test_total_is_within_range_and_the_sum_of_sections(answers: Answers) -> None:
    """Any complete answer set totals 0..178, equal to its sections and to its enablers."""
    result = score(MODEL, answers)
    assert 0 <= result.total <= 178
    assert result.total == sum(section.points for section in result.sections)
    assert result.total == sum(enabler.points for enabler in result.enablers)


@given(partial_answers)
def test_partial_total_is_the_sum_of_sections(answers: Answers) -> None:
    """A partial answer set still totals its sections and stays in range."""
    result = score(MODEL, answers)
    assert result.total == sum(section.points for section in result.sections)
    assert 0 <= result.total <= 178


@given(complete_answers, st.data())
def test_raising_one_answer_never_lowers_total_or_band(
    answers: Answers, data: st.DataObject
) -> None:
    """Moving any one answer up the scale never lowers the total or the band shown; from a
    known answer (not "Don't know", which scores like the lowest) it raises the total."""
    raisable = [k for k, v in answers.items() if v < len(MODEL.item(k).scale.options) - 1]
    if not raisable:
        return
    key = data.draw(st.sampled_from(raisable))
    step = data.draw(st.integers(1, len(MODEL.item(key).scale.options) - 1 - answers[key]))
    before = score(MODEL, answers)
    after = score(MODEL, {**answers, key: answers[key] + step})
    assert after.total >= before.total
    if not MODEL.item(key).scale.is_dont_know(answers[key]):
        assert after.total > before.total
    assert after.band.rank >= before.band.rank


@given(complete_answers)
def test_band_is_the_lower_of_score_band_and_gate(answers: Answers) -> None:
    """The band shown never exceeds either the score band or the attribute gate."""
    result = score(MODEL, answers)
    assert result.band.rank == min(result.score_band.rank, result.gate_band.rank)
    assert bool(result.holding_back) == (result.gate_band.rank < result.score_band.rank)


@given(complete_answers)
def test_complete_results_carry_three_to_five_distinct_tips(answers: Answers) -> None:
    """Every complete result offers between three and five different tips."""
    tips = score(MODEL, answers).tips
    assert 3 <= len(tips) <= 5
    assert len({tip.text for tip in tips}) == len(tips)


summaries = st.builds(
    Summary,
    total=st.integers(0, 178),
    band=st.sampled_from(list(Band)),
    enabler_percent=st.fixed_dictionaries({k: st.floats(0, 100) for k in "CRAFT"}),
)


@settings(max_examples=200)
@given(st.lists(summaries, max_size=30), st.integers(1, 12))
def test_aggregates_below_minimum_return_nothing(items: list[Summary], minimum: int) -> None:
    """An aggregate exists exactly when at least `minimum` networks are in it."""
    distribution = aggregate(items, minimum)
    if len(items) < minimum:
        assert distribution is None
    else:
        assert distribution is not None
        assert distribution.count == len(items)
        assert distribution.lower_quartile <= distribution.median <= distribution.upper_quartile
        assert abs(sum(distribution.band_shares.values()) - 1.0) < 1e-9


def _at_agree_or_above(answers: Answers) -> set[str]:
    return {
        key for key, option in answers.items() if MODEL.item(key).scale.options[option].demonstrates
    }


@given(st.one_of(complete_answers, partial_answers))
def test_no_tip_for_what_was_answered_at_agree_or_yes(answers: Answers) -> None:
    """Issue 22 point 5: no next step for an item answered at "agree"/"yes" or above, and no tip
    (item or enabler) on the theme of such an item (no "get a sponsor" after Yes to one)."""
    result = score(MODEL, answers)
    met = _at_agree_or_above(answers)
    settled = {MODEL.item(key).advice.theme for key in met}
    for tip in result.tips:
        assert not (tip.kind == "item" and tip.source in met)
        assert tip.theme not in settled


@given(complete_answers)
def test_what_holds_the_band_back_is_named_and_advised_first(answers: Answers) -> None:
    """The failing answers are exactly the gate items below "agree"/"yes"; when one can be
    advised on, the first tip is one of them."""
    result = score(MODEL, answers)
    held = {attribute.key for attribute in result.holding_back}
    expected = [
        item.key
        for item in MODEL.items
        if item.attribute is not None
        and item.attribute.key in held
        and item.key not in _at_agree_or_above(answers)
    ]
    assert list(result.failing) == expected
    assert bool(result.failing) == bool(result.holding_back)
    item_tips = [tip.source for tip in result.tips if tip.kind == "item"]
    if any(key in item_tips for key in result.failing):
        assert result.tips[0].source in result.failing
