"""Finding and exporting events: `/rounds events`, `/rounds event <id>` with who is going,
`/rounds event ics <id>`, the managers' feed link, the feed itself, and the home section."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from bot.context import Context
from bot.domain import Member
from bot.features.events._calendar import calendar_file
from bot.features.events._create import CREATORS
from bot.features.events._find import find
from bot.features.events._plan import Plan
from bot.features.events._render import render_details, render_list
from bot.features.events.model import EVENTS, Answer
from bot.messages import Attachment, Message, literal
from bot.web import WebContext, WebRequest, WebResponse

UPCOMING = 10
FEED_PATH = "/calendar/{token}.ics"
FEED_HISTORY = timedelta(days=7)
"""The feed keeps the last week's events too, so calendars don't drop what just happened."""
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
ICS = "text/calendar; charset=utf-8"


async def upcoming(ctx: Context, args: Mapping[str, Any]) -> None:
    repo = ctx.tx.repo(EVENTS)
    found = await repo.upcoming(ctx.space.id, ctx.now, UPCOMING)
    if not found:
        if (await ctx.setting(CREATORS)) == "members" or ctx.is_manager:
            ctx.reply(
                "No upcoming events yet. Create one: "
                '`/rounds event create title="…" when="tomorrow 18:00"`.'
            )
        else:
            ctx.reply("No upcoming events yet. When managers post one, it shows up here.")
        return
    ids = [o.id for o in found]
    counts = await repo.counts(ctx.space.id, ids)
    mine = await repo.answers_of(ctx.space.id, ctx.member.id, ids)
    ctx.reply(render_list(found, counts, mine))


async def show(ctx: Context, args: Mapping[str, Any]) -> None:
    if "id" not in args:
        await upcoming(ctx, args)
        return
    occurrence, series = await find(ctx, int(args["id"]))
    plan = await Plan.of(ctx)
    card = await plan.card(occurrence, series)
    rsvps = await plan.repo.rsvps(
        ctx.space.id, occurrence.id, (Answer.GOING, Answer.MAYBE, Answer.WAITLIST, Answer.NO)
    )
    members = await ctx.tx.members.by_ids(ctx.space.id, [r.member_id for r in rsvps])
    people: dict[Answer, list[Member]] = {}
    mine = None
    for rsvp in rsvps:
        if rsvp.member_id in members:
            people.setdefault(rsvp.answer, []).append(members[rsvp.member_id])
    own = await plan.repo.rsvp(ctx.space.id, occurrence.id, ctx.member.id)
    mine = own.answer if own else None
    ctx.reply(render_details(card, occurrence, people, mine))


async def ics(ctx: Context, args: Mapping[str, Any]) -> None:
    occurrence, series = await find(ctx, int(args["id"]))
    everyone = await ctx.tx.repo(EVENTS).occurrences_of(ctx.space.id, series.id)
    data = calendar_file(ctx.space, [(series, everyone)], ctx.now)
    title = literal(occurrence.details.title)
    what = "the whole series" if len(everyone) > 1 else "it"
    ctx.reply(
        Message(
            f"📅 **{title}** for your calendar: open the file to add {what} (Google Calendar: "
            "Settings → Import & export; Outlook and Apple Calendar open it directly). "
            "Every community event at once: ask a manager for the calendar feed.",
            attachment=Attachment(f"event-{occurrence.number}.ics", data, "text/calendar"),
        )
    )


def new_token() -> str:
    return secrets.token_hex(16)


async def feed(ctx: Context, args: Mapping[str, Any]) -> None:
    repo = ctx.tx.repo(EVENTS)
    token = await repo.feed_token(ctx.space.id)
    rotate = args.get("action") == "rotate"
    if token is None or rotate:
        token = new_token()
        await repo.set_feed_token(ctx.space.id, token, ctx.now)
        if rotate:
            await ctx.audit("events.feed", "replaced the calendar feed link (the old one stopped)")
    link = ctx.address.link(FEED_PATH.format(token=token))
    lines = [
        f"✓ New calendar feed link (the old one no longer works): {link}"
        if rotate
        else f"📅 This community's calendar feed: {link}",
        "Members add it once and every event shows up in their calendar (Google Calendar: "
        "Other calendars → From URL; Outlook: Add calendar → Subscribe from web; Apple "
        "Calendar: File → New Calendar Subscription).",
        "Anyone with the link sees the events (never who is going). If it leaks, replace it "
        "with `/rounds event feed rotate`.",
    ]
    if not ctx.address.configured:
        lines.append(
            "Note: `PUBLIC_URL` isn't set, so this link uses the server's own address, which "
            "people outside may not reach. Set `PUBLIC_URL` to where Rounds is reachable."
        )
    ctx.reply("\n".join(lines))


async def serve_feed(ctx: WebContext, request: WebRequest) -> WebResponse:
    """`GET /calendar/<token>.ics`: the space's events as a subscribable calendar."""
    token = request.params.get("token", "")
    if not TOKEN_RE.match(token):
        return WebResponse.text(404, "No such calendar.")
    async with ctx.store.transaction() as tx:
        repo = tx.repo(EVENTS)
        space = await repo.space_for_token(token)
        if space is None:
            return WebResponse.text(404, "No such calendar.")
        entries = [
            (series, await repo.occurrences_of(space.id, series.id))
            for series in await repo.in_calendar(space.id, ctx.now - FEED_HISTORY)
        ]
        settings = await tx.settings.all(space.id)
    name = settings.get("community.name") or space.name or "Community"
    body = calendar_file(space, entries, ctx.now, name=f"{name} events")
    tag = '"' + hashlib.sha256(_stable(body)).hexdigest()[:32] + '"'
    headers = {
        "Cache-Control": "private, max-age=300",
        "Content-Disposition": 'inline; filename="events.ics"',
        "ETag": tag,
        "X-Robots-Tag": "noindex",
    }
    if request.headers.get("if-none-match") == tag:
        return WebResponse(304, b"", ICS, headers)
    return WebResponse(200, body, ICS, headers)


def _stable(body: bytes) -> bytes:
    """The feed without its DTSTAMP lines (the time of the request): unchanged events give
    the same ETag, so a client's conditional request costs nothing."""
    return b"\n".join(line for line in body.splitlines() if not line.startswith(b"DTSTAMP"))


async def home(ctx: Context) -> Message | None:
    """The member's next events, with their answers; nothing when none are coming."""
    repo = ctx.tx.repo(EVENTS)
    found = await repo.upcoming(ctx.space.id, ctx.now, 3)
    if not found:
        return None
    ids = [o.id for o in found]
    listed = render_list(
        found,
        await repo.counts(ctx.space.id, ids),
        await repo.answers_of(ctx.space.id, ctx.member.id, ids),
    )
    text = listed.text.replace("**Upcoming events**", "**Coming up**", 1)
    return Message(text + "\nEvery upcoming event: `/rounds events`.")
