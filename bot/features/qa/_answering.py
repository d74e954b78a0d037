"""Answering: `/rounds answer` (or the Answer button's form), checked by the guard, posted in
the question's thread; `/rounds accept` (or its button); upvotes, once per member; following."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.context import Context
from bot.errors import UserError
from bot.features.qa._parse import aid, id_parser, qid
from bot.features.qa._posting import (
    accepted_key,
    dm,
    helped_key,
    post_answer,
    refresh_card,
    told_key,
)
from bot.features.qa._render import (
    ANSWER_FORM,
    UNFOLLOW_ACTION,
    render_accepted_to_follower,
    render_new_answer,
    render_thanks,
)
from bot.features.qa.model import QA, Answer, Question, QuestionStatus, author_of, known
from bot.guard import Guard, Guarded, TextField
from bot.messages import Button, FieldKind, Form, FormField, Message, mention
from bot.options import Option, OptionKind, ParseContext

ANSWER_PURPOSE = "qa.answer"
QUESTION_ID = Option(
    "question",
    OptionKind.TEXT,
    "the question's number, e.g. 12",
    required=True,
    positional=True,
    max_length=12,
    convert=id_parser("Q"),
    shown_hint="question-id",
)
ANSWER_ID = Option(
    "answer",
    OptionKind.TEXT,
    "the answer's number, e.g. 7 (each answer shows it)",
    required=True,
    positional=True,
    max_length=12,
    convert=id_parser("A"),
    shown_hint="answer-id",
)
ANSWER_TEXT = Option(
    "text", OptionKind.LONG_TEXT, "your answer", positional=True, greedy=True, max_length=2000
)
GONE = "That button no longer works. See open questions with `/rounds qa open`."


async def posted_question(ctx: Context, number: int) -> Question:
    question = await ctx.tx.repo(QA).question_by_number(ctx.space.id, number)
    if question is None or question.status is not QuestionStatus.POSTED:
        raise UserError(
            f"There's no question {qid(number)} here. See open ones with `/rounds qa open`.",
            field="question",
        )
    return question


def answer_form(question: Question) -> Form:
    return Form(
        ANSWER_FORM,
        f"Answer {qid(question.number)}",
        (
            FormField(
                "text",
                question.title[:45] or "Your answer",
                FieldKind.LONG_TEXT,
                required=True,
                max_length=2000,
            ),
        ),
        submit_label="Post answer",
        context=str(question.number),
        hint=f'Or by command: `/rounds answer {question.number} "…"`',
    )


class Answering:
    def __init__(self, guard: Guard) -> None:
        self.guard = guard

    def flow(self) -> Guarded:
        return Guarded(
            ANSWER_PURPOSE,
            "your answer",
            (TextField("text", "Your answer", 2000, long=True),),
            self.resume,
            '`/rounds answer <question-id> "…"`',
        )

    async def command(self, ctx: Context, args: Mapping[str, Any]) -> None:
        number = int(args["question"])
        if "text" not in args:
            ctx.open_form(answer_form(await posted_question(ctx, number)))
            return
        await self.resume(ctx, {"question": str(number), "text": str(args["text"])}, False)

    async def button(self, ctx: Context, value: str) -> None:
        question = (
            await ctx.tx.repo(QA).question_by_number(ctx.space.id, int(value))
            if value.isdigit()
            else None
        )
        if question is None or question.status is not QuestionStatus.POSTED:
            ctx.reply(GONE)
            return
        ctx.open_form(answer_form(question))

    async def submitted(self, ctx: Context, values: Mapping[str, str], context: str) -> None:
        await self.resume(ctx, {"question": context, "text": values.get("text", "")}, False)

    async def resume(self, ctx: Context, values: dict[str, str], anyway: bool) -> None:
        number = id_parser("Q")(values.get("question", ""))
        question = await posted_question(ctx, number)
        if not values.get("text", "").strip():
            raise UserError(
                f'Write your answer after the question\'s number: `/rounds answer {number} "…"`.',
                field="text",
            )
        text = ANSWER_TEXT.parse(values["text"], ParseContext(ctx.now, ctx.member.profile.timezone))
        if not anyway and not await self.guard.screen(ctx, ANSWER_PURPOSE, values):
            return  # held in memory until the member chooses: nothing may be written
        qa = ctx.tx.repo(QA)
        answer = await qa.add_answer(ctx.space.id, question.id, ctx.member.id, text, ctx.now)
        await post_answer(ctx, question, answer, edit=False)
        await refresh_card(ctx, question.id)
        await tell_about_answer(ctx, question, answer)
        asker_told = question.author_id not in (None, ctx.member.id)
        told = " The asker has been told." if asker_told else ""
        ctx.reply(
            f"✓ Your answer {aid(answer.number)} is in the thread of {qid(question.number)}.{told}"
        )


async def tell_about_answer(ctx: Context, question: Question, answer: Answer) -> None:
    followers = await ctx.tx.repo(QA).followers(ctx.space.id, question.id)
    ids = known(question.author_id, *followers)
    members = await ctx.tx.members.by_ids(ctx.space.id, ids)
    for member_id in dict.fromkeys(ids):
        member = members.get(member_id)
        if member is None or member_id == ctx.member.id:
            continue
        to_asker = member_id == question.author_id
        await ctx.deliver(
            dm(
                told_key(answer.id, member_id),
                "qa-answered",
                member,
                render_new_answer(question, answer, ctx.member, to_asker=to_asker),
                ctx.now,
                fallback=not (to_asker and question.anonymous),
            )
        )


async def accept_command(ctx: Context, args: Mapping[str, Any]) -> None:
    number = int(args["answer"])
    answer = await ctx.tx.repo(QA).answer_by_number(ctx.space.id, number)
    if answer is None:
        raise UserError(f"There's no answer {aid(number)} here.", field="answer")
    await accept(ctx, answer)


async def accept_button(ctx: Context, value: str) -> None:
    answer = await ctx.tx.repo(QA).answer(ctx.space.id, int(value)) if value.isdigit() else None
    if answer is None:
        ctx.reply(GONE)
        return
    await accept(ctx, answer)


async def accept(ctx: Context, answer: Answer) -> None:
    qa = ctx.tx.repo(QA)
    question = await qa.question(ctx.space.id, answer.question_id)
    if question is None or question.status is not QuestionStatus.POSTED:
        raise UserError("That question is no longer open.")
    if ctx.member.id != question.author_id and not ctx.is_manager:
        raise UserError(
            f"Only the person who asked {qid(question.number)} (or a manager) can accept an "
            "answer. You can upvote it instead."
        )
    if question.accepted_answer_id == answer.id:
        ctx.reply(f"{aid(answer.number)} is already the accepted answer to {qid(question.number)}.")
        return
    previous = question.accepted_answer_id
    await qa.accept(ctx.space.id, question.id, answer.id)
    now_accepted = await qa.question(ctx.space.id, question.id)
    assert now_accepted is not None
    await post_answer(ctx, now_accepted, answer, edit=True)
    if previous is not None and (earlier := await qa.answer(ctx.space.id, previous)):
        await post_answer(ctx, now_accepted, earlier, edit=True)
    await refresh_card(ctx, question.id)
    await ctx.tx.outbox.cancel(ctx.space.id, helped_key(question.id))  # no "Did this help?"
    members = await ctx.tx.members.by_ids(ctx.space.id, known(answer.author_id))
    answerer = author_of(members, answer.author_id)
    if answerer is not None and answerer.id != ctx.member.id:
        await ctx.deliver(
            dm(
                accepted_key(answer.id, answerer.id),
                "qa-thanks",
                answerer,
                render_thanks(now_accepted, answer),
                ctx.now,
                fallback=True,
            )
        )
    followers = await qa.followers(ctx.space.id, question.id)
    skip = {ctx.member.id, answer.author_id, question.author_id}
    watching = await ctx.tx.members.by_ids(ctx.space.id, [f for f in followers if f not in skip])
    for member in watching.values():
        await ctx.deliver(
            dm(
                accepted_key(answer.id, member.id),
                "qa-accepted",
                member,
                render_accepted_to_follower(now_accepted, answer, answerer),
                ctx.now,
                fallback=True,
            )
        )
    by = f" by {mention(answerer.user_id)}" if answerer else ""
    thanked = (
        " and the answerer has been thanked" if answerer and answerer.id != ctx.member.id else ""
    )
    ctx.reply(
        f"✓ Accepted {aid(answer.number)}{by} for {qid(question.number)}. "
        f"The card shows it{thanked}."
    )


async def vote(ctx: Context, value: str) -> None:
    qa = ctx.tx.repo(QA)
    answer = await qa.answer(ctx.space.id, int(value)) if value.isdigit() else None
    question = await qa.question(ctx.space.id, answer.question_id) if answer else None
    if answer is None or question is None:
        ctx.reply(GONE)
        return
    if answer.author_id == ctx.member.id:
        ctx.reply("That's your own answer 🙂 Others can upvote it.")
        return
    if not await qa.vote(ctx.space.id, answer.id, ctx.member.id, ctx.now):
        ctx.reply(f"You've already upvoted {aid(answer.number)}; each member's vote counts once.")
        return
    await post_answer(ctx, question, answer, edit=True)
    votes = answer.votes + 1
    ctx.reply(f"▲ Thanks! {aid(answer.number)} now has {votes} upvote{'s' if votes != 1 else ''}.")


async def follow(ctx: Context, value: str) -> None:
    qa = ctx.tx.repo(QA)
    question = await qa.question(ctx.space.id, int(value)) if value.isdigit() else None
    if question is None or question.status is not QuestionStatus.POSTED:
        ctx.reply(GONE)
        return
    name = qid(question.number)
    if question.author_id == ctx.member.id:
        ctx.reply(f"You asked {name}, so you'll hear about its answers anyway.")
        return
    if await qa.follow(ctx.space.id, question.id, ctx.member.id):
        text = f"✓ You're following {name}: I'll DM you when it gets an answer or one is accepted."
    else:
        text = f"You already follow {name}."
    ctx.reply(Message(text, buttons=(Button("Stop following", UNFOLLOW_ACTION, value),)))


async def unfollow(ctx: Context, value: str) -> None:
    qa = ctx.tx.repo(QA)
    question = await qa.question(ctx.space.id, int(value)) if value.isdigit() else None
    if question is None:
        ctx.reply(GONE)
        return
    if await qa.unfollow(ctx.space.id, question.id, ctx.member.id):
        ctx.reply(f"✓ You've stopped following {qid(question.number)}.")
    else:
        ctx.reply(f"You weren't following {qid(question.number)}. Nothing changed.")
