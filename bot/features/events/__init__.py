"""Community events: workshops, forums, webinars and meetups across time zones, with RSVPs,
waitlists, reminders, calendar files and a subscribable feed (and on Discord, native
Scheduled Events kept in step).

`_when` reads times, `_schedule` knows when things happen, `_create`, `_manage` and `_followup`
create and change events (member text screened by the guard in `_guarded`), `_find` finds them,
`_rsvp` takes answers, `_plan` puts every message in the outbox, `_jobs` plans reminders,
`_calendar` writes `.ics`, `_show` lists, shows and exports, `_render` words it all.
"""

from __future__ import annotations

from datetime import timedelta

from bot.dashboard import BoardPage
from bot.domain import Role
from bot.features.events import _board
from bot.features.events import _options as opt
from bot.features.events._create import CREATORS, FORM_ID, Creating
from bot.features.events._data import MEMBER_DATA, TREND, digest
from bot.features.events._jobs import next_planning_at, plan_reminders
from bot.features.events._manage import Changing, cancel
from bot.features.events._plan import CHANNEL
from bot.features.events._render import RSVP_ACTION
from bot.features.events._rsvp import member_left, rsvp
from bot.features.events._schedule import DEFAULT_REMIND, REMIND_RULE, remind_setting
from bot.features.events._show import FEED_PATH, feed, home, ics, serve_feed, show
from bot.guard import Guard
from bot.options import Option, OptionKind
from bot.router import Channel, Command, Job, Router, Setting
from bot.web import WebRoute

__all__ = ["plan_reminders", "register"]

SHOW_ID = Option(
    opt.ID.name,
    opt.ID.kind,
    "the event's number (leave it out to list upcoming events)",
    positional=True,
    max_length=opt.ID.max_length,
    convert=opt.ID.convert,
    rule=opt.ID.rule,
    shown_hint=opt.ID.shown_hint,
    shown_example=opt.ID.shown_example,
)


def register(router: Router, guard: Guard) -> None:
    """Declares everything events do; the guard reads titles, descriptions and follow-ups."""
    creating, changing = Creating(guard), Changing(guard)
    for screened in (creating.screened, changing.editing, changing.following):
        guard.guard(screened.flow())
    router.channel(Channel(CHANNEL, "workshop and forum announcements"))
    router.setting(
        Setting(
            CREATORS,
            OptionKind.CHOICE,
            "managers",
            "who may create events",
            choices=("managers", "members"),
        )
    )
    router.setting(
        Setting(
            "events.remind",
            OptionKind.TEXT,
            DEFAULT_REMIND,
            "when event reminders go, before the start",
            convert=remind_setting,
            hint="24h,1h",
            rule=REMIND_RULE,
            example="24h,1h",
        )
    )
    commands = (
        Command(
            ("events",),
            "Upcoming events, in your own time",
            show,  # `/rounds events 12` is read as `/rounds event 12`, a mistake easily made
            options=(SHOW_ID,),
            examples=("/rounds events",),
        ),
        Command(
            ("event",),
            "One event, with who's going",
            show,
            options=(SHOW_ID,),
            examples=("/rounds event 12",),
        ),
        Command(
            ("event", "create"),
            "Create an event (with no fields: a form)",
            creating.command,
            options=opt.CREATE,
            shown_if=lambda settings: settings.get(CREATORS) == "members",
            examples=(
                '/rounds event create title="Negotiating for your team" when="2026-03-10 18:00" '
                "tz=America/New_York duration=90m kind=workshop capacity=40 "
                'link=https://meet.example.org/leaders description="Scripts that work"',
                '/rounds event create title="Journal club" when="next tuesday 12:30" '
                "repeat=weekly until=2026-06-30",
            ),
        ),
        Command(
            ("event", "edit"),
            "Change an event; everyone who answered is told",
            changing.editing.command,
            options=(opt.ID, *opt.CHANGES, opt.SERIES),
            examples=(
                '/rounds event edit 12 when="2026-03-12 18:00"',
                "/rounds event edit 12 capacity=60 series=yes",
            ),
        ),
        Command(
            ("event", "cancel"),
            "Cancel an event; everyone who answered is told",
            cancel,
            options=(opt.ID, opt.REASON, opt.SERIES),
            examples=("/rounds event cancel 12 The speaker is unwell",),
        ),
        Command(
            ("event", "ics"),
            "A calendar file (.ics) of an event",
            ics,
            options=(opt.ID,),
            examples=("/rounds event ics 12",),
        ),
        Command(
            ("event", "followup"),
            "After an event: a message to everyone who went",
            changing.following.command,
            options=(opt.ID, opt.FOLLOWUP_TEXT),
            examples=('/rounds event followup 12 "Slides: https://example.org/slides"',),
        ),
        Command(
            ("event", "feed"),
            "The community's calendar feed link (rotate: replace it)",
            feed,
            options=(opt.FEED_ACTION,),
            role=Role.MANAGER,
            examples=("/rounds event feed", "/rounds event feed rotate"),
        ),
    )
    for command in commands:
        router.command(command)
    router.action(RSVP_ACTION, rsvp)
    router.form(FORM_ID, creating.submit_form)
    router.home_section(home)
    router.board_page(BoardPage("events", "Events", _board.page, _board.health, 30))
    router.on_member_left(member_left)
    router.job(Job("events.remind", timedelta(hours=1), plan_reminders, next_planning_at))
    router.web(WebRoute("GET", FEED_PATH, serve_feed))
    router.member_data(MEMBER_DATA)
    router.digest_section(digest)
    router.trend(TREND)
