"""What members write for everyone to see (an event's title and description, a follow-up) goes
through the patient-information guard first: while it holds a text, nothing is written; once the
member chooses (Edit, or Post anyway), the command carries on from the values it held."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot.context import Context
from bot.errors import UserError
from bot.guard import Guard, Guarded, TextField
from bot.options import Option, OptionKind, ParseContext
from bot.text import shown

Act = Callable[[Context, Mapping[str, Any]], Awaitable[None]]


def as_typed(args: Mapping[str, Any], options: tuple[Option, ...]) -> dict[str, str]:
    """Parsed values back as a member would type them (the guard holds text, not values)."""
    kinds = {option.name: option.kind for option in options}
    return {
        name: f"<@{value}>" if kinds.get(name) is OptionKind.MEMBER else shown(value)
        for name, value in args.items()
    }


def parse(values: Mapping[str, str], options: tuple[Option, ...], ctx: Context) -> dict[str, Any]:
    """Every value checked, all mistakes said at once."""
    known = {option.name: option for option in options}
    context = ParseContext(ctx.now, ctx.member.profile.timezone)
    parsed: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, raw in values.items():
        option = known.get(name)
        if option is None or not raw.strip():
            continue
        try:
            parsed[name] = option.parse(raw, context)
        except UserError as error:
            errors[name] = error.message
    if errors:
        raise UserError(" ".join(errors.values()), fields=errors)
    return parsed


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
    ) -> None:
        self.guard = guard
        self.purpose = purpose
        self.what = what
        self.fields = fields
        self.again = again
        self.options = options
        self.check = check
        self.act = act

    def flow(self) -> Guarded:
        return Guarded(self.purpose, self.what, self.fields, self.resume, self.again)

    async def command(self, ctx: Context, args: Mapping[str, Any]) -> None:
        await self.resume(ctx, as_typed(args, self.options), False)

    async def resume(self, ctx: Context, values: dict[str, str], anyway: bool) -> None:
        args = parse(values, self.options, ctx)
        await self.check(ctx, args)
        if not anyway and not await self.guard.screen(ctx, self.purpose, values):
            return  # held in memory until the member chooses: nothing may be written
        await self.act(ctx, args)
