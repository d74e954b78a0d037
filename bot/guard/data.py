"""The guard's part of members' data rights and of the managers' digest: a member's "Post
anyway" choices (export, erasure, with the texts still held in memory for them) and the
week's warnings, as counts only."""

from __future__ import annotations

from typing import Any

from bot.digest import DigestContext, DigestSection
from bot.guard.held import HeldTexts
from bot.guard.model import GUARD
from bot.memberdata import Erase, MemberData, MemberRequest

MODE = "guard.mode"


async def export(request: MemberRequest) -> dict[str, Any]:
    choices = await request.tx.repo(GUARD).member_overrides(request.space.id, request.member.id)
    return {
        "posted_anyway": [
            {"where": purpose, "what_was_found": sorted(kinds), "at": at}
            for purpose, kinds, at in choices
        ],
        "note": "Texts the guard flagged are never saved: they were held in memory only.",
    }


def eraser(held: HeldTexts) -> Erase:
    async def erase(request: MemberRequest) -> None:
        await request.tx.repo(GUARD).erase_member(request.space.id, request.member.id)
        held.forget_member(request.space.id, request.member.id)

    return erase


def member_data(held: HeldTexts) -> MemberData:
    return MemberData(
        "guard", "when you posted a flagged text anyway (never the text)", export, eraser(held)
    )


async def digest(ctx: DigestContext) -> DigestSection | None:
    guard = ctx.tx.repo(GUARD)
    warned = await guard.warnings_since(ctx.space_id, ctx.since)
    anyway = sum((await guard.overrides_since(ctx.space_id, ctx.since)).values())
    if not warned and not anyway:
        return None
    mode = ctx.settings.get(MODE, "warn")
    change = "block" if mode != "block" else "warn"
    return DigestSection(
        "Patient-information guard",
        (
            f"{warned} warning{'s' if warned != 1 else ''} this week; posted anyway: {anyway}. "
            f"Mode: {mode} (change with `/rounds config set guard.mode={change}`).",
        ),
    )
