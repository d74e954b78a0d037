"""Calendars: `/rounds event ics` and the subscribable feed `GET /calendar/<token>.ics`, parsed
back with `icalendar` (and the recurrence with dateutil), through the real web server."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp
import icalendar
import pytest_asyncio
from dateutil.rrule import rrulestr

from adapters.web import WebServer
from bot.bootstrap import Core, build_core
from bot.clock import ManualClock
from bot.context import Actor
from bot.domain import SpaceKey
from bot.messages import Outcome
from bot.web import PublicAddress
from storage.store import SqlStore

SPACE = SpaceKey("console", "T-CAL")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LINK_RE = re.compile(r"(https?://\S+?/calendar/[0-9a-f]{32}\.ics)")


@dataclass
class Community:
    core: Core
    clock: ManualClock
    web: WebServer
    http: aiohttp.ClientSession

    async def say(self, who: str, text: str) -> Outcome:
        outcome = await self.core.rounds.command(Actor(SPACE, who, display_name=who), text)
        assert not outcome.refused, outcome.replies[0].message.text
        return outcome

    async def feed_link(self, rotate: bool = False) -> str:
        said = await self.say("amara", "event feed rotate" if rotate else "event feed")
        found = LINK_RE.search(said.replies[0].message.text)
        assert found is not None
        return found.group(1).replace("https://rounds.example.org", self.web.url)

    async def get(self, url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        async with self.http.get(url, headers=headers) as response:
            headers = {name.lower(): value for name, value in response.headers.items()}
            return response.status, headers, await response.read()


@pytest_asyncio.fixture
async def community(store: SqlStore) -> AsyncIterator[Community]:
    clock = ManualClock(NOW)
    core = build_core(
        store,
        clock,
        send_when_planned=False,
        address=PublicAddress("https://rounds.example.org", configured=True),
    )
    web = WebServer("127.0.0.1", 0)
    web.mount(core.router.web_routes, core.web_context)
    await web.start()
    for name in ("amara", "ben"):
        await core.rounds.member_joined(
            Actor(SPACE, name, display_name=name), manager_if_first=True
        )
    async with aiohttp.ClientSession() as http:
        yield Community(core, clock, web, http)
    await web.stop()


def events_of(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


async def series(community: Community) -> None:
    await community.say(
        "amara",
        'event create title="Journal club" when="2026-03-03 18:00" tz=America/New_York '
        "repeat=weekly until=2026-03-31 duration=45m link=https://meet.example.org/jc",
    )


async def test_the_ics_of_a_series_is_one_event_with_its_rule_and_its_exceptions(
    community: Community,
) -> None:
    await series(community)
    await community.say(
        "amara",
        'event edit 3 when="2026-03-18 19:00" tz=America/New_York title="Journal club (late)"',
    )
    await community.say("amara", "event cancel 4 Conference week")
    outcome = await community.say("ben", "event ics 2")
    attachment = outcome.replies[0].message.attachment
    assert attachment is not None
    assert (attachment.name, attachment.mime_type) == ("event-2.ics", "text/calendar")
    calendar = icalendar.Calendar.from_ical(attachment.data)
    assert calendar["method"] == "PUBLISH" and calendar["version"] == "2.0"
    main, exception = events_of(attachment.data)
    assert main["uid"] == exception["uid"] == "rounds-console-T-CAL-event-1@rounds"
    assert str(main["summary"]) == "Journal club"
    start = main.decoded("dtstart")
    assert (str(start.tzinfo), start.hour, start.minute) == ("America/New_York", 18, 0)
    assert main.decoded("dtend") - start == main.decoded("dtend") - main.decoded("dtstart")
    assert main["rrule"]["FREQ"] == ["WEEKLY"]
    # the rule, read back by dateutil, gives the stored starts; the EXDATE takes out the 24th
    rule = rrulestr(main["rrule"].to_ical().decode(), dtstart=start)
    starts = [s.astimezone(UTC) for s in rule]
    assert [s.day for s in starts] == [3, 10, 17, 24, 31]
    assert starts[0].hour == 23 and starts[1].hour == 22  # 18:00 EST, then 18:00 EDT
    excluded = [d.dt for d in main["exdate"].dts]
    assert [(d.day, d.hour) for d in excluded] == [(24, 18)]
    assert main["status"] == "CONFIRMED"
    assert main["sequence"] == 1  # the cancellation changed the series
    # the edited occurrence: its own time and title, where the rule put it
    assert exception.decoded("recurrence-id").astimezone(UTC) == datetime(
        2026, 3, 17, 22, 0, tzinfo=UTC
    )
    assert exception.decoded("dtstart").astimezone(UTC) == datetime(2026, 3, 18, 23, 0, tzinfo=UTC)
    assert str(exception["summary"]) == "Journal club (late)"
    assert exception["sequence"] == 1
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "America/New_York"


async def test_the_uid_stays_the_same_and_the_sequence_grows(community: Community) -> None:
    await community.say("amara", 'event create title="Forum" when="2026-03-10 18:00" tz=UTC')
    first = await community.say("ben", "event ics 1")
    await community.say("amara", "event edit 1 duration=2h")
    await community.say("amara", 'event edit 1 title="Global forum"')
    second = await community.say("ben", "event ics 1")
    [before] = events_of(first.replies[0].message.attachment.data)  # type: ignore[union-attr]
    [after] = events_of(second.replies[0].message.attachment.data)  # type: ignore[union-attr]
    assert before["uid"] == after["uid"]
    assert (before["sequence"], after["sequence"]) == (0, 2)
    assert after.decoded("dtend") - after.decoded("dtstart") == datetime(
        2026, 1, 1, 2, tzinfo=UTC
    ) - datetime(2026, 1, 1, tzinfo=UTC)


async def test_the_feed_serves_a_subscribable_calendar(community: Community) -> None:
    await series(community)
    await community.say(
        "amara", 'event create title="One-off forum" when="2026-03-20 14:00" tz=UTC'
    )
    await community.say("ben", "event 1")  # ben is known; answering must not reach the feed
    await community.core.rounds.action(
        Actor(SPACE, "ben", display_name="ben"), "event.rsvp", "1:going"
    )
    link = await community.feed_link()
    status, headers, body = await community.get(link)
    assert status == 200
    assert headers["content-type"] == "text/calendar; charset=utf-8"
    assert headers["cache-control"] == "private, max-age=300"
    assert headers["content-disposition"] == 'inline; filename="events.ics"'
    assert headers["etag"].startswith('"')
    calendar = icalendar.Calendar.from_ical(body)
    assert "method" not in calendar  # a subscription, not an invitation
    assert str(calendar["x-wr-calname"]) == "Community events"
    uids = {str(e["uid"]) for e in events_of(body)}
    assert uids == {"rounds-console-T-CAL-event-1@rounds", "rounds-console-T-CAL-event-2@rounds"}
    assert b"ben" not in body and b"ATTENDEE" not in body and b"ORGANIZER" not in body
    # unchanged: the client's conditional request costs nothing
    again, _, empty = await community.get(link, **{"If-None-Match": headers["etag"]})
    assert (again, empty) == (304, b"")


async def test_the_feed_bumps_the_sequence_and_marks_cancellations(community: Community) -> None:
    await community.say("amara", 'event create title="Forum" when="2026-03-10 18:00" tz=UTC')
    link = await community.feed_link()
    _, before_headers, before = await community.get(link)
    await community.say("amara", 'event edit 1 when="2026-03-11 18:00"')
    await community.say("amara", "event cancel 1 Speaker unwell")
    _, after_headers, after = await community.get(link)
    [old], [new] = events_of(before), events_of(after)
    assert old["uid"] == new["uid"]
    assert (old["sequence"], new["sequence"]) == (0, 2)
    assert (old["status"], new["status"]) == ("CONFIRMED", "CANCELLED")
    assert before_headers["etag"] != after_headers["etag"]


async def test_an_unknown_or_rotated_token_finds_nothing(community: Community) -> None:
    await community.say("amara", 'event create title="Forum" when="2026-03-10 18:00" tz=UTC')
    old = await community.feed_link()
    assert old == await community.feed_link()  # the link stays until rotated
    new = await community.feed_link(rotate=True)
    assert new != old
    assert (await community.get(old))[0] == 404
    assert (await community.get(new))[0] == 200
    for path in ("/calendar/nope.ics", "/calendar/" + "0" * 32 + ".ics", "/calendar/x/y.ics"):
        assert (await community.get(community.web.url + path))[0] == 404


async def test_managers_are_told_when_public_url_is_not_set(store: SqlStore) -> None:
    core = build_core(store, ManualClock(NOW), send_when_planned=False)
    amara = Actor(SPACE, "amara", display_name="amara")
    await core.rounds.member_joined(amara, manager_if_first=True)
    said = (await core.rounds.command(amara, "event feed")).replies[0].message.text
    assert "http://127.0.0.1:3000/calendar/" in said
    assert "`PUBLIC_URL` isn't set" in said


async def test_moving_a_whole_series_keeps_past_occurrences_where_they_were(
    community: Community,
) -> None:
    await series(community)  # Tuesdays 18:00 New York, 3 to 31 March
    community.clock.set(datetime(2026, 3, 5, 12, 0, tzinfo=UTC))  # the first one is over
    await community.say(
        "amara", 'event edit 2 when="2026-03-10 19:30" tz=America/New_York series=yes'
    )
    outcome = await community.say("ben", "event ics 2")
    data = outcome.replies[0].message.attachment.data  # type: ignore[union-attr]
    main, *exceptions = events_of(data)
    start = main.decoded("dtstart")
    assert (start.day, start.hour, start.minute) == (3, 19, 30)  # the rule moved
    [past] = exceptions  # the 3rd happened at 18:00: an exception at its new slot
    assert past.decoded("recurrence-id").astimezone(UTC) == datetime(2026, 3, 4, 0, 30, tzinfo=UTC)
    assert past.decoded("dtstart").astimezone(UTC) == datetime(2026, 3, 3, 23, 0, tzinfo=UTC)
