"""Content files: complete, consistent, within Telegram's limits, and validated at load."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from content import Content, ContentError, load_content
from content.loader import DATA_DIR
from scoring import Band

TELEGRAM_LIMIT = 4096


def _all_texts(content: Content) -> list[str]:
    model = content.model
    texts = [item.text for item in model.items] + [item.next_step for item in model.items]
    for enabler in model.enablers:
        texts += [enabler.name, enabler.description, *(tip.text for tip in enabler.tips)]
    for nudge in content.nudges:
        texts += [nudge.title, nudge.body]
    return texts


def test_every_text_is_non_empty_and_under_the_telegram_limit(content: Content) -> None:
    """Items, next steps, tips and nudges are non-empty and fit in one message."""
    texts = _all_texts(content)
    assert [t for t in texts if not t.strip() or len(t) > TELEGRAM_LIMIT] == []


def test_items_next_steps_tips_and_nudges_are_unique(content: Content) -> None:
    """No item, next step, tip or nudge repeats another."""
    repeated = [text for text, count in Counter(_all_texts(content)).items() if count > 1]
    assert repeated == []


def test_model_has_50_items_in_three_sections(content: Content) -> None:
    """The model asks 50 items (48 once two-part items were split) across the three
    sections, in the seed's order."""
    model = content.model
    assert len(model.items) == 50
    assert [s.title for s in model.sections] == [
        "Operating environment",
        "Organisational dynamics",
        "Influence and impact",
    ]


def test_every_annex_f_attribute_is_covered(content: Content) -> None:
    """Annex F lists 8 Pathfinder, 10 Cultivator and 9 Activator attributes; each has an item."""
    model = content.model
    per_band = Counter(attribute.band for attribute in model.attributes)
    assert per_band == {Band.PATHFINDER: 8, Band.CULTIVATOR: 10, Band.ACTIVATOR: 9}
    uncovered = [a.key for a in model.attributes if not any(i.attribute == a for i in model.items)]
    assert uncovered == []


def test_every_item_is_tagged(content: Content) -> None:
    """Each item has a section, a CRAFT enabler, a scale and a next step."""
    model = content.model
    sections = {s.key for s in model.sections}
    assert all(i.section in sections and i.enabler in "CRAFT" for i in model.items)
    assert all(i.next_step and i.scale.options for i in model.items)


def test_band_thresholds_are_the_models(content: Content) -> None:
    """Pathfinder is below 125, Cultivator 125 to 150, Activator 151 to 178."""
    bounds = [(rule.band, rule.minimum, rule.maximum) for rule in content.model.bands]
    assert bounds == [
        (Band.PATHFINDER, 0, 124),
        (Band.CULTIVATOR, 125, 150),
        (Band.ACTIVATOR, 151, 178),
    ]


def test_each_enabler_has_a_description_and_at_least_four_tips(content: Content) -> None:
    """All five CRAFT enablers are described and carry four or more tips."""
    enablers = content.model.enablers
    assert [e.key for e in enablers] == ["C", "R", "A", "F", "T"]
    assert all(e.description and len(e.tips) >= 4 for e in enablers)


def test_nudge_library_has_at_least_36_entries_covering_every_enabler(content: Content) -> None:
    """The good-practice library holds 36 or more nudges, each enabler represented."""
    per_enabler = Counter(nudge.enabler for nudge in content.nudges)
    assert len(content.nudges) >= 36
    assert set(per_enabler) == set("CRAFT")


def test_every_nudge_names_a_seed_source(content: Content) -> None:
    """Each nudge's source names one of the two seed documents and the part it draws on."""
    documents = {"000_4d947666a28ad36d.txt", "003_872c2c87a15c26e4.txt"}
    assert all(n.source.document in documents and n.source.part for n in content.nudges)


def test_baseline_holds_the_2017_figures(content: Content) -> None:
    """The national baseline is 48 networks, mean 105 of 178, 40/5/3 across the bands."""
    baseline = content.baseline
    assert (baseline.networks_assessed, baseline.mean_total, baseline.max_total) == (48, 105, 178)
    assert dict(baseline.band_counts) == {
        Band.PATHFINDER: 40,
        Band.CULTIVATOR: 5,
        Band.ACTIVATOR: 3,
    }
    figures = {f.key: f.percent for f in baseline.figures}
    assert figures["sponsor"] == 74
    assert figures["executive-support"] == 11


def test_regions_are_the_seven_nhs_england_regions(content: Content) -> None:
    """The region list is exactly the seven NHS England regions."""
    names = [region.name for region in content.directory.regions]
    assert sorted(names) == sorted(
        [
            "North East and Yorkshire",
            "North West",
            "Midlands",
            "East of England",
            "London",
            "South East",
            "South West",
        ]
    )


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("london", "london"),
        ("North East & Yorkshire", "north-east-and-yorkshire"),
        ("  SOUTH-WEST ", "south-west"),
        ("Yorkshire and the Humber", "north-east-and-yorkshire"),
        ("east", "east-of-england"),
    ],
)
def test_region_names_match_forgivingly(content: Content, typed: str, key: str) -> None:
    """Region names match whatever the case, '&' or spacing."""
    region = content.directory.match_region(typed)
    assert region is not None
    assert region.key == key


def test_unknown_region_matches_nothing(content: Content) -> None:
    """A name that is no region gives no match."""
    assert content.directory.match_region("Atlantis") is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("qwertyuiop", None),
        ("north east london", "North East London NHS Foundation Trust"),
        ("Barts", "Barts Health NHS Trust"),
        ("kings college hospital", "King's College Hospital NHS Foundation Trust"),
        ("alder hey", "Alder Hey Children's NHS Foundation Trust"),
    ],
)
def test_organisation_matching_is_fuzzy(content: Content, typed: str, expected: str | None) -> None:
    """What a user types finds the directory entry they mean among the top matches."""
    names = [org.name for org in content.directory.match_organisations(typed)]
    if expected is None:
        assert names == []
    else:
        assert expected in names


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def test_broken_file_names_file_and_entry(tmp_path: Path) -> None:
    """An item with an unknown enabler stops loading, naming the file and the item."""
    data = _copy_data(tmp_path)
    model = data / "model.toml"
    model.write_text(model.read_text().replace('enabler = "T"', 'enabler = "X"', 1))
    with pytest.raises(ContentError) as caught:
        load_content(data)
    assert caught.value.file == "model.toml"
    assert "op-protected-time" in caught.value.entry
    assert "enabler" in caught.value.problem


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    """A file that is not valid TOML is reported by name."""
    data = _copy_data(tmp_path)
    (data / "nudges.toml").write_text("[[nudges]\nkey = ")
    with pytest.raises(ContentError, match=r"nudges\.toml"):
        load_content(data)


def test_maxima_not_adding_up_stops_loading(tmp_path: Path) -> None:
    """Changing one option's points so the maxima no longer add to 178 is refused."""
    data = _copy_data(tmp_path)
    model = data / "model.toml"
    text = model.read_text().replace("points = 2, demonstrates", "points = 3, demonstrates")
    model.write_text(text)
    with pytest.raises(ContentError, match="add up to"):
        load_content(data)


def test_uncovered_attribute_stops_loading(tmp_path: Path) -> None:
    """An Annex F attribute no item evidences is refused."""
    data = _copy_data(tmp_path)
    model = data / "model.toml"
    model.write_text(model.read_text().replace('attribute = "induction"\n', ""))
    with pytest.raises(ContentError, match="'induction' is not evidenced"):
        load_content(data)


def test_missing_file_is_named(tmp_path: Path) -> None:
    """A missing content file is reported by name."""
    data = _copy_data(tmp_path)
    (data / "craft.toml").unlink()
    with pytest.raises(ContentError, match=r"craft\.toml"):
        load_content(data)


def test_a_feature_adds_its_strings_in_its_own_file(tmp_path: Path) -> None:
    """strings/<feature>.toml adds keys beside strings.toml; a key already defined is refused."""
    data = _copy_data(tmp_path)
    (data / "strings").mkdir(exist_ok=True)
    (data / "strings" / "example.toml").write_text('[example]\ngreeting = "Hello {name}"\n')
    assert load_content(data).strings("example.greeting", name="<Ada>") == "Hello &lt;Ada&gt;"
    (data / "strings" / "clash.toml").write_text('[example]\ngreeting = "Hi"\n')
    with pytest.raises(ContentError, match="another strings file"):
        load_content(data)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (  # a successor the directory does not list
            '"Manchester University NHS Foundation Trust"]\nnote = "Split',
            '"Nowhere NHS Trust"]\nnote = "Split',
            "successors",
        ),
        (  # a split name that is also an organisation's alias
            'name = "Pennine Acute Hospitals NHS Trust"\nsuccessors',
            'name = "Salford Royal NHS Foundation Trust"\nsuccessors',
            "alias",
        ),
    ],
)
def test_a_split_must_name_listed_successors_and_no_alias(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    """A split organisation's successors must be in the directory, and its name must not
    also find one organisation by itself."""
    data = _copy_data(tmp_path)
    directory = data / "organisations.toml"
    text = directory.read_text()
    assert old in text
    directory.write_text(text.replace(old, new))
    with pytest.raises(ContentError) as caught:
        load_content(data)
    assert caught.value.file == "organisations.toml"
    assert problem in caught.value.problem
