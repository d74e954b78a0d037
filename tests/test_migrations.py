"""Migrations and models agree (the same check CI runs with `alembic check`)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text

from storage.db import make_engine
from storage.migrate import compared, upgrade
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


SPACE_ROW = (
    "insert into spaces (platform, external_id, name, created_at) "
    "values ('console', 'console', '', '2026-01-01 00:00:00+00')"
)


def community_at(
    tmp_path: Path, revision: str, *rows: str, values: Sequence[dict[str, object]] = ()
) -> str:
    """A database migrated up to `revision` holding the console community and `rows` (each
    run once per entry of `values`, when given): a community that upgrades later."""
    from alembic import command

    from storage.migrate import alembic_config

    url = migrations_url(tmp_path)
    asyncio.run(reset(url))
    command.upgrade(alembic_config(url), revision)

    async def seed() -> None:
        engine = make_engine(url)
        async with engine.begin() as connection:
            await connection.execute(text(SPACE_ROW))
            for row in rows:
                for each in values or ({},):
                    await connection.execute(text(row), each)
        await engine.dispose()

    asyncio.run(seed())
    return url


async def differences(url: str) -> list[object]:
    engine = make_engine(url)

    def compare(connection: Connection) -> list[object]:
        context = MigrationContext.configure(
            connection, opts={"include_name": compared, "compare_type": True}
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


def test_the_head_start_up_knows_is_alembics_single_head(tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    from storage.migrate import HEAD, alembic_config, revisions

    assert ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads() == [HEAD]
    url = f"sqlite+aiosqlite:///{tmp_path}/new.db"
    assert asyncio.run(revisions(url)) == []
    upgrade(url)
    assert asyncio.run(revisions(url)) == [HEAD]


def test_upgrading_a_community_fills_the_directory_for_existing_members(tmp_path: Path) -> None:
    url = community_at(
        tmp_path,
        "0001",
        "insert into members (space_id, user_id, display_name, joined_at, is_manager, interests,"
        " goals, specialty) values ((select min(id) from spaces), 'old', 'Old Timer',"
        " '2026-01-01 00:00:00+00', false, '[\"Simulation\"]', '[]', 'Surgery')",
    )

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

    upgrade(url)
    assert asyncio.run(read()) == (["old timer | surgery | simulation"], ["simulation"])


def test_upgrading_scopes_pairs_to_their_space_and_keys_outbox_rows_by_member(
    tmp_path: Path,
) -> None:
    from alembic import command

    from storage.migrate import alembic_config

    url = migrations_url(tmp_path)
    asyncio.run(reset(url))
    command.upgrade(alembic_config(url), "0002")
    at = "'2026-01-01 00:00:00+00'"

    async def seed() -> None:
        engine = make_engine(url)
        async with engine.begin() as connection:
            run = connection.execute
            await run(
                text(
                    "insert into spaces (platform, external_id, name, created_at) "
                    f"values ('console', 'console', '', {at})"
                )
            )
            for user in ("amara", "ben"):
                await run(
                    text(
                        "insert into members (space_id, user_id, display_name, joined_at,"
                        " is_manager, interests, goals, search_text) values ((select min(id)"
                        f" from spaces), '{user}', '{user}', {at}, false, '[]', '[]', '')"
                    )
                )
            space = "(select min(id) from spaces)"
            amara = "(select id from members where user_id = 'amara')"
            await run(
                text(
                    "insert into network_rounds (space_id, number, starts_at, ends_at, paired_at)"
                    f" values ({space}, 1, {at}, {at}, {at})"
                )
            )
            await run(
                text(
                    "insert into network_pairs (round_id, space_id) values"
                    f" ((select min(id) from network_rounds), {space})"
                )
            )
            await run(
                text(
                    "insert into network_pair_members (pair_id, member_id) values"
                    f" ((select min(id) from network_pairs), {amara})"
                )
            )
            await run(
                text(
                    "insert into intro_cards (member_id, space_id, version, posted_at) values"
                    f" ({amara}, {space}, 2, {at})"
                )
            )
            for key, purpose, replaces, target in (
                ("intro:amara:C1:1", "intro", None, "C1"),
                ("intro:amara:C1:2", "intro", "intro:amara:C1:1", "C1"),
                ("intro-reminder:ben", "intro-reminder", None, "ben"),
                ("hello:ben:amara:2026-01-01", "hello", None, "amara"),
                ("welcome:gone", "welcome", None, "gone"),
            ):
                kind = "channel" if target.startswith("C") else "dm"
                await run(
                    text(
                        "insert into outbox (space_id, dedupe_key, purpose, target_kind,"
                        " target_id, payload, replaces, due_at, status, attempts, created_at)"
                        " values (" + space + ", :key, :purpose, :kind, :target, '{}',"
                        f" :replaces, {at}, 'pending', 0, {at})"
                    ),
                    {
                        "key": key,
                        "purpose": purpose,
                        "kind": kind,
                        "target": target,
                        "replaces": replaces,
                    },
                )
        await engine.dispose()

    async def read() -> tuple[object, ...]:
        engine = make_engine(url)
        async with engine.connect() as connection:
            ids = dict((await connection.execute(text("select user_id, id from members"))).all())
            keys = (
                await connection.execute(
                    text("select dedupe_key, replaces from outbox order by id")
                )
            ).all()
            scoped = (
                await connection.execute(text("select space_id from network_pair_members"))
            ).scalars()
            channel = (
                await connection.execute(text("select channel_id from intro_cards"))
            ).scalar()
        await engine.dispose()
        return ids, [tuple(k) for k in keys], list(scoped), channel

    asyncio.run(seed())
    upgrade(url)
    ids, keys, scoped, channel = asyncio.run(read())
    a, b = ids["amara"], ids["ben"]  # type: ignore[index]
    assert keys == [
        (f"intro:{a}:C1:1", None),
        (f"intro:{a}:C1:2", f"intro:{a}:C1:1"),
        (f"intro-reminder:{b}", None),
        (f"hello:{b}:{a}:2026-01-01", None),
        ("welcome:gone", None),  # nobody by that id any more: left as it was
    ]
    assert scoped == [1] and channel == "C1"


def test_the_qa_search_index_made_by_the_migration_finds_and_forgets_questions(
    tmp_path: Path,
) -> None:

    from bot.domain import SpaceKey
    from bot.features.qa.model import QA, QuestionStatus, SearchQuery
    from storage.store import SqlStore

    url = migrations_url(tmp_path)
    asyncio.run(reset(url))
    upgrade(url)
    at = datetime(2026, 3, 2, tzinfo=UTC)

    async def search_then_delete() -> tuple[list[int | None], list[int | None]]:
        store = SqlStore.from_url(url)
        async with store.transaction() as tx:
            space = await tx.spaces.get_or_create(SpaceKey("console", "console"))
            member = await tx.members.add(space.id, "amara", "amara", at)
            qa = tx.repo(QA)
            question = await qa.create_question(
                space.id,
                member.id,
                "Negotiating protected time",
                "",
                (),
                False,
                QuestionStatus.DRAFT,
                at,
            )
            await qa.post_question(space.id, question.id, "qa", at)
            await qa.add_answer(space.id, question.id, member.id, "Use a business case.", at)
        async with store.transaction() as tx:
            hits = await tx.repo(QA).search(space.id, SearchQuery(("business", "case")))
            before = [h.question.number for h in hits]
        async with store.engine.begin() as connection:
            await connection.execute(text("delete from qa_questions"))
        async with store.transaction() as tx:
            after = [
                h.question.number
                for h in await tx.repo(QA).search(space.id, SearchQuery(("business",)))
            ]
        async with store.engine.connect() as connection:
            left = (
                await connection.execute(text("select count(*) from fts_qa_questions"))
            ).scalar()
        await store.close()
        assert left == 0  # the trigger (SQLite) or the foreign key (PostgreSQL) dropped it
        return before, after

    assert asyncio.run(search_then_delete()) == ([1], [])


def test_upgrading_makes_existing_members_findable_as_people_write(tmp_path: Path) -> None:
    from bot.domain import DirectoryQuery, Profile, SpaceKey
    from storage.store import SqlStore

    url = community_at(
        tmp_path,
        "0002",
        "insert into members (space_id, user_id, display_name, joined_at, is_manager, interests,"
        " goals, name, specialty, region, search_text) values ((select min(id) from spaces),"
        " 'li', 'li', '2026-01-01 00:00:00+00', false, '[\"🩺 Teaching\"]', '[]', '李明',"
        " 'Évaluation', 'Île-de-France', '')",
    )

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
            await tx.members.save_profile(space.id, li.id, Profile(name="李明", region="Lagos"))
            newcomer = await tx.members.add(space.id, "ana", "ana", li.joined_at)
            ana = Profile(name="Ana", region="Île-de-France")
            await tx.members.save_profile(space.id, newcomer.id, ana)
        assert await find(store, region="ile-de-france") == ["ana"]
        assert await find(store, words=("🩺",)) == []
        assert await find(store, region="lagos") == ["li"]
        await store.close()

    upgrade(url)
    asyncio.run(use())
