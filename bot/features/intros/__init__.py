"""Introductions: intro cards in the intros channel, "Say hello", the member directory
(`/rounds find`), and one gentle reminder for members who haven't introduced themselves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.dashboard import BoardContext, BoardFigure
from bot.domain import STAGE_WORDS, STAGES
from bot.features.intros._cards import (
    POST_ACTION,
    home,
    next_reminder_at,
    plan_reminders,
    post_by_button,
    post_intro,
    say_hello,
)
from bot.features.intros._data import MEMBER_DATA, digest
from bot.features.intros._directory import HELLO_ACTION, find
from bot.features.intros.model import INTROS
from bot.options import Option, OptionKind
from bot.router import Channel, Command, Job, Router

__all__ = ["plan_reminders", "register"]

CHANNEL = Channel("intros", "introduction cards and networking", "introductions")


EVER = datetime(1970, 1, 1, tzinfo=UTC)


async def introduced(ctx: BoardContext) -> int:
    """Members with an introduction posted (the dashboard's overview)."""
    without = await ctx.tx.repo(INTROS).without_intro(ctx.space_id, EVER, ctx.now)
    return await ctx.tx.members.count(ctx.space_id) - without


def register(router: Router) -> None:
    router.channel(CHANNEL)
    router.command(
        Command(
            ("intro",),
            "Post (or refresh) your introduction card in the intros channel",
            post_intro,
            examples=("/rounds intro",),
        )
    )
    router.command(
        Command(
            ("find",),
            "Search the member directory",
            find,
            options=(
                Option(
                    "text",
                    OptionKind.TEXT,
                    "words to look for",
                    positional=True,
                    greedy=True,
                    max_length=100,
                ),
                Option("specialty", OptionKind.TEXT, "e.g. paediatrics", max_length=80),
                Option("interest", OptionKind.TEXT, "an interest or goal", max_length=40),
                Option("region", OptionKind.TEXT, "e.g. West Africa", max_length=80),
                Option(
                    "stage",
                    OptionKind.CHOICE,
                    "career stage",
                    choices=STAGES,
                    aliases=STAGE_WORDS,
                ),
                Option("mentor", OptionKind.BOOLEAN, "only people open to mentoring"),
            ),
            examples=(
                "/rounds find simulation",
                "/rounds find specialty=paediatrics mentor=yes",
                '/rounds find interest="quality improvement" region=Africa',
            ),
        )
    )
    router.action(HELLO_ACTION, say_hello)
    router.action(POST_ACTION, post_by_button)
    router.home_section(home)
    router.job(Job("intros.remind", timedelta(hours=1), plan_reminders, next_reminder_at))
    router.member_data(MEMBER_DATA)
    router.board_figure(BoardFigure("With an introduction", introduced))
    router.digest_section(digest)
