"""User-facing strings, kept as data with stable keys and rendered with escaped values."""

from __future__ import annotations

import html
import string
from collections.abc import Mapping
from dataclasses import dataclass


class Safe(str):
    """Text that is already valid Telegram HTML and must not be escaped again."""

    __slots__ = ()


def escape(value: object) -> Safe:
    """Escape any value for Telegram's HTML parse mode (Safe values pass through)."""
    if isinstance(value, Safe):
        return value
    return Safe(html.escape(str(value), quote=False))


def fields(template: str) -> frozenset[str]:
    """The placeholder names a template uses."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


@dataclass(frozen=True)
class Strings:
    templates: Mapping[str, str]

    def __call__(self, key: str, /, **values: object) -> Safe:
        """Render the template `key`, escaping every value that is not already Safe."""
        template = self.templates[key]
        return Safe(template.format(**{name: escape(value) for name, value in values.items()}))
