"""Interactions in, outcomes out: slash commands, autocomplete, button presses, modal submits,
and members joining and leaving, each handed to the core and its outcome answered on Discord
(privately, deferred when slow). Only servers the bot is in reach the core; every interaction
is answered."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable
from typing import Any

import discord

from adapters.discord.modals import build_modal
from adapters.discord.render import render
from adapters.discord.schema import MAX_CHOICES, Schema
from adapters.discord.translate import BUTTON_TEMPLATE, invocation, submission
from bot.context import Actor
from bot.domain import SpaceKey
from bot.engine import Rounds
from bot.errors import StoreBusy
from bot.messages import Form, Message, Outcome
from bot.options import OptionKind
from bot.serving import InFlight
from bot.zones import zone_choices

log = logging.getLogger(__name__)

PLATFORM = "discord"
DEFER_AFTER = 2.0
GUILD_ONLY = "Rounds works inside a server. Use `/rounds` in one of your community's channels."
UNKNOWN = "That command has changed since this server's commands were last updated. Try again."
NOT_INSTALLED = "Rounds isn't set up in this server, so it can't help here."
STALE_BUTTON = "That button no longer does anything. Type `/rounds help` to see options."
STALE_FORM = "That form has expired. Please open it again."
RESTARTING = "Rounds is restarting and didn't take that. Please try again in a minute."
DONE = "✓ Done."


def zone_names() -> tuple[str, ...]:
    return zone_choices()


def suggestions(choices: tuple[str, ...], typed: str) -> list[str]:
    """Up to 25 choices that start with, then contain, what the member has typed so far."""
    word = typed.strip().replace(" ", "_").lower()
    starts = [c for c in choices if c.lower().startswith(word) or f"/{word}" in c.lower()]
    contains = [c for c in choices if word in c.lower() and c not in starts]
    return (starts + contains)[:MAX_CHOICES]


def actor_for(interaction: discord.Interaction[Any], space: str) -> Actor:
    user = interaction.user
    guild = interaction.guild
    in_guild = interaction.guild_id is not None and str(interaction.guild_id) == space
    return Actor(
        space=SpaceKey(PLATFORM, space),
        user_id=str(user.id),
        display_name=user.display_name,
        is_platform_admin=in_guild and interaction.permissions.manage_guild,
        channel_id=str(interaction.channel_id) if interaction.channel_id else None,
        space_name=guild.name if guild is not None and in_guild else "",
    )


def form_by_command(form: Form) -> Message:
    hint = f"\n{form.hint}" if form.hint else ""
    text = f"**{form.title}**: this form can't open here, but a command does the same."
    return Message(text + hint)


def installed(interaction: discord.Interaction[Any], space: str) -> bool:
    """Whether the bot is in this server (a guild it was sent, or one that installed it)."""
    if not space.isdigit():
        return False
    if interaction.client.get_guild(int(space)) is not None:
        return True
    return interaction.guild_id == int(space) and interaction.is_guild_integration()


def issued_button(interaction: discord.Interaction[Any]) -> bool:
    data: dict[str, Any] = dict(interaction.data or {})
    custom_id = str(data.get("custom_id", ""))
    return re.fullmatch(BUTTON_TEMPLATE, custom_id, re.S) is not None


class Interactions:
    """Anything the core has not answered within `defer_after` seconds (or a command declared
    `slow`) is deferred first and followed up, so no interaction times out. Forms open as
    modals when Discord allows one (the first response to a command or a button); otherwise
    the member is told how to fill the form in by command."""

    def __init__(
        self,
        rounds: Rounds,
        schema: Schema,
        *,
        defer_after: float = DEFER_AFTER,
        in_flight: InFlight | None = None,
    ) -> None:
        self.rounds = rounds
        self.schema = schema
        self.defer_after = defer_after
        self.in_flight = in_flight or InFlight()
        self.draining = False
        """Stopping: new interactions are told to try again in a minute."""

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        with self.in_flight:
            try:
                await self._route(interaction)
            except Exception:
                log.exception(
                    "interaction %s failed: guild=%s", interaction.id, interaction.guild_id
                )

    async def _route(self, interaction: discord.Interaction[Any]) -> None:
        kind = interaction.type
        if self.draining and kind is not discord.InteractionType.autocomplete:
            await interaction.response.send_message(RESTARTING, ephemeral=True)
        elif kind is discord.InteractionType.application_command:
            await self.command(interaction)
        elif kind is discord.InteractionType.autocomplete:
            await self.autocomplete(interaction)
        elif kind is discord.InteractionType.modal_submit:
            await self.submit(interaction)
        elif kind is discord.InteractionType.component and not issued_button(interaction):
            # Rounds' own buttons are answered by `ActionButton`; anything else would fail
            # silently ("This interaction failed") without this.
            await interaction.response.send_message(STALE_BUTTON, ephemeral=True)

    async def command(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.guild_id is None:
            await interaction.response.send_message(GUILD_ONLY, ephemeral=True)
            return
        space = str(interaction.guild_id)
        if not installed(interaction, space):
            await interaction.response.send_message(NOT_INSTALLED, ephemeral=True)
            return
        found = invocation(self.schema, interaction.data or {})
        if found is None or found.command is None:
            await interaction.response.send_message(UNKNOWN, ephemeral=True)
            return
        if not await self._first_time(interaction, space):
            return
        actor = actor_for(interaction, space)
        if found.text is not None:
            work = self.rounds.command(actor, found.text)
        else:
            work = self.rounds.invoke(actor, found.command.path, found.raw)
        await self.answer(interaction, space, work, slow=found.entry.slow)

    async def autocomplete(self, interaction: discord.Interaction[Any]) -> None:
        found = invocation(self.schema, interaction.data or {})
        choices: list[str] = []
        if found is not None and found.focused is not None and found.command is not None:
            option = found.command.option(found.focused)
            typed = found.raw.get(found.focused, "")
            if option is not None and option.kind is OptionKind.TIMEZONE:
                choices = suggestions(zone_names(), typed)
            elif option is not None and option.kind is OptionKind.CHOICE:
                choices = suggestions(option.choices, typed)
        await interaction.response.autocomplete(
            [discord.app_commands.Choice(name=c, value=c) for c in choices]
        )

    async def press(
        self, interaction: discord.Interaction[Any], space: str, action_id: str, value: str
    ) -> None:
        with self.in_flight:
            if self.draining:
                return  # `on_interaction` answers it
            if not installed(interaction, space):
                await interaction.response.send_message(STALE_BUTTON, ephemeral=True)
                return
            if not await self._first_time(interaction, space):
                return
            work = self.rounds.action(actor_for(interaction, space), action_id, value)
            await self.answer(interaction, space, work, component=True)

    async def submit(self, interaction: discord.Interaction[Any]) -> None:
        found = submission(interaction.data or {})
        if found is None or not installed(interaction, found.space):
            await interaction.response.send_message(STALE_FORM, ephemeral=True)
            return
        if not await self._first_time(interaction, found.space):
            return
        actor = actor_for(interaction, found.space)
        work = self.rounds.submit(actor, found.form_id, found.values, found.context)
        await self.answer(interaction, found.space, work, component=True)

    async def member_joined(self, member: discord.Member) -> None:
        if member.bot:
            return
        actor = Actor(
            space=SpaceKey(PLATFORM, str(member.guild.id)),
            user_id=str(member.id),
            display_name=member.display_name,
            is_platform_admin=member.guild_permissions.manage_guild,
            space_name=member.guild.name,
        )
        with self.in_flight:  # a join is taken even while stopping: Discord won't resend it
            await self.rounds.member_joined(actor)

    async def member_left(self, guild_id: int, user: discord.abc.User) -> None:
        """A member left or was removed (only seen with the members intent)."""
        if user.bot:
            return
        actor = Actor(SpaceKey(PLATFORM, str(guild_id)), str(user.id), user.display_name)
        with self.in_flight:  # like a join: Discord won't resend a leave
            await self.rounds.member_left(actor)

    async def _first_time(self, interaction: discord.Interaction[Any], space: str) -> bool:
        """False for an interaction already taken (the same id again: a gateway resume that
        replays it, or a second process given it): it was answered once, and is let be.
        With the database away the core is asked anyway; it says "try again" and changes
        nothing."""
        try:
            first = await self.rounds.first_time(
                SpaceKey(PLATFORM, space), f"interaction:{interaction.id}"
            )
        except StoreBusy:
            return True
        if not first:
            log.info("interaction %s was already handled: guild=%s", interaction.id, space)
        return first

    # -- answering ---------------------------------------------------------------------------
    async def answer(
        self,
        interaction: discord.Interaction[Any],
        space: str,
        work: Awaitable[Outcome],
        *,
        slow: bool = False,
        component: bool = False,
    ) -> None:
        task = asyncio.ensure_future(work)
        if slow:
            await self._defer(interaction, component)
        done, _ = await asyncio.wait({task}, timeout=self.defer_after)
        if not done and not interaction.response.is_done():
            await self._defer(interaction, component)
        await self.respond(interaction, space, await task)

    @staticmethod
    async def _defer(interaction: discord.Interaction[Any], component: bool) -> None:
        # A button keeps its message (deferred update); a command shows "thinking…" privately.
        await interaction.response.defer(ephemeral=True, thinking=not component)

    async def respond(
        self, interaction: discord.Interaction[Any], space: str, outcome: Outcome
    ) -> None:
        response = interaction.response
        replies = [(r.message, r.private) for r in outcome.replies]
        if outcome.form is not None:
            modal_allowed = interaction.type is not discord.InteractionType.modal_submit
            if modal_allowed and not response.is_done() and not replies:
                await response.send_modal(build_modal(outcome.form, space))
                return
            replies.append((form_by_command(outcome.form), True))
        if outcome.updated is not None:
            kwargs = render(outcome.updated, space, self.schema).kwargs(edit=True)
            if response.is_done():
                await interaction.edit_original_response(**kwargs)
            elif interaction.type is discord.InteractionType.component:
                await response.edit_message(**kwargs)
            else:
                replies.insert(0, (outcome.updated, True))
        if not replies and not response.is_done():
            if interaction.type is discord.InteractionType.component:
                await response.defer()
                return
            replies.append((Message(DONE), True))
        for message, private in replies:
            kwargs = render(message, space, self.schema).kwargs()
            if not response.is_done():
                await response.send_message(ephemeral=private, **kwargs)
            else:
                await interaction.followup.send(ephemeral=private, **kwargs)
