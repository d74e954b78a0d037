"""Members' data rights: `/rounds privacy` (what is kept, why, how to export or erase it),
`/rounds my-data` (a JSON file of everything stored about them) and `/rounds forget-me`
(erasure after a confirmation button). This feature keeps no table of its own: it runs the
core's erasure and every programme's `MemberData` hook (`bot/memberdata.py`).

`_export` assembles the file, `_erase` confirms and erases, `_render` words it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.context import Context
from bot.features.privacy._erase import ask, cancelled, confirmed
from bot.features.privacy._export import export
from bot.features.privacy._render import (
    EXPORT_NAME,
    FORGET_ACTION,
    KEEP_ACTION,
    render_export_note,
    render_privacy,
)
from bot.messages import Attachment, Message
from bot.router import Command, Router

__all__ = ["register"]


async def privacy(ctx: Context, args: Mapping[str, Any]) -> None:
    ctx.reply(render_privacy([hook.what for hook in ctx.router.member_data_hooks]))


async def my_data(ctx: Context, args: Mapping[str, Any]) -> None:
    data = await export(ctx)
    sections = ["member", *(hook.name for hook in ctx.router.member_data_hooks)]
    sections += ["audit", "outbox"]
    ctx.reply(
        Message(
            render_export_note(sections),
            attachment=Attachment(EXPORT_NAME, data, "application/json"),
        )
    )


def register(router: Router) -> None:
    router.command(Command(("privacy",), "What Rounds keeps about you, and why", privacy))
    router.command(
        Command(
            ("my-data",),
            "A file of all your data in Rounds",
            my_data,
            examples=("/rounds my-data",),
        )
    )
    router.command(
        Command(
            ("forget-me",),
            "Erase all your data (you confirm first)",
            ask,
            examples=("/rounds forget-me",),
        )
    )
    router.action(FORGET_ACTION, confirmed)
    router.action(KEEP_ACTION, cancelled)
