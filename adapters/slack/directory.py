"""Who a Slack member is: their display name, their team, and whether they are a workspace admin
or owner.

Admins and owners are managers (ARCHITECTURE.md §2). `users.info` is asked once per member and
the answer kept for a while, so a busy channel costs one lookup per member, not one per command.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.platform import error_code

log = logging.getLogger(__name__)

TTL_SECONDS = 600.0
FAILED_TTL_SECONDS = 60.0  # after a failed lookup, don't ask again on every command
MAX_ENTRIES = 50_000


@dataclass(frozen=True)
class Person:
    name: str = ""
    is_admin: bool = False
    team_id: str = ""
    """Their home team: another organisation's for a Slack Connect member; "" if unknown."""


def person_of(user: dict[str, object]) -> Person:
    profile = user.get("profile")
    names = profile if isinstance(profile, dict) else {}
    name = names.get("display_name") or names.get("real_name") or user.get("name") or ""
    admin = bool(user.get("is_admin") or user.get("is_owner"))
    return Person(str(name), admin, str(user.get("team_id") or ""))


class Directory:
    def __init__(
        self,
        client: AsyncWebClient,
        *,
        ttl_seconds: float = TTL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.ttl_seconds = ttl_seconds
        self.monotonic = monotonic
        self._cache: dict[str, tuple[float, Person]] = {}

    def remember(self, user_id: str, person: Person, ttl_seconds: float | None = None) -> None:
        if len(self._cache) >= MAX_ENTRIES:
            self._cache.clear()
        ttl = self.ttl_seconds if ttl_seconds is None else ttl_seconds
        self._cache[user_id] = (self.monotonic() + ttl, person)

    async def known(self, user_id: str) -> str | None:
        """Their name if Slack knows them in this workspace, None if nobody has that id (a
        failed look-up takes the mention on trust: it came from Slack's own escaping)."""
        cached = self._cache.get(user_id)
        if cached is None or cached[0] <= self.monotonic():
            try:
                response = await self.client.users_info(user=user_id)
            except SlackApiError as error:
                if error_code(error) == "user_not_found":
                    return None
                log.warning("users.info failed for %s: %s", user_id, error_code(error))
                return user_id
            user = response.get("user")
            if not isinstance(user, dict) or user.get("deleted"):
                return None
            self.remember(user_id, person_of(user))
        return (await self.lookup(user_id)).name or user_id

    async def lookup(self, user_id: str) -> Person:
        cached = self._cache.get(user_id)
        if cached is not None and cached[0] > self.monotonic():
            return cached[1]
        try:
            response = await self.client.users_info(user=user_id)
        except SlackApiError as error:
            # Not knowing someone's admin flag only withholds manager rights; never fatal.
            log.warning("users.info failed for %s: %s", user_id, error_code(error))
            self.remember(user_id, Person(), FAILED_TTL_SECONDS)
            return Person()
        user = response.get("user")
        person = person_of(user) if isinstance(user, dict) else Person()
        self.remember(user_id, person)
        return person
