"""The guard as features use it: screen what a member wrote before it is posted or stored.

When it fires, the text is held in memory (`HeldTexts`), and the member sees privately the
kinds of identifier found (never a copy) with Edit / Post anyway / Cancel; in block mode only
Edit and Cancel. Features declare a `Guarded` flow: which fields to check, and how to carry on
with the member's values once they choose (`resume`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from bot.context import Context
from bot.guard.data import digest, member_data
from bot.guard.held import HeldText, HeldTexts
from bot.guard.model import GUARD
from bot.guard.rules import DESCRIPTIONS, Kind, kinds
from bot.messages import Button, ButtonStyle, FieldKind, Form, FormField, Message
from bot.options import OptionKind
from bot.router import Router, Setting
from bot.text import listed

log = logging.getLogger(__name__)

MODE = "guard.mode"
WARN, BLOCK, OFF = "warn", "block", "off"
EDIT_ACTION, POST_ACTION, CANCEL_ACTION = "guard.edit", "guard.post", "guard.cancel"
EDIT_FORM = "guard.edit"
REPORT_OVER = timedelta(weeks=4)  # as on the dashboard's Q&A page

Resume = Callable[[Context, dict[str, str], bool], Awaitable[None]]
"""Carry on with a member's values; the flag is True when they chose "Post anyway"."""


@dataclass(frozen=True)
class TextField:
    """A field the guard checks, and how the Edit form shows it."""

    name: str
    label: str
    max_length: int = 200
    long: bool = False


@dataclass(frozen=True)
class Guarded:
    purpose: str
    """Names the flow, e.g. `qa.ask`."""
    what: str
    """What the member is posting, for the form title: "your question"."""
    fields: tuple[TextField, ...]
    resume: Resume
    again: str
    """The command to type again once a held text is gone (after a restart)."""
    together: bool = True
    """Check the fields as one text (a title and its body), or each on its own (profile
    fields, where a name in one field and a diagnosis in another mean nothing)."""


def found_in(flow: Guarded, values: Mapping[str, str]) -> frozenset[Kind]:
    texts = [values[f.name] for f in flow.fields if values.get(f.name)]
    if flow.together:
        return kinds("\n".join(texts))
    return frozenset().union(*(kinds(text) for text in texts))


def describe(found: frozenset[Kind]) -> str:
    names = [DESCRIPTIONS[kind] for kind in Kind if kind in found]
    return listed(names)


def render_warning(flow: Guarded, held: HeldText, mode: str, minutes: int) -> Message:
    value = f"{flow.purpose}:{held.token}"
    buttons: tuple[Button, ...]
    if mode == BLOCK:
        text = (
            f"⚠️ This looks like it may identify a patient: {describe(held.kinds)}. "
            "This community doesn't allow that here, so it wasn't posted. "
            "Edit it to take those details out, or cancel."
        )
        buttons = (
            Button("Edit", EDIT_ACTION, value, ButtonStyle.PRIMARY),
            Button("Cancel", CANCEL_ACTION, value),
        )
    else:
        text = (
            f"⚠️ Before this is posted: it looks like it may identify a patient "
            f"({describe(held.kinds)}). Chat platforms must not hold patient information. "
            "Edit it to take those details out, or post it anyway if it isn't about a patient."
        )
        buttons = (
            Button("Edit", EDIT_ACTION, value, ButtonStyle.PRIMARY),
            Button("Post anyway", POST_ACTION, value, ButtonStyle.DANGER),
            Button("Cancel", CANCEL_ACTION, value),
        )
    text += f"\nNothing has been saved; I'll hold it for {minutes} minutes."
    return Message(text, buttons=buttons)


class Guard:
    """Holds flagged texts (injected `HeldTexts`) and knows every feature's `Guarded` flow."""

    def __init__(self, held: HeldTexts) -> None:
        self.held = held
        self._flows: dict[str, Guarded] = {}

    def register(self, router: Router) -> None:
        router.setting(
            Setting(
                MODE,
                OptionKind.CHOICE,
                WARN,
                "the patient-information guard: warn, block or off",
                choices=(WARN, BLOCK, OFF),
            )
        )
        router.action(EDIT_ACTION, self._edit)
        router.action(POST_ACTION, self._post_anyway)
        router.action(CANCEL_ACTION, self._cancel)
        router.form(EDIT_FORM, self._edited)
        router.home_section(self._home)
        router.member_data(member_data(self.held))
        router.digest_section(digest)

    def guard(self, flow: Guarded) -> None:
        if flow.purpose in self._flows:
            raise ValueError(f"guarded flow {flow.purpose!r} declared twice")
        self._flows[flow.purpose] = flow

    def _what(self, purpose: str) -> str:
        """A flow as managers read it: "question" for `qa.ask` ("your question")."""
        flow = self._flows.get(purpose)
        return flow.what.removeprefix("your ") if flow else purpose

    async def screen(self, ctx: Context, purpose: str, values: Mapping[str, str]) -> bool:
        """True when `values` may be posted and stored. Otherwise the member has been warned,
        the values are held in memory, and the caller must write nothing."""
        flow = self._flows[purpose]
        mode = await ctx.setting(MODE)
        if mode == OFF:
            return True
        found = found_in(flow, values)
        if not found:
            return True
        held = self.held.hold(ctx.space.id, ctx.member.id, purpose, values, found, ctx.now)
        await ctx.tx.repo(GUARD).record_warning(ctx.space.id, purpose, ctx.now)
        log.info(  # ids and kinds only: never the text
            "guard held a text: space=%s member=%s purpose=%s kinds=%s",
            ctx.space.id,
            ctx.member.id,
            purpose,
            ",".join(sorted(found)),
        )
        minutes = int(self.held.hold_for.total_seconds() // 60)
        ctx.reply(render_warning(flow, held, mode, minutes))
        return False

    # -- the member's choice -----------------------------------------------------------------
    def _find(self, ctx: Context, value: str) -> tuple[Guarded | None, HeldText | None]:
        purpose, _, token = value.partition(":")
        held = self.held.get(ctx.space.id, ctx.member.id, token, ctx.now)
        return self._flows.get(purpose), held

    def _gone(self, ctx: Context, flow: Guarded | None) -> None:
        again = f" Please type it again: {flow.again}" if flow else " Please type it again."
        ctx.reply(
            "That text is no longer held. Rounds keeps a flagged text in memory only, for a "
            f"short while, and never saves it.{again}"
        )

    async def _edit(self, ctx: Context, value: str) -> None:
        flow, held = self._find(ctx, value)
        if flow is None or held is None:
            self._gone(ctx, flow)
            return
        fields = tuple(
            FormField(
                f.name,
                f.label,
                FieldKind.LONG_TEXT if f.long else FieldKind.TEXT,
                initial=held.values.get(f.name, ""),
                max_length=f.max_length,
            )
            for f in flow.fields
            if f.name in held.values or flow.together  # a question's empty body can be added
        )
        ctx.open_form(
            Form(
                EDIT_FORM,
                f"Edit {flow.what}"[:45],
                fields[:5],
                submit_label="Check again",
                context=value,
                hint=f"Or type it again: {flow.again}",
            )
        )

    async def _edited(self, ctx: Context, values: Mapping[str, str], context: str) -> None:
        flow, held = self._find(ctx, context)
        if flow is None or held is None:
            self._gone(ctx, flow)
            return
        names = {f.name for f in flow.fields}
        merged = {**held.values, **{k: v for k, v in values.items() if k in names}}
        self.held.drop(held.token)
        await flow.resume(ctx, merged, False)  # checked again, like a new submission

    async def _post_anyway(self, ctx: Context, value: str) -> None:
        flow, held = self._find(ctx, value)
        if flow is None or held is None:
            self._gone(ctx, flow)
            return
        if await ctx.setting(MODE) == BLOCK:
            ctx.reply("Posting anyway is turned off in this community. Edit it, or cancel.")
            return
        await ctx.tx.repo(GUARD).record_override(
            ctx.space.id, ctx.member.id, held.purpose, held.kinds, ctx.now
        )
        log.info(
            "guard: posted anyway: space=%s member=%s purpose=%s",
            ctx.space.id,
            ctx.member.id,
            held.purpose,
        )
        ctx.update(Message("You chose to post it anyway."))
        await flow.resume(ctx, dict(held.values), True)
        self.held.drop(held.token)

    async def _cancel(self, ctx: Context, value: str) -> None:
        _, _, token = value.partition(":")
        held = self.held.get(ctx.space.id, ctx.member.id, token, ctx.now)
        if held is not None:
            self.held.drop(held.token)
        ctx.update(Message("Cancelled. Nothing was posted or kept."))

    async def _home(self, ctx: Context) -> Message | None:
        """Managers see the guard's mode and how often members posted anyway."""
        if not ctx.is_manager:
            return None
        mode = await ctx.setting(MODE)
        counts = await ctx.tx.repo(GUARD).overrides_since(ctx.space.id, ctx.now - REPORT_OVER)
        total = sum(counts.values())
        where = ", ".join(
            f"{self._what(purpose)} ×{count}" for purpose, count in sorted(counts.items())
        )
        lines = [
            "**Patient-information guard**",
            f"Mode: {mode} (change with `/rounds config set guard.mode=warn|block|off`).",
            f"Posted anyway in the last 4 weeks: {total}" + (f" ({where})" if where else "") + ".",
        ]
        return Message("\n".join(lines))
