"""Asking: `/rounds ask` (or its form) is checked by the guard, shown similar earlier questions
first, then posted as a card in the Q&A channel. With `qa.anonymous=review`, an anonymous
question waits for a manager's approval; with `off`, anonymous questions are refused."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.context import Context
from bot.errors import UserError
from bot.features.qa._parse import parse_tags, qid, search_words
from bot.features.qa._posting import (
    CHANNEL,
    dm,
    post_card,
    review_key,
    reviewed_key,
)
from bot.features.qa._render import ASK_FORM, NO_CHANNEL, render_review, render_similar
from bot.features.qa.model import QA, Question, QuestionStatus, SearchHit, SearchQuery
from bot.guard import Guard, Guarded, TextField
from bot.managers import manager_alerts
from bot.messages import FieldKind, Form, FormField, Message, channel, literal, mention
from bot.options import Option, OptionKind, ParseContext, parse_all
from bot.text import shown

ASK_PURPOSE = "qa.ask"
ANONYMOUS = "qa.anonymous"
ANONYMOUS_MODES = ("off", "on", "review")
ASK_OPTIONS = (
    Option("title", OptionKind.TEXT, "your question, in one line", max_length=150),
    Option("body", OptionKind.LONG_TEXT, "the details", max_length=2000),
    Option(
        "tags", OptionKind.TEXT, "comma list, e.g. qi, conflict", max_length=100, convert=parse_tags
    ),
    Option("anonymous", OptionKind.BOOLEAN, "hide your name from everyone"),
)
EXAMPLE = '/rounds ask title="How do I negotiate protected time for QI?" tags=qi,leadership'


@dataclass(frozen=True)
class Ask:
    title: str
    body: str
    tags: tuple[str, ...]
    anonymous: bool


def read_ask(values: Mapping[str, str], parse: ParseContext) -> Ask:
    """Every field checked at once; an error names each field that needs fixing."""
    parsed = parse_all(ASK_OPTIONS, values, parse, refused="Nothing was posted.")
    if "title" not in parsed:
        raise UserError(
            'Give your question a title, e.g. `title="How do I negotiate protected time?"`.',
            field="title",
        )
    return Ask(
        parsed["title"],
        parsed.get("body", ""),
        parsed.get("tags", ()),
        bool(parsed.get("anonymous")),
    )


def ask_form() -> Form:
    return Form(
        ASK_FORM,
        "Ask the community",
        (
            FormField(
                "title",
                "Your question",
                required=True,
                max_length=150,
                placeholder="How do I negotiate protected time for QI?",
            ),
            FormField("body", "Details", FieldKind.LONG_TEXT, max_length=2000),
            FormField("tags", "Tags", placeholder="e.g. qi, conflict", max_length=100),
            FormField(
                "anonymous",
                "Ask anonymously?",
                FieldKind.CHOICE,
                choices=("no", "yes"),
                initial="no",
            ),
        ),
        submit_label="Ask",
        hint=f"Or by command: `{EXAMPLE}`",
    )


async def no_channel(ctx: Context) -> None:
    """Answered, not raised: the hint to managers must be kept."""
    if ctx.is_manager:
        ctx.reply(NO_CHANNEL)
        return
    note = Message(
        f"{mention(ctx.member.user_id)} tried to ask a question, but there is no Q&A channel "
        "yet. Set one with `/rounds config channel qa #questions`."
    )
    day = ctx.now.date().isoformat()
    for delivery in await manager_alerts(
        ctx.tx, ctx.space.id, f"hint:qa-channel:{day}", "manager-hint", note, ctx.now
    ):
        await ctx.deliver(delivery)
    ctx.reply(NO_CHANNEL + " I've let the managers know.")


async def similar(ctx: Context, ask: Ask) -> list[SearchHit]:
    words = search_words(" ".join((ask.title, *ask.tags)))
    if not words:
        return []
    return await ctx.tx.repo(QA).search(ctx.space.id, SearchQuery(words, any_word=True, limit=3))


async def publish(ctx: Context, question: Question, where: str) -> None:
    """Post a question, or put an anonymous one up for review when managers asked for that."""
    qa = ctx.tx.repo(QA)
    if question.anonymous and await ctx.setting(ANONYMOUS) == "review":
        await qa.set_status(ctx.space.id, question.id, QuestionStatus.REVIEW)
        for delivery in await manager_alerts(
            ctx.tx,
            ctx.space.id,
            review_key(question.id),
            "qa-review",
            render_review(question),
            ctx.now,
        ):
            await ctx.deliver(delivery)
        ctx.reply(
            "✓ Thanks. Anonymous questions are checked by a manager first; "
            "I'll DM you when yours is up. Your name is not shown to them."
        )
        return
    posted = await qa.post_question(ctx.space.id, question.id, where, ctx.now)
    await post_card(ctx, posted)
    hidden = " Nobody sees your name." if posted.anonymous else ""
    ctx.reply(
        f"✓ Your question {qid(posted.number)} is up in {channel(where)}. "
        f"I'll DM you when someone answers.{hidden}"
    )


class Asking:
    def __init__(self, guard: Guard) -> None:
        self.guard = guard

    def flow(self) -> Guarded:
        return Guarded(
            ASK_PURPOSE,
            "your question",
            (
                TextField("title", "Your question", 150),
                TextField("body", "Details", 2000, long=True),
                TextField("tags", "Tags", 100),
            ),
            self.resume,
            f"`{EXAMPLE}`",
        )

    async def command(self, ctx: Context, args: Mapping[str, Any]) -> None:
        if not args:  # nothing typed: the form asks instead
            ctx.open_form(ask_form())
            return
        await self.resume(ctx, {name: shown(value) for name, value in args.items()}, False)

    async def open_form(self, ctx: Context, value: str) -> None:
        ctx.open_form(ask_form())

    async def submitted(self, ctx: Context, values: Mapping[str, str], context: str) -> None:
        await self.resume(ctx, dict(values), False)

    async def resume(self, ctx: Context, values: dict[str, str], anyway: bool) -> None:
        ask = read_ask(values, ParseContext(ctx.now, ctx.member.profile.timezone))
        where = await ctx.channel(CHANNEL)
        if where is None:
            await no_channel(ctx)
            return
        if ask.anonymous and await ctx.setting(ANONYMOUS) == "off":
            raise UserError(
                "Anonymous questions are turned off in this community. "
                "Ask with your name, or talk to a manager."
            )
        if not anyway and not await self.guard.screen(ctx, ASK_PURPOSE, values):
            return  # held in memory until the member chooses: nothing may be written
        question = await ctx.tx.repo(QA).create_question(
            ctx.space.id,
            ctx.member.id,
            ask.title,
            ask.body,
            ask.tags,
            ask.anonymous,
            QuestionStatus.DRAFT,
            ctx.now,
        )
        found = await similar(ctx, ask)
        if found:
            ctx.reply(render_similar(found, question.id))
            return
        await publish(ctx, question, where)


async def draft_of(ctx: Context, value: str) -> Question | None:
    if not value.isdigit():
        return None
    question = await ctx.tx.repo(QA).question(ctx.space.id, int(value))
    if question is None or question.author_id != ctx.member.id:
        return None
    return question if question.status is QuestionStatus.DRAFT else None


async def post_draft(ctx: Context, value: str) -> None:
    question = await draft_of(ctx, value)
    if question is None:
        ctx.reply("That question was already posted or cancelled. Ask again with `/rounds ask`.")
        return
    where = await ctx.channel(CHANNEL)
    if where is None:
        await no_channel(ctx)
        return
    ctx.update(Message("You chose to post your question."))
    await publish(ctx, question, where)


async def drop_draft(ctx: Context, value: str) -> None:
    question = await draft_of(ctx, value)
    if question is not None:
        await ctx.tx.repo(QA).delete_draft(ctx.space.id, question.id)
    ctx.update(Message("Cancelled. Your question was not posted."))


async def review(ctx: Context, value: str) -> None:
    """A manager approves or declines an anonymous question."""
    id_text, _, verdict = value.partition(":")
    if not ctx.is_manager:
        ctx.reply("Only community managers can approve questions.")
        return
    qa = ctx.tx.repo(QA)
    question = await qa.question(ctx.space.id, int(id_text)) if id_text.isdigit() else None
    if question is None or verdict not in ("approve", "decline"):
        ctx.reply("That button no longer works.")
        return
    if question.status is not QuestionStatus.REVIEW:
        ctx.reply("Another manager has already dealt with that question. Nothing changed.")
        return
    asker = (await ctx.tx.members.by_ids(ctx.space.id, [question.author_id])).get(
        question.author_id
    )
    title = literal(question.title)
    if verdict == "decline":
        await qa.set_status(ctx.space.id, question.id, QuestionStatus.DECLINED)
        text = (
            f"A manager didn't approve your anonymous question “{title}”. "
            "You can ask it with your name, or reword it and ask again."
        )
        done = f"Declined by {mention(ctx.member.user_id)}."
    else:
        where = await ctx.channel(CHANNEL)
        if where is None:
            raise UserError("Set the Q&A channel first: `/rounds config channel qa #questions`.")
        posted = await qa.post_question(ctx.space.id, question.id, where, ctx.now)
        await post_card(ctx, posted)
        text = (
            f"✓ Your anonymous question {qid(posted.number)} was approved and is up in "
            f"{channel(where)}."
        )
        done = f"✓ Approved by {mention(ctx.member.user_id)}: {qid(posted.number)} is up."
    if asker is not None:
        await ctx.deliver(
            dm(
                reviewed_key(question.id),
                "qa-reviewed",
                asker,
                Message(text),
                ctx.now,
                fallback=False,
            )
        )
    ctx.update(Message(done))
    ctx.reply(done)
