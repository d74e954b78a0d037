"""Community events end to end in the console: creating (and who may), the card, RSVPs that
are instant and idempotent, capacity and the waitlist, reminders (quiet hours, a restart),
series, edits and cancellations that tell those who answered, listing, and follow-ups."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.bootstrap import build_console
from bot.clock import ManualClock
from bot.features.events.model import EVENTS, Answer
from storage.models import OutboxRow
from storage.store import SqlStore
from tests.conftest import Transcript
from tests.helpers import CONSOLE

# Monday 2 March 2026, 09:00 UTC. Amara (New York) is the manager; Ben is in London, Cara in
# Kolkata, Dev has set no time zone (the community's: UTC).
COMMUNITY = """
clock 2026-03-02 09:00 UTC
join amara
amara: /rounds profile set timezone=America/New_York
join ben
ben: /rounds profile set timezone=Europe/London
join cara
cara: /rounds profile set timezone=Asia/Kolkata
join dev
amara: /rounds config channel events #events
"""
START_PLUS = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WORKSHOP = (
    'amara: /rounds event create title="Negotiating for your team" when="2026-03-10 18:00" '
    "tz=America/New_York duration=90m kind=workshop capacity=2 "
    'link=https://meet.example.org/leaders description="Scripts that work"'
)


def blocks(out: str, header: str) -> list[str]:
    """The bodies of every output with this header line (`[dm @ben]`, `[#events]`)."""
    found = []
    for block in ("\n" + out).split("\n[")[1:]:
        head, _, body = block.partition("\n")
        if f"[{head}" == header:
            found.append(body.rstrip("\n"))
    return found


def last(out: str) -> str:
    return out.split("\n[")[-1]


def reminders(out: str, header: str) -> list[str]:
    return [body for body in blocks(out, header) if "⏰" in body]


async def test_creating_an_event_posts_its_card_and_says_how_the_time_was_read(
    transcript: Transcript,
) -> None:
    out = await transcript(COMMUNITY + WORKSHOP)
    assert (
        "✓ Event 1 is on: **Negotiating for your team** (workshop), "
        "Tue 10 Mar 2026, 18:00 EDT (America/New_York), 1 h 30 min." in out
    )
    [card] = blocks(out, "[#events]")
    assert card.startswith("  🛠️ **Negotiating for your team** · workshop\n  Scripts that work")
    assert "  When: Tue 10 Mar 2026, 22:00 UTC (in 8 days)" in card
    assert (
        "  Duration: 1 h 30 min\n  Host: @amara\n  Join: https://meet.example.org/leaders" in card
    )
    assert "  Seats: 2 of 2 left · 0 going · 0 maybe" in card
    assert card.endswith("[button] Going\n  [button] Maybe\n  [button] Can't go")


async def test_when_is_read_in_the_creators_own_zone_by_default(transcript: Transcript) -> None:
    out = await transcript(
        COMMUNITY + "amara: /rounds config set events.creators=members\n"
        'cara: /rounds event create title="Journal club" when="tomorrow 18:00"'
    )
    assert "Tue 03 Mar 2026, 18:00 IST (Asia/Kolkata)" in blocks(out, "[private @cara]")[-1]


async def test_only_managers_create_events_unless_members_may(transcript: Transcript) -> None:
    out = await transcript(
        COMMUNITY + 'ben: /rounds event create title="Tea" when="tomorrow 18:00"'
    )
    assert "Only community managers can create events here." in last(out)
    assert "`/rounds config set events.creators=members`" in last(out)
    out = await transcript(
        "amara: /rounds config set events.creators=members\n"
        'ben: /rounds event create title="Tea" when="tomorrow 18:00"'
    )
    assert "✓ Event 1 is on: **Tea**" in out


async def test_the_form_creates_the_same_event(transcript: Transcript) -> None:
    out = await transcript(COMMUNITY + "as amara\n/rounds event create")
    assert "[form] New event\n  fields: title*, when*, kind (workshop|forum|webinar|meetup)" in out
    out = await transcript('submit title="Grand rounds" when="2026-03-10 18:00" kind=forum')
    assert "✓ Event 1 is on: **Grand rounds** (forum)" in out
    out = await transcript('/rounds event create\nsubmit title="Later" when="yesterday 10:00"')
    assert "Nothing was created." in out and "which has already passed" in out


async def test_rsvps_are_instant_idempotent_and_update_the_card(transcript: Transcript) -> None:
    out = await transcript(COMMUNITY + WORKSHOP + '\nben: click "Going"\nben: click "Going"')
    assert (
        "You're going ✓ for **Negotiating for your team**, Tue 10 Mar 2026, 22:00 GMT. "
        "We'll remind you 24 h and 1 h before." in out
    )
    assert (
        "You're already down as going ✓ for **Negotiating for your team**. Nothing changed." in out
    )
    updated = blocks(out, "[#events] (updated)")
    assert len(updated) == 1  # the second press changed nothing
    assert "Seats: 1 of 2 left · 1 going · 0 maybe" in updated[0]


async def test_a_full_event_keeps_a_waitlist_in_order_and_promotes_by_dm(
    transcript: Transcript,
) -> None:
    out = await transcript(
        COMMUNITY
        + WORKSHOP
        + '\nben: click "Going"\ncara: click "Going"\ndev: click "Going"\namara: click "Going"'
    )
    assert (
        "is full, so you're on the waitlist (number 1 in line)" in blocks(out, "[private @dev]")[-1]
    )
    assert "(number 2 in line)" in blocks(out, "[private @amara]")[-1]
    out = await transcript('dev: click "Going"')
    assert "You're already on the waitlist for **Negotiating for your team**." in last(out)
    out = await transcript('cara: click "Can\'t go"')
    [promoted] = blocks(out, "[dm @dev]")
    assert promoted.startswith("  🎉 A seat opened up: you're now going to **Negotiating")
    assert blocks(out, "[dm @amara]") == []  # second in line waits
    out = await transcript("amara: /rounds event 1")
    assert "**Going (2)**: @ben, @dev\n  **Waitlist (1)**: @amara" in out


async def test_reminders_go_to_going_and_maybe_and_one_post_at_the_last_offset(
    transcript: Transcript,
) -> None:
    out = await transcript(
        COMMUNITY
        + WORKSHOP
        + '\nben: click "Going"\ncara: click "Maybe"\ndev: click "Can\'t go"\nadvance 9d'
    )
    first, second = reminders(out, "[dm @ben]")
    assert first.startswith("  ⏰ **Negotiating for your team** starts in 1 day: Tue 10 Mar")
    assert second.startswith("  ⏰ **Negotiating for your team** starts in 1 hour: Tue 10 Mar")
    assert "Plans changed? Answer again below" in reminders(out, "[dm @cara]")[0]
    assert reminders(out, "[dm @dev]") == []
    [post] = [b for b in blocks(out, "[#events]") if "⏰" in b]
    assert post.startswith("  ⏰ **Negotiating for your team** starts in 1 hour")


async def test_going_again_after_cant_go_brings_the_reminders_back(
    transcript: Transcript,
) -> None:
    # a week on, the reminders are planned; Ben changes his mind twice, then goes after all
    out = await transcript(
        COMMUNITY
        + WORKSHOP
        + '\nben: click "Going"\nadvance 7d\nben: click "Can\'t go"\nben: click "Going"'
    )
    assert "We'll remind you 24 h and 1 h before." in blocks(out, "[private @ben]")[-1]
    out = await transcript("advance 2d")
    first, second = reminders(out, "[dm @ben]")
    assert first.startswith("  ⏰ **Negotiating for your team** starts in 1 day")
    assert second.startswith("  ⏰ **Negotiating for your team** starts in 1 hour")


async def test_a_reminder_in_quiet_hours_goes_before_they_begin(
    transcript: Transcript, store: SqlStore
) -> None:
    # 06:30 in London: the 1 h reminder (05:30) falls in Ben's quiet hours (21:00-08:00)
    out = await transcript(
        COMMUNITY + 'amara: /rounds event create title="Early huddle" when="2026-03-12 06:30" '
        'tz=Europe/London\nben: click "Going"\nadvance 11d'
    )
    async with store.sessions() as session:
        rows = (
            await session.execute(
                select(OutboxRow.dedupe_key, OutboxRow.sent_at, OutboxRow.status).where(
                    OutboxRow.purpose == "event-reminder", OutboxRow.target_kind == "dm"
                )
            )
        ).all()
    sent = sorted(at for _, at, status in rows if status == "sent")
    # and so does the 24 h one (06:30 on the 11th): each goes at 20:55 the evening before,
    # five minutes before Ben's quiet hours begin
    assert sent == [
        datetime(2026, 3, 10, 20, 55, tzinfo=UTC),
        datetime(2026, 3, 11, 20, 55, tzinfo=UTC),
    ]
    assert all(at < datetime(2026, 3, 12, 6, 30, tzinfo=UTC) for at in sent)
    assert len(reminders(out, "[dm @ben]")) == 2


async def test_reminders_planned_before_a_restart_go_out_after_it_or_expire(
    store: SqlStore,
) -> None:
    """The bot stops after planning; a new process starts before one event and after another."""
    out = io.StringIO()
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    _, console = build_console(store, clock, out)
    lines = (
        COMMUNITY
        + 'amara: /rounds event create title="Soon" when="2026-03-04 12:00" tz=UTC\n'
        + 'ben: click "Going"\n'
        + 'amara: /rounds event create title="Sooner" when="2026-03-03 20:00" tz=UTC\n'
        + 'ben: click "Going"\n'
        + "advance 1d\n"
    )
    await console.run_lines(lines.strip().splitlines())  # every reminder is in the outbox now
    # down from Tuesday 09:00 until Wednesday 11:30: "Sooner" has begun, "Soon" has not
    restarted = io.StringIO()
    later = ManualClock(datetime(2026, 3, 4, 11, 30, tzinfo=UTC))
    core, _ = build_console(store, later, restarted)
    await core.runtime.run_due(every_job=True)
    said = restarted.getvalue()
    assert said.count("[dm @ben]") == 1  # only the latest reminder of "Soon", not both
    assert "⏰ **Soon** starts in 30 minutes" in said
    assert "Sooner" not in said
    async with store.sessions() as session:
        statuses = dict(
            (
                await session.execute(
                    select(OutboxRow.dedupe_key, OutboxRow.status).where(
                        OutboxRow.purpose == "event-reminder"
                    )
                )
            ).all()
        )
    # Sooner's 24 h reminder went before the stop; its 1 h ones expired. Soon's 24 h reminder
    # was overtaken by its 1 h one, which went on start, with the post in the channel
    answer_seq = re.compile(r"(:\d+)\.\d+$")  # a member's key ends with their answer's number
    assert {answer_seq.sub(r"\1", key): status for key, status in statuses.items()} == {
        "event:2:s1:remind:1440:2": "sent",
        "event:2:s1:remind:60:2": "expired",
        "event:2:s1:remind:60:channel": "expired",
        "event:1:s1:remind:1440:2": "expired",
        "event:1:s1:remind:60:2": "sent",
        "event:1:s1:remind:60:channel": "sent",
    }


async def test_a_wrong_when_and_a_wrong_until_are_both_said_at_once(
    transcript: Transcript,
) -> None:
    out = await transcript(
        COMMUNITY + 'amara: /rounds event create title="Journal club" when="tomorrow 25:00" '
        "repeat=weekly until=2026-04-31\namara: /rounds events"
    )
    assert "`25:00` isn't a time of day" in out
    assert "`2026-04-31` isn't a date" in out
    assert "No upcoming events yet." in out  # nothing was made


async def test_a_monthly_series_on_the_31st_says_which_months_it_skips(
    transcript: Transcript,
) -> None:
    out = await transcript(
        COMMUNITY + 'amara: /rounds event create title="Grand rounds" when="2026-03-31 12:00" '
        "tz=UTC repeat=monthly until=2026-08-31"
    )
    assert "It repeats monthly until Mon 31 Aug 2026: 4 occurrences, events 1–4" in out
    assert "There's no 31st in Apr 2026, Jun 2026: no session then" in out


async def test_a_series_has_occurrences_with_their_own_answers_and_cancelling_one_keeps_it(
    transcript: Transcript,
) -> None:
    out = await transcript(
        COMMUNITY + 'amara: /rounds event create title="Journal club" when="2026-03-03 12:30" '
        "tz=Europe/London repeat=weekly until=2026-03-24"
    )
    assert "It repeats weekly until Tue 24 Mar 2026: 4 occurrences, events 1–4" in out
    assert len(blocks(out, "[#events]")) == 1  # the next card goes up when this one starts
    out = await transcript(
        'ben: click "Going"\nben: /rounds event 2\nben: click "Maybe"\n'
        "amara: /rounds event cancel 2 Bank holiday\nben: /rounds events"
    )
    assert "Your answer: going" not in out.split("[private @ben]")[2]
    assert "I'm telling the 1 member who answered. The rest of the series goes on." in out
    listed = last(out)
    assert "**1** · Journal club" in listed and "**3** · Journal club" in listed
    assert "**2** ·" not in listed
    out = await transcript("advance 9d")  # past the start of occurrence 2's slot (10 March)
    cards = blocks(out, "[#events]")
    assert any("Event 3 · details" in card for card in cards)  # up when the one before started
    assert not any("Event 2 ·" in card for card in cards)  # cancelled before it went up
    assert "❌ **Cancelled: Journal club**" not in out


async def test_editing_tells_who_answered_and_moves_their_reminders(
    transcript: Transcript,
) -> None:
    out = await transcript(
        COMMUNITY
        + WORKSHOP
        + '\nben: click "Going"\ndev: click "Can\'t go"\n'
        + 'amara: /rounds event edit 1 when="2026-03-11 18:00" link=https://meet.example.org/new'
    )
    assert "✓ Updated event 1: the card shows the change, and 1 member who answered is told" in out
    assert "I read the new time as Wed 11 Mar 2026, 18:00 EDT (America/New_York)." in out
    [told] = [b for b in blocks(out, "[dm @ben]") if "has changed" in b]
    assert "has changed: the time (now Wed 11 Mar 2026, 22:00 GMT); where to join" in told
    assert told.count("Wed 11 Mar 2026") == 1  # the new time, said once
    assert not [b for b in blocks(out, "[dm @dev]") if "has changed" in b]
    out = await transcript("advance 10d")
    reminders = [b for b in blocks(out, "[dm @ben]") if "⏰" in b]
    assert len(reminders) == 2 and all("Wed 11 Mar" in r for r in reminders)


async def test_an_edit_that_keeps_the_time_says_when_it_is(transcript: Transcript) -> None:
    out = await transcript(
        COMMUNITY + WORKSHOP + '\nben: click "Going"\namara: /rounds event edit 1 duration=2h'
    )
    [told] = [b for b in blocks(out, "[dm @ben]") if "has changed" in b]
    assert "has changed: the length (now 2 h).\n  When: " in told


async def test_cancelling_tells_going_maybe_and_the_waitlist(transcript: Transcript) -> None:
    out = await transcript(
        COMMUNITY
        + WORKSHOP
        + '\nben: click "Going"\ncara: click "Maybe"\namara: click "Going"\ndev: click "Going"\n'
        + "amara: /rounds event cancel 1 The speaker is unwell\nadvance 10d"
    )
    assert "I'm telling the 4 members who answered." in out
    for who in ("ben", "cara", "dev"):
        [notice] = [b for b in blocks(out, f"[dm @{who}]") if "cancelled" in b]
        assert "is cancelled.\n  Reason: The speaker is unwell" in notice
    assert "⏰" not in out
    assert "❌ **Cancelled: Negotiating for your team**" in blocks(out, "[#events] (updated)")[-1]


async def test_a_cancellation_in_the_night_reaches_a_member_when_they_wake(
    transcript: Transcript,
) -> None:
    # cancelled at 22:00 London time for 06:30 the next morning: Ben's quiet hours last until
    # 08:00, after the start, and he still hears of it when they end
    out = await transcript(
        COMMUNITY + 'amara: /rounds event create title="Early huddle" when="2026-03-12 06:30" '
        'tz=Europe/London\nben: click "Going"\nadvance 9d\nadvance 13h\n'
        "amara: /rounds event cancel 1 Snowed in\nadvance 1d"
    )
    assert "I'm telling the 1 member who answered." in out
    [notice] = [b for b in blocks(out, "[dm @ben]") if "cancelled" in b]
    assert "Reason: Snowed in" in notice


async def test_a_member_who_leaves_gives_their_seat_to_the_waitlist(
    transcript: Transcript,
) -> None:
    out = await transcript(
        COMMUNITY
        + WORKSHOP
        + '\nben: click "Going"\ncara: click "Going"\ndev: click "Going"\nleave ben\nadvance 9d'
    )
    assert any("🎉 A seat opened up" in b for b in blocks(out, "[dm @dev]"))
    assert reminders(out, "[dm @ben]") == []
    assert len(reminders(out, "[dm @dev]")) == 2
    out = await transcript("amara: /rounds event 1")
    assert "**Going (2)**: @cara, @dev" in last(out)


async def test_upcoming_events_are_listed_in_the_members_own_time(transcript: Transcript) -> None:
    out = await transcript(COMMUNITY + WORKSHOP + "\ncara: /rounds events")
    assert (
        "- **1** · Negotiating for your team (workshop) · Wed 11 Mar 2026, 03:30 IST · "
        "1 h 30 min · 2 seats left" in last(out)
    )


async def test_an_ics_file_comes_with_the_event(transcript: Transcript) -> None:
    out = await transcript(COMMUNITY + WORKSHOP + "\nben: /rounds event ics 1")
    assert "[file] event-1.ics" in last(out)


async def test_a_follow_up_goes_to_those_who_went_once_it_started(transcript: Transcript) -> None:
    out = await transcript(
        COMMUNITY
        + WORKSHOP
        + '\nben: click "Going"\ncara: click "Maybe"\n'
        + 'amara: /rounds event followup 1 "Slides: https://example.org/slides"'
    )
    assert "hasn't happened yet" in last(out)
    out = await transcript(
        'advance 9d\namara: /rounds event followup 1 "Slides: https://example.org/slides"'
    )
    assert "✓ Your follow-up is on its way to the 1 member who went" in out
    [followup] = [b for b in blocks(out, "[dm @ben]") if "follow-up" in b]
    assert "Slides: https://example.org/slides" in followup
    assert not [b for b in blocks(out, "[dm @cara]") if "follow-up" in b]


async def test_only_the_host_creator_or_a_manager_changes_an_event(
    transcript: Transcript,
) -> None:
    out = await transcript(COMMUNITY + WORKSHOP + "\nben: /rounds event cancel 1")
    assert "Only the event's host, whoever created it, or a community manager" in last(out)
    out = await transcript(
        'amara: /rounds event edit 1 host=@ben\nben: /rounds event edit 1 title="Better title"'
    )
    assert "✓ Updated event 1" in blocks(out, "[private @ben]")[-1]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/rounds event create", "[form] New event"),
        ('/rounds event create title="X"', "An event needs `when`"),
        ('/rounds event create when="tomorrow 18:00"', "An event needs `title`"),
        ('/rounds event create title="X" when="tomorrow"', "found no time of day"),
        ('/rounds event create title="X" when="tomorrow 18:00" tz=Mars/Base', "isn't a time zone"),
        ('/rounds event create title="X" when="tomorrow 18:00" capacity=0', "at least 1"),
        ('/rounds event create title="X" when="tomorrow 18:00" duration=5m', "from 15m to 3d"),
        (
            '/rounds event create title="X" when="tomorrow 18:00" link=javascript:alert(1)',
            "https://",
        ),
        ('/rounds event create title="X" when="tomorrow 18:00" repeat=weekly', "add `until="),
        ('/rounds event create title="X" when="tomorrow 18:00" until=2026-06-30', "repeat=weekly"),
        ('/rounds event create title="X" when="tomorrow 18:00" kind=party', "one of: workshop"),
        ("/rounds event create title=" + "x" * 121 + ' when="tomorrow 18:00"', "too long"),
        ("/rounds event 99", "There's no event 99 here."),
        ("/rounds event abc", "`id` takes an event number"),
        ("/rounds event edit 99 capacity=3", "There's no event 99 here."),
        ("/rounds event cancel", "needs `id`"),
        ("/rounds event feed", "Only community managers can do that."),
    ],
)
async def test_bad_event_input_is_refused_kindly_and_saves_nothing(
    transcript: Transcript, store: SqlStore, command: str, expected: str
) -> None:
    out = await transcript(
        COMMUNITY + "amara: /rounds config set events.creators=members\nben: " + command
    )
    assert expected in last(out)
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(CONSOLE)
        assert await tx.repo(EVENTS).upcoming(space.id, START_PLUS, 10) == []


async def test_hostile_titles_render_literally_on_the_card(transcript: Transcript) -> None:
    out = await transcript(
        COMMUNITY
        + 'amara: /rounds event create title="**Free** <!channel> [x](https://evil.example)" '
        'when="tomorrow 18:00"'
    )
    [card] = blocks(out, "[#events]")
    assert "**\\*\\*Free\\*\\* <!channel> [x](https://evil.example)**" not in card
    assert "🛠️ ****Free** <!channel> [x](https://evil.example)** · workshop" in card


async def test_the_answer_counts_after_all_that(transcript: Transcript, store: SqlStore) -> None:
    await transcript(COMMUNITY + WORKSHOP + '\nben: click "Going"\ncara: click "Maybe"')
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(CONSOLE)
        repo = tx.repo(EVENTS)
        occurrence = await repo.occurrence(space.id, 1)
        assert occurrence is not None
        counts = await repo.counts(space.id, [occurrence.id])
    assert counts[occurrence.id] == {Answer.GOING: 1, Answer.MAYBE: 1}


async def test_managers_choose_when_reminders_go(transcript: Transcript) -> None:
    out = await transcript(
        COMMUNITY
        + "amara: /rounds config set events.remind=9d\n"
        + "amara: /rounds config set events.remind=48h,2h\n"
        + WORKSHOP
        + '\nben: click "Going"\nadvance 9d'
    )
    assert "`events.remind` takes one to three lengths of time before the start" in out
    assert "✓ Saved: `events.remind` = 48h,2h." in out
    first, second = reminders(out, "[dm @ben]")
    assert "starts in 2 days" in first and "starts in 2 hours" in second


async def test_event_without_a_number_lists_what_is_coming_and_home_shows_it(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(COMMUNITY + "ben: /rounds event")
    assert "No upcoming events yet. When managers post one, it shows up here." in last(out)
    out = await transcript(WORKSHOP + '\nben: click "Going"\nben: /rounds event')
    assert "you: going ✓" in blocks(out, "[private @ben]")[-1]
    from bot.bootstrap import build_core
    from bot.context import Actor

    core = build_core(store, ManualClock(START_PLUS))
    home = await core.rounds.home(Actor(CONSOLE, "ben"))
    [coming] = [m for m in home if m.text.startswith("**Coming up**")]
    assert "Negotiating for your team" in coming.text


async def test_a_late_dispatcher_holds_a_reminder_in_quiet_hours_and_never_sends_it_late(
    store: SqlStore,
) -> None:
    """Planned for 20:55, just before Ben's quiet hours; the sender is late (21:30): quiet
    hours hold it until 08:00, after the 06:30 start, so it expires rather than go late."""
    out = io.StringIO()
    _, console = build_console(store, ManualClock(START_PLUS), out)
    lines = COMMUNITY + (
        'amara: /rounds event create title="Early huddle" when="2026-03-04 06:30" '
        'tz=Europe/London\nben: click "Going"\nadvance 1d'
    )
    await console.run_lines(lines.strip().splitlines())  # the 24 h reminder is in the past
    late = io.StringIO()
    core, _ = build_console(store, ManualClock(datetime(2026, 3, 3, 21, 30, tzinfo=UTC)), late)
    await core.runtime.run_due(every_job=True)
    assert "⏰" not in late.getvalue()
    async with store.sessions() as session:
        row = (
            await session.execute(
                select(OutboxRow.status, OutboxRow.due_at, OutboxRow.last_error).where(
                    OutboxRow.dedupe_key.like("%:remind:60:%"), OutboxRow.target_kind == "dm"
                )
            )
        ).one()
    assert row.due_at == datetime(2026, 3, 3, 20, 55, tzinfo=UTC)
    assert row.status == "expired" and row.last_error.startswith("quiet hours until")


async def test_a_series_can_move_to_another_time_of_day(transcript: Transcript) -> None:
    out = await transcript(
        COMMUNITY + 'amara: /rounds event create title="Journal club" when="2026-03-03 12:30" '
        "tz=Europe/London repeat=weekly until=2026-03-24\nadvance 2d\n"
        + 'amara: /rounds event edit 2 when="2026-03-10 13:00" tz=Europe/London series=yes\n'
        + "ben: /rounds events"
    )
    assert "✓ Updated 3 upcoming occurrences of the series" in out
    listed = last(out)
    assert "**2** · Journal club (workshop) · Tue 10 Mar 2026, 13:00 GMT" in listed
    assert "**4** · Journal club (workshop) · Tue 24 Mar 2026, 13:00 GMT" in listed
    out = await transcript(
        'amara: /rounds event edit 2 when="2026-03-11 13:00" tz=Europe/London series=yes'
    )
    assert "`when` can change the time of day only" in last(out)


async def test_the_guard_reads_an_events_description_before_anything_is_created(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        COMMUNITY + 'amara: /rounds event create title="Case review" when="2026-03-10 18:00" '
        'description="Mr Jones, MRN 4829301, call him on 415-555-2671"'
    )
    warning = blocks(out, "[private @amara]")[-1]
    assert warning.startswith("  ⚠️ Before this is posted: it looks like it may identify a patient")
    assert "4829301" not in warning and blocks(out, "[#events]") == []
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(CONSOLE)
        assert await tx.repo(EVENTS).upcoming(space.id, START_PLUS, 10) == []
    out = await transcript('amara: click "Post anyway"')
    assert "✓ Event 1 is on: **Case review**" in out
    assert len(blocks(out, "[#events]")) == 1


async def test_the_guard_reads_a_follow_up_before_it_goes_to_anyone(
    transcript: Transcript,
) -> None:
    out = await transcript(
        COMMUNITY
        + WORKSHOP
        + '\nben: click "Going"\nadvance 9d\n'
        + 'amara: /rounds event followup 1 "The patient in bed 4, DOB 03/02/1950, is fine"'
    )
    assert "it looks like it may identify a patient" in blocks(out, "[private @amara]")[-1]
    assert not [b for b in blocks(out, "[dm @ben]") if "follow-up" in b]
    out = await transcript('amara: click "Cancel"')
    assert "Cancelled. Nothing was posted or kept." in out


async def test_a_number_after_events_shows_that_event(transcript: Transcript) -> None:
    out = await transcript(COMMUNITY + WORKSHOP + "\nben: /rounds events 1\nben: /rounds event #1")
    shown = blocks(out, "[private @ben]")
    assert all("**Going (0)**" not in s and "Nobody has answered yet" in s for s in shown[-2:])


async def test_an_event_only_declined_so_far_says_nobody_is_going_yet(
    transcript: Transcript,
) -> None:
    out = await transcript(COMMUNITY + WORKSHOP + '\nben: click "Can\'t go"\ndev: /rounds event 1')
    shown = blocks(out, "[private @dev]")[-1]
    assert "Nobody is going yet: be the first." in shown and "Nobody has answered" not in shown
