"""The slash-command schema is generated from the router's specs, registered by an explicit
sync, and maps every Discord invocation back to the core command it came from."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pytest

from adapters.discord.schema import (
    MANAGE_GUILD,
    MANAGER_TOP,
    MEMBER_TOP,
    Schema,
    build_schema,
)
from adapters.discord.service import sync_commands
from adapters.discord.translate import invocation
from bot.context import Context
from bot.domain import Role
from bot.features.catalog import build_router
from bot.options import Option, OptionKind
from bot.router import Command, Router
from tests.discord.conftest import settings_for
from tests.discord.fake_discord import APP_ID, GUILD, FakeDiscord

NAME = re.compile(r"^[-_a-z0-9]{1,32}$")
TYPES = {
    OptionKind.TEXT: 3,
    OptionKind.LONG_TEXT: 3,
    OptionKind.INTEGER: 4,
    OptionKind.BOOLEAN: 5,
    OptionKind.CHOICE: 3,
    OptionKind.MEMBER: 6,
    OptionKind.CHANNEL: 7,
    OptionKind.DATETIME: 3,
    OptionKind.DURATION: 3,
    OptionKind.TIMEZONE: 3,
}


async def nothing(ctx: Context, args: Mapping[str, Any]) -> None:
    return None


def walk(payload: list[dict[str, Any]]) -> dict[tuple[str, ...], dict[str, Any]]:
    """Every subcommand in a schema by its Discord path, e.g. ("rounds", "profile", "set")."""
    found: dict[tuple[str, ...], dict[str, Any]] = {}

    def visit(prefix: tuple[str, ...], options: list[dict[str, Any]]) -> None:
        for option in options:
            if option["type"] == 1:
                found[(*prefix, option["name"])] = option
            elif option["type"] == 2:
                visit((*prefix, option["name"]), option["options"])

    for command in payload:
        visit((command["name"],), command["options"])
    return found


def data_for(path: tuple[str, ...], leaves: list[dict[str, Any]]) -> dict[str, Any]:
    node = leaves
    for depth, name in enumerate(reversed(path[1:])):
        node = [{"name": name, "type": 1 if depth == 0 else 2, "options": node}]
    return {"name": path[0], "type": 1, "options": node}


def test_every_declared_command_has_exactly_one_discord_command() -> None:
    router = build_router()
    schema = build_schema(router)
    back: list[tuple[str, ...]] = []
    for path, spec in walk(schema.payload).items():
        found = invocation(schema, data_for(path, []))
        assert found is not None and found.command is not None, path
        back.append(found.command.path)
        assert spec["description"] == found.command.summary[:100]
    assert sorted(back) == sorted(router.commands)


def test_options_are_typed_as_declared() -> None:
    router = build_router()
    schema = build_schema(router)
    for path, spec in walk(schema.payload).items():
        command = invocation(schema, data_for(path, []))
        assert command is not None and command.command is not None
        declared = {o.name.replace(".", "_"): o for o in command.command.options}
        sent = {o["name"]: o for o in spec["options"]}
        assert set(sent) == set(declared), path
        for name, option in declared.items():
            assert sent[name]["type"] == TYPES[option.kind], (path, name)
            assert sent[name]["required"] == option.required, (path, name)
            if option.kind is OptionKind.CHOICE:
                assert [c["value"] for c in sent[name]["choices"]] == list(option.choices)
            if option.kind is OptionKind.TIMEZONE:
                assert sent[name]["autocomplete"] is True
        required = [o["required"] for o in spec["options"]]
        assert required == sorted(required, reverse=True), "Discord wants required options first"


def test_manager_commands_need_manage_server_by_default() -> None:
    schema = build_schema(build_router())
    tops = {c["name"]: c for c in schema.payload}
    assert tops[MANAGER_TOP]["default_member_permissions"] == str(MANAGE_GUILD)
    assert "default_member_permissions" not in tops[MEMBER_TOP]
    for path in walk(schema.payload):
        found = invocation(schema, data_for(path, []))
        assert found is not None and found.command is not None
        assert (path[0] == MANAGER_TOP) == (found.command.role is Role.MANAGER)


def test_names_and_descriptions_fit_discord_limits() -> None:
    schema = build_schema(build_router())

    def check(options: list[dict[str, Any]]) -> None:
        assert len(options) <= 25
        for option in options:
            assert NAME.match(option["name"]), option["name"]
            assert 1 <= len(option["description"]) <= 100
            check(option.get("options", []))

    check(schema.payload)
    for command in schema.payload:
        assert command["contexts"] == [0]  # server channels only: the space is the guild


def test_a_programme_is_reachable_by_its_discord_path() -> None:
    schema = build_schema(build_router())
    assert set(walk(schema.payload)) >= {
        ("rounds", "help"),
        ("rounds", "profile", "show"),
        ("rounds", "profile", "set"),
        ("rounds-manage", "config", "show"),
        ("rounds-manage", "config", "channel"),
        ("rounds-manage", "config", "manager"),
        ("rounds-manage", "config", "set"),
    }


def test_setting_names_with_dots_map_back() -> None:
    schema = build_schema(build_router())
    data = data_for(
        ("rounds-manage", "config", "set"),
        [{"name": "community_name", "type": 3, "value": "Global Health Leaders"}],
    )
    found = invocation(schema, data)
    assert found is not None and found.command is not None
    assert (found.command.path, found.raw) == (
        ("config", "set"),
        {"community.name": "Global Health Leaders"},
    )


def three_word_router() -> Router:
    router = Router()
    member = Option("member", OptionKind.MEMBER, "who", required=True, positional=True)
    for verb in ("add", "remove"):
        router.command(Command(("team", "mentor", verb), f"{verb} a mentor", nothing, (member,)))
    return router


def test_a_three_word_path_becomes_an_action_choice() -> None:
    schema = build_schema(three_word_router())
    spec = walk(schema.payload)[("rounds", "team", "mentor")]
    assert spec["options"][0] == {
        "type": 3,
        "name": "action",
        "description": "what to do",
        "required": True,
        "choices": [{"name": "add", "value": "add"}, {"name": "remove", "value": "remove"}],
    }
    data = data_for(
        ("rounds", "team", "mentor"),
        [
            {"name": "action", "type": 3, "value": "remove"},
            {"name": "member", "type": 6, "value": "9"},
        ],
    )
    found = invocation(schema, data)
    assert found is not None and found.command is not None
    assert (found.command.path, found.raw) == (("team", "mentor", "remove"), {"member": "<@9>"})


def test_a_command_with_too_many_options_takes_the_text_form() -> None:
    router = Router()
    options = tuple(Option(f"f{i}", OptionKind.TEXT, "a field") for i in range(30))
    router.command(Command(("survey",), "Many fields", nothing, options))
    schema = build_schema(router)
    spec = walk(schema.payload)[("rounds", "survey")]
    assert [o["name"] for o in spec["options"]] == ["fields"]
    data = data_for(("rounds", "survey"), [{"name": "fields", "type": 3, "value": "f1=a f2=b"}])
    found = invocation(schema, data)
    assert found is not None and found.text == "survey f1=a f2=b"


def test_a_path_too_deep_for_discord_is_refused_when_declared() -> None:
    router = Router()
    router.command(Command(("a", "b", "c", "d"), "too deep", nothing))
    with pytest.raises(ValueError, match="cannot nest a path of 4 words"):
        build_schema(router)


def schema_of(router: Router) -> Schema:
    return build_schema(router)


async def test_sync_sends_the_generated_schema_globally(fake: FakeDiscord) -> None:
    router = build_router()
    synced = await sync_commands(settings_for(fake), router)
    put = await fake.wait_for(lambda c: c.method == "PUT")
    assert put.path == f"/applications/{APP_ID}/commands"
    assert put.body == schema_of(router).payload
    assert sorted(c["name"] for c in synced) == [MEMBER_TOP, MANAGER_TOP]


async def test_sync_to_one_server(fake: FakeDiscord) -> None:
    await sync_commands(settings_for(fake), build_router(), int(GUILD))
    put = await fake.wait_for(lambda c: c.method == "PUT")
    assert put.path == f"/applications/{APP_ID}/guilds/{GUILD}/commands"


async def test_starting_the_service_registers_nothing(
    fake: FakeDiscord, start_service: Any
) -> None:
    await start_service(fake)
    assert fake.calls_to("PUT", "/applications") == []
