"""Members' data rights in the console: `/rounds privacy`, `/rounds my-data` (a JSON file of
everything stored about them) and `/rounds forget-me` (a confirmation, then erasure: no table
holds their user id or name afterwards; their posts stay anonymised or go, as they chose)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import ForeignKey, String, Text, select

from bot.bootstrap import build_core
from bot.clock import ManualClock
from bot.context import Actor
from bot.domain import SpaceKey
from bot.features.catalog import build_router
from bot.features.qa.model import QA
from bot.guard import HeldTexts, Kind
from bot.messages import Attachment
from storage.models import Base
from storage.store import SqlStore
from tests.fakes import RecordingPlatform
from tests.helpers import CONSOLE, Community, stored_member

# Monday 2 March 2026. The first networking round starts Monday 9 March (paired the day
# before); its "Did you meet?" goes out halfway, on Monday 16 March.
SETUP = """
clock 2026-03-02 09:00 UTC
join amara
amara: /rounds config channel intros #intros
amara: /rounds config channel qa #questions
join zanele
zanele: /rounds profile set name="Zanele Quist" role=resident specialty=paediatrics institution=Tygerberg timezone=Africa/Johannesburg interests="simulation, quality improvement" quiet=22:00-06:00
zanele: /rounds intro
zanele: /rounds network join
join ben
ben: /rounds profile set name="Ben Osei" institution="Korle Bu" timezone=Europe/London interests=simulation
ben: /rounds network join
join cara
zanele: /rounds network exclude @cara
zanele: /rounds ask title="Protected time for simulation teaching?" tags=simulation
ben: /rounds answer 1 "Ask your director for a three-month trial."
zanele: click "▲ Upvote"
ben: /rounds ask title="Night shift rota swaps"
cara: click "Follow"
zanele: click "Follow"
zanele: /rounds answer 2 "Laminate a handover checklist and swap early."
amara: /rounds config manager add @zanele
advance 8d
"""
# By Tuesday 10 March: zanele and ben were introduced in round 1, and each waits for a
# "Did you meet?" on 16 March.
USER, NAMES = "zanele", ("Zanele Quist", "zanele")
START = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def community(store: SqlStore) -> Community:
    return Community(store)


def attachment(community: Community, name: str) -> Attachment:
    for shown in reversed(community.console.state.outputs):
        found = shown.message.attachment
        if found is not None and found.name == name:
            return found
    raise AssertionError(f"no attachment {name!r} shown")


async def exported(community: Community, user: str = USER) -> dict[str, Any]:
    await community.run(f"{user}: /rounds my-data")
    file = attachment(community, "rounds-my-data.json")
    assert file.mime_type == "application/json"
    data: dict[str, Any] = json.loads(file.data)
    return data


async def rows_naming(store: SqlStore, needles: tuple[str, ...], member_id: int) -> list[str]:
    """Every value in every table of the models that holds one of `needles` (case aside), or
    that points at the member's old row: the walk an erasure must pass."""
    found = []
    lowered = [n.lower() for n in needles]
    async with store.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            member_columns = {
                c.name
                for c in table.columns
                if any(
                    isinstance(fk, ForeignKey) and fk.column.table.name == "members"
                    for fk in c.foreign_keys
                )
            }
            if table.name == "members":
                member_columns.add("id")
            for row in (await connection.execute(select(table))).mappings():
                for column, value in row.items():
                    text_column = isinstance(table.c[column].type, String | Text)
                    if text_column and value and any(n in str(value).lower() for n in lowered):
                        found.append(f"{table.name}.{column}: {value!r}")
                    if column in member_columns and value == member_id:
                        found.append(f"{table.name}.{column} = old member id")
    return found


async def member_id(store: SqlStore, user: str = USER) -> int:
    member = await stored_member(store, user)
    assert member is not None
    return member.id


async def test_privacy_says_what_is_kept_why_and_how_to_export_or_erase_in_five_lines(
    community: Community,
) -> None:
    out = await community.run("clock 2026-03-02 09:00 UTC\njoin amara\n/rounds privacy")
    body = out.split("[private @amara]\n")[1].splitlines()
    points = [line for line in body if line.startswith("  - ")]
    assert len(points) == 5
    assert points[0].startswith("  - **What:** your profile, your introduction card, ")
    assert "your questions, answers, upvotes and follows" in points[0]
    assert points[1].startswith("  - **Why:**")
    assert "`/rounds my-data`" in points[3] and "`/rounds forget-me`" in points[4]


async def test_my_data_is_a_json_file_of_everything_stored_about_the_member(
    community: Community, store: SqlStore
) -> None:
    await community.run(SETUP)
    data = await exported(community)
    assert list(data) == [
        "about",
        "community",
        "exported_at",
        "member",
        "introductions",
        "networking",
        "mentorship",
        "qa",
        "events",
        "guard",
        "audit",
        "outbox",
    ]
    member = data["member"]
    assert (member["user_id"], member["community_manager"]) == (USER, True)
    assert member["profile"]["name"] == "Zanele Quist"
    assert member["profile"]["interests"] == ["simulation", "quality improvement"]
    assert member["profile"]["quiet_hours"] == "22:00-06:00"
    assert data["introductions"]["card_posted"] is True
    assert data["introductions"]["card_channel"] == "intros"
    networking = data["networking"]
    assert networking["taking_part"] == "active"
    assert networking["never_paired_with"] == ["cara (cara)"]
    [pairing] = networking["pairings"]
    assert (pairing["round"], pairing["with"], pairing["did_you_meet"]) == (
        1,
        ["Ben Osei (ben)"],
        None,
    )
    qa = data["qa"]
    assert [q["title"] for q in qa["questions"]] == ["Protected time for simulation teaching?"]
    assert [(a["id"], a["question"]) for a in qa["answers"]] == [("A2", "Q2")]
    assert [v["answer"] for v in qa["upvoted"]] == ["A1"]
    assert qa["following"] == ["Q2"]
    assert [(e["by"], e["what"]) for e in data["audit"]] == [("amara", "added you as a manager")]
    waiting = [o for o in data["outbox"] if o["status"] == "pending"]
    assert [o["purpose"] for o in waiting] == ["network-check"]
    assert waiting[0]["text"].startswith("Halfway through this networking round: did you meet")
    assert {o["purpose"] for o in data["outbox"]} >= {"welcome", "qa-answered"}
    assert datetime.fromisoformat(data["exported_at"]) == datetime(2026, 3, 10, 9, tzinfo=UTC)


async def test_my_data_of_a_new_member_still_has_every_section(community: Community) -> None:
    await community.run("clock 2026-03-02 09:00 UTC\njoin amara")
    data = await exported(community, "amara")
    assert data["introductions"] == {"card_posted": False}
    assert data["networking"]["taking_part"] == "never joined"
    assert data["qa"]["questions"] == [] and data["audit"] == []
    note = community.console.state.outputs[-1].message.text
    named = note.split("(")[1].split(")")[0]
    assert [part.strip("` ") for part in named.split(",")] == [
        key for key in data if key not in ("about", "community", "exported_at")
    ]  # the note names the file's parts as the file does


async def test_forget_me_asks_first_and_cancel_erases_nothing(
    community: Community, store: SqlStore
) -> None:
    await community.run(SETUP)
    out = await community.run(f"{USER}: /rounds forget-me")
    assert "**Erase everything Rounds knows about you?**" in out
    assert "You posted 1 question and 1 answer." in out
    labels = [b.label for b in community.console.state.outputs[-1].message.buttons]
    assert labels == ["Erase me, keep my posts anonymised", "Erase me and my posts", "Cancel"]
    out = await community.run(f'{USER}: click "Cancel"')
    assert "Cancelled. Nothing was erased." in out
    assert await stored_member(store, USER) is not None


async def test_a_member_without_posts_is_asked_plainly(community: Community) -> None:
    out = await community.run("clock 2026-03-02 09:00 UTC\njoin amara\n/rounds forget-me")
    assert "You posted" not in out
    assert "You are the only manager added in Rounds here" in out  # the console's first joiner
    labels = [b.label for b in community.console.state.outputs[-1].message.buttons]
    assert labels == ["Erase everything", "Cancel"]


@pytest.mark.parametrize("choice", ["Erase me, keep my posts anonymised", "Erase me and my posts"])
async def test_after_erasure_no_table_holds_their_user_id_or_name(
    community: Community, store: SqlStore, choice: str
) -> None:
    await community.run(SETUP)
    old_id = await member_id(store)
    assert await rows_naming(store, NAMES, old_id)  # the walk finds them before
    out = await community.run(f'{USER}: /rounds forget-me\n{USER}: click "{choice}"')
    assert "✓ Done. Rounds has erased your profile and everything it kept about you here" in out
    assert await stored_member(store, USER) is None
    assert await rows_naming(store, NAMES, old_id) == []
    found = await community.run("ben: /rounds find Quist\nben: /rounds find paediatrics")
    assert "Zanele" not in found and "No members match “quist”" in found  # the index forgot
    async with store.transaction() as tx:  # what remains: a salted hash
        space = await tx.spaces.get_or_create(CONSOLE)
        assert await tx.members.erased(space.id, [USER, "ben"]) == {USER}


async def test_kept_posts_stay_without_their_author(community: Community, store: SqlStore) -> None:
    await community.run(SETUP)
    out = await community.run(
        f'{USER}: /rounds forget-me\n{USER}: click "Erase me, keep my posts anonymised"'
    )
    assert "your posts stay, without your name" in out
    assert "[#questions] (updated)\n  ❓ **Q1: Protected time for simulation teaching?**\n" in out
    assert "  Asked by a former member · simulation" in out
    assert "💡 **A2** · ▲ 0\n  Laminate a handover checklist" in out  # edited: no author
    out = await community.run("ben: /rounds qa show 2\nben: /rounds qa search laminate")
    assert "💡 **A2** · ▲ 0\n  Laminate a handover checklist and swap early." in out
    assert "**1 question matching “laminate”**" in out
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(CONSOLE)
        qa = tx.repo(QA)
        first, second = (
            await qa.question_by_number(space.id, 1),
            await qa.answer_by_number(space.id, 2),
        )
    assert first is not None and first.author_id is None
    assert second is not None and (second.author_id, second.body[:8]) == (None, "Laminate")


async def test_removed_posts_go_with_their_text_in_search(
    community: Community, store: SqlStore
) -> None:
    await community.run(SETUP)
    out = await community.run(f'{USER}: /rounds forget-me\n{USER}: click "Erase me and my posts"')
    assert "your posts included" in out
    assert "❓ This question was removed at its author's request." in out
    assert "💡 This answer was removed at its author's request." in out
    out = await community.run(
        "ben: /rounds qa search laminate\nben: /rounds qa show 1\nben: /rounds qa show 2"
    )
    assert "No questions match “laminate” yet." in out
    assert "There's no question Q1 here." in out
    assert "  No answers yet." in out  # Q2 lost its only answer
    out = await community.run("ben: /rounds qa open")
    assert "Night shift rota swaps" in out  # unanswered again


async def test_the_partner_gets_a_neutral_note_and_no_question_about_them(
    community: Community,
) -> None:
    await community.run(SETUP)
    out = await community.run(
        f'{USER}: /rounds forget-me\n{USER}: click "Erase me and my posts"\nadvance 10d'
    )
    assert (
        "[dm @ben]\n  Your networking partner this round is no longer taking part, so this "
        "pairing has ended." in out
    )
    after = out.split("Erased. Thank you for having been part of this community.")[1]
    assert "did you meet" not in after and "@zanele" not in after


async def test_a_confirmation_that_is_stale_or_not_theirs_erases_nothing(
    community: Community, store: SqlStore
) -> None:
    await community.run(SETUP + f"{USER}: /rounds forget-me")
    button = community.button("Erase me and my posts")
    outcome = await community.core.rounds.action(
        community.console._actor("ben"), button.action_id, button.value
    )
    assert "isn't yours, so nothing was erased" in outcome.replies[0].message.text
    assert await stored_member(store, "ben") is not None
    out = await community.run(f'advance 16m\n{USER}: click "Erase me and my posts"')
    assert "That confirmation has expired" in out
    assert await stored_member(store, USER) is not None


async def test_texts_the_guard_holds_for_them_are_dropped(store: SqlStore) -> None:
    held = HeldTexts()
    core = build_core(store, ManualClock(START), router=build_router(held))
    core.add_platform(RecordingPlatform())
    actor = Actor(CONSOLE, USER, display_name=USER)
    await core.rounds.member_joined(actor)
    member = await stored_member(store, USER)
    assert member is not None
    for space_id in (member.space_id, member.space_id + 1):  # here, and another space
        held.hold(space_id, member.id, "qa.ask", {"title": "x"}, frozenset({Kind.PHONE}), START)
    outcome = await core.rounds.command(actor, "forget-me")
    button = outcome.replies[0].message.buttons[0]
    await core.rounds.action(actor, button.action_id, button.value)
    assert await stored_member(store, USER) is None
    assert len(held) == 1  # only the other space's text is left


async def test_a_mention_does_not_bring_them_back_but_they_may_come_back_themselves(
    community: Community, store: SqlStore
) -> None:
    await community.run(SETUP + f'{USER}: /rounds forget-me\n{USER}: click "Erase me and my posts"')
    out = await community.run(f"amara: /rounds config manager add @{USER}")
    assert f"`@{USER}` isn't using Rounds at the moment" in out
    assert await stored_member(store, USER) is None
    out = await community.run(f"{USER}: /rounds help")  # they use Rounds again: a new start
    assert f"[dm @{USER}]\n  Welcome to the community, @{USER}!" in out
    fresh = await stored_member(store, USER)
    assert fresh is not None and fresh.profile.name is None
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(CONSOLE)
        assert await tx.members.erased(space.id, [USER]) == set()


async def test_opening_the_home_page_does_not_make_them_a_member_again(
    community: Community, store: SqlStore
) -> None:
    await community.run(SETUP + f'{USER}: /rounds forget-me\n{USER}: click "Erase me and my posts"')
    [shown] = await community.core.rounds.home(community.console._actor(USER))
    assert shown.text.startswith("You asked Rounds to forget you, and it has.")
    assert await stored_member(store, USER) is None


async def test_audit_entries_keep_the_change_but_name_a_former_member(
    community: Community,
) -> None:
    await community.run(
        SETUP
        + f"{USER}: /rounds config set network.every=3w\n"
        + f'{USER}: /rounds forget-me\n{USER}: click "Erase me and my posts"'
    )
    listing = await community.run("amara: /rounds audit")
    assert "a former member: set `network.every` to 3w" in listing
    assert "@amara: added a former member as a manager" in listing
    assert "Rounds: erased a member's data at their request" in listing
    assert USER not in listing


async def test_the_same_user_id_in_another_space_is_left_alone(store: SqlStore) -> None:
    """Discord user ids are global: erasing someone in one server leaves the other alone."""
    community = Community(store)
    await community.run(SETUP)
    other = SpaceKey("console", "other")
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(other)
        await tx.members.add(space.id, USER, "Zanele elsewhere", START)
    await community.run(f'{USER}: /rounds forget-me\n{USER}: click "Erase me and my posts"')
    kept = await stored_member(store, USER, other)
    assert kept is not None and kept.display_name == "Zanele elsewhere"
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(other)
        assert await tx.members.erased(space.id, [USER]) == set()


async def test_erasing_twice_in_a_row_is_harmless(community: Community, store: SqlStore) -> None:
    await community.run(SETUP + f"{USER}: /rounds forget-me")
    button = community.button("Erase me and my posts")
    await community.run(f'{USER}: click "Erase me and my posts"')
    outcome = await community.core.rounds.action(
        community.console._actor(USER), button.action_id, button.value
    )
    assert "nothing was erased" in outcome.replies[-1].message.text
