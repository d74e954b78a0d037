"""Networking rounds' part of members' data rights and of the managers' digest: a member's
participation, exclusions and pairings (export); their erasure, which ends a pairing still
under way with a neutral note to the partner; participation and the met rate (digest)."""

from __future__ import annotations

from typing import Any

from bot.digest import DigestContext, DigestSection
from bot.domain import Member
from bot.features.network._schedule import cadence
from bot.features.network.model import NETWORK, NetworkStatus
from bot.localtime import next_allowed
from bot.memberdata import FORMER_MEMBER, MemberData, MemberRequest
from bot.messages import DirectMessage, Message, mention, moment
from bot.ports import NewDelivery


def named(member: Member | None) -> str:
    return f"{member.label} ({member.user_id})" if member else FORMER_MEMBER


async def export(request: MemberRequest) -> dict[str, Any]:
    network, space_id, me = request.tx.repo(NETWORK), request.space.id, request.member.id
    participant = await network.participant(space_id, me)
    pairs = await network.member_pairs(space_id, me)
    excluded = await network.excluded_by(space_id, me)
    others = {m for _, pair in pairs for m in pair.member_ids if m != me} | set(excluded)
    known = await request.tx.members.by_ids(space_id, sorted(others))
    return {
        "taking_part": participant.status if participant else "never joined",
        "snoozed_until": participant.snoozed_until if participant else None,
        "rounds_unanswered_in_a_row": participant.ignored_streak if participant else 0,
        "never_paired_with": [named(known.get(m)) for m in excluded],
        "pairings": [
            {
                "round": info.number,
                "from": info.starts_at,
                "until": info.ends_at,
                "with": [named(known.get(m)) for m in pair.member_ids if m != me],
                "did_you_meet": pair.answers.get(me),
            }
            for info, pair in pairs
        ],
    }


def ended_note(others: list[Member]) -> Message:
    if not others:
        return Message(
            "Your networking partner this round is no longer taking part, so this pairing has "
            "ended. Nothing to do: your next partner comes with the next round."
        )
    names = " and ".join(mention(m.user_id) for m in others)
    return Message(
        "One member of your networking group this round is no longer taking part. "
        f"The rest of you can still meet: {names}."
    )


async def erase(request: MemberRequest) -> None:
    network, space_id, member = request.tx.repo(NETWORK), request.space.id, request.member
    current = await network.current_pair(space_id, member.id)
    await network.erase_member(space_id, member.id)
    if current is None or current[0].ends_at <= request.now:
        return
    info, pair = current
    partners = await request.tx.members.by_ids(
        space_id, [m for m in pair.member_ids if m != member.id]
    )
    notes = [
        NewDelivery(
            dedupe_key=f"network:{info.number}:ended:{pair.id}:{partner.id}",
            purpose="network-ended",
            target=DirectMessage(partner.user_id),
            message=ended_note([m for m in partners.values() if m.id != partner.id]),
            due_at=next_allowed(request.now, partner.profile, fallback=request.zone),
            expires_at=info.ends_at,
            quiet=True,
        )
        for partner in partners.values()
    ]
    await request.tx.outbox.enqueue_many(space_id, notes)


MEMBER_DATA = MemberData(
    "networking", "your networking rounds (partners and answers)", export, erase
)


async def digest(ctx: DigestContext) -> DigestSection | None:
    network = ctx.tx.repo(NETWORK)
    counts = await network.counts(ctx.space_id)
    active = counts.get(NetworkStatus.ACTIVE, 0)
    if not active and not counts.get(NetworkStatus.SNOOZED, 0):
        return None
    lines = [
        f"{active} taking part ({counts.get(NetworkStatus.SNOOZED, 0)} snoozed, "
        f"{counts.get(NetworkStatus.PAUSED, 0)} paused after three unanswered rounds)."
    ]
    every = cadence(ctx.settings)
    # the met rate of the latest round whose "Did you meet?" has gone out (at its halfway)
    asked = [
        r
        for r in await network.recent_rounds(ctx.space_id, 2)
        if r.starts_at + every / 2 <= ctx.now
    ]
    if asked:
        info = asked[0]
        answers = await network.round_answers(ctx.space_id, info.id)
        paired = sum(answers.values())
        met = answers.get("met", 0)
        answered = paired - answers.get(None, 0)
        rate = f"{met / paired:.0%}" if paired else "n/a"
        lines.append(
            f"Round {info.number} (from {moment(info.starts_at, 'D')}): {paired} paired, "
            f"{answered} answered “Did you meet?”, {met} met ({rate})."
        )
    lines[-1] += " Details: `/rounds network report`."
    return DigestSection("Networking rounds", tuple(lines))
