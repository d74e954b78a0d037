"""The welcome flow: one DM per new member, through the outbox, with the profile button."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import OutboxRow
from storage.store import SqlStore
from tests.conftest import Transcript


async def test_joining_sends_one_welcome_dm_with_the_profile_button(transcript: Transcript) -> None:
    out = await transcript("join alice")
    assert out.startswith("[dm @alice]\n  Welcome to the community, @alice! 👋")
    assert "  [button] Fill in my profile" in out
    assert "/rounds profile set role=resident" in out


async def test_welcome_goes_through_the_outbox_and_is_sent_once(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript("join alice\njoin alice\nalice: /rounds profile")
    assert out.count("Welcome to the community") == 1
    async with store.sessions() as session:
        rows = (await session.execute(select(OutboxRow.purpose, OutboxRow.status))).all()
    assert [tuple(r) for r in rows] == [("welcome", "sent")]


async def test_a_member_seen_first_through_a_command_is_welcomed_too(
    transcript: Transcript,
) -> None:
    out = await transcript("join alice\ncarol: /rounds help")
    assert "[dm @carol]\n  Welcome to the community, @carol!" in out


async def test_welcome_uses_the_community_name(transcript: Transcript) -> None:
    out = await transcript(
        'join alice\n/rounds config set community.name="Global Health Leaders"\njoin bob'
    )
    assert "Welcome to Global Health Leaders, @bob!" in out


async def test_welcome_can_be_turned_off(transcript: Transcript, store: SqlStore) -> None:
    out = await transcript("join alice\n/rounds config set welcome.enabled=no\njoin bob")
    assert "[dm @bob]" not in out
    async with store.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(OutboxRow))
    assert count == 1
