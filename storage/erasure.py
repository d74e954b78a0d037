"""Erasure and export for the core tables: the member row with its salted-hash tombstone, and
the outbox rows addressed to a member or naming them. Mixed into `SqlMembers` and `SqlOutbox`."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, delete, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import literal as literal_text
from bot.ports import OutboxEntry
from storage.models import ErasedMemberRow, MemberRow, OutboxRow, SpaceRow
from storage.outbox_rows import FINISHED

MIN_NAME = 3
"""Names shorter than this are not looked for in waiting messages: they'd match other words."""


def hash_user(salt: str, user_id: str) -> str:
    return hmac.new(salt.encode(), user_id.encode(), hashlib.sha256).hexdigest()


class SqlMemberErasure:
    session: AsyncSession

    async def _salt(self, space_id: int, *, make: bool) -> str | None:
        if make:  # made once per space; of two first erasures at once, the first one's stays
            await self.session.execute(
                update(SpaceRow)
                .where(SpaceRow.id == space_id, SpaceRow.salt.is_(None))
                .values(salt=secrets.token_hex(32))
                .execution_options(synchronize_session=False)
            )
        return await self.session.scalar(select(SpaceRow.salt).where(SpaceRow.id == space_id))

    async def erase(self, space_id: int, member_id: int, at: datetime) -> None:
        user_id = await self.session.scalar(
            select(MemberRow.user_id).where(
                MemberRow.space_id == space_id, MemberRow.id == member_id
            )
        )
        if user_id is None:
            return
        salt = await self._salt(space_id, make=True)
        assert salt is not None
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        await self.session.execute(
            insert(ErasedMemberRow)
            .values(space_id=space_id, user_hash=hash_user(salt, user_id), erased_at=at)
            .on_conflict_do_nothing(index_elements=["space_id", "user_hash"])
        )
        # the rows of every table that references the member go with it (ON DELETE CASCADE);
        # programmes have already erased or anonymised theirs through their hooks
        await self.session.execute(
            delete(MemberRow).where(MemberRow.space_id == space_id, MemberRow.id == member_id)
        )

    async def erased(self, space_id: int, user_ids: list[str]) -> set[str]:
        salt = await self._salt(space_id, make=False)
        if salt is None or not user_ids:
            return set()
        hashes = {hash_user(salt, user_id): user_id for user_id in user_ids}
        keys = list(hashes)
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            rows = await self.session.scalars(
                select(ErasedMemberRow.user_hash).where(
                    ErasedMemberRow.space_id == space_id,
                    ErasedMemberRow.user_hash.in_(keys[start : start + 500]),
                )
            )
            found.update(hashes[h] for h in rows)
        return found

    async def returned(self, space_id: int, user_id: str) -> None:
        salt = await self._salt(space_id, make=False)
        if salt is None:
            return
        await self.session.execute(
            delete(ErasedMemberRow).where(
                ErasedMemberRow.space_id == space_id,
                ErasedMemberRow.user_hash == hash_user(salt, user_id),
            )
        )


def _addressed(user_id: str) -> ColumnElement[bool]:
    """A DM to the member, or a group message they are in (group targets are comma lists)."""
    in_group = (literal(",") + OutboxRow.target_id + literal(",")).contains(
        f",{user_id},", autoescape=True
    )
    return or_(
        (OutboxRow.target_kind == "dm") & (OutboxRow.target_id == user_id),
        (OutboxRow.target_kind == "group") & in_group,
    )


def _as_stored(text: str) -> str:
    """How text appears inside a stored payload (JSON with ASCII escapes)."""
    return json.dumps(text)[1:-1]


def needles(user_id: str, names: Sequence[str]) -> list[str]:
    """What names the member in a stored message: their user id (mentions), and their names,
    as typed and as `literal` escaped them."""
    found = {_as_stored(user_id)}
    for name in names:
        if len(name.strip()) >= MIN_NAME:
            found.update({_as_stored(name.strip()), _as_stored(literal_text(name.strip()))})
    return sorted(found)


def names_them(payload: str, patterns: Sequence[re.Pattern[str]]) -> bool:
    return any(p.search(payload) for p in patterns)


class SqlOutboxErasure:
    session: AsyncSession

    async def addressed_to(self, space_id: int, user_id: str) -> list[OutboxEntry]:
        rows = await self.session.execute(
            select(
                OutboxRow.purpose,
                OutboxRow.status,
                OutboxRow.due_at,
                OutboxRow.sent_at,
                OutboxRow.payload,
            )
            .where(OutboxRow.space_id == space_id, _addressed(user_id))
            .order_by(OutboxRow.due_at, OutboxRow.id)
        )
        return [
            OutboxEntry(
                purpose, status, due_at, sent_at, json.loads(payload)["text"] if payload else None
            )
            for purpose, status, due_at, sent_at, payload in rows
        ]

    async def forget(self, space_id: int, user_id: str, names: Sequence[str], at: datetime) -> int:
        finished = await self.session.execute(
            delete(OutboxRow)
            .where(
                OutboxRow.space_id == space_id,
                OutboxRow.status.in_(FINISHED),
                _addressed(user_id),
            )
            .returning(OutboxRow.id)
        )
        changed = len(finished.all())
        looked_for = needles(user_id, names)
        # candidates by SQL (a LIKE over the waiting rows only), then whole words in Python:
        # a short id or name inside a longer word is not the member
        patterns = [re.compile(rf"(?<![\w]){re.escape(n)}(?![\w])") for n in looked_for]
        rows = await self.session.execute(
            select(
                OutboxRow.id, OutboxRow.target_kind, OutboxRow.target_id, OutboxRow.payload
            ).where(
                OutboxRow.space_id == space_id,
                OutboxRow.status.in_(("pending", "claimed")),
                or_(
                    _addressed(user_id),
                    *(OutboxRow.payload.contains(n, autoescape=True) for n in looked_for),
                ),
            )
        )
        for row_id, kind, target_id, payload in rows.all():
            addressed = (kind == "dm" and target_id == user_id) or (
                kind == "group" and user_id in target_id.split(",")
            )
            if not addressed and not names_them(payload or "", patterns):
                continue
            if kind == "group":
                target_id = ",".join(u for u in target_id.split(",") if u != user_id)
            elif addressed:
                target_id = ""
            await self.session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == row_id)
                .values(
                    status="cancelled",
                    payload=None,
                    target_id=target_id,
                    claimed_by=None,
                    claimed_until=None,
                    finished_at=at,
                    last_error="cancelled: a member named in it was erased",
                )
                .execution_options(synchronize_session=False)
            )
            changed += 1
        return changed
