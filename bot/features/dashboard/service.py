"""The dashboard as the web package uses it: sign-in, the viewer of each request, and the
pages programmes declared, built inside one read transaction scoped to the viewer's community.
The web package renders what this returns; it never reaches the store itself."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.clock import Clock
from bot.dashboard import Block, BoardContext, BoardPage, board_of
from bot.features.dashboard import access
from bot.features.dashboard.access import SignedIn, Viewer
from bot.ports import Store
from bot.router import Router

SIGN_IN_TRIES = 10
SIGN_IN_WINDOW = 600.0
"""An address may fail `SIGN_IN_TRIES` sign-ins in `SIGN_IN_WINDOW` seconds; then one more each
`SIGN_IN_WINDOW / SIGN_IN_TRIES` seconds. Counted in the database, so every process serving
the dashboard (behind one load balancer) sees the same count."""
SIGN_IN_LIMITS = "dashboard"


@dataclass(frozen=True)
class PageView:
    slug: str
    title: str
    blocks: Sequence[Block]


class BoardService:
    def __init__(
        self, store: Store, router: Router, clock: Clock, wall: Callable[[], float] = time.time
    ) -> None:
        self.store = store
        self.router = router
        self.clock = clock
        self.wall = wall

    async def sign_in_failed(self, address: str) -> None:
        """A sign-in from `address` did not work: it takes one of the address's tries (the
        shared budget's paced schedule, one slot per failure)."""
        now = self.wall()
        await self.store.limits.reserve(
            SIGN_IN_LIMITS, address, interval=SIGN_IN_WINDOW / SIGN_IN_TRIES, count=1, now=now
        )
        await self.store.limits.forget(SIGN_IN_LIMITS, now - SIGN_IN_WINDOW)

    async def sign_in_wait(self, address: str) -> int:
        """Seconds before `address` may try again (0: now): it failed `SIGN_IN_TRIES` times
        within the window."""
        taken_until = await self.store.limits.next_free(SIGN_IN_LIMITS, address)
        if taken_until is None:
            return 0
        # the schedule runs `tries` slots ahead when all were failed just now; one slot of it
        # coming free is one more try
        wait = taken_until - self.wall() - (SIGN_IN_WINDOW - SIGN_IN_WINDOW / SIGN_IN_TRIES)
        return math.ceil(wait) if wait > 0 else 0

    @property
    def pages(self) -> tuple[BoardPage, ...]:
        return board_of(self.router).pages

    async def link_usable(self, token: str) -> bool:
        return await access.link_usable(self.store, token, self.clock.now())

    async def sign_in(self, token: str) -> SignedIn | None:
        return await access.sign_in(self.store, token, self.clock.now())

    async def viewer(self, space_id: int, session: str) -> Viewer | None:
        return await access.viewer(self.store, space_id, session, self.clock.now())

    async def sign_out(self, space_id: int, session: str) -> None:
        await access.sign_out(self.store, space_id, session, self.clock.now())

    async def page(self, viewer: Viewer, slug: str) -> PageView | None:
        page = board_of(self.router).page(slug)
        if page is None:
            return None
        async with self.store.transaction() as tx:
            settings = self.router.effective(await tx.settings.all(viewer.space_id))
            ctx = BoardContext(tx, viewer.space_id, self.clock.now(), settings, self.router)
            blocks = await page.build(ctx)
        return PageView(page.slug, page.title, blocks)

    async def zone(self, viewer: Viewer) -> str:
        """The community's time zone, for showing moments."""
        from bot.localtime import COMMUNITY_ZONE, DEFAULT_ZONE

        async with self.store.transaction() as tx:
            settings = self.router.effective(await tx.settings.all(viewer.space_id))
        return settings.get(COMMUNITY_ZONE) or DEFAULT_ZONE
