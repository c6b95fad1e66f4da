"""Issue 23: facts, credits and advice checked against the review and the case study, so the
wrong facts, misleading wording and harmful advice the audit found cannot come back."""

from __future__ import annotations

import re
import tomllib

from content import Content
from content.check_copying import content_texts
from content.loader import DATA_DIR
from scoring.model import Band
from scoring.progress import carry_over

BAND_NAMES = {band: band.value.capitalize() for band in Band}
SIGNPOST = "Freedom to Speak Up guardian"


def _advice(content: Content) -> list[str]:
    """Every unit of advice shown on its own: tips, next steps, item help and nudges."""
    model = content.model
    texts = [t.text for e in model.enablers for t in e.tips]
    texts += [item.next_step for item in model.items] + [item.help for item in model.items]
    return texts + [f"{n.title}\n{n.body}" for n in content.nudges]


def test_an_items_why_names_its_own_attributes_band(content: Content) -> None:
    """A "why" that calls an item's attribute a Pathfinder, Cultivator or Activator attribute
    names the band Annex F puts it in (members knowing how to get involved is Cultivator)."""
    model = content.model
    wrong = []
    for item in model.items:
        if item.attribute is None:
            continue
        named = {band for band, name in BAND_NAMES.items() if f"{name} attribute" in item.why}
        if named and named != {item.attribute.band}:
            wrong.append((item.key, item.why))
    assert wrong == []
    involvement = model.item("op-involvement")
    assert "Cultivator attribute" in involvement.why
    assert involvement.attribute is not None
    assert involvement.attribute.band == Band.CULTIVATOR


def test_the_2017_split_is_the_published_one(content: Content) -> None:
    """83 / 10 / 6 as the review printed it, not 83 / 11 / 6 recomputed from 40 / 5 / 3."""
    assert content.baseline.published_shares() == {
        Band.PATHFINDER: 83,
        Band.CULTIVATOR: 10,
        Band.ACTIVATOR: 6,
    }


def test_no_text_says_a_safe_space_is_why_staff_join() -> None:
    """The review lists a safe space as something that made a difference and that leaders
    need, never as a reason staff join a network."""
    found = [
        text
        for label, text in content_texts().items()
        if not label.startswith("claims.toml") and re.search(r"reasons? (staff|people) join", text)
    ]
    assert found == []


def test_the_purpose_figure_is_not_set_against_the_reworded_purpose_item(
    content: Content,
) -> None:
    """ ">90% said their purpose was clearly defined" asks something else than op-purpose."""
    figure = next(f for f in content.baseline.figures if f.key == "purpose")
    assert figure.item is None


def test_the_optimism_finding_keeps_its_hedge() -> None:
    """The review says newer networks "may have a tendency" to optimism: every sentence about
    it keeps a "may"."""
    sentences = [
        s
        for text in content_texts().values()
        for s in re.split(r"(?<=[.!?])\s+", text)
        if "optimistic" in s
    ]
    assert sentences
    assert [s for s in sentences if not re.search(r"\bmay\b", s)] == []


def test_no_item_gives_the_63_percent_as_its_reason(content: Content) -> None:
    """The 63% (an ambiguous sentence and the review's own conclusion) stands alone."""
    assert [item.key for item in content.model.items if "63%" in item.why] == []


def test_the_sponsor_items_follow_annex_f(content: Content) -> None:
    """Pathfinder needs a sponsor or champion (not a board-level director), and the Cultivator
    attribute is a sponsor clear about their role, not a role written down."""
    model = content.model
    sponsor = model.item("op-sponsor")
    assert "sponsor or champion" in sponsor.text
    assert "executive" not in sponsor.text
    role = model.item("od-sponsor-role-written")
    assert "clear about their role" in role.text
    attribute = role.attribute
    assert attribute is not None
    assert "clear about their role" in attribute.text
    assert attribute.band == Band.CULTIVATOR
    said = [t for t in content_texts().values() if re.search(r"board-level director", t)]
    assert said == []


def test_sponsor_answers_are_asked_again_after_the_rewording(content: Content) -> None:
    """Answers from 2026.12.1 keep their items, except the three sponsor items reworded."""
    old = {"op-sponsor": 2, "od-sponsor-role-written": 2, "od-sponsor-meetings": 1, "op-roles": 4}
    assert carry_over(content.model, "2026.12.1", old) == {"op-roles": 4}
    assert content.model.changes[-1].version == content.model.version


def test_every_promise_of_confidentiality_says_its_limits_and_where_else_to_go(
    content: Content,
) -> None:
    """Wherever advice promises confidentiality it names the Freedom to Speak Up guardian,
    occupational health and a union; an item asking about it does so in its help."""
    bare = [t[:80] for t in _advice(content) if "confidential" in t.lower() and SIGNPOST not in t]
    assert bare == []
    for item in content.model.items:
        if "confidential" in item.text.lower():
            assert SIGNPOST in item.help
            assert "safeguarding" in item.help
    session = content.nudge("safe-space-sessions")
    assert session is not None
    assert all(w in session.body for w in (SIGNPOST, "occupational health", "union"))


def test_no_advice_moves_network_work_into_the_weekend(content: Content) -> None:
    """Meetings stay in paid time (Time and investment): no weekend slot is suggested."""
    assert [t[:80] for t in _advice(content) if re.search(r"weekend", t, re.I)] == []


def test_asking_hr_for_figures_warns_about_small_counts(content: Content) -> None:
    """A nudge that sends leads to HR for quarterly WRES figures warns against breakdowns that
    could identify people and gives indicator 3's two-year rolling average."""
    asks = [n for n in content.nudges if "ask HR for last quarter" in n.body]
    assert asks
    for nudge in asks:
        assert "point to individuals" in nudge.body
        assert "two-year rolling average" in nudge.body


def test_nelft_is_not_described_in_the_present_tense() -> None:
    """The case study is undated: its arrangements are reported, not stated as today's."""
    texts = content_texts().values()
    assert [t for t in texts if re.search(r"sits with the chief executive", t)] == []


def test_the_case_study_shares_are_compared_as_shares() -> None:
    """49% is EMN staff's share of CPD uptake against a 38% share of staff, not an uptake rate;
    and 18% -> 27% is the share of band 8+ posts."""
    texts = " ".join(content_texts().values())
    assert "49% of staff in its Ethnic Minority Network (EMN) access" not in texts
    assert "share of {staff_group} staff at bands 8" not in texts
    assert "posts at bands 8 and above held by staff from {staff_group} groups" in texts


def test_credits_spell_the_co_author_one_way_and_never_italicise_the_organisation() -> None:
    """ "Greenidge" (the seed also prints "Greendidge"; content/README.md says which and why),
    and The Power of Staff Networks is an organisation, never set as a title."""
    texts = content_texts().values()
    assert [t[:80] for t in texts if "Greendidge" in t] == []
    assert [t[:80] for t in texts if "<i>The Power of Staff Networks" in t] == []


def test_craft_is_credited_not_called_the_reviews(content: Content) -> None:
    """CRAFT is © Inko-Tariah 2016, identified by the review: never "the review's CRAFT", and
    /start credits it where it promises a CRAFT profile."""
    assert [t[:80] for t in content_texts().values() if "review's CRAFT" in t] == []
    assert [t[:80] for t in content_texts().values() if "review's five CRAFT" in t] == []
    assert "CRAFT enablers (© Inko-Tariah 2016)" in content.strings.templates["start.private"]


def test_the_review_title_is_not_rewritten_by_the_staff_group_setting() -> None:
    """Source labels for the review keep its title ("BME"), whatever the staff-group setting."""
    with (DATA_DIR / "nudges.toml").open("rb") as handle:
        sources = tomllib.load(handle)["sources"]
    labels = [s["label"] for s in sources if s["document"].startswith("000_")]
    assert labels
    assert [label for label in labels if "review of BME staff networks" not in label] == []


def test_terms_are_spelt_out_and_consistent(content: Content) -> None:
    """AGM and LGBT+ are spelt out where used, CPD is always "continuous" professional
    development, and BME is spelt out in /about and the glossary."""
    texts = list(content_texts().values())
    assert [t[:80] for t in texts if "AGM" in t and "annual general meeting (AGM)" not in t] == []
    assert [t[:80] for t in texts if "LGBT+" in t and "LGBT+ (lesbian, gay" not in t] == []
    assert [t[:80] for t in texts if "continuing professional" in t] == []
    for key in ("about.text", "glossary.text"):
        assert "BME (black and minority ethnic)" in content.strings.templates[key]


def test_each_sentence_says_this_projects_calibration_once() -> None:
    """No sentence repeats "this project's calibration"."""
    repeated = [
        s
        for text in content_texts().values()
        for s in re.split(r"(?<=[.!?:])\s+", text)
        if s.count("this project's calibration") > 1
    ]
    assert repeated == []


def test_the_letter_to_all_managers_is_not_repeated_everywhere() -> None:
    """The chief executive's letter to all managers is one idea, not five near-copies."""
    found = [label for label, t in content_texts().items() if "to all managers" in t]
    assert len(found) <= 2, found


def test_the_region_figure_says_median_as_the_code_computes() -> None:
    """The weakest enabler is the one with the lowest median, so no text says "on average"."""
    texts = [t for t in content_texts().values() if "lowest" in t and "on average" in t]
    assert texts == []
