"""Members' data rights across programmes: each programme declares through the router how to
export what it stores about a member and how to erase it (`MemberData`). The privacy feature
runs every declared hook, so a new programme adds itself without touching that feature."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain import Member, Space
from bot.localtime import DEFAULT_ZONE
from bot.ports import Tx

FORMER_MEMBER = "a former member"
"""How anything that named an erased member names them now."""


@dataclass(frozen=True)
class MemberRequest:
    """One member's export or erasure, inside one transaction of their space."""

    tx: Tx
    space: Space
    member: Member
    now: datetime
    keep_posts: bool = False
    """Erasure only: what they posted for others (questions, answers) stays, without them."""
    zone: str = DEFAULT_ZONE
    """The community's time zone (for when notes to other members go out)."""
    settings: Mapping[str, str] = field(default_factory=dict)
    """The community's settings, defaults included (channels, cadences)."""


Export = Callable[[MemberRequest], Awaitable[Any]]
"""Everything a programme stores about the member, as JSON-able data (empty when nothing)."""
Erase = Callable[[MemberRequest], Awaitable[None]]
"""Delete (or anonymise) it, inside the erasure's transaction; plan notes through the outbox."""
Posts = Callable[[MemberRequest], Awaitable[str | None]]
"""What they posted for others that may stay anonymised, in words ("2 questions"), or None."""


@dataclass(frozen=True)
class MemberData:
    """A programme's part of `/rounds my-data` (under `name`) and of `/rounds forget-me`."""

    name: str
    what: str
    """What it keeps, for `/rounds privacy`: "your introduction card"."""
    export: Export
    erase: Erase
    posts: Posts | None = None
