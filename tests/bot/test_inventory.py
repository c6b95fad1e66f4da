"""The data inventory of docs/data-protection.md: generated from the schema (the migrations in
a database in memory), complete, and what the document holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import inventory
from bot.inventory import BEGIN, END, markdown, problems, schema

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "data-protection.md"


def test_every_table_and_column_has_an_entry() -> None:
    """Every column the migrations create is described, and nothing described is missing."""
    assert problems(schema()) == []


def test_a_column_without_an_entry_is_caught() -> None:
    """A migration that adds a column (or table) without an entry fails the check above."""
    tables = schema()
    tables["users"] = [*tables["users"], "nickname"]
    tables["shiny"] = ["id"]
    assert problems(tables) == [
        "column users.nickname has no entry in bot/inventory.py",
        "table shiny has no entry in bot/inventory.py",
    ]


def test_the_document_holds_the_current_inventory() -> None:
    """docs/data-protection.md holds exactly what `python -m bot.inventory` prints."""
    text = DOCUMENT.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    assert text[start:end] == markdown(schema()), "run python -m bot.inventory and paste it"


def test_the_command_prints_the_inventory(capsys: pytest.CaptureFixture[str]) -> None:
    assert inventory.main() == 0
    out = capsys.readouterr().out
    assert out.startswith(BEGIN)
    assert "| `last_seen` |" in out
