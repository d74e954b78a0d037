"""Finding answers again: `/rounds qa search`, `/rounds qa show`, `/rounds qa open`, the
managers' audited `/rounds qa author`, and the Q&A part of a member's home page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.context import Context
from bot.errors import UserError
from bot.features.qa._answering import posted_question
from bot.features.qa._parse import qid, search_words
from bot.features.qa._posting import CHANNEL, reveal_key
from bot.features.qa._render import (
    ASK_ACTION,
    render_open,
    render_search,
    render_show,
)
from bot.features.qa.model import QA, QuestionStatus, SearchQuery, author_of, known
from bot.managers import manager_alerts
from bot.messages import Button, ButtonStyle, Message, literal, mention

OPEN_LISTED = 15
FOUND_LISTED = 10


async def search(ctx: Context, args: Mapping[str, Any]) -> None:
    typed = str(args.get("words", "")).strip()
    tag: str | None = args.get("tag")
    words = search_words(typed)
    if not words and not tag:
        if typed:
            raise UserError(
                "Those words are too common to search for. Try more specific ones, "
                "e.g. `/rounds qa search protected time`."
            )
        raise UserError(
            "Tell me what to look for, e.g. `/rounds qa search protected time` "
            "or `/rounds qa search tag=qi`."
        )
    hits = await ctx.tx.repo(QA).search(
        ctx.space.id, SearchQuery(words, tag=tag, limit=FOUND_LISTED)
    )
    authors = known(*(h.accepted.author_id for h in hits if h.accepted is not None))
    members = await ctx.tx.members.by_ids(ctx.space.id, authors)
    what = f"“{literal(typed)}”" if typed else ""
    if tag:
        what = f"{what} tagged {literal(tag)}".strip()
    ctx.reply(render_search(hits, what, members, ctx.now))


async def show(ctx: Context, args: Mapping[str, Any]) -> None:
    question = await posted_question(ctx, int(args["question"]))
    answers = await ctx.tx.repo(QA).answers(ctx.space.id, question.id)
    members = await ctx.tx.members.by_ids(
        ctx.space.id, known(question.author_id, *(a.author_id for a in answers))
    )
    ctx.reply(render_show(question, author_of(members, question.author_id), answers, members))


async def open_questions(ctx: Context, args: Mapping[str, Any]) -> None:
    questions = await ctx.tx.repo(QA).open_questions(ctx.space.id, OPEN_LISTED)
    ctx.reply(render_open(questions))


async def author(ctx: Context, args: Mapping[str, Any]) -> None:
    """Who asked an anonymous question: for managers only, and every look-up is recorded
    and told to the managers channel."""
    number = int(args["question"])
    qa = ctx.tx.repo(QA)
    question = await qa.question_by_number(ctx.space.id, number)
    if question is None or question.status is not QuestionStatus.POSTED:
        raise UserError(f"There's no question {qid(number)} here.", field="question")
    by_id = await ctx.tx.members.by_ids(ctx.space.id, known(question.author_id))
    asker = author_of(by_id, question.author_id)
    who = mention(asker.user_id) if asker else "a former member"
    if not question.anonymous:
        ctx.reply(f"{qid(number)} isn't anonymous: {who} asked it. Nothing was recorded.")
        return
    await qa.record_reveal(ctx.space.id, question.id, ctx.member.id, ctx.now)
    # the asker is the entry's subject (their data export shows it) but is never shown in
    # `/rounds audit`: the managers see that a look-up happened, not its answer
    await ctx.audit(
        "qa.author", f"looked up who asked the anonymous question {qid(number)}", subject=asker
    )
    note = Message(
        f"🔎 {mention(ctx.member.user_id)} looked up who asked the anonymous question "
        f"{qid(number)}. (Every such look-up is recorded and shown here.)"
    )
    for delivery in await manager_alerts(
        ctx.tx,
        ctx.space.id,
        reveal_key(question.id, ctx.member.id, ctx.now),
        "qa-reveal",
        note,
        ctx.now,
    ):
        await ctx.deliver(delivery)
    ctx.reply(
        f"{qid(number)} was asked by {who}. Please keep it to yourself: this look-up is "
        "recorded, and the managers are told it happened."
    )


async def home(ctx: Context) -> Message | None:
    if await ctx.channel(CHANNEL) is None:
        return None
    waiting = len(await ctx.tx.repo(QA).open_questions(ctx.space.id, 100))
    if waiting:
        plural = "s are" if waiting != 1 else " is"
        text = f"{waiting} question{plural} waiting for an answer: see `/rounds qa open`."
    else:
        text = "Every question has an answer. Stuck on something? Ask your peers."
    return Message(
        "**Peer Q&A**\n" + text,
        buttons=(Button("Ask a question", ASK_ACTION, style=ButtonStyle.PRIMARY),),
    )
