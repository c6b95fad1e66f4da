"""Typed reads from parsed TOML tables, raising ContentError that names file and entry."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from content.errors import ContentError

TELEGRAM_TEXT_LIMIT = 4096


@dataclass(frozen=True)
class Entry:
    """One table of a content file, with where it came from for error messages."""

    file: str
    label: str
    data: dict[str, Any]

    def fail(self, problem: str) -> ContentError:
        return ContentError(self.file, self.label, problem)

    def text(self, name: str, *, limit: int = TELEGRAM_TEXT_LIMIT, optional: bool = False) -> str:
        value = self.data.get(name)
        if value is None and optional:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"'{name}' must be a non-empty string")
        if len(value) > limit:
            raise self.fail(f"'{name}' is {len(value)} characters, over the limit of {limit}")
        return value.strip()

    def integer(self, name: str) -> int:
        value = self.data.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(f"'{name}' must be an integer")
        return value

    def number(self, name: str) -> float:
        value = self.data.get(name)
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise self.fail(f"'{name}' must be a number")
        return float(value)

    def flag(self, name: str) -> bool:
        value = self.data.get(name, False)
        if not isinstance(value, bool):
            raise self.fail(f"'{name}' must be true or false")
        return value

    def texts(self, name: str, *, limit: int = TELEGRAM_TEXT_LIMIT) -> tuple[str, ...]:
        value = self.data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(f"'{name}' must be a list of non-empty strings")
        for text in value:
            if len(text) > limit:
                raise self.fail(f"an entry of '{name}' is over the limit of {limit} characters")
        return tuple(text.strip() for text in value)

    def table(self, name: str) -> Entry:
        value = self.data.get(name)
        if not isinstance(value, dict):
            raise self.fail(f"'{name}' must be a table")
        return Entry(self.file, f"{self.label}.{name}", value)

    def entries(self, name: str) -> Iterator[Entry]:
        """The tables of an array of tables, labelled by their `key` (or name) and position."""
        value = self.data.get(name)
        if not isinstance(value, list) or not value:
            raise self.fail(f"'{name}' must be a non-empty array of tables")
        for position, row in enumerate(value, start=1):
            if not isinstance(row, dict):
                raise self.fail(f"{name} #{position} must be a table")
            ident = row.get("key") or row.get("name") or ""
            yield Entry(self.file, f"{name} #{position} {ident!r}".rstrip(), row)


def unique(entries: list[Entry], name: str) -> None:
    """Fail on the first entry whose `name` field repeats an earlier entry's."""
    seen: set[object] = set()
    for entry in entries:
        value = entry.data.get(name)
        if value in seen:
            raise entry.fail(f"duplicate {name} {value!r}")
        seen.add(value)
