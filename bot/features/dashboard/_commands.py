"""`/rounds dashboard`: a one-time sign-in link by DM; `/rounds dashboard signout`: every
session of this manager ends."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.context import Context
from bot.features.dashboard import _render
from bot.features.dashboard.access import LINK_VALID, LOGIN_PATH, new_token, token_hash
from bot.features.dashboard.model import DASHBOARD, Grant
from bot.messages import DirectMessage, Message
from bot.ports import NewDelivery

SIGNOUT = "signout"


def link_key(hashed: str) -> str:
    return f"dashboard:link:{hashed[:24]}"


async def dashboard(ctx: Context, args: Mapping[str, Any]) -> None:
    repo = ctx.tx.repo(DASHBOARD)
    if args.get("action") == SIGNOUT:
        ended = await repo.end_sessions(ctx.space.id, ctx.member.id, ctx.now)
        ctx.reply(_render.signed_out(ended))
        return
    token = new_token()
    hashed = token_hash(token)
    # a manager by the platform's admin status alone: Rounds can't see that role go away
    by_platform = ctx.actor.is_platform_admin and not ctx.member.is_manager
    grant = Grant(ctx.space.id, ctx.member.id, by_platform, ctx.now + LINK_VALID)
    await repo.add_link(hashed, grant, ctx.now)
    url = ctx.address.link(LOGIN_PATH + token)
    await ctx.deliver(
        NewDelivery(
            link_key(hashed),
            "dashboard-link",
            DirectMessage(ctx.member.user_id),
            Message(_render.link(url, ctx.address.configured)),
            ctx.now,
            expires_at=grant.expires_at,
        )
    )
    ctx.reply(_render.LINK_SENT)
