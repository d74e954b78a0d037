"""Mentorship text through the patient-information guard: a request's goals (shown to mentors
and managers), check-in notes, feedback and offered areas are checked before they are stored.

When the guard fires, the member chooses (Edit / Post anyway / Cancel) and the guard resumes
here with the text they settled on: checked again after an edit, as it stands after "Post
anyway". The options are declared here too, so a resumed text is validated like a typed one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.context import Context
from bot.errors import UserError
from bot.features.mentorship._commands import (
    Screen,
    areas_list,
    checkin,
    feedback,
    offer,
    request,
    save_feedback,
)
from bot.features.mentorship._flows import scope_of
from bot.features.mentorship._render import REQUEST_HINT
from bot.features.mentorship.model import PairStatus
from bot.guard import Guard, Guarded, TextField
from bot.options import Option, OptionKind, ParseContext

REQUEST, CHECKIN, FEEDBACK, OFFER = (
    "mentorship.request",
    "mentorship.checkin",
    "mentorship.feedback",
    "mentorship.offer",
)
GONE = "That mentorship isn't there any more, so the feedback can't be kept."

GOALS = Option("goals", OptionKind.TEXT, "what you'd like help with", max_length=300)
OUTSIDE = Option("outside", OptionKind.BOOLEAN, "only mentors outside your institution")
NOTE = Option(
    "note", OptionKind.TEXT, "a note for yourself", positional=True, greedy=True, max_length=500
)
FEEDBACK_TEXT = Option(
    "text", OptionKind.TEXT, "one line", required=True, positional=True, greedy=True, max_length=300
)
AREAS = Option(
    "areas",
    OptionKind.TEXT,
    "comma list, e.g. operations, policy (default: your profile)",
    max_length=450,
    convert=areas_list,
)
CAPACITY = Option(
    "capacity", OptionKind.INTEGER, "mentees at once (1 to 10)", min_value=1, max_value=10
)


def parsed(ctx: Context, values: Mapping[str, str], *options: Option) -> dict[str, Any]:
    """Values the guard held (or the member edited), validated as if typed."""
    where = ParseContext(ctx.now, ctx.member.profile.timezone)
    return {o.name: o.parse(values[o.name], where) for o in options if values.get(o.name)}


class Screened:
    """The commands whose text the guard checks, with the guard injected."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard

    def flows(self) -> tuple[Guarded, ...]:
        return (
            Guarded(
                REQUEST,
                "your goals",
                (TextField("goals", "What you'd like help with", 300, long=True),),
                self.resume_request,
                REQUEST_HINT,
            ),
            Guarded(
                CHECKIN,
                "your check-in note",
                (TextField("note", "Your note", 500, long=True),),
                self.resume_checkin,
                "`/rounds checkin @member [note]`",
            ),
            Guarded(
                FEEDBACK,
                "your feedback",
                (TextField("text", "One line of feedback", 300, long=True),),
                self.resume_feedback,
                "`/rounds mentor feedback @member <one line>`",
            ),
            Guarded(
                OFFER,
                "your mentoring areas",
                (TextField("areas", "Areas (comma list)", 450, long=True),),
                self.resume_offer,
                '`/rounds mentor offer areas="…"`',
            ),
        )

    def screen(self, purpose: str, anyway: bool = False) -> Screen | None:
        if anyway:
            return None  # the member chose "Post anyway"

        async def check(ctx: Context, values: dict[str, str]) -> bool:
            return await self.guard.screen(ctx, purpose, values)

        return check

    # -- commands and forms ------------------------------------------------------------------
    async def request(self, ctx: Context, args: Mapping[str, Any]) -> None:
        await request(ctx, args, self.screen(REQUEST))

    async def checkin(self, ctx: Context, args: Mapping[str, Any]) -> None:
        await checkin(ctx, args, self.screen(CHECKIN))

    async def feedback(self, ctx: Context, args: Mapping[str, Any]) -> None:
        await feedback(ctx, args, self.screen(FEEDBACK))

    async def offer(self, ctx: Context, args: Mapping[str, Any]) -> None:
        await offer(ctx, args, self.screen(OFFER))

    async def feedback_form(self, ctx: Context, values: Mapping[str, str], context: str) -> None:
        text = values.get("feedback", "").strip()
        if not text:
            raise UserError(
                "Write one line, or close the form if you'd rather not.", field="feedback"
            )
        if len(text) > FEEDBACK_TEXT.length_limit:
            raise UserError("One line is plenty: at most 300 characters.", field="feedback")
        await self.resume_feedback(ctx, {"pair": context, "text": text})

    # -- after the member's choice -----------------------------------------------------------
    async def resume_request(
        self, ctx: Context, values: dict[str, str], anyway: bool = False
    ) -> None:
        await request(ctx, parsed(ctx, values, GOALS, OUTSIDE), self.screen(REQUEST, anyway))

    async def resume_checkin(
        self, ctx: Context, values: dict[str, str], anyway: bool = False
    ) -> None:
        args = {"member": values.get("member", ""), **parsed(ctx, values, NOTE)}
        await checkin(ctx, args, self.screen(CHECKIN, anyway))

    async def resume_offer(
        self, ctx: Context, values: dict[str, str], anyway: bool = False
    ) -> None:
        await offer(ctx, parsed(ctx, values, AREAS, CAPACITY), self.screen(OFFER, anyway))

    async def resume_feedback(
        self, ctx: Context, values: dict[str, str], anyway: bool = False
    ) -> None:
        text = parsed(ctx, values, FEEDBACK_TEXT).get("text")
        if not text:
            raise UserError("Write one line of feedback.", field="text")
        scope = await scope_of(ctx)
        pair_id = values.get("pair", "")
        pair = await scope.repo.pair(ctx.space.id, int(pair_id)) if pair_id.isdigit() else None
        if pair is None or not pair.has(ctx.member.id) or pair.status is not PairStatus.ENDED:
            ctx.reply(GONE)
            return
        await save_feedback(ctx, scope, pair, text, self.screen(FEEDBACK, anyway))
