"""Peer Q&A: members ask (checked by the patient-information guard, similar questions shown
first), answer in the question's thread, accept and upvote answers, follow questions and find
them again with full-text search; unanswered questions climb a follow-up ladder.

`_asking` and `_answering` handle what members type and press, `_finding` the lists and the
audited author look-up, `_posting` plans every message, `_jobs` the ladder, `_render` words it.
"""

from __future__ import annotations

from datetime import timedelta

from bot.dashboard import BoardPage
from bot.domain import Role
from bot.features.qa import _board
from bot.features.qa._answering import (
    ANSWER_ID,
    ANSWER_TEXT,
    QUESTION_ID,
    Answering,
    accept_button,
    accept_command,
    follow,
    unfollow,
    vote,
)
from bot.features.qa._asking import (
    ANONYMOUS,
    ANONYMOUS_MODES,
    ASK_OPTIONS,
    EXAMPLE,
    Asking,
    drop_draft,
    post_draft,
    review,
)
from bot.features.qa._data import MEMBER_DATA, TRENDS, digest
from bot.features.qa._finding import author, home, open_questions, search, show
from bot.features.qa._jobs import DEFAULT_FOLLOWUP, FOLLOWUP, follow_up, next_follow_up
from bot.features.qa._parse import parse_tag
from bot.features.qa._posting import CHANNEL
from bot.features.qa._render import (
    ACCEPT_ACTION,
    ANSWER_ACTION,
    ANSWER_FORM,
    ASK_ACTION,
    ASK_FORM,
    DROP_DRAFT_ACTION,
    FOLLOW_ACTION,
    POST_DRAFT_ACTION,
    REVIEW_ACTION,
    UNFOLLOW_ACTION,
    VOTE_ACTION,
)
from bot.guard import Guard
from bot.options import Option, OptionKind
from bot.router import Channel, Command, Job, Router, Setting

__all__ = ["follow_up", "register"]


def register(router: Router, guard: Guard) -> None:
    asking, answering = Asking(guard), Answering(guard)
    guard.guard(asking.flow())
    guard.guard(answering.flow())
    router.channel(Channel(CHANNEL, "peer questions and answers", "ask-peers"))
    router.setting(
        Setting(
            ANONYMOUS,
            OptionKind.CHOICE,
            "on",
            "anonymous questions: off, on, or review (a manager approves each)",
            choices=ANONYMOUS_MODES,
        )
    )
    router.setting(
        Setting(
            FOLLOWUP,
            OptionKind.DURATION,
            DEFAULT_FOLLOWUP,
            "when an unanswered question is brought to peers (managers: three times that)",
        )
    )
    router.command(
        Command(
            ("ask",),
            "Ask the community a question (similar earlier ones are shown first)",
            asking.command,
            options=ASK_OPTIONS,
            examples=(
                EXAMPLE,
                '/rounds ask title="Handling a conflict with my supervisor" anonymous=yes',
            ),
        )
    )
    router.command(
        Command(
            ("answer",),
            "Answer a question, in its thread",
            answering.command,
            options=(QUESTION_ID, ANSWER_TEXT),
            examples=('/rounds answer 12 "Book a meeting with your clinical director first…"',),
        )
    )
    router.command(
        Command(
            ("accept",),
            "Accept the answer that helped (for the asker)",
            accept_command,
            options=(ANSWER_ID,),
            examples=("/rounds accept 7",),
        )
    )
    router.command(
        Command(
            ("qa", "search"),
            "Search earlier questions and their answers",
            search,
            options=(
                Option(
                    "words",
                    OptionKind.TEXT,
                    "words to look for",
                    positional=True,
                    greedy=True,
                    max_length=100,
                ),
                Option(
                    "tag", OptionKind.TEXT, "one tag, e.g. qi", max_length=30, convert=parse_tag
                ),
            ),
            examples=("/rounds qa search protected time", "/rounds qa search conflict tag=qi"),
        )
    )
    router.command(
        Command(
            ("qa", "open"), "Questions still waiting for an answer, oldest first", open_questions
        )
    )
    router.command(
        Command(
            ("qa", "show"),
            "A question with its answers",
            show,
            options=(QUESTION_ID,),
            examples=("/rounds qa show 12",),
        )
    )
    router.command(
        Command(
            ("qa", "author"),
            "Who asked an anonymous question (recorded, and the managers are told)",
            author,
            options=(QUESTION_ID,),
            role=Role.MANAGER,
            examples=("/rounds qa author 12",),
        )
    )
    router.action(ASK_ACTION, asking.open_form)
    router.form(ASK_FORM, asking.submitted)
    router.action(ANSWER_ACTION, answering.button)
    router.form(ANSWER_FORM, answering.submitted)
    router.action(ACCEPT_ACTION, accept_button)
    router.action(VOTE_ACTION, vote)
    router.action(FOLLOW_ACTION, follow)
    router.action(UNFOLLOW_ACTION, unfollow)
    router.action(POST_DRAFT_ACTION, post_draft)
    router.action(DROP_DRAFT_ACTION, drop_draft)
    router.action(REVIEW_ACTION, review)
    router.home_section(home)
    router.board_page(BoardPage("qa", "Q&A", _board.page, _board.health, 40))
    router.job(Job("qa.followup", timedelta(hours=1), follow_up, next_due=next_follow_up))
    router.member_data(MEMBER_DATA)
    router.digest_section(digest)
    for trend in TRENDS:
        router.trend(trend)
