"""Discord's rate limits, kept by Rounds' budget rather than inside discord.py.

Every REST call discord.py makes for the bot passes through an aiohttp trace hook: before it
goes, the budget paces the bot-wide 50 requests a second and checks the call's route is not
paused (a long pause raises `RateLimited`, and no request is made); when the answer comes,
its `X-RateLimit-*` headers tell the budget when a route's window is used up, and a 429 pauses
the route, or the whole bot for a global one, then raises `RateLimited` so the outbox
reschedules instead of waiting. discord.py's own buckets are made inert (`leave_to_budget`):
they would sleep inside a send for seconds while other sends could go, and with a short
`max_ratelimit_timeout` they refuse every call while a window is open, even one with room.
Interaction responses are exempt from the global limit (Discord's rule) and pass untouched.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import aiohttp
import yarl
from discord.http import HTTPClient, Ratelimit

from bot.delivery import RateBudget
from bot.delivery.budget import PLATFORM, Rate, Scope
from bot.errors import RateLimited

REQUESTS_PER_SECOND = 50.0
GLOBAL = Scope(PLATFORM, Rate(REQUESTS_PER_SECOND))
EXEMPT = ("interactions", "webhooks")
"""Interaction callbacks and follow-ups: not bound by the global limit."""
MAJOR = {"channels": "{channel}", "guilds": "{guild}", "webhooks": "{webhook}"}


def route_scope(method: str, path: str) -> str:
    """A call's rate-limit bucket: its route, with the major parameter (a channel, a guild)
    kept and other ids generalised: `POST /channels/{channel}/messages:123`."""
    parts = path.strip("/").split("/")
    major = ""
    shown: list[str] = []
    for index, part in enumerate(parts):
        if index == 1 and parts[0] in MAJOR and part.isdigit():
            major, part = part, MAJOR[parts[0]]
        elif part.isdigit():
            part = "{id}"
        shown.append(part)
    return f"{method} /{'/'.join(shown)}:{major}"


def _seconds(headers: Any, *names: str) -> float:
    found = 0.0
    for name in names:
        try:
            found = max(found, float(headers.get(name) or 0))
        except ValueError:
            continue
    return found


class _Inert(Ratelimit):
    """A discord.py bucket that never waits: Rounds' budget has already paced the call."""

    async def acquire(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        return None


def leave_to_budget(http: HTTPClient) -> None:
    """Make `http`'s rate-limit buckets inert (discord.py 2.7's `get_ratelimit`; the pin on
    discord.py keeps this semi-internal hook in place)."""

    def inert(key: str) -> Ratelimit:
        return _Inert(None)

    http.get_ratelimit = inert  # type: ignore[method-assign]


def rate_limit_hook(budget: RateBudget, api_url: str) -> aiohttp.TraceConfig:
    """The trace hook for Rounds' Discord client (see the module docstring)."""
    base = yarl.URL(api_url).path.rstrip("/")
    config = aiohttp.TraceConfig()

    def scope_of(method: str, url: Any) -> str | None:
        path = str(url.path)
        if not path.startswith(base):
            return None
        path = path[len(base) :]
        if path.strip("/").split("/")[0] in EXEMPT:
            return None
        return route_scope(method, path)

    async def before(session: aiohttp.ClientSession, context: SimpleNamespace, params: Any) -> None:
        context.scope = scope_of(params.method, params.url)
        if context.scope is not None:
            await budget.request(GLOBAL, Scope(context.scope))

    async def after(session: aiohttp.ClientSession, context: SimpleNamespace, params: Any) -> None:
        scope = getattr(context, "scope", None)
        if scope is None:
            return
        response = params.response
        headers = response.headers
        if response.status == 429 and headers.get("Via"):  # Discord's, not a proxy's
            wait = _seconds(headers, "Retry-After", "X-RateLimit-Reset-After")
            is_global = headers.get("X-RateLimit-Global") or (
                headers.get("X-RateLimit-Scope") == "global"
            )
            limited = PLATFORM if is_global else scope
            await budget.limited(limited, wait or 1.0)
            raise RateLimited(wait or 1.0, limited)
        remaining = headers.get("X-RateLimit-Remaining")
        if remaining is not None and remaining.isdigit():
            resets = _seconds(headers, "X-RateLimit-Reset-After")
            await budget.learn(scope, remaining=int(remaining), resets_after=resets)

    config.on_request_start.append(before)
    config.on_request_end.append(after)
    return config
