"""Peer Q&A's part of members' data rights and of the managers' digest and chart.

Export: the member's questions, answers, votes, follows and look-ups. Erasure: their posts
stay without their name ("keep my posts anonymised") or are removed, and the posts in the Q&A
channel are edited to match. Digest: this week's questions and answers, and those unanswered
for more than 48 hours; chart: questions and answers per week.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.digest import DigestContext, DigestSection, Trend
from bot.features.qa._parse import aid, qid
from bot.features.qa._posting import answer_key, card_key, card_message
from bot.features.qa._render import render_answer_post
from bot.features.qa.model import QA, Answer, Question
from bot.memberdata import MemberData, MemberRequest
from bot.messages import ChannelPost, Message
from bot.ports import NewDelivery, Tx
from bot.text import plural

UNANSWERED_FOR = timedelta(hours=48)
QUESTION_REMOVED = "❓ This question was removed at its author's request."
ANSWER_REMOVED = "💡 This answer was removed at its author's request."


async def export(request: MemberRequest) -> dict[str, Any]:
    qa, space_id = request.tx.repo(QA), request.space.id
    mine = await qa.export_member(space_id, request.member.id)
    numbers: dict[int, int | None] = {q.id: q.number for q in mine.questions}
    for question_id in (
        {a.question_id for a in mine.answers} | set(mine.following) | {q for q, _ in mine.looked_up}
    ):
        if question_id not in numbers:
            found = await qa.question(space_id, question_id)
            numbers[question_id] = found.number if found else None
    return {
        "questions": [
            {
                "id": qid(q.number),
                "title": q.title,
                "body": q.body,
                "tags": list(q.tags),
                "anonymous": q.anonymous,
                "status": q.status,
                "asked_at": q.asked_at,
                "posted_at": q.posted_at,
                "answers": q.answers,
            }
            for q in mine.questions
        ],
        "answers": [
            {
                "id": aid(a.number),
                "question": qid(numbers.get(a.question_id)),
                "body": a.body,
                "votes": a.votes,
                "answered_at": a.answered_at,
            }
            for a in mine.answers
        ],
        "upvoted": [{"answer": aid(number), "at": at} for number, at in mine.votes],
        "following": [qid(numbers.get(q)) for q in mine.following],
        "anonymous_askers_looked_up": [
            {"question": qid(numbers.get(q)), "at": at} for q, at in mine.looked_up
        ],
    }


async def posts(request: MemberRequest) -> str | None:
    questions, answers = await request.tx.repo(QA).member_posts(request.space.id, request.member.id)
    parts = [plural(n, word) for n, word in ((questions, "question"), (answers, "answer")) if n]
    return " and ".join(parts) or None


def edit(
    purpose: str, key: str, replaces: str, where: str, message: Message, at: datetime
) -> NewDelivery:
    """A new version of a post in the Q&A channel, which edits it."""
    return NewDelivery(key, purpose, ChannelPost(where), message, at, replaces=replaces)


async def card_edit(tx: Tx, space_id: int, question: Question, at: datetime) -> list[NewDelivery]:
    """The question's card as it is now (its author gone, or an answer fewer)."""
    if question.channel_id is None:
        return []
    version = await tx.repo(QA).next_card_version(space_id, question.id)
    message = await card_message(tx, space_id, question)
    key, before = card_key(question.id, version), card_key(question.id, version - 1)
    return [edit("qa-question", key, before, question.channel_id, message, at)]


async def answer_edit(
    tx: Tx, space_id: int, answer: Answer, question: Question, at: datetime, *, removed: bool
) -> list[NewDelivery]:
    if question.channel_id is None:
        return []
    if removed:
        version, message = answer.post_version + 1, Message(ANSWER_REMOVED)
    else:
        version = await tx.repo(QA).next_post_version(space_id, answer.id)
        accepted = question.accepted_answer_id == answer.id
        message = render_answer_post(answer, None, accepted)
    key, before = answer_key(answer.id, version), answer_key(answer.id, version - 1)
    return [edit("qa-answer", key, before, question.channel_id, message, at)]


async def erase(request: MemberRequest) -> None:
    tx, space_id, now = request.tx, request.space.id, request.now
    qa = tx.repo(QA)
    done = await qa.erase_member(space_id, request.member.id, keep_posts=request.keep_posts)
    edits: list[NewDelivery] = []
    for question in done.removed_questions:
        if question.channel_id is not None:
            key = card_key(question.id, question.card_version + 1)
            before = card_key(question.id, question.card_version)
            removed = Message(QUESTION_REMOVED)
            edits.append(edit("qa-question", key, before, question.channel_id, removed, now))
    touched: dict[int, Question] = {}
    for answer, gone in [(a, True) for a in done.removed_answers] + [
        (a, False) for a in done.kept_answers
    ]:
        thread = await qa.question(space_id, answer.question_id)
        if thread is None:
            continue
        edits += await answer_edit(tx, space_id, answer, thread, now, removed=gone)
        touched[thread.id] = thread
    for question in done.kept_questions:
        touched[question.id] = question
    for question_id in sorted(touched):
        fresh = await qa.question(space_id, question_id)
        if fresh is not None:
            edits += await card_edit(tx, space_id, fresh, now)
    await tx.outbox.enqueue_many(space_id, edits)


MEMBER_DATA = MemberData(
    "qa", "your questions, answers, upvotes and follows", export, erase, posts=posts
)


async def digest(ctx: DigestContext) -> DigestSection | None:
    qa, space_id = ctx.tx.repo(QA), ctx.space_id
    bounds = [ctx.since, ctx.now]
    [asked] = await qa.questions_per_week(space_id, bounds)
    [answered] = await qa.answers_per_week(space_id, bounds)
    waiting = await qa.unanswered_before(space_id, ctx.now - UNANSWERED_FOR)
    if not (asked or answered or waiting):
        return None
    lines = [
        f"{plural(asked, 'question')} asked and {plural(answered, 'answer')} given this week. "
        "Search them with `/rounds qa search`."
    ]
    if waiting:
        lines.append(
            f"{plural(waiting, 'question')} unanswered for more than 48 h: "
            "see `/rounds qa open`, and answer with `/rounds answer`."
        )
    return DigestSection("Peer Q&A", tuple(lines))


async def questions(tx: Tx, space_id: int, bounds: Sequence[datetime]) -> list[int]:
    return await tx.repo(QA).questions_per_week(space_id, bounds)


async def answers(tx: Tx, space_id: int, bounds: Sequence[datetime]) -> list[int]:
    return await tx.repo(QA).answers_per_week(space_id, bounds)


TRENDS = (Trend("Questions", questions, order=30), Trend("Answers", answers, order=40))
