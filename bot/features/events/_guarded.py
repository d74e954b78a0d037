"""What members write for everyone to see (an event's title and description, a follow-up) goes
through the patient-information guard first: while it holds a text, nothing is written; once the
member chooses (Edit, or Post anyway), the command carries on from the values it held."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot.context import Context
from bot.guard import Guard, Guarded, TextField
from bot.options import Option, OptionKind, ParseContext, parse_all
from bot.text import shown

Act = Callable[[Context, Mapping[str, Any]], Awaitable[None]]


def as_typed(args: Mapping[str, Any], options: tuple[Option, ...]) -> dict[str, str]:
    """Parsed values back as a member would type them (the guard holds text, not values)."""
    kinds = {option.name: option.kind for option in options}
    return {
        name: f"<@{value}>" if kinds.get(name) is OptionKind.MEMBER else shown(value)
        for name, value in args.items()
    }


class Screened:
    """A command whose member text the guard reads before anything is written: its values are
    checked (`check`: the event exists, the member may), screened, then acted on (`act`)."""

    def __init__(
        self,
        guard: Guard,
        purpose: str,
        what: str,
        fields: tuple[TextField, ...],
        again: str,
        options: tuple[Option, ...],
        check: Act,
        act: Act,
        *,
        refused: str,
    ) -> None:
        self.guard = guard
        self.purpose = purpose
        self.what = what
        self.fields = fields
        self.again = again
        self.options = options
        self.check = check
        self.act = act
        self.refused = refused
        """What was not done when a value is refused (a form's fields, all said at once)."""

    def flow(self) -> Guarded:
        return Guarded(self.purpose, self.what, self.fields, self.resume, self.again)

    async def command(self, ctx: Context, args: Mapping[str, Any]) -> None:
        await self.resume(ctx, as_typed(args, self.options), False)

    async def resume(self, ctx: Context, values: dict[str, str], anyway: bool) -> None:
        parse = ParseContext(ctx.now, ctx.member.profile.timezone)
        args = parse_all(self.options, values, parse, refused=self.refused)
        await self.check(ctx, args)
        if not anyway and not await self.guard.screen(ctx, self.purpose, values):
            return  # held in memory until the member chooses: nothing may be written
        await self.act(ctx, args)
