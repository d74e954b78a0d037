"""The chain of versions of one outbox message: each version `replaces` the one before, and
planning a newer version cancels the older ones still pending."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxRow

FINISHED = ("sent", "expired", "failed", "cancelled")
MAX_CHAIN = 50
"""How far back a chain of versions is followed (a guard against a cycle of dedupe keys)."""


async def cancel_older(session: AsyncSession, space_id: int, key: str | None, at: datetime) -> int:
    """Cancel the versions still pending in a chain, from `key` back; returns how many.

    The walk stops at the first finished version: the ones before it were dealt with when it
    was planned. A version being sent meanwhile is left alone here; should it come back to be
    retried, or be claimed again, it is cancelled then (it has a newer version).
    """
    cancelled, seen = 0, set[str]()
    while key and key not in seen and len(seen) < MAX_CHAIN:
        seen.add(key)
        row = (
            await session.execute(
                select(OutboxRow.id, OutboxRow.status, OutboxRow.replaces).where(
                    OutboxRow.space_id == space_id, OutboxRow.dedupe_key == key
                )
            )
        ).first()
        if row is None or row.status in FINISHED:
            break
        if row.status == "pending":
            done = await session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == row.id, OutboxRow.status == "pending")
                .values(status="cancelled", payload=None, finished_at=at)
                .returning(OutboxRow.id)
                .execution_options(synchronize_session=False)
            )
            cancelled += done.first() is not None
        key = row.replaces
    return cancelled
