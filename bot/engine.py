"""The core's front door: adapters hand it commands, button presses, form submissions, joins
and leaves.

One error boundary lives here. A `UserError` becomes a private message with the usage line;
anything else is logged with ids and answered with a short apology. A handler's writes are one
transaction, so a rejected command leaves nothing half-saved.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from bot.clock import Clock
from bot.context import Actor, Context
from bot.domain import Member, Role, Space, SpaceKey
from bot.errors import StoreBusy, StoreUnavailable, UserError
from bot.messages import Message, Outcome, literal
from bot.options import OptionKind, ParseContext
from bot.ports import ChatPlatform, NativeEvents, Store, Tx
from bot.router import TOP, Command, Router
from bot.web import PublicAddress

log = logging.getLogger(__name__)

APOLOGY = (
    "Sorry, something went wrong on our side and nothing was changed. "
    "It has been logged; please try again in a minute."
)
FORGOTTEN_HOME = (
    "You asked Rounds to forget you, and it has. Nothing about you is kept here. "
    "To start again as a new member, type `/rounds help`."
)
BUSY = "Rounds is very busy right now and nothing was changed. Please try again in a minute."
BUSY_DEADLINE = 20.0
"""Seconds a command keeps retrying a busy database (adapters defer their answer after 2 s;
Slack and Discord keep a deferred answer open for many minutes)."""
BUSY_PAUSES = (0.05, 0.1, 0.2, 0.4, 0.8)
UNAVAILABLE = (
    "Rounds can't reach its records right now, so nothing was changed. "
    "Please try again in a few minutes."
)
UNAVAILABLE_DEADLINE = 1.5
"""Seconds a command keeps trying a database it cannot reach: an outage lasts longer than a
command should wait, so the member hears "try again" within the platform's first answer."""


def roles_of(member: Member, actor: Actor) -> frozenset[Role]:
    roles = {Role.MEMBER}
    if member.is_manager or actor.is_platform_admin:
        roles.add(Role.MANAGER)
    if member.profile.open_to_mentor:
        roles.add(Role.MENTOR)
    return frozenset(roles)


class Rounds:
    def __init__(
        self,
        router: Router,
        store: Store,
        clock: Clock,
        *,
        on_planned: Callable[[], None] | None = None,
        platforms: Mapping[str, ChatPlatform] | None = None,
        address: PublicAddress | None = None,
    ) -> None:
        self.router = router
        self.address = address or PublicAddress()
        self.store = store
        self.clock = clock
        self._on_planned = on_planned
        self.platforms: Mapping[str, ChatPlatform] = platforms if platforms is not None else {}
        """Where a mention of someone Rounds has not met yet is looked up (shared, not copied:
        adapters attach their platforms after the core is built)."""
        self._spaces: dict[SpaceKey, Space] = {}

    # -- inputs ------------------------------------------------------------------------------
    async def command(self, actor: Actor, text: str) -> Outcome:
        """A command in the text form, with or without the leading `/rounds`."""
        first, _, rest = text.strip().partition(" ")
        if first.lower() == TOP:
            text = rest
        elif first.startswith("/"):  # another slash command, or `/rounds` mistyped
            meant = f"{TOP} {rest.strip()}" if rest.strip() else f"{TOP} help"
            return self._user_error(
                UserError(
                    f"I don't know `{literal(first)}`: Rounds' commands start with `{TOP}`. "
                    f"Did you mean `{literal(meant)}`?"
                ),
                None,
            )
        command: Command | None = None
        try:
            command, tokens = self.router.resolve(text)
            raw = self.router.bind_tokens(command, tokens)
        except UserError as error:
            return self._user_error(error, command or self.router.guess(text))
        return await self.invoke(actor, command.path, raw)

    async def invoke(self, actor: Actor, path: tuple[str, ...], raw: Mapping[str, str]) -> Outcome:
        """A command with raw option values by name (typed platforms call this directly)."""
        command = self.router.commands.get(path)
        if command is None:
            return self._user_error(UserError(f"I don't know `{TOP} {' '.join(path)}`."), None)

        try:
            people = await self._people(actor, command, raw)
        except StoreBusy:
            people = {}  # asked again inside the transaction, which retries or says busy

        async def run(ctx: Context) -> None:
            if command.role not in ctx.roles:
                raise UserError(refusal(command.role))
            parse = ParseContext(ctx.now, ctx.member.profile.timezone)
            args = self.router.bind(command, raw, parse)
            await self._known_members(ctx, command, args, people)
            await command.handler(ctx, args)

        return await self._run(actor, run, command, what=f"command {command.name}")

    async def action(self, actor: Actor, action_id: str, value: str) -> Outcome:
        handler = self.router.actions.get(action_id)
        if handler is None:
            log.warning("unknown action %s in space %s", action_id, actor.space.external_id)
            outcome = Outcome()
            outcome.reply(
                "That button no longer does anything. Type `/rounds help` to see options."
            )
            return outcome

        async def run(ctx: Context) -> None:
            await handler(ctx, value)

        return await self._run(actor, run, None, what=f"action {action_id}")

    async def submit(
        self, actor: Actor, form_id: str, values: Mapping[str, str], context: str = ""
    ) -> Outcome:
        handler = self.router.forms.get(form_id)
        if handler is None:
            outcome = Outcome()
            outcome.reply("That form has expired. Please open it again.")
            return outcome

        async def run(ctx: Context) -> None:
            await handler(ctx, values, context)

        return await self._run(actor, run, None, what=f"form {form_id}")

    async def member_joined(self, actor: Actor, *, manager_if_first: bool = False) -> bool:
        """A member joined the space: store them and run the welcome flow once. False when they
        had joined before (nothing to do).

        With `manager_if_first` (the console), a space with no manager yet gets this member as
        its manager.
        """
        try:
            space = await self._space(actor)
            async with self.store.transaction() as tx:
                member = await tx.members.get(space.id, actor.user_id)
                if member is None:
                    make_manager = manager_if_first and not await tx.members.managers(space.id)
                    member = await tx.members.add(
                        space.id,
                        actor.user_id,
                        actor.display_name or actor.user_id,
                        self.clock.now(),
                        is_manager=make_manager,
                    )
                    await tx.members.returned(space.id, actor.user_id)  # joining is a new start
                if member.is_platform_admin != actor.is_platform_admin:
                    await tx.members.set_platform_admin(
                        space.id, member.id, actor.is_platform_admin
                    )
                new = member.welcomed_at is None
                ctx = self._context(tx, space, member, actor)
                await self._welcome(ctx)
                if not new:
                    for handler in self.router.return_handlers:
                        await handler(ctx)
        except Exception:
            log.exception("member join failed: space=%s user=%s", actor.space, actor.user_id)
            raise
        self._planned(ctx)
        return new

    async def member_left(self, actor: Actor) -> None:
        """A member left the space (or was deactivated): each programme lets go of them.

        A member Rounds never knew needs nothing. The member's row stays (their history
        belongs to the community's record); the programmes end what they had running.
        """
        try:
            space = await self._space(actor)
            async with self.store.transaction() as tx:
                member = await tx.members.get(space.id, actor.user_id)
                if member is None:
                    return
                ctx = self._context(tx, space, member, actor)
                for handler in self.router.leave_handlers:
                    await handler(ctx)
        except Exception:
            log.exception("member leave failed: space=%s user=%s", actor.space, actor.user_id)
            raise
        self._planned(ctx)

    async def first_time(self, space: SpaceKey, event_key: str) -> bool:
        """True the first time a platform event id is seen in a space; False for its retries."""
        found = await self._space(Actor(space, ""))
        async with self.store.transaction() as tx:
            return await tx.inbound.first_time(found.id, event_key, self.clock.now())

    async def timezone_of(self, space: SpaceKey, user_id: str) -> str | None:
        """A member's time zone, for adapters that render times themselves (the console)."""
        space_row = await self._space(Actor(space, user_id))
        async with self.store.transaction() as tx:
            member = await tx.members.get(space_row.id, user_id)
        return member.profile.timezone if member else None

    async def home(self, actor: Actor) -> list[Message]:
        """What each programme shows this member on their home page. Opening it is not using
        Rounds: someone who asked to be forgotten is not made a member again by a look."""
        if await self._erased(actor):
            return [Message(FORGOTTEN_HOME)]
        messages: list[Message] = []

        async def run(ctx: Context) -> None:
            messages.clear()  # a retried attempt starts again
            for section in self.router.home_sections:
                message = await section(ctx)
                if message is not None:
                    messages.append(message)

        await self._run(actor, run, None, what="home")
        return messages

    # -- machinery ---------------------------------------------------------------------------
    async def _run(
        self,
        actor: Actor,
        body: Callable[[Context], Any],
        command: Command | None,
        *,
        what: str,
    ) -> Outcome:
        started = time.monotonic()
        attempt = 0
        while True:
            try:
                ctx = await self._attempt(actor, body)
                break
            except StoreBusy as busy:
                gone = isinstance(busy, StoreUnavailable)
                pause = BUSY_PAUSES[min(attempt, len(BUSY_PAUSES) - 1)]
                deadline = UNAVAILABLE_DEADLINE if gone else BUSY_DEADLINE
                if time.monotonic() - started + pause > deadline:
                    state = "an unreachable" if gone else "a busy"
                    log.warning("%s gave up on %s database: space=%s", what, state, actor.space)
                    outcome = Outcome()
                    outcome.reply(UNAVAILABLE if gone else BUSY)
                    return outcome
                attempt += 1
                await asyncio.sleep(pause)  # the whole transaction is retried: nothing was kept
            except UserError as error:
                return self._user_error(error, command)
            except Exception:
                log.exception(
                    "%s failed: space=%s user=%s", what, actor.space.external_id, actor.user_id
                )
                outcome = Outcome()
                outcome.reply(APOLOGY)
                return outcome
        self._planned(ctx)
        return ctx.outcome

    async def _people(
        self, actor: Actor, command: Command, raw: Mapping[str, str]
    ) -> dict[str, str | None]:
        """Who the platform says the members a command's options name are, for those Rounds
        has not met: asked before the command's transaction, so no call to the platform is
        made while it holds the database."""
        platform = self.platforms.get(actor.space.platform)
        named: list[str] = []
        for option in command.options:
            if option.kind is OptionKind.MEMBER and option.name in raw and platform is not None:
                try:
                    named.append(option.parse(raw[option.name], ParseContext(self.clock.now())))
                except UserError:
                    continue  # said to the member when the command binds its options
        if not named or platform is None:
            return {}
        space = await self._space(actor)
        async with self.store.transaction() as tx:
            known = await tx.members.by_user_ids(space.id, named)
        return {
            user_id: await platform.person(actor.space, user_id)
            for user_id in dict.fromkeys(named)
            if user_id not in known
        }

    async def _known_members(
        self,
        ctx: Context,
        command: Command,
        args: Mapping[str, Any],
        people: Mapping[str, str | None],
    ) -> None:
        """Every member an option names is someone: a member already, or a person the platform
        knows, who becomes a member now (a colleague who never used Rounds). Nobody by that
        name is refused, the same way for every command."""
        for option in command.options:
            user_id = args.get(option.name) if option.kind is OptionKind.MEMBER else None
            if user_id is None or await ctx.tx.members.get(ctx.space.id, user_id) is not None:
                continue
            if await ctx.tx.members.erased(ctx.space.id, [user_id]):
                # they asked to be forgotten: only they can bring themselves back
                raise UserError(
                    f"`@{literal(user_id)}` isn't using Rounds at the moment, so I can't do "
                    "that with them.",
                    field=option.name,
                )
            if user_id in people:
                name = people[user_id]
            else:  # met meanwhile, then gone; or the look-up before could not be made
                platform = self.platforms.get(ctx.space.key.platform)
                name = await platform.person(ctx.space.key, user_id) if platform else None
            if name is None:
                raise UserError(
                    f"I can't find `@{literal(user_id)}` in this community. Type @ and pick "
                    "the person from the list (they need to be in this workspace or server).",
                    field=option.name,
                )
            await ctx.tx.members.add(ctx.space.id, user_id, name, ctx.now)

    async def _attempt(self, actor: Actor, body: Callable[[Context], Any]) -> Context:
        """One try of a handler inside one transaction; the context it answered in."""
        space = await self._space(actor)
        async with self.store.transaction() as tx:
            member = await self._member(tx, space, actor)
            ctx = self._context(tx, space, member, actor)
            if member.welcomed_at is None:
                await self._welcome(ctx)
            await body(ctx)
        return ctx

    def _user_error(self, error: UserError, command: Command | None) -> Outcome:
        outcome = Outcome()
        text = error.message
        if command is not None:
            text += f"\nUsage: `{command.usage_for(error.field)}`"
        outcome.reply(text)
        outcome.refused = True
        outcome.field_errors.update(error.fields)
        return outcome

    def _planned(self, ctx: Context) -> None:
        if ctx.planned and self._on_planned is not None:
            self._on_planned()

    async def _space(self, actor: Actor) -> Space:
        """Spaces are created in their own transaction and then cached: they never go away."""
        space = self._spaces.get(actor.space)
        if space is None:
            async with self.store.transaction() as tx:
                space = await tx.spaces.get_or_create(actor.space, actor.space_name)
            self._spaces[actor.space] = space
        return space

    async def _member(self, tx: Tx, space: Space, actor: Actor) -> Member:
        member = await tx.members.get(space.id, actor.user_id)
        if member is None:
            member = await tx.members.add(
                space.id, actor.user_id, actor.display_name or actor.user_id, self.clock.now()
            )
            # using Rounds themselves is a deliberate new start, also after an erasure
            await tx.members.returned(space.id, actor.user_id)
        if member.is_platform_admin != actor.is_platform_admin:
            # kept as the platform says now, so managers' alerts reach admins nobody added
            await tx.members.set_platform_admin(space.id, member.id, actor.is_platform_admin)
            member = replace(member, is_platform_admin=actor.is_platform_admin)
        return member

    async def _erased(self, actor: Actor) -> bool:
        """Someone who is not a member now because they asked to be forgotten."""
        space = await self._space(actor)
        async with self.store.transaction() as tx:
            if await tx.members.get(space.id, actor.user_id) is not None:
                return False
            return bool(await tx.members.erased(space.id, [actor.user_id]))

    def _context(self, tx: Tx, space: Space, member: Member, actor: Actor) -> Context:
        return Context(
            tx=tx,
            space=space,
            member=member,
            actor=actor,
            roles=roles_of(member, actor),
            now=self.clock.now(),
            router=self.router,
            native_events=isinstance(self.platforms.get(space.key.platform), NativeEvents),
            address=self.address,
        )

    async def _welcome(self, ctx: Context) -> None:
        if ctx.member.welcomed_at is not None:
            return
        for handler in self.router.join_handlers:
            await handler(ctx)
        await ctx.tx.members.mark_welcomed(ctx.space.id, ctx.member.id, ctx.now)


def refusal(role: Role) -> str:
    if role is Role.MANAGER:
        return (
            "Only community managers can do that. Ask a manager, or see "
            f"`{TOP} help` for what you can do."
        )
    return f"That is for {role.value}s. See `{TOP} help` for what you can do."
