"""The maintainer's copying check (python -m content.check_copying), on a small fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from content import check_copying

SOURCE = "Staff networks can be a ready-made source of ambassadors for change in the organisation."


def test_a_copied_run_of_eight_words_is_reported() -> None:
    """Eight words in a row from a source are reported with the text's label."""
    texts = {"nudges.toml: body": "Networks can be a ready-made source of ambassadors for change."}
    problems = check_copying.copied(texts, [SOURCE])
    assert {label for label, _ in problems} == {"nudges.toml: body"}
    assert "a ready made source of ambassadors for change" in {run for _, run in problems}


def test_seven_words_in_common_are_not_reported() -> None:
    """A shared run shorter than eight words is allowed (names, set phrases)."""
    texts = {"x": "They said networks can be a ready-made source, and then stopped."}
    assert check_copying.copied(texts, [SOURCE]) == []


def test_case_punctuation_and_markup_do_not_hide_a_copy() -> None:
    """Capitals, punctuation and HTML tags are ignored when comparing words."""
    texts = {"x": "<b>STAFF NETWORKS</b> can be a ready–made source of ambassadors!"}
    assert check_copying.copied(texts, [SOURCE]) != []


def test_shared_runs_finds_six_word_overlaps() -> None:
    """shared_runs (used for nudges against tips) reports runs common to two texts."""
    runs = check_copying.shared_runs("ask your sponsor to agree protected time", SOURCE, 6)
    assert runs == set()
    assert check_copying.shared_runs("a b c d e f g", "x a b c d e f", 6) == {
        ("a", "b", "c", "d", "e", "f")
    }


def test_command_exits_1_and_names_the_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command prints each copied run and exits 1 when there is one."""
    source = tmp_path / "seed.txt"
    source.write_text(SOURCE)
    monkeypatch.setattr(
        check_copying,
        "content_texts",
        lambda: {"craft.toml: tip": "Staff networks can be a ready-made source of ambassadors."},
    )
    assert check_copying.main([str(source)]) == 1
    assert "craft.toml: tip" in capsys.readouterr().out


def test_command_exits_0_when_nothing_is_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No copied run: exit 0."""
    source = tmp_path / "seed.txt"
    source.write_text(SOURCE)
    monkeypatch.setattr(check_copying, "content_texts", lambda: {"x": "Our own words here."})
    assert check_copying.main([str(source)]) == 0


def test_every_content_file_is_read() -> None:
    """The check reads the real content files (not the sources), labelled by file and key."""
    labels = check_copying.content_texts()
    assert any(label.startswith("nudges.toml: nudges[") for label in labels)
    assert not any(label.startswith("organisations.toml") for label in labels)
