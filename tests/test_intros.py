"""Introductions: cards, "Say hello", the directory, and the single gentle reminder."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from storage.models import OutboxRow
from storage.store import SqlStore
from tests.conftest import Transcript

SETUP = """
clock 2026-03-02 09:00 UTC
join amara
/rounds config channel intros #introductions
amara: /rounds profile set name="Amara Eze" role=physician specialty="emergency medicine" institution=LUTH interests="quality improvement, global health" mentor=yes timezone=Africa/Lagos
join ben
ben: /rounds profile set name="Ben Osei" role=resident specialty=paediatrics institution="Korle Bu" interests="simulation, quality improvement" timezone=Europe/London
"""


async def deliveries(store: SqlStore, purpose: str) -> list[OutboxRow]:
    async with store.sessions() as session:
        rows = await session.execute(select(OutboxRow).where(OutboxRow.purpose == purpose))
        return list(rows.scalars())


async def test_intro_posts_a_card_with_a_hello_button(transcript: Transcript) -> None:
    out = await transcript(SETUP + "ben: /rounds intro")
    assert "[private @ben]\n  ✓ Your introduction is up in #introductions." in out
    card = out.split("[#introductions]\n")[1]
    assert card.startswith("  👋 Meet **Ben Osei** (@ben)\n  resident · paediatrics\n")
    assert "  Institution: Korle Bu\n" in card
    assert "  Interests: simulation, quality improvement\n" in card
    assert card.rstrip().endswith("[button] Say hello")


async def test_reposting_edits_the_card_instead_of_posting_again(transcript: Transcript) -> None:
    out = await transcript(
        SETUP
        + 'ben: /rounds intro\nben: /rounds profile set region="West Africa"\nben: /rounds intro'
    )
    assert out.count("[#introductions]\n") == 1
    assert "[#introductions] (updated)\n  👋 Meet **Ben Osei**" in out
    assert "  Region: West Africa" in out.split("(updated)")[1]
    assert "✓ Updated your introduction in #introductions." in out


async def test_without_a_channel_the_member_and_managers_are_told(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        "join amara\njoin ben\nben: /rounds profile set role=nurse specialty=oncology\n"
        "ben: /rounds intro"
    )
    assert "Introductions need a channel first." in out
    assert "I've let the managers know." in out
    assert (
        "[dm @amara]\n  @ben tried to post an introduction, but there is no intros channel" in out
    )
    assert await deliveries(store, "intro") == []


async def test_a_nearly_empty_profile_is_asked_to_fill_in_first(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript("join amara\n/rounds config channel intros #intros\n/rounds intro")
    assert "Your card would be nearly empty. Fill in your profile first" in out
    assert "Usage:" not in out  # typed right: nothing to correct in the command itself
    assert await deliveries(store, "intro") == []


async def test_say_hello_dms_the_card_owner_once_a_day(transcript: Transcript) -> None:
    out = await transcript(
        SETUP + 'ben: /rounds intro\namara: click "Say hello"\namara: click "Say hello"'
    )
    assert "[private @amara]\n  ✓ Said hello to @ben; they'll get a DM from Rounds." in out
    assert "[dm @ben]\n  👋 @amara says hello! (physician · emergency medicine)" in out
    assert out.count("says hello!") == 1
    assert "You already said hello to @ben today." in out


async def test_pressing_hello_on_your_own_card(transcript: Transcript) -> None:
    out = await transcript(SETUP + 'ben: /rounds intro\nben: click "Say hello"')
    assert "That's your own card" in out


async def test_one_reminder_after_three_days_at_a_sensible_local_hour(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        SETUP
        + "join chidi\nchidi: /rounds profile set timezone=Asia/Kolkata quiet=13:00-18:00\n"
        + "advance 2d\nadvance 2d\nadvance 2w"
    )
    assert out.count("Hi @chidi, a gentle nudge") == 1
    [row] = [r for r in await deliveries(store, "intro-reminder") if r.target_id == "chidi"]
    # joined Mon 09:00 UTC; three days later it is 14:30 in Kolkata, inside quiet hours
    # (13:00-18:00), so the nudge waits for 18:00 IST = 12:30 UTC.
    assert row.sent_at == datetime(2026, 3, 5, 12, 30, tzinfo=UTC)


async def test_no_reminder_for_members_who_introduced_themselves(transcript: Transcript) -> None:
    out = await transcript(SETUP + "ben: /rounds intro\nadvance 5d")
    assert "[dm @ben]\n  Hi @ben, a gentle nudge" not in out
    assert "[dm @amara]\n  Hi @amara, a gentle nudge" in out


async def test_a_planned_reminder_is_cancelled_by_an_intro(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        SETUP
        + "ben: /rounds profile set quiet=00:00-23:59\nadvance 3d\nadvance 1h\n"
        + "ben: /rounds intro\nadvance 2d"
    )
    assert "[dm @ben]\n  Hi @ben, a gentle nudge" not in out
    [row] = [r for r in await deliveries(store, "intro-reminder") if r.target_id == "ben"]
    assert row.status == "cancelled"


async def test_no_reminders_without_an_intros_channel(transcript: Transcript) -> None:
    out = await transcript("join amara\njoin ben\nadvance 5d")
    assert "gentle nudge" not in out


async def test_find_ranks_exact_field_matches_first(transcript: Transcript) -> None:
    out = await transcript(
        SETUP
        + 'join cara\ncara: /rounds profile set name=Cara specialty="paediatric surgery"\n'
        + "join dan\ndan: /rounds profile set name=Dan specialty=paediatrics\n"
        + "amara: /rounds find specialty=paediatrics"
    )
    result = out.split("[private @amara]\n")[-1]
    lines = [line for line in result.splitlines() if line.startswith("  - ")]
    assert [line.split("**")[1] for line in lines] == ["Ben Osei", "Dan"]
    assert "_(exact specialty)_" in lines[0]
    assert "[button] Say hello to Ben Osei" in result


async def test_find_by_text_interest_and_mentor(transcript: Transcript) -> None:
    out = await transcript(
        SETUP
        + "ben: /rounds find global health\n"
        + 'ben: /rounds find interest="quality improvement" mentor=yes\n'
        + "amara: /rounds find mentor=yes"
    )
    assert "**1 member matching “global health”**\n  - **Amara Eze**" in out
    assert "**1 member matching interest=quality improvement mentor=yes**" in out
    assert out.rstrip().endswith(
        "No members match mentor=yes. Try fewer words, or a broader "
        "field such as `/rounds find interest=leadership`."
    )


async def test_find_treats_wildcards_literally(transcript: Transcript) -> None:
    out = await transcript(SETUP + "ben: /rounds find 100%\nben: /rounds find specialty=_")
    assert "No members match “100%”" in out
    assert "No members match specialty=_" in out


async def test_find_needs_something_to_look_for(transcript: Transcript) -> None:
    out = await transcript(SETUP + "ben: /rounds find\nben: /rounds find stage=wizard")
    assert "Tell me who you're looking for" in out
    assert "`stage` can be one of: student, trainee" in out


async def test_find_returns_at_most_ten(transcript: Transcript) -> None:
    lines = [SETUP]
    for i in range(12):
        lines.append(f"join m{i}\nm{i}: /rounds profile set specialty=cardiology")
    out = await transcript("\n".join(lines) + "\nben: /rounds find cardiology")
    assert "**10 members matching “cardiology”**" in out


async def test_find_refuses_huge_input_and_neutralises_hostile_text(transcript: Transcript) -> None:
    out = await transcript(
        SETUP + "ben: /rounds find " + "x" * 101 + "\nben: /rounds find <@amara> <t:0:F>\n"
        "ben: /rounds intro please"
    )
    assert "`text` is too long (101 characters); the most it takes is 100." in out
    assert "No members match “<@amara> <t:0:f>”" in out  # shown as typed, not as a mention
    assert "I didn't expect `please` here." in out


async def test_a_card_in_a_new_intros_channel_is_a_new_post_and_the_old_one_points_to_it(
    transcript: Transcript,
) -> None:
    out = await transcript(
        SETUP
        + "ben: /rounds intro\namara: /rounds config channel intros #meet-the-community\n"
        + "ben: /rounds intro"
    )
    assert "[#introductions]\n  👋 Meet **Ben Osei**" in out
    assert "[#meet-the-community]\n  👋 Meet **Ben Osei**" in out
    assert (
        "✓ Posted your introduction in #meet-the-community, the new intros channel; "
        "your old card in #introductions now points there." in out
    )
    assert (
        "[#introductions] (updated)\n  👋 **Ben Osei**'s introduction has moved to "
        "#meet-the-community." in out
    )


async def test_members_of_spaces_without_a_channel_never_crowd_out_reminders(
    store: SqlStore,
) -> None:
    from datetime import timedelta

    from bot.domain import SpaceKey
    from bot.features.intros.model import INTROS

    joined = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    async with store.transaction() as tx:
        quiet = await tx.spaces.get_or_create(SpaceKey("console", "no-channel"))
        busy = await tx.spaces.get_or_create(SpaceKey("console", "with-channel"))
        await tx.settings.put(busy.id, "channel.intros", "introductions")
        for i in range(3):  # older than anyone in the other space
            member = await tx.members.add(quiet.id, f"q{i}", f"q{i}", joined - timedelta(hours=1))
            await tx.members.mark_welcomed(quiet.id, member.id, joined)
        member = await tx.members.add(busy.id, "b0", "b0", joined)
        await tx.members.mark_welcomed(busy.id, member.id, joined)
    async with store.transaction() as tx:
        found = await tx.repo(INTROS).needing_reminder(
            joined + timedelta(days=1), joined - timedelta(days=7), 1, setting="channel.intros"
        )
    assert [m.user_id for m in found] == ["b0"]
