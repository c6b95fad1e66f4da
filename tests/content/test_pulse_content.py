"""The member pulse's statements (content/data/pulse.toml): tied to the model, with sources."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from content import Content, ContentError, load_content
from content.loader import DATA_DIR
from scoring import pulse as rules
from scoring.model import ENABLER_KEYS


def test_eight_to_ten_statements_each_tied_to_the_model(content: Content) -> None:
    """Every statement names a section, an enabler and lead items that exist, and a source."""
    statements = content.pulse.statements
    assert 8 <= len(statements) <= 10
    sections = {section.key for section in content.model.sections}
    for statement in statements:
        assert statement.section in sections
        assert statement.enabler in ENABLER_KEYS
        assert statement.mirrors
        for key in statement.mirrors:
            assert content.model.has_item(key), f"{statement.key} mirrors unknown {key}"
        assert statement.source.document.startswith("000_")


def test_statements_cover_the_themes_the_issue_names(content: Content) -> None:
    """Purpose and involvement, voice, safe space, development and role models, the
    organisation's support and time to take part are all asked about."""
    keys = {statement.key for statement in content.pulse.statements}
    assert {"purpose", "involvement", "voice", "safe-space", "development", "role-models"} <= keys
    assert {"taken-seriously", "time"} <= keys


def test_scale_has_prefer_not_to_say_first(content: Content) -> None:
    assert len(content.pulse.options) == rules.OPTIONS
    assert content.pulse.options[rules.PREFER_NOT] == "Prefer not to say"


def test_every_label_fits_a_button(content: Content) -> None:
    """A plan button's label ("📋 Plan: ...") stays readable; every statement is short."""
    for statement in content.pulse.statements:
        assert len(statement.text) <= 160
        assert len(content.strings("pulse.plan_button", short=statement.short)) <= 100


def test_an_unknown_mirror_key_stops_loading(tmp_path: Path) -> None:
    """A statement mirroring an item the model does not have is refused, naming it."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    pulse = data / "pulse.toml"
    pulse.write_text(pulse.read_text().replace('mirrors = ["op-purpose"]', 'mirrors = ["op-x"]'))
    with pytest.raises(ContentError) as caught:
        load_content(data)
    assert caught.value.file == "pulse.toml"
    assert "op-x" in caught.value.problem


def test_a_string_already_in_strings_toml_is_refused(tmp_path: Path) -> None:
    """strings/pulse.toml may not redefine a string strings.toml has."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    pulse = data / "strings" / "pulse.toml"
    pulse.write_text(pulse.read_text().replace("[commands]\n", '[commands]\nassess = "x"\n'))
    with pytest.raises(ContentError, match=r"commands\.assess"):
        load_content(data)
