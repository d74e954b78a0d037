"""Creating events: `/rounds event create …` and its form. Who may create is the setting
`events.creators`, checked when the command runs (so the command stays under `/rounds`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from bot.context import Context
from bot.errors import UserError
from bot.features.events._guarded import Screened
from bot.features.events._options import CREATE, DEFAULT_LENGTH, KINDS
from bot.features.events._plan import CHANNEL, Plan
from bot.features.events._render import length
from bot.features.events._schedule import (
    announce_times,
    occurrences,
    offsets_of,
    planning_lead,
    series_notes,
)
from bot.features.events._when import parse_until, parse_when, shown
from bot.features.events.model import EVENTS, Details, EventKind, NewOccurrence, Repeat
from bot.guard import Guard, TextField
from bot.localtime import COMMUNITY_ZONE, DEFAULT_ZONE
from bot.messages import FieldKind, Form, FormField, channel, literal

FORM_ID = "event.create"
REFUSED = "Nothing was created."
CREATORS = "events.creators"
EXAMPLE = (
    '/rounds event create title="Negotiating for your team" when="2026-03-10 18:00" '
    "tz=America/New_York duration=90m kind=workshop capacity=40"
)
NOT_ALLOWED = (
    "Only community managers can create events here. Ask a manager to post it, or a manager "
    "can let every member create events: `/rounds config set events.creators=members`."
)


async def may_create(ctx: Context) -> None:
    if (await ctx.setting(CREATORS)) != "members" and not ctx.is_manager:
        raise UserError(NOT_ALLOWED)


def event_form() -> Form:
    return Form(
        form_id=FORM_ID,
        title="New event",
        fields=(
            FormField("title", "Title", required=True, max_length=120),
            FormField(
                "when",
                "When (in your time zone)",
                required=True,
                placeholder="tomorrow 18:00, or 2026-03-10 18:00",
                max_length=60,
            ),
            FormField("kind", "Kind", FieldKind.CHOICE, choices=KINDS, initial="workshop"),
            FormField("link", "Where to join (a web address)", placeholder="https://…"),
            FormField("description", "What it's about", FieldKind.LONG_TEXT, max_length=1000),
        ),
        submit_label="Create",
        hint=(
            "Length, seats, another time zone or a repeat by command: "
            '`/rounds event create title="…" when="tomorrow 18:00" duration=90m capacity=40 '
            "repeat=weekly until=2026-06-30`"
        ),
    )


class Creating:
    """`/rounds event create` and its form; the title and description go through the
    patient-information guard before anything is created."""

    def __init__(self, guard: Guard) -> None:
        self.screened = Screened(
            guard,
            "events.create",
            "your event",
            SCREENED,
            '`/rounds event create title="…" when="…" description="…"`',
            CREATE,
            check_create,
            create_event,
            refused=REFUSED,
        )

    async def command(self, ctx: Context, args: Mapping[str, Any]) -> None:
        await may_create(ctx)
        if not args:  # nothing typed: the form asks instead
            ctx.open_form(event_form())
            return
        await self.screened.command(ctx, args)

    async def submit_form(self, ctx: Context, values: Mapping[str, str], context: str) -> None:
        """Every field is checked before anything is saved; a refusal keeps the form open."""
        try:
            await self.screened.resume(ctx, dict(values), False)
        except UserError as error:
            if error.message.startswith(REFUSED):
                raise
            raise UserError(f"{REFUSED} {error.message}", fields=error.fields) from None


SCREENED = (
    TextField("title", "Title", 120),
    TextField("description", "What it's about", 1000, long=True),
)
"""What the guard reads, as one text (a title and its description)."""


async def check_create(ctx: Context, args: Mapping[str, Any]) -> None:
    await may_create(ctx)
    missing = [name for name in ("title", "when") if not args.get(name)]
    if missing:
        names = " and ".join(f"`{name}`" for name in missing)
        raise UserError(
            f"An event needs {names}, e.g. "
            '`/rounds event create title="Negotiating for your team" when="tomorrow 18:00"`.',
            fields={name: f"`{name}` is required." for name in missing},
        )


async def zone_for(ctx: Context, args: Mapping[str, Any]) -> str:
    """The zone `when` is read in: `tz`, else the creator's own, else the community's."""
    return str(
        args.get("tz")
        or ctx.member.profile.timezone
        or await ctx.setting(COMMUNITY_ZONE)
        or DEFAULT_ZONE
    )


async def host_of(ctx: Context, args: Mapping[str, Any]) -> int:
    user_id = args.get("host")
    if user_id is None:
        return ctx.member.id
    host = await ctx.tx.members.get(ctx.space.id, str(user_id))
    assert host is not None  # the engine made sure they are a member
    return host.id


def repeat_and_until(
    args: Mapping[str, Any], zone: str, now: datetime
) -> tuple[Repeat | None, date | None]:
    repeat, until = args.get("repeat"), args.get("until")
    if repeat and not until:
        raise UserError(
            f"A {repeat} event needs the last day it runs to: add `until=2026-06-30`.",
            field="until",
        )
    if until and not repeat:
        raise UserError(
            "`until` is for a series: add `repeat=weekly`, `biweekly` or `monthly`.",
            field="repeat",
        )
    if not repeat:
        return None, None
    return Repeat(str(repeat)), parse_until(str(until), zone, now)


def when_and_until(
    args: Mapping[str, Any], zone: str, now: datetime
) -> tuple[datetime, str, Repeat | None, date | None]:
    """`when`, and `repeat` with `until`, read together: what is wrong with both is said at
    once (a form shows each beside its field), not one after the other."""
    refusals: list[UserError] = []
    starts_at = None
    try:
        starts_at, zone = parse_when(str(args["when"]), zone, now)
    except UserError as error:
        refusals.append(error)
    repeat = until = None
    try:
        repeat, until = repeat_and_until(args, zone, now)
    except UserError as error:
        refusals.append(error)
    if len(refusals) == 1:
        raise refusals[0]
    if refusals:
        raise UserError(
            "\n".join(error.message for error in refusals),
            fields={k: v for error in refusals for k, v in error.fields.items()},
        )
    assert starts_at is not None
    return starts_at, zone, repeat, until


async def create_event(ctx: Context, args: Mapping[str, Any]) -> None:
    await check_create(ctx, args)
    starts_at, zone, repeat, until = when_and_until(args, await zone_for(ctx, args), ctx.now)
    starts = occurrences(starts_at, zone, repeat, until)
    details = Details(
        title=str(args["title"]),
        kind=EventKind(str(args.get("kind") or EventKind.WORKSHOP)),
        duration=args.get("duration") or DEFAULT_LENGTH,
        description=str(args.get("description") or ""),
        link=str(args.get("link") or ""),
        capacity=args.get("capacity"),
        host_id=await host_of(ctx, args),
    )
    repo = ctx.tx.repo(EVENTS)
    numbers = await repo.next_numbers(ctx.space.id, len(starts))
    series = await repo.add_series(
        ctx.space.id, zone, starts_at, repeat, until, details, ctx.member.id, ctx.now
    )
    new = [
        NewOccurrence(number, position, start, announce)
        for position, (number, start, announce) in enumerate(
            zip(numbers, starts, announce_times(starts, ctx.now), strict=True)
        )
    ]
    stored = await repo.add_occurrences(ctx.space.id, series, new, ctx.now)
    plan = await Plan.of(ctx)
    lead = ctx.now + planning_lead(offsets_of(plan.settings))
    for occurrence in stored:
        occurrence = await plan.refresh_card(occurrence, series)
        await plan.list_natively(occurrence)
        await plan.plan_if_near(occurrence, lead)
    first = stored[0]
    text = f"✓ Event {first.number} is on: **{literal(details.title)}** ({details.kind.value}), "
    text += f"{shown(starts_at, zone)}, {length(details.duration)}."
    if len(stored) > 1:
        text += (
            f"\nIt repeats {repeat} until {until:%a %d %b %Y}: {len(stored)} occurrences, "
            f"events {first.number}–{stored[-1].number}, each with its own answers and "
            "reminders. Each card goes up when the one before starts."
        )
        for note in series_notes(starts_at, zone, repeat, until, starts):
            text += f"\n{note}"
    where = plan.channel
    if where:
        text += f"\nIts card is in {channel(where)}, with Going / Maybe / Can't go buttons."
    else:
        text += (
            "\nThere's no events channel yet, so no card was posted. A manager can set one: "
            f"`/rounds config channel {CHANNEL} #events`."
        )
    text += (
        f"\nChange it with `/rounds event edit {first.number} …`; "
        f"see it with `/rounds event {first.number}`."
    )
    ctx.reply(text)
