"""`/rounds forget-me`: the confirmation, then the erasure in one transaction. Each programme
erases (or anonymises) its own data through its `MemberData` hook, then the core forgets the
member in the outbox and the audit log, and deletes the member row, keeping a salted hash."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from bot.context import Context
from bot.features.privacy._render import (
    CANCELLED,
    ERASED,
    ERASED_UPDATE,
    STALE,
    render_confirm,
)
from bot.localtime import COMMUNITY_ZONE, DEFAULT_ZONE
from bot.memberdata import MemberRequest
from bot.messages import Message

CONFIRM_FOR = timedelta(minutes=15)


async def posts_of(ctx: Context) -> list[str]:
    request = MemberRequest(ctx.tx, ctx.space, ctx.member, ctx.now)
    found = []
    for hook in ctx.router.member_data_hooks:
        if hook.posts is not None:
            wrote = await hook.posts(request)
            if wrote:
                found.append(wrote)
    return found


async def ask(ctx: Context, args: Mapping[str, Any]) -> None:
    until = int((ctx.now + CONFIRM_FOR).timestamp())
    managers = await ctx.tx.members.managers(ctx.space.id)
    last = [m.id for m in managers] == [ctx.member.id]
    ctx.reply(render_confirm(ctx.member.id, await posts_of(ctx), until, last_manager=last))


async def confirmed(ctx: Context, value: str) -> None:
    member_text, _, rest = value.partition(":")
    choice, _, until_text = rest.partition(":")
    fresh = until_text.isdigit() and int(until_text) >= int(ctx.now.timestamp())
    if member_text != str(ctx.member.id) or choice not in ("keep", "remove") or not fresh:
        ctx.reply(STALE)
        return
    keep = choice == "keep"
    had_posts = bool(await posts_of(ctx))
    await erase(ctx, keep_posts=keep)
    ctx.update(Message(ERASED_UPDATE))
    if had_posts:
        posts = "; your posts stay, without your name" if keep else ", your posts included"
    else:
        posts = ""
    ctx.reply(ERASED.format(posts=posts))


async def cancelled(ctx: Context, value: str) -> None:
    ctx.update(Message(CANCELLED))


async def erase(ctx: Context, *, keep_posts: bool) -> None:
    """Erase the member who is asking, in the handler's transaction: all of it, or nothing."""
    member = ctx.member
    settings = await ctx.settings()
    zone = settings.get(COMMUNITY_ZONE) or DEFAULT_ZONE
    request = MemberRequest(
        ctx.tx, ctx.space, member, ctx.now, keep_posts=keep_posts, zone=zone, settings=settings
    )
    for hook in ctx.router.member_data_hooks:
        await hook.erase(request)
    names = [member.display_name, member.profile.name or ""]
    await ctx.tx.outbox.forget(ctx.space.id, member.user_id, names, ctx.now)
    await ctx.tx.audit.forget(ctx.space.id, member.id)
    await ctx.tx.audit.record(
        ctx.space.id,
        ctx.now,
        "privacy.erased",
        "erased a member's data at their request",
        actor_id=None,
    )
    await ctx.tx.members.erase(ctx.space.id, member.id, ctx.now)
    ctx.planned += 1  # hooks plan notes (to partners, edits of posts): send them soon
