"""Spaces never see each other (ARCHITECTURE.md §2): every table carries `space_id`, and every
button value and id from one space, replayed in another, reads, changes and reveals nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Table

from bot.bootstrap import Core, build_core
from bot.clock import ManualClock
from bot.context import Actor
from bot.domain import Profile, SpaceKey
from bot.features.intros.model import INTROS
from bot.features.network.model import NETWORK, NetworkStatus
from bot.features.qa.model import QA, Stage
from bot.messages import Button, Outcome
from storage.models import Base
from storage.store import SqlStore
from tests.conftest import START
from tests.fakes import RecordingPlatform

HOME = SpaceKey("console", "home")
OTHER = SpaceKey("console", "other")
UNSCOPED = {
    "spaces",  # the spaces themselves
    "rate_limits",  # a platform's rate budget: one per bot token, across its spaces; no member data
}
PAIRING = datetime(2026, 3, 8, 10, 0, tzinfo=UTC)  # the first round (9 March) is paired


def test_every_table_but_spaces_has_a_space_id() -> None:
    tables = {name: table for name, table in Base.metadata.tables.items() if name not in UNSCOPED}
    assert "network_pair_members" in tables and "intro_cards" in tables
    missing = sorted(name for name, table in tables.items() if "space_id" not in table.c)
    assert missing == []
    for name, table in tables.items():
        assert isinstance(table, Table)
        assert not table.c.space_id.nullable, name
        assert any(fk.column.table.name == "spaces" for fk in table.c.space_id.foreign_keys), name


def actor(space: SpaceKey, user: str) -> Actor:
    return Actor(space, user, display_name=user, channel_id="general")


async def busy_home(store: SqlStore) -> tuple[Core, RecordingPlatform, list[Button]]:
    """A home community with intro cards, hellos and a networking round with its "Did you
    meet?"; returns every button its members were shown."""
    clock = ManualClock(START)
    core = build_core(store, clock, send_when_planned=False)
    platform = RecordingPlatform()
    core.add_platform(platform)
    rounds = core.rounds
    buttons: list[Button] = []

    def keep(outcome: Outcome) -> None:
        for reply in outcome.replies:
            buttons.extend(reply.message.buttons)

    for user, place in (("amara", "LUTH"), ("ben", "Korle Bu")):
        await rounds.member_joined(actor(HOME, user), manager_if_first=True)
        keep(
            await rounds.command(
                actor(HOME, user),
                f'profile set name="{user.title()} Secret" institution="{place}" '
                'specialty="emergency medicine" interests=simulation',
            )
        )
        keep(await rounds.command(actor(HOME, user), "network join"))
    keep(await rounds.command(actor(HOME, "amara"), "config channel intros #introductions"))
    keep(await rounds.command(actor(HOME, "amara"), "intro"))
    keep(await rounds.command(actor(HOME, "ben"), "find simulation"))
    keep(await rounds.command(actor(HOME, "amara"), "config channel qa #questions"))
    keep(await rounds.command(actor(HOME, "amara"), "config channel managers #leads"))
    keep(await rounds.command(actor(HOME, "amara"), "config set qa.anonymous=review"))
    keep(await rounds.command(actor(HOME, "ben"), 'ask title="Secret rota question" tags=qi'))
    keep(await rounds.command(actor(HOME, "amara"), 'answer 1 "Secret answer"'))
    keep(await rounds.command(actor(HOME, "ben"), 'ask title="Secret rota question again"'))
    keep(await rounds.command(actor(HOME, "ben"), 'ask title="Secret doubt" anonymous=yes'))
    keep(await rounds.command(actor(HOME, "ben"), 'ask title="Secret call 415-555-2671"'))
    for moment in (PAIRING, PAIRING + timedelta(days=1), PAIRING + timedelta(days=8)):
        clock.set(moment)  # pairing, the introductions, then "Did you meet?"
        await core.runtime.run_due()
    for sent in platform.sent:
        buttons.extend(sent.message.buttons)
    assert {b.action_id for b in buttons} >= {
        "intros.hello",
        "network.met",
        "profile.form",
        "qa.answer",
        "qa.follow",
        "qa.vote",
        "qa.accept",
        "qa.post",
        "qa.drop",
        "qa.review",
        "guard.edit",
        "guard.post",
        "guard.cancel",
    }
    return core, platform, buttons


async def test_buttons_from_one_space_do_nothing_in_another(store: SqlStore) -> None:
    core, platform, buttons = await busy_home(store)
    rounds = core.rounds
    before = await snapshot(store, HOME)
    sent_before = len(platform.sent)

    # Someone in the other community (one of them with the same platform user id as a
    # home member, as on Discord, where user ids are global) presses every one of them.
    for user in ("ben", "mallory"):
        await rounds.member_joined(actor(OTHER, user))
        for button in buttons:
            outcome = await rounds.action(actor(OTHER, user), button.action_id, button.value)
            shown = [r.message for r in outcome.replies] + [outcome.updated] * bool(outcome.updated)
            said = " ".join(m.text + str(m.fields) for m in shown if m is not None)
            assert "Secret" not in said and "LUTH" not in said and "Korle" not in said
    await core.runtime.run_due()

    assert await snapshot(store, HOME) == before
    leaked = [
        s for s in platform.sent[sent_before:] if s.space == HOME or "Secret" in s.message.text
    ]
    assert leaked == []


async def snapshot(store: SqlStore, key: SpaceKey) -> object:
    """Everything the home space's repositories say about its members."""
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(key)
        members = {}
        for user in ("amara", "ben"):
            member = await tx.members.get(space.id, user)
            assert member is not None
            members[user] = (
                member,
                await tx.repo(INTROS).card(space.id, member.id),
                await tx.repo(NETWORK).participant(space.id, member.id),
                await tx.repo(NETWORK).current_pair(space.id, member.id),
            )
        qa = tx.repo(QA)
        question = await qa.question_by_number(space.id, 1)
        assert question is not None
        return (
            members,
            await tx.settings.all(space.id),
            question,
            await qa.answers(space.id, question.id),
            await qa.followers(space.id, question.id),
            await qa.open_questions(space.id, 10),
        )


async def test_ids_from_one_space_read_and_change_nothing_in_another(store: SqlStore) -> None:
    await busy_home(store)
    before = await snapshot(store, HOME)
    async with store.transaction() as tx:
        home = await tx.spaces.get_or_create(HOME)
        other = await tx.spaces.get_or_create(OTHER)
        amara = await tx.members.get(home.id, "amara")
        assert amara is not None
        network, intros = tx.repo(NETWORK), tx.repo(INTROS)
        current = await network.current_pair(home.id, amara.id)
        assert current is not None
        round_info, pair = current
        # reads by id find nothing from the other space
        assert await tx.members.by_ids(other.id, [amara.id]) == {}
        assert await intros.card(other.id, amara.id) is None
        assert await network.participant(other.id, amara.id) is None
        assert await network.pair(other.id, pair.id) is None
        assert await network.current_pair(other.id, amara.id) is None
        assert await network.round_pairs(other.id, round_info.id) == []
        # writes by id change nothing there
        await network.answer(other.id, pair.id, amara.id, "skip", START)
        await network.set_status(other.id, amara.id, NetworkStatus.LEFT, START)
        await network.set_statuses(other.id, [amara.id], NetworkStatus.PAUSED, START)
        await network.set_streaks(other.id, {amara.id: 5})
        await intros.record_post(other.id, amara.id, 9, "elsewhere", START)
        await intros.mark_reminder(other.id, amara.id, START)
        await tx.members.save_profile(other.id, amara.id, Profile(name="Changed"))
        await tx.members.set_manager(other.id, amara.id, False)
        await tx.members.rename(other.id, amara.id, "changed")
        qa = tx.repo(QA)
        question = await qa.question_by_number(home.id, 1)
        assert question is not None
        [answer] = await qa.answers(home.id, question.id)
        assert await qa.question(other.id, question.id) is None
        assert await qa.question_by_number(other.id, 1) is None
        assert await qa.answer(other.id, answer.id) is None
        assert await qa.answer_by_number(other.id, 1) is None
        assert await qa.answers(other.id, question.id) == []
        assert await qa.followers(other.id, question.id) == []
        await qa.accept(other.id, question.id, answer.id)
        assert not await qa.vote(other.id, answer.id, amara.id, START)
        assert not await qa.follow(other.id, question.id, amara.id)
        await qa.unfollow(other.id, question.id, amara.id)
        await qa.record_reveal(other.id, question.id, amara.id, START)
        await qa.mark_done(other.id, [question.id], Stage.PEERS, START)
        assert not await qa.delete_draft(other.id, question.id)
        await qa.set_status(other.id, question.id, question.status)
    assert await snapshot(store, HOME) == before
    async with store.transaction() as tx:  # nothing left behind that blocks a real vote
        home = await tx.spaces.get_or_create(HOME)
        ben = await tx.members.get(home.id, "ben")
        assert ben is not None
        assert await tx.repo(QA).vote(home.id, answer.id, ben.id, START)
