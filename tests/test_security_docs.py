"""SECURITY.md and docs/data-protection.md name real tests, and storage's SQL is never built by
string formatting."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = ("SECURITY.md", "docs/data-protection.md")
# `tests/x/test_y.py::test_name`, and bare `test_name`s following one in the same table cell.
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)(?:::(test_\w+))?`")


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    }


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_named_test_exists(document: str) -> None:
    """Each `tests/...py::test_name` (and each bare `test_name` after one) is a real test."""
    text = (ROOT / document).read_text(encoding="utf-8")
    named = 0
    for line in text.splitlines():
        current: Path | None = None
        for token in re.finditer(r"`([^`]+)`", line):
            value = token.group(1)
            found = REFERENCE.fullmatch(token.group(0))
            if found:
                current = ROOT / found.group(1)
                assert current.exists(), f"{document}: {found.group(1)} does not exist"
                if found.group(2):
                    assert found.group(2) in _tests_in(current), f"{document}: {value}"
                    named += 1
            elif current is not None and re.fullmatch(r"test_\w+", value):
                assert value in _tests_in(current), f"{document}: {value} in {current.name}"
                named += 1
    assert named >= 5


def _int_pragma(sql: ast.JoinedStr) -> bool:
    """f"PRAGMA name = {int(value)}": a PRAGMA whose only formatted value is an int()."""
    first, *rest = sql.values
    return (
        isinstance(first, ast.Constant)
        and str(first.value).startswith("PRAGMA ")
        and all(
            isinstance(part, ast.FormattedValue)
            and isinstance(part.value, ast.Call)
            and isinstance(part.value.func, ast.Name)
            and part.value.func.id == "int"
            for part in rest
        )
    )


SQL_CALLS = {"execute", "execute_fetchall", "_all", "_one", "executemany"}


def test_storage_never_formats_sql() -> None:
    """Every SQL statement storage runs is a plain string with parameters: no f-string,
    `%` or `.format` builds one (only executescript runs the migrations' own scripts, and a
    PRAGMA, which cannot take parameters, is written from an int())."""
    tree = ast.parse((ROOT / "bot" / "storage.py").read_text(encoding="utf-8"))
    formatted = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else ""
        sql = node.args[0]
        if name in SQL_CALLS and (
            (isinstance(sql, ast.JoinedStr) and not _int_pragma(sql))
            or (isinstance(sql, ast.BinOp) and isinstance(sql.op, ast.Mod))
            or (isinstance(sql, ast.Call) and getattr(sql.func, "attr", "") == "format")
        ):
            formatted.append(node.lineno)
    assert formatted == []
