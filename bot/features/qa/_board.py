"""Peer Q&A on the managers' dashboard: unanswered questions by age (their titles: the one
piece of members' text the dashboard shows, and never one the guard would flag), answer and
acceptance rates, and the patient-information guard's warnings as counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.dashboard import Block, BoardContext, Column, Figures, Table
from bot.features.qa.model import QA
from bot.guard.model import GUARD
from bot.guard.rules import kinds

UNANSWERED = 200
GUARD_WINDOW = timedelta(weeks=4)
HIDDEN = "(title hidden: it looks like patient information)"


def shown_title(title: str) -> str:
    """A question's title, unless the patient-information guard would flag it (a member may
    have posted it anyway): then it stays in chat."""
    return HIDDEN if kinds(title) else title


def _rate(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "–"


async def health(ctx: BoardContext) -> str:
    posted, answered, accepted = await ctx.tx.repo(QA).board_rates(ctx.space_id)
    unanswered = posted - answered
    return (
        f"{unanswered} unanswered of {posted}; {_rate(answered, posted)} answered, "
        f"{_rate(accepted, posted)} accepted."
    )


async def page(ctx: BoardContext) -> Sequence[Block]:
    repo = ctx.tx.repo(QA)
    posted, answered, accepted = await repo.board_rates(ctx.space_id)
    guard = ctx.tx.repo(GUARD)
    since = ctx.now - GUARD_WINDOW
    warnings = await guard.warnings_since(ctx.space_id, since)
    overrides = sum((await guard.overrides_since(ctx.space_id, since)).values())
    questions = await repo.open_questions(ctx.space_id, UNANSWERED)
    rows = []
    for question in questions:
        posted_at = question.posted_at or question.asked_at
        days = max(0, (ctx.now - posted_at).days)
        rows.append((question.number, shown_title(question.title), posted_at, days))
    rows.sort(key=lambda row: -int(row[3]))
    return [
        Figures(
            (
                ("Questions posted", str(posted)),
                ("Answered", f"{answered} ({_rate(answered, posted)})"),
                ("Accepted answer", f"{accepted} ({_rate(accepted, posted)})"),
                ("Unanswered", str(posted - answered)),
            ),
            "Answers",
        ),
        Figures(
            (
                ("Guard warnings, last 4 weeks", str(warnings)),
                ("Posted anyway, last 4 weeks", str(overrides)),
            ),
            "Patient-information guard",
        ),
        Table(
            "unanswered",
            "Unanswered questions, oldest first",
            (
                Column("Question", numeric=True),
                Column("Title"),
                Column("Posted"),
                Column("Days waiting", numeric=True),
            ),
            tuple(rows),
            empty="Every question has an answer.",
        ),
    ]
