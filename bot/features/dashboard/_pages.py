"""The dashboard's own pages: the overview (members, the weekly chart of every programme's
trend, one health line per programme) and the audit log. Programmes add the rest."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from bot.dashboard import Block, BoardContext, Chart, Column, Figures, Note, Table, board_of
from bot.domain import Member
from bot.features.dashboard.model import DASHBOARD
from bot.memberdata import FORMER_MEMBER
from bot.ports import SUBJECT

CHART_WEEKS = 12
RECENT = timedelta(weeks=4)
AUDIT_ENTRIES = 500
WEEK = timedelta(weeks=1)

_MENTION_RE = re.compile(r"<([@#])([^>|]+)(?:\|[^>]*)?>")
_MARKUP_RE = re.compile(r"\*\*|`")
_ESCAPED_RE = re.compile(r"\\(.)")


def name_of(members: Mapping[int, Member], member_id: int | None) -> str:
    """A member's display name as the platform shows it; a former member when gone."""
    found = members.get(member_id) if member_id is not None else None
    if found is None:
        return FORMER_MEMBER
    return found.display_name or found.user_id


def plain(markup: str) -> str:
    """Message markup as plain words for a table cell: no emphasis, no escapes."""
    text = _MENTION_RE.sub(lambda m: m.group(1) + m.group(2), markup)
    return _ESCAPED_RE.sub(r"\1", _MARKUP_RE.sub("", text))


def week_starts(now: datetime, weeks: int) -> list[datetime]:
    """The edges of the last `weeks` weeks up to this very moment (included)."""
    end = now + timedelta(seconds=1)
    return [end - WEEK * (weeks - i) for i in range(weeks + 1)]


async def chart(ctx: BoardContext, weeks: int = CHART_WEEKS) -> Chart:
    bounds = week_starts(ctx.now, weeks)
    trends = sorted(ctx.router.trends, key=lambda t: t.order)
    series = [(t.label, tuple(await t.count(ctx.tx, ctx.space_id, bounds))) for t in trends]
    return Chart(f"Activity, the last {weeks} weeks", tuple(bounds[:-1]), tuple(series))


async def overview(ctx: BoardContext) -> Sequence[Block]:
    totals = await ctx.tx.repo(DASHBOARD).member_totals(ctx.space_id, ctx.now - RECENT)
    items = [
        ("Members", str(totals.total)),
        ("Joined in the last 4 weeks", str(totals.joined_since)),
        ("With a profile", str(totals.with_profile)),
    ]
    for figure in sorted(ctx.router.board_figures, key=lambda f: f.order):
        items.append((figure.label, str(await figure.count(ctx))))
    health: list[tuple[str, str]] = []
    for page in board_of(ctx.router).pages:
        if page.health is not None:
            health.append((page.title, await page.health(ctx)))
    blocks: list[Block] = [Figures(tuple(items), "Members"), await chart(ctx)]
    if health:
        blocks.append(Figures(tuple(health), "Programmes"))
    return blocks


async def audit(ctx: BoardContext) -> Sequence[Block]:
    entries = await ctx.tx.audit.recent(ctx.space_id, AUDIT_ENTRIES)
    named = {e.actor_id for e in entries} | {e.subject_id for e in entries}
    members = await ctx.tx.members.by_ids(ctx.space_id, sorted(m for m in named if m))
    rows = []
    for entry in entries:
        by = name_of(members, entry.actor_id) if entry.by_member else "Rounds"
        detail = plain(entry.detail.replace(SUBJECT, name_of(members, entry.subject_id)))
        rows.append((entry.at, by, entry.action, detail))
    return [
        Note(
            "Configuration changes, anonymous-author look-ups and moderation steps, newest "
            f"first (the latest {AUDIT_ENTRIES})."
        ),
        Table(
            "changes",
            "Changes",
            (
                Column("When"),
                Column("Who", choices=True),
                Column("What", choices=True),
                Column("Detail"),
            ),
            tuple(rows),
            empty="No changes recorded yet.",
        ),
    ]
