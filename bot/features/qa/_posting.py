"""Everything Q&A plans through the outbox: the question card and its edits, answers in the
card's thread, DMs to askers, followers and answerers, and alerts for managers.

Dedupe keys are built from internal ids by the small `*_key` functions below.
"""

from __future__ import annotations

from datetime import datetime

from bot.context import Context
from bot.domain import Member
from bot.features.qa._render import render_answer_post, render_card
from bot.features.qa.model import QA, Answer, Question, author_of, known
from bot.messages import ChannelPost, DirectMessage, Message
from bot.ports import NewDelivery, Tx

CHANNEL = "qa"


def card_key(question_id: int, version: int) -> str:
    return f"qa:{question_id}:card:{version}"


def answer_key(answer_id: int, version: int) -> str:
    return f"qa:answer:{answer_id}:post:{version}"


def told_key(answer_id: int, member_id: int) -> str:
    """A DM about a new answer (to the asker or a follower)."""
    return f"qa:answer:{answer_id}:told:{member_id}"


def accepted_key(answer_id: int, member_id: int) -> str:
    return f"qa:answer:{answer_id}:accepted:{member_id}"


def review_key(question_id: int) -> str:
    """Managers' "approve this anonymous question?" (`manager_alerts` adds the recipient)."""
    return f"qa:{question_id}:review"


def reviewed_key(question_id: int) -> str:
    return f"qa:{question_id}:reviewed"


def peer_key(member_id: int, day: str) -> str:
    """At most one "could you answer?" DM per member per day, whichever question it is for."""
    return f"qa:peer:{member_id}:{day}"


def stuck_key(question_id: int) -> str:
    return f"qa:{question_id}:stuck"


def helped_key(question_id: int) -> str:
    return f"qa:{question_id}:did-this-help"


def reveal_key(question_id: int, manager_id: int, at: datetime) -> str:
    return f"qa:{question_id}:reveal:{manager_id}:{int(at.timestamp())}"


async def card_message(tx: Tx, space_id: int, question: Question) -> Message:
    accepted = None
    if question.accepted_answer_id is not None:
        accepted = await tx.repo(QA).answer(space_id, question.accepted_answer_id)
    ids = known(question.author_id, accepted.author_id if accepted else None)
    members = await tx.members.by_ids(space_id, ids)
    shown = (accepted, author_of(members, accepted.author_id)) if accepted else None
    return render_card(question, author_of(members, question.author_id), shown)


async def post_card(ctx: Context, question: Question) -> None:
    assert question.channel_id is not None
    await ctx.deliver(
        NewDelivery(
            dedupe_key=card_key(question.id, 1),
            purpose="qa-question",
            target=ChannelPost(question.channel_id),
            message=await card_message(ctx.tx, ctx.space.id, question),
            due_at=ctx.now,
        )
    )


async def refresh_card(ctx: Context, question_id: int) -> None:
    """Edit the card to show the question as it is now (answers, the accepted one)."""
    qa = ctx.tx.repo(QA)
    version = await qa.next_card_version(ctx.space.id, question_id)
    question = await qa.question(ctx.space.id, question_id)
    if question is None or question.channel_id is None:
        return
    await ctx.deliver(
        NewDelivery(
            dedupe_key=card_key(question.id, version),
            purpose="qa-question",
            target=ChannelPost(question.channel_id),
            message=await card_message(ctx.tx, ctx.space.id, question),
            due_at=ctx.now,
            replaces=card_key(question.id, version - 1),
        )
    )


async def post_answer(ctx: Context, question: Question, answer: Answer, *, edit: bool) -> None:
    """The answer in the question's thread; again (an edit) when its votes or state change."""
    assert question.channel_id is not None
    version = await ctx.tx.repo(QA).next_post_version(ctx.space.id, answer.id) if edit else 1
    fresh = await ctx.tx.repo(QA).answer(ctx.space.id, answer.id) or answer
    by_id = await ctx.tx.members.by_ids(ctx.space.id, known(answer.author_id))
    author = author_of(by_id, answer.author_id)
    await ctx.deliver(
        NewDelivery(
            dedupe_key=answer_key(answer.id, version),
            purpose="qa-answer",
            target=ChannelPost(question.channel_id),
            message=render_answer_post(fresh, author, question.accepted_answer_id == answer.id),
            due_at=ctx.now,
            replaces=answer_key(answer.id, version - 1) if version > 1 else None,
            thread_of=card_key(question.id, 1),
        )
    )


def dm(
    key: str,
    purpose: str,
    member: Member,
    message: Message,
    at: datetime,
    *,
    fallback: bool,
    quiet: bool = False,
) -> NewDelivery:
    """A DM; `fallback` lets a refused DM become a mention in the Q&A channel (never for an
    anonymous asker, whom a mention would name); `quiet` ones (nudges) wait out quiet hours."""
    return NewDelivery(
        dedupe_key=key,
        purpose=purpose,
        target=DirectMessage(member.user_id),
        message=message,
        due_at=at,
        fallback_channel=CHANNEL if fallback else None,
        quiet=quiet,
    )
