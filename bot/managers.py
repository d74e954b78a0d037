"""Alerts for community managers (ARCHITECTURE §2): a post in the `managers` channel, or when
none is set, a DM to each manager Rounds knows. Never nowhere. Any programme may raise one."""

from __future__ import annotations

from datetime import datetime

from bot.context import channel_key
from bot.messages import ChannelPost, DirectMessage, Message
from bot.ports import NewDelivery, Tx

MANAGERS_CHANNEL = "managers"


async def manager_alerts(
    tx: Tx, space_id: int, key: str, purpose: str, message: Message, due_at: datetime
) -> list[NewDelivery]:
    """The deliveries of one alert. `key` names the alert; each recipient's key extends it."""
    settings = await tx.settings.all(space_id)
    channel = settings.get(channel_key(MANAGERS_CHANNEL))
    if channel:
        return [NewDelivery(f"{key}:channel", purpose, ChannelPost(channel), message, due_at)]
    return [
        NewDelivery(
            f"{key}:dm:{manager.id}",
            purpose,
            DirectMessage(manager.user_id),
            message,
            due_at,
            quiet=True,  # a manager is told in their waking hours, like anyone else
        )
        for manager in await tx.members.managers(space_id)
    ]
