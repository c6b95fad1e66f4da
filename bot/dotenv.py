"""Settings from a `.env` file: read inside main(), never overriding the real environment.

The file holds `KEY=VALUE` lines (an `export ` prefix is allowed), blank lines and `#` comments.
A value may be wrapped in single or double quotes, which are removed (and then kept as written:
no escapes, no `$VARIABLE` expansion); an unquoted value ends at ` #`, where a comment starts.
A variable already set in the environment always wins over the file.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from pathlib import Path

# The file the bot reads from the current folder; BOT_ENV_FILE names another, or none if empty.
DEFAULT_FILE = ".env"
FILE_VARIABLE = "BOT_ENV_FILE"

LINE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


class DotenvError(Exception):
    """The file cannot be read or has a line that is not KEY=VALUE."""


def parse(text: str) -> dict[str, str]:
    """The variables a `.env` text sets; DotenvError names the first malformed line.

    The message never repeats the line itself, which may hold a secret.
    """
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = LINE.match(line)
        if match is None:
            raise DotenvError(f"line {number} is not NAME=VALUE")
        name, value = match.group(1), match.group(2).strip()
        if value[:1] in ("'", '"'):
            quote = value[0]
            end = value.find(quote, 1)
            rest = value[end + 1 :].strip() if end > 0 else ""
            if end < 0 or (rest and not rest.startswith("#")):
                raise DotenvError(f"line {number} has an unclosed or misplaced quote")
            value = value[1:end]
        else:
            value = re.split(r"\s#", value, maxsplit=1)[0].strip()
        values[name] = value
    return values


def load(path: Path, environ: MutableMapping[str, str]) -> list[str]:
    """Set each variable `path` defines that `environ` lacks; the names set, in file order.

    A missing file sets nothing.
    """
    if not path.is_file():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DotenvError(f"cannot read it: {error}") from None
    added = []
    for name, value in parse(text).items():
        if name not in environ:
            environ[name] = value
            added.append(name)
    return added


def env_file(environ: MutableMapping[str, str]) -> Path | None:
    """The file to load: BOT_ENV_FILE if set (none when empty), else `.env` here."""
    name = environ.get(FILE_VARIABLE, DEFAULT_FILE).strip()
    return Path(name) if name else None
