"""The dashboard as the web package uses it: sign-in, the viewer of each request, and the
pages programmes declared, built inside one read transaction scoped to the viewer's community.
The web package renders what this returns; it never reaches the store itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.clock import Clock
from bot.dashboard import Block, BoardContext, BoardPage, board_of
from bot.features.dashboard import access
from bot.features.dashboard.access import SignedIn, Viewer
from bot.ports import Store
from bot.router import Router


@dataclass(frozen=True)
class PageView:
    slug: str
    title: str
    blocks: Sequence[Block]


class BoardService:
    def __init__(self, store: Store, router: Router, clock: Clock) -> None:
        self.store = store
        self.router = router
        self.clock = clock

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
