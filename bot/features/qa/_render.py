"""What peer Q&A says: the question card, answers in its thread, DMs, lists and alerts.

Anything a member wrote goes through `literal`; an anonymous asker is never named.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.domain import Member
from bot.features.qa._parse import aid, qid
from bot.features.qa.model import Answer, Question, SearchHit, author_of
from bot.messages import Button, ButtonStyle, Message, literal, mention, moment
from bot.text import plural

ANSWER_ACTION = "qa.answer"
FOLLOW_ACTION = "qa.follow"
UNFOLLOW_ACTION = "qa.unfollow"
VOTE_ACTION = "qa.vote"
ACCEPT_ACTION = "qa.accept"
REVIEW_ACTION = "qa.review"
POST_DRAFT_ACTION = "qa.post"
DROP_DRAFT_ACTION = "qa.drop"
ASK_ACTION = "qa.ask"
ASK_FORM = "qa.ask"
ANSWER_FORM = "qa.answer"
EXCERPT = 160

NO_CHANNEL = (
    "Q&A needs a channel first. A community manager can set it with "
    "`/rounds config channel qa #questions`."
)


def excerpt(text: str, size: int = EXCERPT) -> str:
    flat = " ".join(text.split())
    return literal(flat if len(flat) <= size else flat[: size - 1].rstrip() + "…")


def headline(question: Question) -> str:
    return f"**{qid(question.number)}: {literal(question.title)}**"


def tag_list(question: Question) -> str:
    return ", ".join(literal(t) for t in question.tags)


def asker(question: Question, author: Member | None) -> str:
    if question.anonymous or author is None:
        return "Asked anonymously" if question.anonymous else "Asked by a former member"
    return f"Asked by {mention(author.user_id)}"


def render_card(
    question: Question, author: Member | None, accepted: tuple[Answer, Member | None] | None
) -> Message:
    lines = [f"❓ {headline(question)}", asker(question, author)]
    if question.tags:
        lines[-1] += f" · {tag_list(question)}"
    if question.body:
        lines += ["", literal(question.body)]
    lines.append("")
    if accepted is not None:
        answer, by = accepted
        who = f" by {mention(by.user_id)}" if by else ""
        lines.append(f"✓ Answered: {aid(answer.number)}{who} was accepted (in the thread).")
    elif question.answers:
        count = question.answers
        lines.append(f"💬 {count} answer{'s' if count != 1 else ''} in the thread.")
    else:
        lines.append("No answers yet.")
    lines.append(
        f'Answer with the button or `/rounds answer {question.number} "…"`, so the asker hears.'
    )
    return Message(
        "\n".join(lines),
        buttons=(
            Button("Answer", ANSWER_ACTION, str(question.number), ButtonStyle.PRIMARY),
            Button("Follow", FOLLOW_ACTION, str(question.id)),
        ),
    )


def render_answer_post(answer: Answer, author: Member | None, accepted: bool) -> Message:
    by = f" by {mention(author.user_id)}" if author else ""
    state = " · ✓ accepted" if accepted else ""
    text = f"💡 **{aid(answer.number)}**{by} · ▲ {answer.votes}{state}\n{literal(answer.body)}"
    buttons = [Button("▲ Upvote", VOTE_ACTION, str(answer.id))]
    if not accepted:
        buttons.append(Button("Accept", ACCEPT_ACTION, str(answer.id)))
    return Message(text, buttons=tuple(buttons))


def render_new_answer(
    question: Question, answer: Answer, author: Member, *, to_asker: bool
) -> Message:
    who = mention(author.user_id)
    if to_asker:
        return Message(
            f"💬 {who} answered your question {headline(question)} ({aid(answer.number)}):\n"
            f"{excerpt(answer.body, 600)}\n\nIf it helps, accept it so others find it first.",
            buttons=(
                Button("Accept this answer", ACCEPT_ACTION, str(answer.id), ButtonStyle.PRIMARY),
            ),
        )
    return Message(
        f"💬 New answer to {headline(question)}, which you follow, from {who} "
        f"({aid(answer.number)}):\n{excerpt(answer.body)}",
        buttons=(Button("Stop following", UNFOLLOW_ACTION, str(question.id)),),
    )


def render_thanks(question: Question, answer: Answer) -> Message:
    return Message(
        f"🎉 Your answer {aid(answer.number)} to {headline(question)} was accepted. "
        "Thank you for helping a peer!"
    )


def render_accepted_to_follower(question: Question, answer: Answer, by: Member | None) -> Message:
    who = f" by {mention(by.user_id)}" if by else ""
    return Message(
        f"✓ {headline(question)}, which you follow, has an accepted answer: "
        f"{aid(answer.number)}{who}.\n{excerpt(answer.body)}",
        buttons=(Button("Stop following", UNFOLLOW_ACTION, str(question.id)),),
    )


def render_similar(hits: Sequence[SearchHit], draft_id: int) -> Message:
    one = len(hits) == 1
    if any(hit.accepted or hit.question.answers for hit in hits):
        these = "This earlier question looks" if one else "These earlier questions look"
        lines = [f"Was it answered here? {these} similar:"]
        if one:
            show = f"Read it with `/rounds qa show {hits[0].question.number}`. If it doesn't help"
        else:
            show = "Read one with `/rounds qa show <question-id>`. If none of them helps"
        after = f"{show}, post yours."
    else:
        lines = ["Someone asked something like this already; no answers yet:"]
        after = (
            f"Follow {'it' if one else 'one'} to hear when it's answered "
            f"(`/rounds qa show {hits[0].question.number if one else '<question-id>'}`), "
            "or post yours: a different angle helps too."
        )
    for hit in hits:
        count = hit.question.answers
        state = (
            "✓ answered" if hit.accepted else plural(count, "answer") if count else "no answers yet"
        )
        lines.append(f"- {headline(hit.question)} ({state})")
    lines.append(f"\n{after}")
    return Message(
        "\n".join(lines),
        buttons=(
            Button("Post my question", POST_DRAFT_ACTION, str(draft_id), ButtonStyle.PRIMARY),
            Button("Cancel", DROP_DRAFT_ACTION, str(draft_id)),
        ),
    )


def render_search(
    hits: Sequence[SearchHit], what: str, by_id: Mapping[int, Member], now: datetime
) -> Message:
    if not hits:
        return Message(
            f'No questions match {what} yet. Ask it: `/rounds ask title="…"`, '
            "or try fewer or other words."
        )
    count = len(hits)
    lines = [f"**{count} question{'s' if count != 1 else ''} matching {what}**"]
    for hit in hits:
        question = hit.question
        tags = f" ({tag_list(question)})" if question.tags else ""
        lines.append(f"- {headline(question)}{tags}")
        if hit.accepted is not None:
            author = author_of(by_id, hit.accepted.author_id)
            who = f" by {mention(author.user_id)}" if author else ""
            lines.append(f"  ✓ {aid(hit.accepted.number)}{who}: {excerpt(hit.accepted.body, 120)}")
        else:
            answers = plural(question.answers, "answer")
            lines.append(f"  {answers} · asked {moment(question.asked_at, 'R')}")
    lines.append("\nRead one with `/rounds qa show <question-id>`.")
    return Message("\n".join(lines))


def render_show(
    question: Question,
    author: Member | None,
    answers: Sequence[Answer],
    by_id: Mapping[int, Member],
) -> Message:
    lines = [f"❓ {headline(question)}", asker(question, author)]
    if question.tags:
        lines[-1] += f" · {tag_list(question)}"
    if question.body:
        lines += ["", literal(question.body)]
    ordered = sorted(answers, key=lambda a: (a.id != question.accepted_answer_id, -a.votes, a.id))
    lines.append("")
    if not ordered:
        lines.append("No answers yet.")
    for answer in ordered[:10]:
        who = author_of(by_id, answer.author_id)
        by = f" by {mention(who.user_id)}" if who else ""
        mark = " · ✓ accepted" if answer.id == question.accepted_answer_id else ""
        lines.append(f"💡 **{aid(answer.number)}**{by} · ▲ {answer.votes}{mark}")
        lines.append(excerpt(answer.body, 600))
    return Message(
        "\n".join(lines),
        buttons=(
            Button("Answer", ANSWER_ACTION, str(question.number), ButtonStyle.PRIMARY),
            Button("Follow", FOLLOW_ACTION, str(question.id)),
        ),
    )


def render_open(questions: Sequence[Question]) -> Message:
    if not questions:
        return Message("Every question has an answer. 🎉 Ask one with `/rounds ask`.")
    lines = ["**Waiting for an answer** (oldest first)"]
    for question in questions:
        tags = f" ({tag_list(question)})" if question.tags else ""
        when = moment(question.posted_at or question.asked_at, "R")
        lines.append(f"- {headline(question)}{tags} · asked {when}")
    first = questions[0].number
    lines.append(f'\nAnswer one with `/rounds answer {first} "…"`.')
    return Message("\n".join(lines))


def render_review(question: Question) -> Message:
    lines = ["🕵️ An anonymous question is waiting for a manager's approval:", ""]
    lines.append(f"**{literal(question.title)}**")
    if question.body:
        lines.append(literal(question.body))
    if question.tags:
        lines.append(f"Tags: {tag_list(question)}")
    return Message(
        "\n".join(lines),
        buttons=(
            Button("Approve", REVIEW_ACTION, f"{question.id}:approve", ButtonStyle.PRIMARY),
            Button("Decline", REVIEW_ACTION, f"{question.id}:decline"),
        ),
    )


def render_peer_nudge(question: Question) -> Message:
    tags = f" ({tag_list(question)})" if question.tags else ""
    body = f"\n{excerpt(question.body)}" if question.body else ""
    return Message(
        f"🙋 A question in your area has no answer yet: {headline(question)}{tags}{body}\n\n"
        "You've helped peers before. Could you answer this one?",
        buttons=(Button("Answer", ANSWER_ACTION, str(question.number), ButtonStyle.PRIMARY),),
    )


def render_stuck(question: Question, days: int) -> Message:
    tags = f" ({tag_list(question)})" if question.tags else ""
    plural = "s" if days != 1 else ""
    return Message(
        f"⏳ {headline(question)}{tags} has had no answer for {days} day{plural}. "
        "Do you know someone who could help? They can answer with "
        f'`/rounds answer {question.number} "…"`.'
    )


def render_did_this_help(question: Question, answers: Sequence[Answer]) -> Message:
    top = sorted(answers, key=lambda a: (-a.votes, a.id))[:3]
    has = "an answer" if len(top) == 1 else "answers"
    lines = [f"Did this help? Your question {headline(question)} has {has}:"]
    lines += [f"- {aid(a.number)} (▲ {a.votes}): {excerpt(a.body, 100)}" for a in top]
    lines.append("\nIf one answered it, accept it: it thanks the answerer and helps others.")
    return Message(
        "\n".join(lines),
        buttons=tuple(Button(f"Accept {aid(a.number)}", ACCEPT_ACTION, str(a.id)) for a in top),
    )
