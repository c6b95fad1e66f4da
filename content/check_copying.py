"""Maintainer's check that no content text copies a run of words from the source documents.

    python -m content.check_copying PATH/TO/000_4d947666a28ad36d.txt PATH/TO/003_...txt

Every text in content/data (except the organisation directory and region lists, whose names are
facts to be copied exactly) is compared with the sources: any run of RUN_LENGTH words that
appears in both is reported with the file and key it is in. Facts and figures may come from the
sources; sentences must be our own. The tests run the same logic on a small fixture
(tests/content/test_check_copying.py); no test reads the sources.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from content.loader import DATA_DIR

RUN_LENGTH = 8
# Lists of names copied on purpose (organisations and regions as the review and NHS England spell
# them), and the settings file.
SKIPPED_FILES = frozenset({"organisations.toml", "regions.toml", "terms.toml"})
# Texts that quote an official definition word for word on purpose (the WRES indicators).
QUOTED = re.compile(r"^wres\.toml: indicators\[\d+\]\.wording$")
WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def words(text: str) -> list[str]:
    """Lower-case words, with punctuation, markup and line breaks ignored."""
    return WORD.findall(re.sub(r"<[^>]+>", " ", text.lower()))


def runs(text: str, length: int) -> set[tuple[str, ...]]:
    """Every run of `length` consecutive words in the text."""
    found = words(text)
    return {tuple(found[i : i + length]) for i in range(len(found) - length + 1)}


def shared_runs(text: str, other: str, length: int) -> set[tuple[str, ...]]:
    """The runs of `length` words that appear in both texts."""
    return runs(text, length) & runs(other, length)


def copied(
    texts: Mapping[str, str], sources: Sequence[str], length: int = RUN_LENGTH
) -> list[tuple[str, str]]:
    """(label, run) for every run of `length` words a labelled text shares with any source."""
    source_runs: set[tuple[str, ...]] = set()
    for source in sources:
        source_runs |= runs(source, length)
    problems = []
    for label, text in texts.items():
        for run in sorted(runs(text, length) & source_runs):
            problems.append((label, " ".join(run)))
    return problems


def content_texts(directory: Path = DATA_DIR) -> dict[str, str]:
    """Every string in the content files, labelled "file: dotted.key"."""
    texts: dict[str, str] = {}
    # Every content file, and each feature's own strings file (strings/<feature>.toml).
    paths = sorted(directory.glob("*.toml")) + sorted(directory.glob("strings/*.toml"))
    for path in paths:
        if path.name in SKIPPED_FILES:
            continue
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        name = path.relative_to(directory).as_posix()
        for key, text in _strings(data, ""):
            label = f"{name}: {key}"
            if not QUOTED.match(label):
                texts[label] = text
    return texts


def _strings(value: Any, prefix: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield prefix, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{prefix}[{index}]")
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _strings(item, f"{prefix}.{name}" if prefix else name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Report runs of words that content texts copy from the source documents."
    )
    parser.add_argument("sources", nargs="+", type=Path, help="the seed documents (plain text)")
    parser.add_argument("--length", type=int, default=RUN_LENGTH, help="words in a run")
    args = parser.parse_args(argv)
    sources = [path.read_text(encoding="utf-8") for path in args.sources]
    problems = copied(content_texts(), sources, args.length)
    for label, run in problems:
        print(f"{label}: “{run}”")
    print(f"{len(problems)} copied run(s) of {args.length} words")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
