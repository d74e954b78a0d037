"""The router: resolving the text form to a command, binding options, and role checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from bot.domain import Role
from bot.errors import UserError
from bot.features.catalog import build_router
from bot.options import Option, OptionKind, ParseContext
from bot.router import Command, Router
from tests.conftest import START


async def nothing(ctx: Any, args: Mapping[str, Any]) -> None:
    return None


def test_longest_path_wins() -> None:
    router = build_router()
    command, rest = router.resolve('profile set name="Ada"')
    assert command.path == ("profile", "set")
    assert router.bind_tokens(command, rest) == {"name": "Ada"}


def test_positional_member_is_bound() -> None:
    router = build_router()
    command, rest = router.resolve("profile @bob")
    assert command.path == ("profile",)
    assert router.bind_tokens(command, rest) == {"member": "@bob"}


def test_empty_text_is_help() -> None:
    assert build_router().resolve("")[0].path == ("help",)


def test_unknown_command_suggests_close_ones() -> None:
    with pytest.raises(UserError, match="Did you mean `/rounds profile set`"):
        build_router().resolve("profil set")


def test_greedy_positional_takes_the_rest() -> None:
    router = build_router()
    command, rest = router.resolve("help profile set")
    assert router.bind_tokens(command, rest) == {"command": "profile set"}


def test_extra_words_are_refused() -> None:
    router = build_router()
    command, rest = router.resolve("config channel intros #intros extra")
    with pytest.raises(UserError, match="didn't expect `extra`"):
        router.bind_tokens(command, rest)


def test_a_key_given_twice_is_refused() -> None:
    router = build_router()
    command, rest = router.resolve("profile set name=a name=b")
    with pytest.raises(UserError, match="given twice"):
        router.bind_tokens(command, rest)


def test_missing_required_option_names_it() -> None:
    router = build_router()
    command = router.commands[("config", "channel")]
    with pytest.raises(UserError, match="needs `channel`"):
        Router.bind(command, {"programme": "intros"}, ParseContext(START))


def test_declaring_a_command_twice_fails() -> None:
    router = Router()
    router.command(Command(("x",), "x", nothing))
    with pytest.raises(ValueError, match="declared twice"):
        router.command(Command(("x",), "x", nothing))


def test_only_the_last_positional_may_be_greedy() -> None:
    router = Router()
    greedy = Option("a", OptionKind.TEXT, "a", positional=True, greedy=True)
    second = Option("b", OptionKind.TEXT, "b", positional=True)
    with pytest.raises(ValueError, match="greedy"):
        router.command(Command(("x",), "x", nothing, options=(greedy, second)))


def test_manager_commands_are_declared_with_the_manager_role() -> None:
    router = build_router()
    config_commands = [c for c in router.commands.values() if c.path[0] == "config"]
    assert config_commands and all(c.role is Role.MANAGER for c in config_commands)


def test_every_command_fits_discords_shape() -> None:
    """`/rounds` → group → subcommand, lowercase names ≤ 32 chars, descriptions ≤ 100."""
    router = build_router()
    for command in router.commands.values():
        assert 1 <= len(command.path) <= 2, command.name
        assert all(part.islower() and len(part) <= 32 for part in command.path)
        assert len(command.summary) <= 100
        for option in command.options:
            assert len(option.description) <= 100, (command.name, option.name)
    assert len({c.path[0] for c in router.commands.values()}) <= 25
