"""Signing in to the dashboard from chat: one-time links, sessions and their CSRF tokens.

Tokens are 256 random bits; only their SHA-256 is stored (a fast hash is enough for values
nobody can guess), so a copy of the database opens nothing. A session's CSRF token is derived
from its cookie, so it needs no storage and no one without the cookie can compute it. The
manager's role is checked again on every request, from the database.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain import Member
from bot.features.dashboard.model import DASHBOARD, Grant
from bot.ports import Store

LINK_VALID = timedelta(minutes=10)
SESSION_VALID = timedelta(hours=12)
LOGIN_PATH = "dashboard/login/"


def new_token() -> str:
    return secrets.token_hex(32)  # hex: no character any chat platform reads as markup


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def csrf_token(session_token: str) -> str:
    return hashlib.sha256(b"rounds-dashboard-csrf:" + session_token.encode("utf-8")).hexdigest()


def csrf_ok(session_token: str, given: str) -> bool:
    return hmac.compare_digest(csrf_token(session_token), given)


@dataclass(frozen=True)
class SignedIn:
    """A new session: the cookie's value, its community and its end."""

    token: str
    space_id: int
    expires_at: datetime


@dataclass(frozen=True)
class Viewer:
    """A manager looking at one community's dashboard in this request."""

    space_id: int
    member: Member
    csrf: str


async def link_usable(store: Store, token: str, now: datetime) -> bool:
    async with store.transaction() as tx:
        return await tx.repo(DASHBOARD).link(token_hash(token), now) is not None


async def sign_in(store: Store, token: str, now: datetime) -> SignedIn | None:
    """Spend a link for a session; None when it is unknown, used or expired, or its manager
    is a manager no more."""
    async with store.transaction() as tx:
        repo = tx.repo(DASHBOARD)
        grant = await repo.use_link(token_hash(token), now)
        if grant is None:
            return None
        member = (await tx.members.by_ids(grant.space_id, [grant.member_id])).get(grant.member_id)
        if member is None or not (member.is_manager or member.is_platform_admin):
            return None
        session = new_token()
        expires_at = now + SESSION_VALID
        await repo.add_session(
            token_hash(session),
            Grant(grant.space_id, grant.member_id, grant.platform_admin, expires_at),
            now,
        )
    return SignedIn(session, grant.space_id, expires_at)


async def viewer(store: Store, space_id: int, session: str, now: datetime) -> Viewer | None:
    """Who this session is, if it is live here and its member is still a manager. A manager
    removed in Rounds (`/rounds config manager remove`) loses access on the next request; one
    whose role comes from the platform's admin status loses it on the next request after the
    platform last said otherwise (Rounds learns it at their next command, press or join)."""
    async with store.transaction() as tx:
        grant = await tx.repo(DASHBOARD).session(space_id, token_hash(session), now)
        if grant is None:
            return None
        member = (await tx.members.by_ids(space_id, [grant.member_id])).get(grant.member_id)
    if member is None or not (member.is_manager or member.is_platform_admin):
        return None
    return Viewer(space_id, member, csrf_token(session))


async def sign_out(store: Store, space_id: int, session: str, now: datetime) -> None:
    async with store.transaction() as tx:
        await tx.repo(DASHBOARD).end_session(space_id, token_hash(session), now)
