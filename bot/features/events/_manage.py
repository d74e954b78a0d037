"""Changing events: `event edit` and `event cancel` (one occurrence, or with `series=yes`
every upcoming one). Each updates the card and tells who answered; only the host, the creator
or a manager may."""

from __future__ import annotations

import zoneinfo
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.context import Context
from bot.errors import UserError
from bot.features.events._create import SCREENED, zone_for
from bot.features.events._find import find, may_manage
from bot.features.events._followup import check_followup, followup
from bot.features.events._guarded import Act, Screened
from bot.features.events._options import CHANGES, FOLLOWUP_TEXT, ID, SERIES
from bot.features.events._plan import Plan
from bot.features.events._render import length, render_cancelled, render_changed
from bot.features.events._rsvp import promote
from bot.features.events._schedule import at_wall_clock, offsets_of, planning_lead
from bot.features.events._when import parse_when, shown
from bot.features.events.model import (
    EVENTS,
    TOLD_OF_CHANGES,
    Details,
    EventKind,
    Occurrence,
    Series,
)
from bot.guard import Guard, TextField
from bot.messages import literal, mention, moment
from bot.text import plural


def targets(
    ctx: Context, occurrence: Occurrence, series: Series, everyone: list[Occurrence], whole: bool
) -> list[Occurrence]:
    """The occurrences a change applies to: this one, or every one still to come."""
    if not whole:
        return [occurrence]
    if series.repeat is None:
        raise UserError(
            f"Event {occurrence.number} isn't part of a series: leave out `series=yes`.",
            field="series",
        )
    return [o for o in everyone if not o.cancelled and o.starts_at > ctx.now]


async def new_time(
    ctx: Context, args: Mapping[str, Any], occurrence: Occurrence, series: Series, whole: bool
) -> datetime | None:
    """The new start, or for a whole series the new time of day (each occurrence keeps its
    date): a series' dates follow its rule, so only the clock time moves for all of them."""
    if not args.get("when"):
        return None
    moment_, _ = parse_when(str(args["when"]), await zone_for(ctx, args), ctx.now)
    if not whole:
        return moment_
    tz = zoneinfo.ZoneInfo(series.zone)
    if moment_.astimezone(tz).date() != occurrence.starts_at.astimezone(tz).date():
        raise UserError(
            "With `series=yes`, `when` can change the time of day only (every occurrence moves "
            f"to it), so keep the date {occurrence.starts_at.astimezone(tz):%Y-%m-%d}. To move "
            "one occurrence to another day, leave out `series=yes`.",
            field="when",
        )
    return moment_


def same_time_on(day_of: datetime, time_of: datetime, zone: str) -> datetime:
    """`day_of`'s date at `time_of`'s wall-clock time, both in `zone`, as UTC."""
    tz = zoneinfo.ZoneInfo(zone)
    local = datetime.combine(day_of.astimezone(tz).date(), time_of.astimezone(tz).time())
    return at_wall_clock(local, zone)


def changed_details(details: Details, args: Mapping[str, Any], host_id: int | None) -> Details:
    values: dict[str, Any] = {}
    for name in ("title", "description", "link", "duration", "capacity"):
        if name in args:
            values[name] = args[name]
    if "kind" in args:
        values["kind"] = EventKind(str(args["kind"]))
    if host_id is not None:
        values["host_id"] = host_id
    return replace(details, **values)


def describe(before: Occurrence, after: Occurrence, host_user: str | None) -> list[str]:
    """What changed, as the members who answered are told it."""
    old, new = before.details, after.details
    said = []
    if before.starts_at != after.starts_at:
        said.append(f"the time (now {moment(after.starts_at)})")
    if old.duration != new.duration:
        said.append(f"the length (now {length(new.duration)})")
    if old.link != new.link:
        said.append(f"where to join (now {literal(new.link)})" if new.link else "the link")
    if old.title != new.title:
        said.append(f"the title (was “{literal(old.title)}”)")
    if old.kind != new.kind:
        said.append(f"the kind (now {new.kind.value})")
    if old.capacity != new.capacity:
        said.append(f"the seats (now {new.capacity or 'no limit'})")
    if old.host_id != new.host_id and host_user:
        said.append(f"the host (now {mention(host_user)})")
    if old.description != new.description:
        said.append("the description")
    return said


def asked_for(args: Mapping[str, Any]) -> dict[str, Any]:
    """The fields to change (`tz` only says how to read `when`)."""
    return {k: v for k, v in args.items() if k not in ("id", "series", "tz")}


async def check_edit(ctx: Context, args: Mapping[str, Any]) -> tuple[Occurrence, Series]:
    occurrence, series = await find(ctx, int(args["id"]))
    may_manage(ctx, occurrence, series)
    if not asked_for(args):
        raise UserError(
            "Tell me what to change, e.g. "
            f'`/rounds event edit {occurrence.number} when="2026-03-12 18:00"` or `capacity=50`.'
        )
    if occurrence.cancelled:
        raise UserError(f"Event {occurrence.number} was cancelled; it can't be changed.")
    if occurrence.starts_at <= ctx.now:
        raise UserError(
            f"Event {occurrence.number} has already started, so it can't be changed. Tell "
            f'those who went something with `/rounds event followup {occurrence.number} "…"`.'
        )
    return occurrence, series


async def edit(ctx: Context, args: Mapping[str, Any]) -> None:
    occurrence, series = await check_edit(ctx, args)
    asked = asked_for(args)
    whole = bool(args.get("series"))
    repo = ctx.tx.repo(EVENTS)
    everyone = await repo.occurrences_of(ctx.space.id, series.id)
    chosen = targets(ctx, occurrence, series, everyone, whole)
    start = await new_time(ctx, args, occurrence, series, whole)
    host_id = None
    if "host" in args:
        host = await ctx.tx.members.get(ctx.space.id, str(args["host"]))
        assert host is not None  # the engine made sure they are a member
        host_id = host.id
    plan = await Plan.of(ctx)
    lead = ctx.now + planning_lead(offsets_of(plan.settings))
    told: set[int] = set()
    changed = 0
    for target in chosen:
        current, _ = await plan.lock(target)
        starts = current.starts_at
        if start is not None:
            starts = same_time_on(current.starts_at, start, series.zone) if whole else start
        details = changed_details(current.details, asked, host_id)
        after = replace(current, details=details, starts_at=starts)
        said = describe(current, after, str(args["host"]) if host_id else None)
        if not said:
            continue
        changed += 1
        after = replace(after, sequence=current.sequence + 1, edited=current.edited or not whole)
        if starts != current.starts_at:
            await plan.take_back_reminders(current)
            after = replace(
                after,
                schedule=current.schedule + 1,
                scheduled_at=ctx.now,
                reminders_planned_at=None,
                reminder_offsets=(),
            )
            if whole and start is not None:
                slot = same_time_on(current.slot_at, start, series.zone)
                after = replace(after, slot_at=slot)
        after = await plan.save(after)
        await plan.list_natively(after)
        after = await plan.plan_if_near(after, lead)
        if (details.capacity or 0) > (current.details.capacity or 0) or (
            current.details.capacity is not None and details.capacity is None
        ):
            await promote(plan, after)
        after = await plan.refresh_card(after, series)
        what = f"changed:{after.sequence}"
        told |= await plan.tell(
            after, TOLD_OF_CHANGES, what, render_changed(after, said), "event-changed"
        )
    if not changed:
        ctx.reply(f"Event {occurrence.number} already is like that. Nothing changed.")
        return
    if ctx.member.id not in (occurrence.details.host_id, series.creator_id):
        # a manager changing someone else's event: moderation, for `/rounds audit`
        fields = ", ".join(sorted(asked))
        await ctx.audit(
            "events.edit",
            f"changed {fields} of event {occurrence.number}, **{literal(series.details.title)}**",
        )
    await update_series(ctx, series, everyone, chosen, asked, host_id, start, whole)
    ctx.reply(await edited_reply(ctx, occurrence, changed, len(told), start, whole))


async def update_series(
    ctx: Context,
    series: Series,
    everyone: list[Occurrence],
    chosen: list[Occurrence],
    asked: Mapping[str, Any],
    host_id: int | None,
    start: datetime | None,
    whole: bool,
) -> None:
    """The series (the calendar's main entry) follows a change to all of it, or to a one-off
    event; a change to one occurrence of a series is an exception and leaves it."""
    if series.repeat is not None and not whole:
        return
    details = changed_details(series.details, asked, host_id)
    starts = series.starts_at
    if start is not None:
        starts = same_time_on(series.starts_at, start, series.zone) if whole else start
    await ctx.tx.repo(EVENTS).save_series(
        ctx.space.id,
        replace(series, details=details, starts_at=starts, sequence=series.sequence + 1),
    )
    if whole and start is not None:
        # past occurrences keep the time they had: in the calendar they become exceptions
        moved = [o.id for o in chosen]
        for past in everyone:
            if past.id in moved:
                continue
            slot = same_time_on(past.slot_at, start, series.zone)
            await ctx.tx.repo(EVENTS).save_occurrences(
                ctx.space.id,
                [replace(past, slot_at=slot, edited=past.edited or slot != past.starts_at)],
            )


async def edited_reply(
    ctx: Context,
    occurrence: Occurrence,
    changed: int,
    told: int,
    start: datetime | None,
    whole: bool,
) -> str:
    which = (
        f"{plural(changed, 'upcoming occurrence')} of the series"
        if whole
        else f"event {occurrence.number}"
    )
    text = f"✓ Updated {which}: the card shows the change"
    text += (
        f", and {told} member{'s' if told != 1 else ''} who answered "
        f"{'are' if told != 1 else 'is'} told by DM."
        if told
        else "."
    )
    if start is not None:
        fresh = await ctx.tx.repo(EVENTS).occurrence(ctx.space.id, occurrence.number)
        assert fresh is not None
        text += f"\nI read the new time as {shown(fresh.starts_at, fresh.zone)}."
    return text


async def cancel(ctx: Context, args: Mapping[str, Any]) -> None:
    occurrence, series = await find(ctx, int(args["id"]))
    may_manage(ctx, occurrence, series)
    if occurrence.cancelled:
        raise UserError(f"Event {occurrence.number} is already cancelled. Nothing changed.")
    if occurrence.ends_at <= ctx.now:
        raise UserError(f"Event {occurrence.number} is already over, so there's nothing to cancel.")
    repo = ctx.tx.repo(EVENTS)
    everyone = await repo.occurrences_of(ctx.space.id, series.id)
    chosen = targets(ctx, occurrence, series, everyone, bool(args.get("series")))
    reason = str(args.get("reason") or "")
    plan = await Plan.of(ctx)
    told: set[int] = set()
    for target in chosen:
        current, _ = await plan.lock(target)
        await plan.take_back_reminders(current)
        after = await plan.save(
            replace(
                current, cancelled_at=ctx.now, cancel_reason=reason, sequence=current.sequence + 1
            )
        )
        await plan.refresh_card(after, series)
        await plan.list_natively(after)
        told |= await plan.tell(
            after, TOLD_OF_CHANGES, "cancelled", render_cancelled(after), "event-cancelled"
        )
    left = [o for o in everyone if o.id not in {c.id for c in chosen} and not o.cancelled]
    await repo.save_series(
        ctx.space.id,
        replace(series, sequence=series.sequence + 1, cancelled_at=None if left else ctx.now),
    )
    which = (
        f"{len(chosen)} upcoming occurrences of **{literal(series.details.title)}**"
        if len(chosen) > 1
        else f"event {occurrence.number}, **{literal(occurrence.details.title)}**"
    )
    await ctx.audit("events.cancel", f"cancelled {which}")
    text = f"✓ Cancelled {which}. "
    text += (
        f"I'm telling the {plural(len(told), 'member')} who answered."
        if told
        else "Nobody had answered yet."
    )
    if series.repeat is not None and left:
        text += " The rest of the series goes on."
    ctx.reply(text)


class Changing:
    """`event edit` and `event followup`: their member text goes through the guard first."""

    def __init__(self, guard: Guard) -> None:
        self.editing = Screened(
            guard,
            "events.edit",
            "your event",
            SCREENED,
            '`/rounds event edit <id> description="…"`',
            (ID, *CHANGES, SERIES),
            _checked(check_edit),
            edit,
            refused="Nothing was changed.",
        )
        self.following = Screened(
            guard,
            "events.followup",
            "your follow-up",
            (TextField("text", "Your follow-up", 1500, long=True),),
            '`/rounds event followup <id> "…"`',
            (ID, FOLLOWUP_TEXT),
            _checked(check_followup),
            followup,
            refused="Nothing was sent.",
        )


def _checked(check: Callable[[Context, Mapping[str, Any]], Awaitable[object]]) -> Act:
    async def run(ctx: Context, args: Mapping[str, Any]) -> None:
        await check(ctx, args)

    return run
