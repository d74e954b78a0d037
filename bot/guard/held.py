"""Texts the guard flagged, held in memory only until the member chooses (ARCHITECTURE §8).

They are never written to the database, a log line or the outbox. A restart forgets them, and
the buttons then ask the member to type the text again. One `HeldTexts` is made by the
composition root and handed to the guard, so every feature that guards text shares it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.guard.rules import Kind

HOLD_FOR = timedelta(minutes=30)
PER_MEMBER = 5  # a member who keeps getting warned keeps only their latest few texts


@dataclass(frozen=True)
class HeldText:
    """One flagged submission. `values` are what the member typed (kept out of `repr`, so a
    stray log line of this object shows no text)."""

    token: str
    space_id: int
    member_id: int
    purpose: str
    kinds: frozenset[Kind]
    held_at: datetime
    values: Mapping[str, str] = field(repr=False)


class HeldTexts:
    def __init__(
        self,
        *,
        hold_for: timedelta = HOLD_FOR,
        per_member: int = PER_MEMBER,
        new_token: Callable[[], str] = lambda: secrets.token_hex(8),
    ) -> None:
        self.hold_for = hold_for
        self.per_member = per_member
        self._new_token = new_token
        self._held: dict[str, HeldText] = {}

    def hold(
        self,
        space_id: int,
        member_id: int,
        purpose: str,
        values: Mapping[str, str],
        kinds: frozenset[Kind],
        now: datetime,
    ) -> HeldText:
        self._expire(now)
        mine = sorted(
            (h for h in self._held.values() if (h.space_id, h.member_id) == (space_id, member_id)),
            key=lambda h: h.held_at,
        )
        for old in mine[: max(0, len(mine) - self.per_member + 1)]:
            del self._held[old.token]
        held = HeldText(self._new_token(), space_id, member_id, purpose, kinds, now, dict(values))
        self._held[held.token] = held
        return held

    def get(self, space_id: int, member_id: int, token: str, now: datetime) -> HeldText | None:
        """The member's own held text in this space; None when it is gone or someone else's."""
        self._expire(now)
        held = self._held.get(token)
        if held is None or (held.space_id, held.member_id) != (space_id, member_id):
            return None
        return held

    def drop(self, token: str) -> None:
        self._held.pop(token, None)

    def forget_member(self, space_id: int, member_id: int) -> int:
        """Drop every text held for a member (they were erased); returns how many."""
        mine = [
            t for t, h in self._held.items() if (h.space_id, h.member_id) == (space_id, member_id)
        ]
        for token in mine:
            del self._held[token]
        return len(mine)

    def __len__(self) -> int:
        return len(self._held)

    def _expire(self, now: datetime) -> None:
        for token in [t for t, h in self._held.items() if now - h.held_at > self.hold_for]:
            del self._held[token]
