"""Spaces never see each other (ARCHITECTURE.md §2): every table carries `space_id`, and every
button value and id from one space, replayed in another, reads, changes and reveals nothing
(introductions, networking rounds, mentorship, events and Q&A alike, their data rights and
the managers' weekly counts included)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Table

from bot.bootstrap import Core, build_core
from bot.clock import ManualClock
from bot.context import Actor
from bot.domain import Profile, SpaceKey
from bot.features.events.model import EVENTS, Answer, MemberEvents
from bot.features.intros.model import INTROS
from bot.features.mentorship.model import (
    CURRENT,
    MENTORSHIP,
    Ladder,
    MemberMentorship,
    PairStatus,
    Standing,
    Step,
)
from bot.features.network.model import NETWORK, NetworkStatus
from bot.features.qa.model import QA, MemberQa, Stage
from bot.guard import GUARD
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
    assert {"network_pair_members", "intro_cards", "mentorship_checkins"} <= set(tables)
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
    await mentoring(core, platform, keep)
    keep(await rounds.command(actor(HOME, "amara"), "config channel qa #questions"))
    keep(await rounds.command(actor(HOME, "amara"), "config channel managers #leads"))
    keep(await rounds.command(actor(HOME, "amara"), "config set qa.anonymous=review"))
    keep(await rounds.command(actor(HOME, "ben"), 'ask title="Secret rota question" tags=qi'))
    keep(await rounds.command(actor(HOME, "amara"), 'answer 1 "Secret answer"'))
    keep(await rounds.command(actor(HOME, "ben"), 'ask title="Secret rota question again"'))
    keep(await rounds.command(actor(HOME, "ben"), 'ask title="Secret doubt" anonymous=yes'))
    keep(await rounds.command(actor(HOME, "ben"), 'ask title="Secret call 415-555-2671"'))
    keep(await rounds.command(actor(HOME, "amara"), "config channel events #events"))
    keep(
        await rounds.command(
            actor(HOME, "amara"),
            'event create title="Secret workshop" when="2026-03-20 18:00" tz=UTC capacity=1',
        )
    )
    keep(await rounds.command(actor(HOME, "ben"), "event 1"))
    for moment in (PAIRING, PAIRING + timedelta(days=1), PAIRING + timedelta(days=8)):
        clock.set(moment)  # pairing, the introductions, then "Did you meet?" and a check-in
        await core.runtime.run_due()
    for days in (11, 18):
        clock.set(PAIRING + timedelta(days=days))  # a second nudge, then the managers' card
        await core.runtime.run_due()
    for sent in platform.sent:
        buttons.extend(sent.message.buttons)
    assert {b.action_id for b in buttons} >= {
        "intros.hello",
        "network.met",
        "profile.form",
        "mentorship.pick",
        "mentorship.answer",
        "mentorship.checkin",
        "mentorship.manage",
        "mentorship.hand",
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
        "event.rsvp",
    }
    return core, platform, buttons


async def mentoring(
    core: Core, platform: RecordingPlatform, keep: Callable[[Outcome], None]
) -> None:
    """Amara mentors Ben (picked, then accepted); Chioma's request finds no one with room and
    goes to the managers with a Match by hand card."""
    rounds = core.rounds
    keep(await rounds.command(actor(HOME, "amara"), "mentor offer capacity=1 areas=simulation"))
    asked = await rounds.command(actor(HOME, "ben"), 'mentor request goals="simulation"')
    keep(asked)
    [pick] = asked.replies[0].message.buttons
    keep(await rounds.action(actor(HOME, "ben"), pick.action_id, pick.value))
    await core.runtime.run_due()
    [accept] = [b for s in platform.sent for b in s.message.buttons if b.label == "Accept"]
    keep(await rounds.action(actor(HOME, "amara"), accept.action_id, accept.value))
    await rounds.member_joined(actor(HOME, "chioma"))
    keep(await rounds.command(actor(HOME, "chioma"), 'mentor request goals="Secret plans"'))
    await core.runtime.run_due()


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
        # event numbers typed in the other community find nothing of the home one
        for typed in ("event 1", "event ics 1", "event cancel 1", "event edit 1 capacity=9"):
            outcome = await rounds.command(actor(OTHER, user), typed)
            said = " ".join(r.message.text for r in outcome.replies)
            assert "Secret" not in said and outcome.refused, said
        # and every mentorship action and form, with the home space's ids in any shape
        for action_id, value in await mentorship_values(store):
            outcome = await rounds.action(actor(OTHER, user), action_id, value)
            assert outcome.updated is None and outcome.form is None, (action_id, value)
        for form_id, field in (
            ("mentorship.reschedule", "when"),
            ("mentorship.feedback", "feedback"),
        ):
            for pair_id in await home_pair_ids(store):
                values = {field: "2026-03-20 10:00" if field == "when" else "Secret"}
                await rounds.submit(actor(OTHER, user), form_id, values, str(pair_id))
    await core.runtime.run_due()

    assert await snapshot(store, HOME) == before
    leaked = [
        s for s in platform.sent[sent_before:] if s.space == HOME or "Secret" in s.message.text
    ]
    assert leaked == []


async def home_pair_ids(store: SqlStore) -> list[int]:
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(HOME)
        ben = await tx.members.get(space.id, "ben")
        assert ben is not None
        found = await tx.repo(MENTORSHIP).pairs_of(space.id, ben.id, tuple(PairStatus))
    assert found
    return [pair.id for pair in found]


async def mentorship_values(store: SqlStore) -> list[tuple[str, str]]:
    """Every mentorship button value the home space's ids could make."""
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(HOME)
        chioma = await tx.members.get(space.id, "chioma")
        assert chioma is not None
        request = await tx.repo(MENTORSHIP).waiting_request(space.id, chioma.id)
    assert request is not None
    values = []
    for pair_id in await home_pair_ids(store):
        values += [("mentorship.answer", f"{pair_id}:{verb}") for verb in ("accept", "decline")]
        values += [
            ("mentorship.checkin", f"{pair_id}:0:{verb}")
            for verb in ("met", "reschedule", "help", "snooze")
        ]
        values += [("mentorship.manage", f"{pair_id}:{v}") for v in ("reach", "rematch", "pause")]
        values.append(("mentorship.feedback", str(pair_id)))
    for request_id in (request.id, request.id - 1):
        values += [("mentorship.hand", str(request_id))]
        values += [("mentorship.pick", f"{request_id}:{v}:1") for v in (1, 2)]
    return values


async def snapshot(store: SqlStore, key: SpaceKey) -> object:
    """Everything the home space's repositories say about its members."""
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(key)
        members = {}
        mentorship = tx.repo(MENTORSHIP)
        for user in ("amara", "ben", "chioma"):
            member = await tx.members.get(space.id, user)
            assert member is not None
            members[user] = (
                member,
                await tx.repo(INTROS).card(space.id, member.id),
                await tx.repo(NETWORK).participant(space.id, member.id),
                await tx.repo(NETWORK).current_pair(space.id, member.id),
                await mentorship.mentor(space.id, member.id),
                await mentorship.waiting_request(space.id, member.id),
                await mentorship.pairs_of(space.id, member.id, tuple(PairStatus)),
                await mentorship.checkins(space.id, member.id),
            )
        qa = tx.repo(QA)
        question = await qa.question_by_number(space.id, 1)
        assert question is not None
        events = tx.repo(EVENTS)
        occurrence = await events.occurrence(space.id, 1)
        assert occurrence is not None
        return (
            members,
            await tx.settings.all(space.id),
            question,
            await qa.answers(space.id, question.id),
            await qa.followers(space.id, question.id),
            await qa.open_questions(space.id, 10),
            occurrence,
            await events.rsvps(space.id, occurrence.id, tuple(Answer)),
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
        assert await tx.members.names(other.id, [amara.id]) == {}
        assert await tx.members.names(home.id, [amara.id]) == {amara.id: amara.display_name}
        assert await intros.card(other.id, amara.id) is None
        assert await network.participant(other.id, amara.id) is None
        assert await network.pair(other.id, pair.id) is None
        assert await network.current_pair(other.id, amara.id) is None
        assert await network.round_pairs(other.id, round_info.id) == []
        mentorship = tx.repo(MENTORSHIP)
        [mentored] = await mentorship.pairs_of(home.id, amara.id, CURRENT)
        assert await mentorship.pair(other.id, mentored.id) is None
        assert await mentorship.mentor(other.id, amara.id) is None
        assert await mentorship.pairs_of(other.id, amara.id, tuple(PairStatus)) == []
        assert await mentorship.checkins(other.id, amara.id) == []
        assert await mentorship.request(other.id, mentored.request_id or 0) is None
        assert await mentorship.suggestions(other.id, mentored.request_id or 0) == []
        assert await mentorship.last_checkin(other.id, mentored.id) is None
        # writes by id change nothing there
        ladder = Ladder(START, Step.WAITING, START)
        assert not await mentorship.close(other.id, mentored.id, PairStatus.ENDED, START)
        assert not await mentorship.schedule(other.id, mentored.id, ladder)
        assert not await mentorship.activate(other.id, mentored.id, START, ladder)
        assert await mentorship.add_checkin(other.id, mentored.id, amara.id, START, "x") is None
        await mentorship.set_status(other.id, mentored.id, PairStatus.PAUSED)
        await mentorship.set_every(other.id, mentored.id, timedelta(weeks=9))
        await mentorship.feedback(other.id, mentored.id, amara.id, "changed")
        await mentorship.pause_mentor(other.id, amara.id, START, None)
        await mentorship.mentor_left(other.id, amara.id, START)
        await mentorship.update_request(other.id, mentored.request_id or 0, goals="changed")
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
        # exports and erasures by id find nothing either
        assert await qa.export_member(other.id, amara.id) == MemberQa([], [], [], [], [])
        assert await network.member_pairs(other.id, amara.id) == []
        assert await network.excluded_by(other.id, amara.id) == []
        assert await tx.audit.about(other.id, amara.id) == []
        assert await tx.outbox.addressed_to(other.id, "amara") == []
        assert await tx.repo(GUARD).member_overrides(other.id, amara.id) == []
        await qa.erase_member(other.id, amara.id, keep_posts=False)
        await network.erase_member(other.id, amara.id)
        assert await intros.erase_member(other.id, amara.id) is None
        await tx.repo(GUARD).erase_member(other.id, amara.id)
        await tx.audit.forget(other.id, amara.id)
        assert await tx.outbox.forget(other.id, "amara", ["Amara Secret"], START) == 0
        await tx.members.erase(other.id, amara.id, START)
        assert await tx.members.erased(home.id, ["amara"]) == set()
        events = tx.repo(EVENTS)
        occurrence = await events.occurrence(home.id, 1)
        assert occurrence is not None
        assert await events.occurrence(other.id, 1) is None
        assert await events.occurrence_by_id(other.id, occurrence.id) is None
        assert await events.occurrences_of(other.id, occurrence.series_id) == []
        assert await events.series(other.id, occurrence.series_id) is None
        assert await events.rsvps(other.id, occurrence.id, tuple(Answer)) == []
        assert await events.counts(other.id, [occurrence.id]) == {occurrence.id: {}}
        assert await events.answers_of(other.id, amara.id, [occurrence.id]) == {}
        assert await events.upcoming(other.id, START, 10) == []
        assert await events.lock(other.id, occurrence.id) is None
        await events.set_rsvp(other.id, occurrence.id, amara.id, Answer.GOING, 99, START)
        await events.save_occurrences(other.id, [replace(occurrence, cancel_reason="x")])
        assert await events.feed_token(other.id) is None
        # mentorship's and events' data rights and weekly counts find nothing there either
        weeks = [START - timedelta(weeks=1), START + timedelta(weeks=8)]
        assert (await mentorship.export_member(home.id, amara.id)).pairs  # home has them
        assert await mentorship.export_member(other.id, amara.id) == MemberMentorship([], [], [], 0)
        assert await mentorship.checkins_per_week(other.id, weeks) == [0]
        assert (await mentorship.standing(home.id)).pairs  # home has them
        assert await mentorship.standing(other.id) == Standing({}, 0, 0, 0, 0, 0, {})
        await mentorship.erase_member(other.id, amara.id)
        assert (await events.export_member(home.id, amara.id)).created  # home has it
        assert await events.export_member(other.id, amara.id) == MemberEvents([], [], [])
        assert await events.rsvps_per_week(other.id, weeks) == [0]
        await events.erase_member(other.id, amara.id)
    assert await snapshot(store, HOME) == before
    async with store.transaction() as tx:  # nothing left behind that blocks a real vote
        home = await tx.spaces.get_or_create(HOME)
        ben = await tx.members.get(home.id, "ben")
        assert ben is not None
        assert await tx.repo(QA).vote(home.id, answer.id, ben.id, START)


def said(outcome: Outcome) -> str:
    return "\n".join(r.message.text for r in outcome.replies)


async def test_export_erasure_stats_audit_and_digest_stay_in_their_space(store: SqlStore) -> None:
    core, platform, _ = await busy_home(store)
    rounds = core.rounds
    before = await snapshot(store, HOME)
    # the other community: ben again (Discord user ids are global) and mallory
    for user in ("mallory", "ben"):  # mallory, first, manages it
        await rounds.member_joined(actor(OTHER, user), manager_if_first=True)
    ben, mallory = actor(OTHER, "ben"), actor(OTHER, "mallory")
    await rounds.command(ben, 'profile set name="Ben Elsewhere"')
    await rounds.command(mallory, "config set network.every=4w")

    outcome = await rounds.command(ben, "my-data")
    file = outcome.replies[0].message.attachment
    assert file is not None
    data = json.loads(file.data)
    assert data["member"]["profile"]["name"] == "Ben Elsewhere"
    assert data["qa"]["questions"] == [] and data["networking"]["pairings"] == []
    shown = json.dumps(data)
    assert "Secret" not in shown and "Korle" not in shown and "LUTH" not in shown

    audit = said(await rounds.command(mallory, "audit"))
    assert "network.every" in audit and "channel" not in audit and "qa.anonymous" not in audit
    stats = said(await rounds.command(mallory, "stats"))
    assert "- New members: 2 (this week 2)" in stats and "- Questions: 0" in stats

    asked = await rounds.command(ben, "forget-me")
    button = asked.replies[0].message.buttons[0]
    await rounds.action(ben, button.action_id, button.value)
    assert await snapshot(store, HOME) == before  # home's ben and all the rest untouched

    # the other community began on 26 March (where `busy_home` left the clock)
    core.runtime.clock.set(datetime(2026, 3, 30, 9, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    await core.runtime.run_due()
    digests = [
        s for s in platform.sent if s.message.attachment and "Weekly digest" in s.message.text
    ]
    home = [d for d in digests if d.space == HOME]
    other = [d for d in digests if d.space == OTHER]
    assert len(home) == 4 and len(other) == 1  # home: 9, 16, 23 and 30 March; other: 30 March
    assert "1 new member joined (1 in all)" in other[0].message.text  # the erased one is gone
    assert "Secret" not in other[0].message.text
    assert "**Members**" not in home[-1].message.text  # nobody joined home that week
