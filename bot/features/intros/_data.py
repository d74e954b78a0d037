"""Introductions' part of members' data rights and of the managers' digest: the card as
exported and erased (its post in the intros channel is edited to say it was removed), and
the members still without an introduction a week after joining."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.context import channel_key
from bot.digest import DigestContext, DigestSection
from bot.features.intros._cards import card_key
from bot.features.intros.model import INTROS
from bot.memberdata import MemberData, MemberRequest
from bot.messages import ChannelPost, Message
from bot.ports import NewDelivery

INTRO_WITHIN = timedelta(days=7)
LOOK_BACK = timedelta(weeks=5)  # members who joined long ago are not this week's news
REMOVED = "👋 This introduction was removed at the member's request."


async def export(request: MemberRequest) -> dict[str, Any]:
    card = await request.tx.repo(INTROS).card(request.space.id, request.member.id)
    if card is None:
        return {"card_posted": False}
    return {
        "card_posted": card.posted_at is not None,
        "card_posted_at": card.posted_at,
        "card_channel": card.channel_id,
        "card_versions": card.version,
        "reminder_planned_at": card.reminder_planned_at,
        "note": "The card's text is made from your profile each time; it is not stored.",
    }


async def erase(request: MemberRequest) -> None:
    space_id, member = request.space.id, request.member
    card = await request.tx.repo(INTROS).erase_member(space_id, member.id)
    if card is None or not card.version or card.channel_id is None:
        return
    where = card.channel_id
    await request.tx.outbox.enqueue(
        space_id,
        NewDelivery(
            dedupe_key=card_key(member.id, where, card.version + 1),
            purpose="intro",
            target=ChannelPost(where),
            message=Message(REMOVED),  # no "Say hello" any more: there is nobody to greet
            due_at=request.now,
            replaces=card_key(member.id, where, card.version),
        ),
    )


MEMBER_DATA = MemberData("introductions", "your introduction card", export, erase)


async def digest(ctx: DigestContext) -> DigestSection | None:
    if not ctx.settings.get(channel_key("intros")):
        return None
    waiting = await ctx.tx.repo(INTROS).without_intro(
        ctx.space_id, ctx.now - LOOK_BACK, ctx.now - INTRO_WITHIN
    )
    if not waiting:
        return None
    who = "member who joined" if waiting == 1 else "members who joined"
    has = "has" if waiting == 1 else "have"
    return DigestSection(
        "Introductions",
        (
            f"{waiting} {who} in the last 5 weeks still {has} no introduction a week on. "
            "A personal welcome helps; they post theirs with `/rounds intro`.",
        ),
    )
