"""Content rules from issue 11 that can be checked mechanically."""

from __future__ import annotations

import inspect
import re
import shutil
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from bot import charts
from content import Content, load_content
from content.check_copying import content_texts, shared_runs
from content.loader import DATA_DIR
from scoring.baseline import Baseline

TIP_RUN = 6
MAX_PER_THEME = 3
MIN_PER_ENABLER = 10

SUPERLATIVE = re.compile(
    r"\b(weakest|strongest|lowest|highest|greatest|biggest|best|worst|the most|most mature)\b"
    r"|(?<!at )\bleast\b|\bfirst (on|among)\b"
    # What the review, its focus groups or the case study found, said, heard or listed ...
    r"|\b(review|focus groups?|case study|NELFT)('s)? (found|finds|noted|notes|noticed|said|says"
    r"|heard|hears|lists|listed|names|named|treats|calls|describes|identified|recommended"
    r"|reports|reported|concluded|pointed out|looks for)\b"
    # ... and who said it in the review, or what it holds.
    r"|\btold the (2017 )?review\b|\bin the (2017 )?(national )?review\b(?! of)"
    r"|\b(identified|listed|named) (in|by) (the|that) (2017 )?review\b"
    r"|\breview's (\w+ recommendation|introduction|focus groups|Annex F|section)\b",
    re.IGNORECASE,
)
CLAIM_FILES = (
    "craft.toml",
    "model.toml",
    "nudges.toml",
    "baseline.toml",
    "strings.toml",
    "pulse.toml",
    "strings/",
)

ACRONYMS = {
    "EMN": "Ethnic Minority Network (EMN)",
    "CPD": "continuous professional development (CPD)",
    "WRES": "Workforce Race Equality Standard (WRES)",
}
SMART = "specific, measurable, achievable, realistic and time-bound"
# Strings a user meets first, where an acronym must be spelt out.
FIRST_STRINGS = (
    "help.private",
    "about.text",
    "privacy.text",
    "wres.title",
    "wres.no_network",
    "wres.reminder",
    "compare.wres_title",
    "report.wres_title",
)


def _tips(content: Content) -> list[str]:
    model = content.model
    return [t.text for e in model.enablers for t in e.tips] + [i.next_step for i in model.items]


def _texts(content: Content) -> list[str]:
    """Every unit of advice or explanation that is shown on its own."""
    model = content.model
    texts = [item.text for item in model.items] + _tips(content)
    texts += [e.description for e in model.enablers] + [a.text for a in model.attributes]
    texts += [f"{n.title}\n{n.body}" for n in content.nudges]
    return texts + [content.strings.templates[key] for key in FIRST_STRINGS]


def test_at_least_ten_nudges_per_enabler(content: Content) -> None:
    """Every CRAFT enabler has at least ten nudges."""
    per_enabler = Counter(nudge.enabler for nudge in content.nudges)
    assert {k: n for k, n in per_enabler.items() if n < MIN_PER_ENABLER} == {}
    assert set(per_enabler) == set("CRAFT")


def test_no_nudge_theme_more_than_three_times(content: Content) -> None:
    """No theme (such as access to training) takes more than three nudges."""
    per_theme = Counter(nudge.theme for nudge in content.nudges)
    assert {t: n for t, n in per_theme.items() if n > MAX_PER_THEME} == {}


def test_no_nudge_shares_a_six_word_run_with_a_tip(content: Content) -> None:
    """Nudges are not tips or next steps told again almost word for word."""
    tips = _tips(content)
    shared = [
        (nudge.key, " ".join(run))
        for nudge in content.nudges
        for tip in tips
        for run in shared_runs(nudge.body, tip, TIP_RUN)
    ]
    assert shared == []


def test_each_enablers_tips_have_different_themes(content: Content) -> None:
    """An enabler's own tips never repeat a theme, so a fallback tip is never a repeat."""
    repeated = [
        e.key for e in content.model.enablers if len({t.theme for t in e.tips}) != len(e.tips)
    ]
    assert repeated == []


def test_baseline_figures_compare_with_items_only(content: Content) -> None:
    """A 2017 figure is set against one item or none, never a section or an enabler."""
    model = content.model
    targets = [figure.item for figure in content.baseline.figures if figure.item is not None]
    assert [t for t in targets if not model.has_item(t)] == []


def test_the_sponsor_expectations_figure_stands_alone(content: Content) -> None:
    """The 63% (leads' expectations of sponsors) is compared with no item: none asks it."""
    figure = next(f for f in content.baseline.figures if f.percent == 63)
    assert figure.item is None


def test_result_chart_takes_no_2017_figure() -> None:
    """The section and enabler chart cannot draw a 2017 line: it is not given the baseline."""
    parameters = inspect.signature(charts.result_chart).parameters.values()
    assert [p.name for p in parameters if "Baseline" in str(p.annotation)] == []
    assert Baseline.__name__ not in inspect.getsource(charts.result_chart)


def test_no_string_sets_a_2017_figure_against_a_section_or_enabler(content: Content) -> None:
    """No message fills in a 2017 figure next to section or enabler wording."""
    figure_fields = {"{mean}", "{baseline}", "{pathfinder}", "{share}"}
    mixed = [
        key
        for key, template in content.strings.templates.items()
        if any(f in template for f in figure_fields)
        and re.search(r"section|enabler|CRAFT", template, re.IGNORECASE)
    ]
    assert mixed == []


def test_every_2017_comparison_carries_the_caveat(content: Content) -> None:
    """The caveat names the original instrument."""
    assert "original questionnaire" in content.strings.templates["compare.baseline_caveat"]


def _claims() -> list[dict[str, str]]:
    with (DATA_DIR / "claims.toml").open("rb") as handle:
        claims: list[dict[str, str]] = tomllib.load(handle)["claims"]
    return claims


def _claim_sentences() -> list[tuple[str, str]]:
    found = []
    for label, text in content_texts().items():
        if not label.startswith(CLAIM_FILES) or "sources[" in label:
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if SUPERLATIVE.search(sentence):
                found.append((label, sentence))
    return found


def test_every_superlative_has_a_source_note() -> None:
    """Each superlative or "the review found" sentence is covered by a note in claims.toml."""
    quotes = [claim["quote"] for claim in _claims()]
    bare = [(label, s) for label, s in _claim_sentences() if not any(q in s for q in quotes)]
    assert bare == []


def test_every_source_note_is_used_and_names_its_source() -> None:
    """No note in claims.toml is stale, and each says where its claim comes from."""
    sentences = [sentence for _, sentence in _claim_sentences()]
    claims = _claims()
    assert [c["quote"] for c in claims if not any(c["quote"] in s for s in sentences)] == []
    assert [c["quote"] for c in claims if not c.get("source", "").strip()] == []


def test_superlative_pattern_finds_an_overstatement() -> None:
    """The check would have caught the old wording about succession."""
    assert SUPERLATIVE.search("Succession was the weakest area of all in the review.")
    assert not SUPERLATIVE.search("Meet at least four times a year.")


@pytest.mark.parametrize(
    "sentence",
    [
        "The review heard that a safe space is one of the main reasons staff join a network.",
        "In the review, networks that did well had a strong relationship with HR.",
        "The review lists working to a plan as a Pathfinder attribute.",
        "The review names frugal innovation as one of the CRAFT enablers.",
        "The review treats a clear purpose as a Pathfinder foundation.",
        "Leads in the 2017 review said frequent changes of HR manager slowed things down.",
        "The review's fifth recommendation asks senior leaders to back the network.",
        "NELFT reports that 49% of staff access training.",
        "The case study found no systematic record.",
    ],
)
def test_claim_pattern_finds_what_the_review_said(sentence: str) -> None:
    """Every "the review heard / in the review / the review lists" sentence needs a note."""
    assert SUPERLATIVE.search(sentence)


@pytest.mark.parametrize("acronym", sorted(ACRONYMS))
def test_acronyms_are_spelt_out_where_first_used(content: Content, acronym: str) -> None:
    """EMN, CPD and WRES are spelt out at their first use in each text shown on its own."""
    expansion = ACRONYMS[acronym]
    bare = []
    for text in _texts(content):
        first = re.search(rf"\b{acronym}\b", text)
        if first is None:
            continue
        spelt = text.find(expansion)
        if spelt < 0 or spelt + len(expansion) - len(acronym) - 1 > first.start():
            bare.append(text[:80])
    assert bare == []


def test_smart_has_one_meaning_and_is_spelt_out(content: Content) -> None:
    """Every text using SMART spells it out the same way ("realistic", never "relevant")."""
    texts = [t for t in _texts(content) if re.search(r"\bSMART\b", t)]
    assert texts
    assert [t[:80] for t in texts if SMART not in t] == []
    assert [t for t in content_texts().values() if "relevant and time-bound" in t] == []


def test_staff_group_name_is_never_preceded_by_an_article() -> None:
    """Content never writes "a {staff_group}", which would read "a ethnic minority"."""
    assert [t for t in content_texts().values() if re.search(r"\ban? \{staff_group\}", t)] == []


def test_changing_the_staff_group_name_changes_every_text(tmp_path: Path) -> None:
    """With staff_group set to "global majority", no text says BME except the review's title and
    where the term is spelt out."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "terms.toml").write_text('staff_group = "global majority"\n')
    changed = load_content(data)
    model = changed.model
    texts = [i.text for i in model.items] + _tips(changed) + [a.text for a in model.attributes]
    texts += [e.description for e in model.enablers]
    texts += [f"{n.title} {n.body}" for n in changed.nudges]
    texts += list(changed.strings.templates.values())
    title = re.compile(r"[Rr]eview of BME staff networks|BME \(black and minority ethnic\)")
    assert [t[:80] for t in texts if re.search(r"\bBME\b", title.sub("", t))] == []
    assert "global majority staff networks" in changed.strings.templates["start.private"]
