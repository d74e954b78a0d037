"""Mentorship: explained matching of mentees with mentors, the mentor's Accept / Decline with a
three-day window, check-in nudges on a cadence, and an escalation ladder for silent pairs.

`_scoring` ranks and explains, `_flows` holds the steps everything shares, `_commands`,
`_mentors`, `_records` and `_manage` answer members, mentors and managers (`_guarded` puts their
text through the patient-information guard), `_buttons` the buttons and forms, `_jobs` runs the
ladder, `_render` words it all, `_schedule` keeps time.
"""

from __future__ import annotations

from datetime import timedelta

from bot.context import Context
from bot.dashboard import BoardPage
from bot.domain import Role
from bot.features.mentorship import _board
from bot.features.mentorship._buttons import answer, ask_feedback, nudge, pick, rescheduled
from bot.features.mentorship._commands import finish, mentorship_lines, move, set_cadence, show
from bot.features.mentorship._data import MEMBER_DATA, TREND, digest
from bot.features.mentorship._flows import scope_of
from bot.features.mentorship._guarded import (
    AREAS,
    CAPACITY,
    FEEDBACK_TEXT,
    GOALS,
    NOTE,
    OUTSIDE,
    Screened,
)
from bot.features.mentorship._jobs import next_checkin_at, run_checkins
from bot.features.mentorship._manage import by_hand, manage, match
from bot.features.mentorship._mentors import (
    capacity,
    member_left,
    member_returned,
    pause,
    resume,
    withdraw,
)
from bot.features.mentorship._records import log, report
from bot.features.mentorship._render import (
    ANSWER_ACTION,
    BY_HAND_ACTION,
    CHECKIN_ACTION,
    FEEDBACK_ACTION,
    FEEDBACK_FORM,
    MANAGE_ACTION,
    PICK_ACTION,
    REQUEST_HINT,
    RESCHEDULE_FORM,
)
from bot.features.mentorship._schedule import DEFAULT_EVERY, EVERY_RULE, cadence_only
from bot.guard import Guard
from bot.messages import Message
from bot.options import Option, OptionKind
from bot.router import Command, Job, Router, Setting

__all__ = ["register", "run_checkins"]


def who(name: str, description: str, *, required: bool = True, hint: str = "") -> Option:
    return Option(
        name,
        OptionKind.MEMBER,
        description,
        required=required,
        positional=True,
        shown_hint=hint,
    )


def commands(screened: Screened) -> tuple[Command, ...]:
    return (
        Command(
            ("mentor", "offer"),
            "Offer to mentor (how many mentees, which areas)",
            screened.offer,
            options=(CAPACITY, AREAS),
            examples=('/rounds mentor offer capacity=2 areas="operations, quality improvement"',),
        ),
        Command(
            ("mentor", "request"),
            "Ask for a mentor: three suggestions, with why",
            screened.request,
            options=(GOALS, OUTSIDE),
            examples=('/rounds mentor request goals="run a service, operations" outside=yes',),
        ),
        Command(
            ("mentor", "list"),
            "Your mentorships",
            show,
            options=(who("member", "whose (managers only)", required=False),),
        ),
        Command(
            ("mentor", "withdraw"),
            "Take back your mentor request (a mentor you asked is told)",
            withdraw,
        ),
        Command(
            ("mentor", "end"),
            "End a mentorship kindly (both are told)",
            finish,
            options=(who("member", "your mentor or mentee"),),
        ),
        Command(
            ("mentor", "cadence"),
            "How often you check in with someone",
            set_cadence,
            options=(
                who("member", "your mentor or mentee"),
                Option(
                    "every",
                    OptionKind.DURATION,
                    "how often, e.g. 1w",
                    required=True,
                    positional=True,
                    convert=cadence_only,
                    shown_hint="1w-12w",
                    rule=EVERY_RULE,
                    shown_example="1w",
                ),
            ),
            examples=("/rounds mentor cadence @dr.okafor 1w",),
        ),
        Command(
            ("mentor", "log"),
            "Your check-ins (`export`: as a CSV file)",
            log,
            options=(
                Option(
                    "export",
                    OptionKind.CHOICE,
                    "export as a CSV file",
                    positional=True,
                    choices=("export",),
                ),
            ),
            examples=("/rounds mentor log", "/rounds mentor log export"),
        ),
        Command(
            ("mentor", "pause"),
            "Take a break from mentoring",
            pause,
            options=(
                Option(
                    "until",
                    OptionKind.DATETIME,
                    "when you're back, e.g. 2026-04-01",
                    shown_hint="YYYY-MM-DD",
                    shown_example="2026-04-01",
                ),
            ),
            examples=("/rounds mentor pause until=2026-04-01",),
        ),
        Command(("mentor", "resume"), "Back from a break", resume),
        Command(
            ("mentor", "capacity"),
            "How many mentees you take at once",
            capacity,
            options=(
                Option(
                    "mentees",
                    OptionKind.INTEGER,
                    "0 to 10",
                    required=True,
                    positional=True,
                    min_value=0,
                    max_value=10,
                ),
            ),
            examples=("/rounds mentor capacity 3",),
        ),
        Command(
            ("mentor", "reschedule"),
            "Move your next check-in",
            move,
            options=(
                who("member", "your mentor or mentee"),
                Option(
                    "when",
                    OptionKind.DATETIME,
                    "e.g. 2026-03-20 10:00",
                    required=True,
                    positional=True,
                    greedy=True,
                ),
            ),
        ),
        Command(
            ("mentor", "feedback"),
            "Feedback on a mentorship that ended",
            screened.feedback,
            options=(
                who("member", "your former mentor or mentee"),
                FEEDBACK_TEXT,
            ),
        ),
        Command(
            ("checkin",),
            "Log a check-in with your mentor or mentee",
            screened.checkin,
            options=(
                who("member", "your mentor or mentee"),
                NOTE,
            ),
            examples=("/rounds checkin @dr.okafor talked through the rota project",),
        ),
        Command(
            ("mentor", "match"),
            "Propose a mentor for a mentee by hand (they still accept)",
            match,
            options=(
                who("mentee", "who needs a mentor", hint="@mentee"),
                who("mentor", "who you'd ask", hint="@mentor"),
            ),
            role=Role.MANAGER,
            examples=("/rounds mentor match @carol @dr.okafor",),
        ),
        Command(
            ("mentor", "report"),
            "Mentorship: pairs on track, overdue, silent; waiting requests",
            report,
            role=Role.MANAGER,
        ),
    )


async def home(ctx: Context) -> Message:
    lines = await mentorship_lines(ctx, await scope_of(ctx), ctx.member, own=True)
    if lines:
        return Message("**Mentorship**\n" + "\n".join(lines))
    return Message(
        f"**Mentorship**\nFind a mentor: {REQUEST_HINT}. Experienced? "
        "Offer to mentor: `/rounds mentor offer`."
    )


def register(router: Router, guard: Guard) -> None:
    router.setting(
        Setting(
            "mentorship.every",
            OptionKind.DURATION,
            DEFAULT_EVERY,
            "how often mentorship pairs check in",
            convert=cadence_only,
            hint="1w-12w",
            rule=EVERY_RULE,
            example="2w",
        )
    )
    screened = Screened(guard)
    for flow in screened.flows():
        guard.guard(flow)
    for command in commands(screened):
        router.command(command)
    router.action(PICK_ACTION, pick)
    router.action(ANSWER_ACTION, answer)
    router.action(CHECKIN_ACTION, nudge)
    router.action(MANAGE_ACTION, manage)
    router.action(BY_HAND_ACTION, by_hand)
    router.action(FEEDBACK_ACTION, ask_feedback)
    router.form(RESCHEDULE_FORM, rescheduled)
    router.form(FEEDBACK_FORM, screened.feedback_form)
    router.home_section(home)
    router.board_page(BoardPage("mentorship", "Mentorship", _board.page, _board.health, 20))
    router.on_member_left(member_left)
    router.on_member_returned(member_returned)
    router.job(Job("mentorship.checkins", timedelta(hours=1), run_checkins, next_checkin_at))
    router.member_data(MEMBER_DATA)
    router.digest_section(digest)
    router.trend(TREND)
