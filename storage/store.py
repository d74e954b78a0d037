"""The store: one SQLAlchemy session per transaction, exposing the repositories the core needs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.db import make_engine, make_sessionmaker
from storage.directory import SqlDirectory
from storage.directory_index import install_search
from storage.intros import SqlIntros
from storage.models import Base
from storage.network import SqlNetwork
from storage.outbox import SqlDeliveryQueue
from storage.repos import SqlInbound, SqlMembers, SqlOutbox, SqlSettings, SqlSpaces


class SqlTx:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.spaces = SqlSpaces(session)
        self.members = SqlMembers(session)
        self.settings = SqlSettings(session)
        self.outbox = SqlOutbox(session)
        self.inbound = SqlInbound(session)
        self.directory = SqlDirectory(session)
        self.intros = SqlIntros(session)
        self.network = SqlNetwork(session)


class SqlStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = make_sessionmaker(engine)
        self.deliveries = SqlDeliveryQueue(self.sessions)

    @classmethod
    def from_url(cls, url: str) -> SqlStore:
        return cls(make_engine(url))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlTx]:
        async with self.sessions() as session, session.begin():
            yield SqlTx(session)

    async def create_schema(self) -> None:
        """Create tables straight from the models (tests; production runs migrations)."""
        async with self.engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
            await connection.run_sync(install_search)

    async def close(self) -> None:
        await self.engine.dispose()
