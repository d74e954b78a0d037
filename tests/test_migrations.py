"""Migrations and models agree (the same check CI runs with `alembic check`)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text

from storage.db import make_engine
from storage.directory_index import alembic_compares
from storage.migrate import upgrade
from storage.models import Base


def migrations_url(tmp_path: Path) -> str:
    return (
        os.environ.get("ROUNDS_MIGRATIONS_DATABASE_URL") or f"sqlite+aiosqlite:///{tmp_path}/m.db"
    )


async def reset(url: str) -> None:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def differences(url: str) -> list[object]:
    engine = make_engine(url)

    def compare(connection: Connection) -> list[object]:
        context = MigrationContext.configure(
            connection, opts={"include_name": alembic_compares, "compare_type": True}
        )
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        diff = await connection.run_sync(compare)
    await engine.dispose()
    return diff


def test_upgrade_head_matches_the_models(tmp_path: Path) -> None:
    url = migrations_url(tmp_path)
    asyncio.run(reset(url))
    upgrade(url)
    upgrade(url)  # a second run is a no-op
    assert asyncio.run(differences(url)) == []


def test_upgrading_a_community_fills_the_directory_for_existing_members(tmp_path: Path) -> None:
    from alembic import command

    from storage.migrate import alembic_config

    url = migrations_url(tmp_path)
    asyncio.run(reset(url))
    command.upgrade(alembic_config(url), "0001")

    async def seed() -> None:
        engine = make_engine(url)
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "insert into spaces (platform, external_id, name, created_at) "
                    "values ('console', 'console', '', '2026-01-01 00:00:00+00')"
                )
            )
            await connection.execute(
                text(
                    "insert into members (space_id, user_id, display_name, joined_at, is_manager,"
                    " interests, goals, specialty) values ((select min(id) from spaces), 'old',"
                    " 'Old Timer', '2026-01-01 00:00:00+00', false, '[\"Simulation\"]', '[]',"
                    " 'Surgery')"
                )
            )
        await engine.dispose()

    async def read() -> tuple[list[str], list[str]]:
        engine = make_engine(url)
        async with engine.connect() as connection:
            texts = list(
                (await connection.execute(text("select search_text from members"))).scalars()
            )
            keys = list(
                (await connection.execute(text("select interest from member_interests"))).scalars()
            )
        await engine.dispose()
        return texts, keys

    asyncio.run(seed())
    upgrade(url)
    assert asyncio.run(read()) == (["old timer | surgery | simulation"], ["simulation"])


def test_upgrading_makes_existing_members_findable_as_people_write(tmp_path: Path) -> None:
    from alembic import command

    from bot.domain import DirectoryQuery, Profile, SpaceKey
    from storage.migrate import alembic_config
    from storage.store import SqlStore

    url = migrations_url(tmp_path)
    asyncio.run(reset(url))
    command.upgrade(alembic_config(url), "0002")

    async def seed() -> None:
        engine = make_engine(url)
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "insert into spaces (platform, external_id, name, created_at) "
                    "values ('console', 'console', '', '2026-01-01 00:00:00+00')"
                )
            )
            await connection.execute(
                text(
                    "insert into members (space_id, user_id, display_name, joined_at, is_manager,"
                    " interests, goals, name, specialty, region, search_text) values ((select"
                    " min(id) from spaces), 'li', 'li', '2026-01-01 00:00:00+00', false,"
                    " '[\"🩺 Teaching\"]', '[]', '李明', 'Évaluation', 'Île-de-France', '')"
                )
            )
        await engine.dispose()

    async def find(store: SqlStore, **query: object) -> list[str]:
        async with store.transaction() as tx:
            space = await tx.spaces.get_or_create(SpaceKey("console", "console"))
            hits = await tx.directory.find(space.id, DirectoryQuery(**query))  # type: ignore[arg-type]
        return [hit.member.user_id for hit in hits]

    async def use() -> None:
        store = SqlStore.from_url(url)
        assert await find(store, region="ile-de-france") == ["li"]
        assert await find(store, specialty="ÉVALUATION") == ["li"]
        assert await find(store, words=("李",)) == ["li"]
        assert await find(store, words=("🩺",)) == ["li"]
        async with store.transaction() as tx:  # the index follows changes made after upgrading
            space = await tx.spaces.get_or_create(SpaceKey("console", "console"))
            li = await tx.members.get(space.id, "li")
            assert li is not None
            await tx.members.save_profile(li.id, Profile(name="李明", region="Lagos"))
            newcomer = await tx.members.add(space.id, "ana", "ana", li.joined_at)
            await tx.members.save_profile(newcomer.id, Profile(name="Ana", region="Île-de-France"))
        assert await find(store, region="ile-de-france") == ["ana"]
        assert await find(store, words=("🩺",)) == []
        assert await find(store, region="lagos") == ["li"]
        await store.close()

    asyncio.run(seed())
    upgrade(url)
    asyncio.run(use())
