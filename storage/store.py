"""The store: one SQLAlchemy session per transaction, exposing the repositories the core needs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.ports import RepoKey
from storage.audit import SqlAudit
from storage.catalog import REPOSITORIES, RepositoryFactory
from storage.db import make_engine, make_sessionmaker
from storage.directory import SqlDirectory
from storage.directory_index import install_search
from storage.errors import store_errors
from storage.limits import SqlSharedLimits
from storage.models import Base
from storage.outbox import SqlDeliveryQueue
from storage.repos import SqlInbound, SqlMembers, SqlOutbox, SqlSettings, SqlSpaces

R = TypeVar("R")


class SqlTx:
    def __init__(self, session: AsyncSession, factories: Mapping[str, RepositoryFactory]) -> None:
        self.session = session
        self.spaces = SqlSpaces(session)
        self.members = SqlMembers(session)
        self.settings = SqlSettings(session)
        self.outbox = SqlOutbox(session)
        self.inbound = SqlInbound(session)
        self.directory = SqlDirectory(session)
        self.audit = SqlAudit(session)
        self._factories = factories
        self._repos: dict[str, Any] = {}

    def repo(self, key: RepoKey[R]) -> R:
        found = self._repos.get(key.name)
        if found is None:
            factory = self._factories.get(key.name)
            if factory is None:
                raise LookupError(f"no repository for {key.name!r}: add it to storage/catalog.py")
            found = self._repos[key.name] = factory(self.session)
        return cast(R, found)


class SqlStore:
    def __init__(
        self, engine: AsyncEngine, repositories: Mapping[str, RepositoryFactory] = REPOSITORIES
    ) -> None:
        self.engine = engine
        self.sessions = make_sessionmaker(engine)
        self.deliveries = SqlDeliveryQueue(self.sessions)
        self.limits = SqlSharedLimits(engine)
        self.repositories = repositories

    @classmethod
    def from_url(cls, url: str, **engine_options: Any) -> SqlStore:
        return cls(make_engine(url, **engine_options))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlTx]:
        async with store_errors(), self.sessions() as session, session.begin():
            yield SqlTx(session, self.repositories)

    async def create_schema(self) -> None:
        """Create tables straight from the models (tests; production runs migrations)."""
        async with self.engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
            await connection.run_sync(install_search)

    async def close(self) -> None:
        await self.engine.dispose()
