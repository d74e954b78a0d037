"""Counting rows per week in SQL, for the managers' chart: one query that sums each week's
rows over an index range, never loading the rows themselves."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession


async def per_week(
    session: AsyncSession, moment: Any, conditions: Sequence[Any], bounds: Sequence[datetime]
) -> list[int]:
    """How many rows matching `conditions` have `moment` in each week [bounds[i], bounds[i+1])."""
    if len(bounds) < 2:
        return []
    sums = [
        func.coalesce(func.sum(case((and_(moment >= start, moment < end), 1), else_=0)), 0)
        for start, end in itertools.pairwise(bounds)
    ]
    row = (
        await session.execute(
            select(*sums).where(*conditions, moment >= bounds[0], moment < bounds[-1])
        )
    ).one()
    return [int(value or 0) for value in row]
