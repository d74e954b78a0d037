"""Buttons as discord.py dynamic items: the custom id carries space, action id and value, so a
press on any old message reaches the core, even after a restart."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol

import discord

from adapters.discord.translate import BUTTON_TEMPLATE

if TYPE_CHECKING:
    from discord.ui import Item


class Presses(Protocol):
    async def press(
        self, interaction: discord.Interaction[Any], space: str, action_id: str, value: str
    ) -> None: ...


class ActionButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=BUTTON_TEMPLATE
):
    def __init__(
        self,
        label: str,
        custom_id: str,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        super().__init__(discord.ui.Button(label=label, custom_id=custom_id, style=style))
        match = re.fullmatch(BUTTON_TEMPLATE, custom_id, re.S)
        if match is None:
            raise ValueError("not a Rounds button id")
        self.space, self.action_id, self.value = match["space"], match["action"], match["value"]

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: Item[Any],
        match: re.Match[str],
        /,
    ) -> ActionButton:
        button = item if isinstance(item, discord.ui.Button) else None
        label = button.label if button is not None and button.label else ""
        return cls(label, match.string)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        presses: Presses = interaction.client.presses
        await presses.press(interaction, self.space, self.action_id, self.value)
