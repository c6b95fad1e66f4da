"""The feature descriptors: what is derived from them, and what they may not declare twice."""

from __future__ import annotations

import pytest

from bot import feature
from bot.app import FEATURES, menu_of
from bot.feature import Buttons, Command, Feature
from bot.scheduling import Kind
from content import Content
from handlers import callbacks
from handlers.plan import PlanEdit


async def _noop(*_: object) -> None:
    return None


def test_commands_feature_names_and_kinds_are_unique() -> None:
    """No command, callback kind, scheduled kind or /start payload is declared twice."""
    feature.check(FEATURES)
    commands = [c.name for f in FEATURES for c in f.commands]
    assert len(commands) == len(set(commands))
    kinds = [k for f in FEATURES for b in f.buttons for k in b.kinds]
    assert len(kinds) == len(set(kinds))


def test_callback_kinds_are_derived_from_the_descriptors() -> None:
    """handlers.callbacks knows exactly the kinds the features declare."""
    assert feature.callback_kinds(FEATURES) == callbacks.KINDS
    assert callbacks.decode(callbacks.encode("a", 1, 2, 3)) == callbacks.Press("a", (1, 2, 3))


@pytest.mark.parametrize(
    "twice",
    [
        (
            Feature("x", commands=(Command("help", _noop),)),
            Feature("y", commands=(Command("help", _noop),)),
        ),
        (
            Feature("x", buttons=(Buttons(_noop, {"zz": 1}),)),
            Feature("y", buttons=(Buttons(_noop, {"zz": 0}),)),
        ),
        (Feature("x", kinds=(Kind("k"),)), Feature("y", kinds=(Kind("k"),))),
        (Feature("x"), Feature("x")),
        (Feature("x", entries=(PlanEdit,)), Feature("y", entries=(PlanEdit,))),
    ],
)
def test_a_second_declaration_is_refused(twice: tuple[Feature, Feature]) -> None:
    """Two features declaring the same command, kind or name are refused at start-up."""
    with pytest.raises(ValueError, match="twice"):
        feature.check(twice)


def test_every_entry_kind_is_declared_by_a_feature() -> None:
    """Storage decodes the entries that feature modules define; each is declared in a
    descriptor, and one that no installed feature declares is refused at start-up."""
    feature.check_entries(FEATURES)
    with pytest.raises(ValueError, match="declared by no feature: plan:edit"):
        feature.check_entries([f for f in FEATURES if PlanEdit not in f.entries])


def test_every_listed_command_has_a_menu_description(content: Content) -> None:
    """Each command in a menu has its one-line description in the strings."""
    menus = menu_of(FEATURES)
    for name in (*menus.private, *menus.group, *menus.group_admin, *menus.operator):
        assert content.strings(f"commands.{name}")


def test_menus_follow_the_descriptors() -> None:
    """Group menus hold group commands only; admins see everything a member sees."""
    menus = menu_of(FEATURES)
    assert "assess" in menus.private
    assert "hub" in menus.group_admin
    assert "hub" not in menus.group
    assert set(menus.group) <= set(menus.group_admin)
    assert set(menus.operator) >= {"stats", "verify", "national"}
    assert set(menus.operator) & set(menus.private) == set()


def test_scheduled_kinds_come_from_the_features() -> None:
    """Every repeating job's kind is one of its feature's declared kinds."""
    for each in FEATURES:
        for repeating in each.repeating:
            assert repeating.kind in each.kinds
