"""Fixtures shared by every test package."""

from __future__ import annotations

import pytest

from content import Content, load_content
from scoring import Model


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


@pytest.fixture(scope="session")
def model(content: Content) -> Model:
    return content.model
