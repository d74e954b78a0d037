"""What an adapter uses of the core: a narrow `Host`, never the composition root's `Core`, so
adapters depend on the core's front door and not on how `rounds` wires everything."""

from __future__ import annotations

from typing import Protocol

from bot.delivery import RateBudget
from bot.engine import Rounds
from bot.ports import ChatPlatform
from bot.router import Router


class Host(Protocol):
    """The core as an adapter sees it: the front door, the declared commands, and a place to
    attach the platform's proactive sender (with its rate budget)."""

    @property
    def rounds(self) -> Rounds: ...

    @property
    def router(self) -> Router: ...

    def add_platform(self, platform: ChatPlatform, budget: RateBudget | None = None) -> None: ...
