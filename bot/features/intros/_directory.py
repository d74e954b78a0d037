"""`/rounds find`: the member directory, ranked, private to the one who asked, with a
"Say hello" button per person found."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.context import Context
from bot.domain import DirectoryHit, DirectoryQuery
from bot.errors import UserError
from bot.messages import Button, Message, mention, sanitize
from bot.text import shown

HELLO_ACTION = "intros.hello"
MAX_WORDS = 8


def why(hit: DirectoryHit) -> str:
    return "exact " + " and ".join(hit.exact) if hit.exact else ""


def render_results(hits: list[DirectoryHit], asked: str) -> Message:
    if not hits:
        return Message(
            f"No members match {asked}. Try fewer words, or a broader field such as "
            "`/rounds find interest=leadership`."
        )
    lines = [f"**{len(hits)} member{'s' if len(hits) > 1 else ''} matching {asked}**"]
    buttons = []
    for hit in hits:
        p = hit.member.profile
        details = " · ".join(
            sanitize(x) for x in (p.profession, p.specialty, p.institution, p.region) if x
        )
        reason = why(hit)
        lines.append(
            f"- **{sanitize(hit.member.label)}** {mention(hit.member.user_id)}"
            + (f": {details}" if details else "")
            + (f" _({reason})_" if reason else "")
        )
        buttons.append(
            Button(f"Say hello to {hit.member.label[:40]}", HELLO_ACTION, hit.member.user_id)
        )
    return Message("\n".join(lines), buttons=tuple(buttons))


def search_words(text: str) -> tuple[str, ...]:
    """The words worth searching for: one-letter Latin words are noise, but one character of
    another script (李) or a symbol (🩺) is a real search."""
    words = (w for w in text.lower().split() if len(w) > 1 or not w.isascii())
    return tuple(words)[:MAX_WORDS]


async def find(ctx: Context, args: Mapping[str, Any]) -> None:
    words = search_words(str(args.get("text", "")))
    query = DirectoryQuery(
        words=words,
        specialty=_lower(args.get("specialty")),
        interest=_lower(args.get("interest")),
        region=_lower(args.get("region")),
        stage=args.get("stage"),
        mentor=args.get("mentor"),
        exclude_member_id=ctx.member.id,
    )
    if not (words or query.specialty or query.interest or query.region or query.stage) and (
        query.mentor is None
    ):
        raise UserError(
            "Tell me who you're looking for, e.g. `/rounds find simulation` or "
            "`/rounds find specialty=paediatrics mentor=yes`."
        )
    hits = await ctx.tx.directory.find(ctx.space.id, query)
    asked = " ".join(
        [f"“{' '.join(words)}”"] * bool(words)
        + [f"{k}={shown(v)}" for k, v in args.items() if k != "text"]
    )
    ctx.reply(render_results(hits, sanitize(asked)))


def _lower(value: object) -> str | None:
    return str(value).strip().lower() if value else None
