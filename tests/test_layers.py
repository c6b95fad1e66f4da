"""The import direction between the packages holds.

- `scoring/` and `content/` are pure: they import none of `bot/`, `handlers/` or `telegram`.
- `bot/` is infrastructure: only the composition root (`bot/app.py`) and the entry point
  (`bot/__main__.py`) import `handlers/`.
- Feature modules in `handlers/` do not import each other; they share only the helpers below.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Helpers every feature may use: no feature's behaviour lives in them.
SHARED_HELPERS = {"common", "callbacks", "render", "readings", "questions", "errors", "menu"}
# A feature may span modules; these import each other freely.
FEATURES = {
    "assessment": {"assessment", "registration", "coleads"},
    "report": {"report", "board"},
    "national": {"national", "national_doc"},
}
COMPOSITION = {"bot.app", "bot.__main__"}


def _modules(package: str) -> list[tuple[str, Path]]:
    return [
        (f"{package}.{path.stem}" if path.stem != "__init__" else package, path)
        for path in sorted((ROOT / package).glob("*.py"))
    ]


def _imports(path: Path) -> set[str]:
    """Every module this file imports, at any depth (`from a import b` counts a and a.b)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _top(name: str) -> str:
    return name.split(".")[0]


def _feature(module: str) -> str:
    name = module.split(".")[1]
    return next((key for key, members in FEATURES.items() if name in members), name)


@pytest.mark.parametrize(("module", "path"), _modules("scoring") + _modules("content"))
def test_pure_packages_import_no_bot_handlers_or_telegram(module: str, path: Path) -> None:
    """scoring/ and content/ import none of bot/, handlers/ or telegram."""
    bad = sorted(name for name in _imports(path) if _top(name) in {"bot", "handlers", "telegram"})
    assert bad == [], f"{module} imports {bad}"


@pytest.mark.parametrize(("module", "path"), _modules("bot"))
def test_infrastructure_does_not_import_handlers(module: str, path: Path) -> None:
    """Only the composition root and the entry point import handlers/."""
    if module in COMPOSITION:
        return
    bad = sorted(name for name in _imports(path) if _top(name) == "handlers")
    assert bad == [], f"{module} imports {bad}"


@pytest.mark.parametrize(("module", "path"), _modules("handlers"))
def test_features_do_not_import_each_other(module: str, path: Path) -> None:
    """A feature module imports shared helpers and its own feature's modules only."""
    if module == "handlers" or module.split(".")[1] in SHARED_HELPERS:
        return
    known = {name for name, _ in _modules("handlers")}
    imported = {name for name in _imports(path) if name in known and name != "handlers"}
    bad = sorted(
        name
        for name in imported
        if name.split(".")[1] not in SHARED_HELPERS and _feature(name) != _feature(module)
    )
    assert bad == [], f"{module} imports {bad}"


def test_shared_helpers_import_no_feature() -> None:
    """The shared helpers depend on nothing feature-specific."""
    features = {
        name for name, _ in _modules("handlers") if name.split(".")[-1] not in SHARED_HELPERS
    }
    for module, path in _modules("handlers"):
        if module.split(".")[-1] in SHARED_HELPERS:
            bad = sorted(_imports(path) & (features - {"handlers"}))
            assert bad == [], f"{module} imports {bad}"


def test_the_checks_see_a_violation(tmp_path: Path) -> None:
    """The import reader finds imports inside functions and in `from` lists."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from handlers import hubs\n    import telegram.ext\n")
    assert {"handlers", "handlers.hubs", "telegram.ext"} <= _imports(sample)
