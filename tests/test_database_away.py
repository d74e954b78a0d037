"""PostgreSQL going away and coming back (PostgreSQL only). A loopback proxy stands between
Rounds and the test database, so the server "stops" (connections cut, new ones refused) and
"starts" again without touching the database other tests share.

While it is away a member hears a clear "try again" within the platform's first answer and
nothing is lost; when it is back, commands work again and what was due is sent."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from sqlalchemy.engine import make_url

from bot.context import Actor
from bot.engine import UNAVAILABLE
from bot.errors import StoreUnavailable
from bot.messages import DirectMessage, Message
from bot.ports import NewDelivery
from storage.store import SqlStore
from tests.conftest import PG_URL, fresh_schema
from tests.helpers import CONSOLE, Community

pytestmark = pytest.mark.skipif(PG_URL is None, reason="needs ROUNDS_TEST_DATABASE_URL")


class Outage:
    """A TCP proxy to the database that can be taken down (every connection cut, the port
    closed) and brought back on the same port."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self.server: asyncio.Server | None = None
        self.open: set[asyncio.StreamWriter] = set()

    async def up(self) -> None:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def down(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.open):
            writer.transport.abort()
        await self.server.wait_closed()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream = await asyncio.open_connection(*self.target)
        self.open |= {writer, upstream}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.transport.abort()
                self.open.discard(sink)

        await asyncio.gather(pipe(reader, upstream), pipe(upstream_reader, writer))


def actor(name: str) -> Actor:
    return Actor(CONSOLE, name, display_name=name, channel_id="general", space_name="Console")


async def test_while_postgresql_is_away_members_hear_try_again_and_nothing_is_lost() -> None:
    assert PG_URL is not None
    url = make_url(PG_URL)
    outage = Outage(url.host or "127.0.0.1", url.port or 5432)
    await outage.up()
    store = SqlStore.from_url(url.set(host="127.0.0.1", port=outage.port).render_as_string(False))
    try:
        await fresh_schema(store)
        community = Community(store)
        await community.run("join alice\njoin bob")
        due_at = community.clock.now() + timedelta(hours=1)
        async with store.transaction() as tx:
            space = await tx.spaces.get_or_create(CONSOLE)
            bob = await tx.members.get(space.id, "bob")
            assert bob is not None
            note = Message("Your check-in is today.")
            await tx.outbox.enqueue_many(
                space.id, [NewDelivery("away:1", "test", DirectMessage("bob"), note, due_at)]
            )

        await outage.down()
        community.clock.advance(timedelta(hours=2))
        started = time.monotonic()
        outcome = await community.core.rounds.command(actor("bob"), "/rounds network join")
        waited = time.monotonic() - started
        assert [r.message.text for r in outcome.replies] == [UNAVAILABLE]
        assert waited < 3.0  # inside the platforms' first answer
        with pytest.raises(StoreUnavailable):  # the ticker logs it and tries at the next tick
            await community.core.runtime.run_due()
        assert "Your check-in is today." not in community.out.getvalue()

        await outage.up()
        sent = await community.core.runtime.run_due()
        outcome = await community.core.rounds.command(actor("bob"), "/rounds network join")
    finally:
        await store.close()
        await outage.down()
    assert sent >= 1
    assert "Your check-in is today." in community.out.getvalue()
    assert UNAVAILABLE not in [r.message.text for r in outcome.replies]
    assert not outcome.refused
