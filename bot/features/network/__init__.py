"""Networking rounds: opted-in members are paired with a peer every few weeks, introduced with
reasons, asked halfway whether they met, and paused after ignoring three rounds in a row.

Rounds start on Mondays (every `network.every` weeks). Pairing runs once per round (the round
record is the lock), early enough that each introduction arrives at 10:00 on Monday in the
member's own time zone; after downtime it runs late, but once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from bot.context import Context, JobContext
from bot.domain import Member, NetworkStatus, PairInfo, Participant, Role, RoundInfo
from bot.errors import UserError
from bot.features.network._pairing import Candidate, Pairing, pair_members
from bot.features.network._render import (
    ANSWERS,
    MET_ACTION,
    render_answered,
    render_check,
    render_introduction,
)
from bot.localtime import local, next_allowed, next_local
from bot.messages import (
    Button,
    ButtonStyle,
    DirectMessage,
    GroupMessage,
    Message,
    mention,
    moment,
)
from bot.options import Option, OptionKind, format_duration, parse_duration
from bot.ports import NewDelivery, Tx
from bot.router import Command, Job, Router, Setting

log = logging.getLogger(__name__)

LEAD = timedelta(hours=14)  # pair early enough for Monday 10:00 everywhere on Earth
FIRST_ROUND_GRACE = timedelta(hours=6)
IGNORED_ROUNDS_BEFORE_PAUSE = 3
DEFAULT_EVERY = "2w"
INTRO_HOUR = time(10, 0)


def weeks_only(value: Any) -> timedelta:
    if not isinstance(value, timedelta) or value % timedelta(weeks=1) or value > timedelta(weeks=8):
        raise UserError(
            "`network.every` is a whole number of weeks from 1w to 8w (rounds start on Mondays).",
            field="network.every",
        )
    return value


def cadence(settings: Mapping[str, str]) -> timedelta:
    return parse_duration(settings.get("network.every", DEFAULT_EVERY)) or timedelta(weeks=2)


@dataclass(frozen=True)
class NextRound:
    number: int
    starts_at: datetime  # a Monday, 00:00 UTC

    @property
    def pair_at(self) -> datetime:
        return self.starts_at - LEAD


def monday_on_or_after(moment: datetime) -> datetime:
    day = moment.astimezone(UTC).date()
    if datetime.combine(day, time(0), tzinfo=UTC) < moment:
        day += timedelta(days=1)
    return datetime.combine(day + timedelta(days=-day.weekday() % 7), time(0), tzinfo=UTC)


def next_round(now: datetime, every: timedelta, latest: RoundInfo | None) -> NextRound:
    """The round that will be paired next: the first on the coming Monday, then each one
    where the last one ends (so a change of cadence takes effect from the next round).
    Rounds that passed entirely while the bot was down are skipped; the current one still
    runs, late but once."""
    if latest is None:
        return NextRound(1, monday_on_or_after(now + LEAD - FIRST_ROUND_GRACE))
    start = latest.ends_at
    while start + every <= now + LEAD:
        start += every
    return NextRound(latest.number + 1, start)


def local_monday(start: datetime, member: Member) -> datetime:
    return next_allowed(
        next_local(start - LEAD, member.profile, INTRO_HOUR, weekday=0), member.profile
    )


def common_moment(at: datetime, group: list[Member]) -> datetime:
    """The first moment from `at` outside every member's quiet hours (or `at` itself when
    their quiet hours leave no common window)."""
    moment_ = at
    for _ in range(len(group) * 3):
        later = max(next_allowed(moment_, m.profile) for m in group)
        if later == moment_:
            return moment_
        moment_ = later
    return at


def utc_offset(member: Member, at: datetime) -> float:
    offset = local(at, member.profile).utcoffset() or timedelta()
    return offset.total_seconds() / 3600


def candidate(member: Member, at: datetime) -> Candidate:
    p = member.profile
    return Candidate(
        member.id,
        (p.institution or "").strip().lower() or None,
        frozenset(x.lower() for x in (*p.interests, *p.goals)),
        utc_offset(member, at),
    )


# -- commands ---------------------------------------------------------------------------------
async def next_round_text(ctx: Context) -> str:
    every = cadence(await ctx.settings())
    latest = await ctx.tx.network.latest_round(ctx.space.id)
    start = next_round(ctx.now, every, latest).starts_at
    return moment(local_monday(start, ctx.member), "F")


async def join(ctx: Context, args: Mapping[str, Any]) -> None:
    participant = await ctx.tx.network.participant(ctx.member.id)
    if participant and participant.status is NetworkStatus.ACTIVE:
        ctx.reply(f"You're already in. Your next pairing arrives {await next_round_text(ctx)}.")
        return
    await ctx.tx.network.set_status(ctx.space.id, ctx.member.id, NetworkStatus.ACTIVE, ctx.now)
    every = format_duration(cadence(await ctx.settings()))
    text = (
        f"✓ You're in! Every {every.replace('w', ' weeks').replace('1 weeks', 'week')} you'll be "
        f"paired with a peer from another institution. First pairing: {await next_round_text(ctx)}."
    )
    if not ctx.member.profile.interests:
        text += '\nTip: add interests for better matches: `/rounds profile set interests="…"`.'
    if not ctx.member.profile.timezone:
        text += "\nTip: set your time zone so pairings arrive at 10:00 your time."
    ctx.reply(text)


async def require_participant(ctx: Context) -> None:
    participant = await ctx.tx.network.participant(ctx.member.id)
    if participant is None or participant.status is NetworkStatus.LEFT:
        raise UserError("You haven't joined networking rounds. Join with `/rounds network join`.")


async def snooze(ctx: Context, args: Mapping[str, Any]) -> None:
    await require_participant(ctx)
    weeks = int(args["weeks"])
    until = ctx.now + timedelta(weeks=weeks)
    await ctx.tx.network.set_status(
        ctx.space.id, ctx.member.id, NetworkStatus.SNOOZED, ctx.now, snoozed_until=until
    )
    ctx.reply(
        f"✓ Snoozed for {weeks} week{'s' if weeks > 1 else ''}: no pairings until "
        f"{moment(until, 'D')}. Come back sooner with `/rounds network join`."
    )


async def leave(ctx: Context, args: Mapping[str, Any]) -> None:
    await require_participant(ctx)
    await ctx.tx.network.set_status(ctx.space.id, ctx.member.id, NetworkStatus.LEFT, ctx.now)
    ctx.reply("✓ You've left networking rounds. Rejoin any time with `/rounds network join`.")


NOT_IN = "You're not in networking rounds. Join with `/rounds network join`."
JOIN_ACTION = "network.join"


async def status(ctx: Context, args: Mapping[str, Any]) -> None:
    lines = await status_lines(ctx)
    ctx.reply("\n".join(lines) if lines else NOT_IN)


async def status_lines(ctx: Context) -> list[str]:
    """The member's networking state; empty when they are not in networking rounds."""
    participant = await ctx.tx.network.participant(ctx.member.id)
    if participant is None or participant.status is NetworkStatus.LEFT:
        return []
    lines = []
    if participant.status is NetworkStatus.ACTIVE:
        lines.append(f"You're in networking rounds. Next pairing: {await next_round_text(ctx)}.")
    elif participant.status is NetworkStatus.SNOOZED and participant.snoozed_until:
        lines.append(f"You're snoozed until {moment(participant.snoozed_until, 'D')}.")
    else:
        lines.append(
            "Your rounds are paused because the last three went unanswered. "
            "Rejoin with `/rounds network join`."
        )
    current = await ctx.tx.network.current_pair(ctx.member.id)
    if current is not None and current[0].ends_at > ctx.now:
        round_info, pair = current
        others = [m for m in pair.member_ids if m != ctx.member.id]
        members = await ctx.tx.members.by_ids(others)
        names = " and ".join(mention(members[m].user_id) for m in others if m in members)
        last_day = moment(round_info.ends_at - timedelta(hours=12), "D")
        lines.append(f"This round ({last_day} is the last day): {names}.")
    return lines


async def home(ctx: Context) -> Message:
    lines = await status_lines(ctx)
    if lines:
        return Message("**Networking rounds**\n" + "\n".join(lines))
    return Message(
        "**Networking rounds**\nMeet a peer from another institution every few weeks, "
        "matched on shared interests and time zones.",
        buttons=(Button("Join networking rounds", JOIN_ACTION, style=ButtonStyle.PRIMARY),),
    )


async def join_by_button(ctx: Context, value: str) -> None:
    await join(ctx, {})


async def exclude(ctx: Context, args: Mapping[str, Any]) -> None:
    user_id = args["member"]
    if user_id == ctx.member.user_id:
        raise UserError("You can't be paired with yourself anyway 🙂")
    other = await ctx.tx.members.get(ctx.space.id, user_id)
    if other is None:
        raise UserError(f"I don't know {mention(user_id)} in this community.")
    added = await ctx.tx.network.exclude(ctx.space.id, ctx.member.id, other.id)
    if added:
        ctx.reply(f"✓ You won't be paired with {mention(user_id)}. They are not told.")
    else:
        ctx.reply(f"You had already excluded {mention(user_id)}. Nothing changed.")


async def report(ctx: Context, args: Mapping[str, Any]) -> None:
    counts = await ctx.tx.network.counts(ctx.space.id)
    lines = [
        "**Networking rounds**",
        f"- Opted in: {counts.get(NetworkStatus.ACTIVE, 0)}"
        f" (snoozed {counts.get(NetworkStatus.SNOOZED, 0)},"
        f" paused {counts.get(NetworkStatus.PAUSED, 0)}, left {counts.get(NetworkStatus.LEFT, 0)})",
    ]
    latest = await ctx.tx.network.latest_round(ctx.space.id)
    if latest is None:
        lines.append("- No round has run yet.")
    else:
        pairs = await ctx.tx.network.round_pairs(latest.id)
        paired = sum(len(p.member_ids) for p in pairs)
        answers = [a for p in pairs for a in p.answers.values()]
        answered = sum(a is not None for a in answers)
        met = sum(a == "met" for a in answers)
        rate = f"{met / paired:.0%}" if paired else "n/a"
        lines += [
            f"- Latest round (starting {moment(latest.starts_at, 'D')}): "
            f"{len(pairs)} group{'s' if len(pairs) != 1 else ''}, {paired} members paired",
            f"- Answered “Did you meet?”: {answered} of {paired}; met: {met} ({rate})",
        ]
    ctx.reply("\n".join(lines))


async def answer(ctx: Context, value: str) -> None:
    pair_text, _, choice = value.partition(":")
    pair = await ctx.tx.network.pair(int(pair_text)) if pair_text.isdigit() else None
    if pair is None or choice not in ANSWERS:
        ctx.reply("That button no longer works. Type `/rounds network status` to see your round.")
        return
    if ctx.member.id not in pair.member_ids:
        ctx.reply("That question was for someone else's pairing.")
        return
    await ctx.tx.network.answer(pair.id, ctx.member.id, choice, ctx.now)
    partners = await ctx.tx.members.by_ids([m for m in pair.member_ids if m != ctx.member.id])
    ctx.update(render_answered(list(partners.values()), choice))
    replies = {
        "met": "✓ Wonderful, thank you! We'll keep pairing you with new peers.",
        "later": "No problem. There's still time this round; a short call counts.",
        "skip": "Thanks for letting us know. You'll get a new partner next round.",
    }
    ctx.reply(replies[choice])


# -- the round job ------------------------------------------------------------------------------
async def run_rounds(job: JobContext) -> None:
    async with job.store.transaction() as tx:
        spaces = await tx.network.spaces_with_participants()
    for space_id in spaces:
        try:
            await pair_space(job, space_id)
        except Exception:
            log.exception("networking round failed for space %s", space_id)


@dataclass
class Plan:
    """Everything a round writes, worked out before the write transaction starts, so the
    (single, on SQLite) write lock is held only for the writes."""

    members: list[Member]
    streaks: dict[int, int]
    paused: list[Member]
    pairing: Pairing


async def pair_space(job: JobContext, space_id: int) -> None:
    async with job.store.transaction() as tx:  # reads only
        every = cadence(job.router.effective(await tx.settings.all(space_id)))
        latest = await tx.network.latest_round(space_id)
        upcoming = next_round(job.now, every, latest)
        if upcoming.pair_at > job.now:
            return
        participants = await tx.network.participants(space_id)
        previous = await tx.network.round_pairs(latest.id) if latest else []
        eligible = await tx.network.eligible(space_id, job.now)
        history = await tx.network.history(space_id)
        exclusions = await tx.network.exclusions(space_id)
        streaks, silent = ignored_streaks(previous, participants)
        paused = list((await tx.members.by_ids(sorted(silent))).values())
    members = [m for m in eligible if m.id not in silent]
    start = upcoming.starts_at
    pairing = pair_members(
        [candidate(m, start) for m in members],
        history,
        exclusions,
        seed=upcoming.number * 7919 + space_id,
    )
    async with job.store.transaction() as tx:  # writes; the round row is the lock
        info = await tx.network.start_round(
            space_id, upcoming.number, start, start + every, job.now
        )
        if info is None:
            return  # another process paired this round
        await write_round(tx, job, space_id, info, every, Plan(members, streaks, paused, pairing))


def ignored_streaks(
    previous: list[PairInfo], participants: Mapping[int, Participant]
) -> tuple[dict[int, int], set[int]]:
    """Rounds ignored in a row, after the last round; and who reached the pause."""
    streaks: dict[int, int] = {}
    for pair in previous:
        for member_id, given in pair.answers.items():
            participant = participants.get(member_id)
            if participant is None or participant.status is not NetworkStatus.ACTIVE:
                continue
            streaks[member_id] = 0 if given is not None else participant.ignored_streak + 1
    silent = {m for m, streak in streaks.items() if streak >= IGNORED_ROUNDS_BEFORE_PAUSE}
    return streaks, silent


PAUSED = (
    "We've paused your networking rounds: the last three pairings went unanswered, and we "
    "don't want to fill your inbox. Rejoin any time with `/rounds network join`."
)
UNMATCHED = (
    "No networking match for you this round, sorry: there was no one left to pair you with. "
    "You're first in line next round."
)


async def tell(
    tx: Tx, space_id: int, member: Member, key: str, text: str, due_at: datetime
) -> None:
    """Plan one DM about the member's networking rounds."""
    purpose = "network-" + key.split(":")[2]
    await tx.outbox.enqueue(
        space_id,
        NewDelivery(key, purpose, DirectMessage(member.user_id), Message(text), due_at),
    )


async def write_round(
    tx: Tx, job: JobContext, space_id: int, info: RoundInfo, every: timedelta, plan: Plan
) -> None:
    await tx.network.set_streaks(plan.streaks)
    await tx.network.reactivate(space_id, job.now)  # snoozes that ended
    for member in plan.paused:
        await tx.network.set_status(space_id, member.id, NetworkStatus.PAUSED, job.now)
        await tell(
            tx,
            space_id,
            member,
            f"network:{info.number}:paused:{member.id}",
            PAUSED,
            next_allowed(job.now, member.profile),
        )
    by_id = {m.id: m for m in plan.members}
    offsets = {m.id: utc_offset(m, info.starts_at) for m in plan.members}
    for group_ids in plan.pairing.groups:
        group = [by_id[m] for m in group_ids]
        pair_id = await tx.network.add_pair(info.id, space_id, group_ids)
        await plan_pair(tx, space_id, info, pair_id, group, offsets, every, seed=pair_id)
    for member_id in plan.pairing.unmatched:
        member = by_id[member_id]
        await tell(
            tx,
            space_id,
            member,
            f"network:{info.number}:unmatched:{member.user_id}",
            UNMATCHED,
            local_monday(info.starts_at, member),
        )
    log.info(
        "networking round %s in space %s: %s groups, %s unmatched",
        info.number,
        space_id,
        len(plan.pairing.groups),
        len(plan.pairing.unmatched),
    )


async def plan_pair(
    tx: Tx,
    space_id: int,
    info: RoundInfo,
    pair_id: int,
    group: list[Member],
    offsets: dict[int, float],
    every: timedelta,
    *,
    seed: int,
) -> None:
    intro_at = common_moment(max(local_monday(info.starts_at, m) for m in group), group)
    await tx.outbox.enqueue(
        space_id,
        NewDelivery(
            dedupe_key=f"network:{info.number}:pair:{pair_id}",
            purpose="network-intro",
            target=GroupMessage(tuple(m.user_id for m in group)),
            message=render_introduction(group, offsets, info.ends_at - timedelta(hours=12), seed),
            due_at=intro_at,
        ),
    )
    halfway = info.starts_at + every / 2
    for member in group:
        partners = [m for m in group if m.id != member.id]
        await tx.outbox.enqueue(
            space_id,
            NewDelivery(
                dedupe_key=f"network:{info.number}:check:{pair_id}:{member.user_id}",
                purpose="network-check",
                target=DirectMessage(member.user_id),
                message=render_check(pair_id, partners),
                due_at=next_allowed(
                    next_local(halfway, member.profile, INTRO_HOUR), member.profile
                ),
                expires_at=info.ends_at + timedelta(days=3),
            ),
        )


def register(router: Router) -> None:
    router.setting(
        Setting(
            "network.every",
            OptionKind.DURATION,
            DEFAULT_EVERY,
            "how often networking rounds pair members (whole weeks)",
            convert=weeks_only,
        )
    )
    commands = (
        ("join", "Join networking rounds: meet a new peer every few weeks", join, ()),
        (
            "snooze",
            "Pause your networking rounds for a few weeks",
            snooze,
            (
                Option(
                    "weeks",
                    OptionKind.INTEGER,
                    "how many weeks (1 to 12)",
                    required=True,
                    positional=True,
                    min_value=1,
                    max_value=12,
                ),
            ),
        ),
        ("leave", "Leave networking rounds", leave, ()),
        ("status", "Your networking round: state, next pairing, current partner", status, ()),
        (
            "exclude",
            "Never be paired with a member (they are not told)",
            exclude,
            (Option("member", OptionKind.MEMBER, "who", required=True, positional=True),),
        ),
    )
    for name, summary, handler, options in commands:
        router.command(Command(("network", name), summary, handler, options=options))
    router.command(
        Command(
            ("network", "report"),
            "Participation in networking rounds (for managers)",
            report,
            role=Role.MANAGER,
        )
    )
    router.action(MET_ACTION, answer)
    router.action(JOIN_ACTION, join_by_button)
    router.home_section(home)
    router.job(Job("network.rounds", timedelta(hours=1), run_rounds))
